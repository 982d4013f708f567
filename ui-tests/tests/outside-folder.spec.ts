/**
 * A user's notebook in a folder of their own, outside the repository: the Tessera kernel runs
 * there and imports the Tessera it ships with, shows `Out[n]` results with execution counts, and
 * reports a TesseraError with the cell's line.
 *
 * Jupyter serves only files under its root (inside the repository for these tests), so the root
 * gets a symbolic link to the outside folder; the kernel's working directory is the real folder.
 */
import { expect, test } from '@jupyterlab/galata';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** The Jupyter server's root folder (playwright.config.ts). */
const ROOT = path.resolve(__dirname, '..', 'notebooks-tmp');

const CELLS = [
  "import * as tessera from 'tessera';\nawait tessera.init();\nprocess.cwd()",
  'const image = tessera.push(new Float32Array([1, 2, 3, 4]), [2, 2]);\n(await tessera.pull(tessera.addImageAndScalar(image, 1))).data',
  '// sigma must not be negative\ntessera.gaussianBlur(image, -1)',
];

function notebook(cells: string[]): string {
  return JSON.stringify({
    cells: cells.map((source) => ({ cell_type: 'code', execution_count: null, metadata: {}, outputs: [], source })),
    metadata: {
      kernelspec: { name: 'tessera', display_name: 'TypeScript (Tessera)', language: 'typescript' },
      language_info: { name: 'typescript' },
    },
    nbformat: 4,
    nbformat_minor: 5,
  });
}

test.use({ autoGoto: true });

test('a notebook in a folder outside the repository imports Tessera and runs', async ({ page, tmpPath }) => {
  const outside = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-user-analysis-')));
  try {
    const repository = path.resolve(__dirname, '..', '..');
    expect(path.relative(repository, outside).startsWith('..')).toBe(true);
    fs.writeFileSync(path.join(outside, 'analysis.ipynb'), notebook(CELLS));
    fs.symlinkSync(outside, path.join(ROOT, tmpPath, 'analysis'));

    await page.notebook.openByPath(`${tmpPath}/analysis/analysis.ipynb`);
    await page.notebook.activate('analysis.ipynb');

    const output = async (index: number) => (await page.notebook.getCellLocator(index))!.locator('.jp-Cell-outputWrapper');
    const prompt = async (index: number) => (await page.notebook.getCellLocator(index))!.locator('.jp-OutputPrompt').first();

    expect(await page.notebook.runCell(0, true)).toBe(true);
    await expect(await output(0)).toContainText(`'${outside}'`, { timeout: 120_000 });
    await expect(await prompt(0)).toHaveText('[1]:');

    expect(await page.notebook.runCell(1, true)).toBe(true);
    await expect(await output(1)).toContainText('Float32Array(4) [ 2, 3, 4, 5 ]');
    await expect(await prompt(1)).toHaveText('[2]:');

    await page.notebook.runCell(2, true);
    const error = (await output(2)).locator('[data-mime-type="application/vnd.jupyter.stderr"]');
    await expect(error).toContainText('Cell In[3], line 2');
    await expect(error).toContainText('----> 2 tessera.gaussianBlur(image, -1)');
    await expect(error).toContainText('TesseraError: gaussianBlur: sigmaX must be >= 0; got -1');
    await expect(error).not.toContainText('node:');
  } finally {
    fs.rmSync(outside, { recursive: true, force: true });
  }
});
