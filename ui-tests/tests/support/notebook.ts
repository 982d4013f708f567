/**
 * What the UI tests share: a notebook for the Tessera kernel from cell sources, running a cell
 * and reading its output, the page's uncaught errors, and waiting for a canvas to show pixels.
 */
import { expect, type IJupyterLabPageFixture } from '@jupyterlab/galata';
import type { Locator } from '@playwright/test';

/** An .ipynb (JSON) for the Tessera kernel with one code cell per source. */
export function notebook(cells: string[]): string {
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

/** Collects the page's uncaught errors, to check that none happened. */
export function pageErrors(page: IJupyterLabPageFixture): string[] {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  return errors;
}

/** Output area of cell `index`. */
export async function output(page: IJupyterLabPageFixture, index: number): Promise<Locator> {
  const cell = await page.notebook.getCellLocator(index);
  return cell!.locator('.jp-Cell-outputWrapper');
}

/** Runs cell `index` and waits for it to finish; fails when it printed an error. */
export async function run(page: IJupyterLabPageFixture, index: number): Promise<Locator> {
  expect(await page.notebook.runCell(index, true)).toBe(true);
  const out = await output(page, index);
  const errors = out.locator('.jp-RenderedText[data-mime-type="application/vnd.jupyter.stderr"]');
  if ((await errors.count()) > 0) throw new Error(`cell ${index} failed:\n${await errors.first().innerText()}`);
  return out;
}

/** A fingerprint of a canvas' pixels (0 while nothing is drawn). */
export function fingerprint(canvas: Locator): Promise<number> {
  return canvas.evaluate((c: HTMLCanvasElement) => {
    if (c.width === 0 || c.height === 0) return 0;
    const { data } = c.getContext('2d')!.getImageData(0, 0, c.width, c.height);
    let h = 0;
    for (let i = 0; i < data.length; i += 4) h = (Math.imul(h, 31) + data[i] + 7 * data[i + 1] + 13 * data[i + 2] + data[i + 3]) | 0;
    return h;
  });
}

/** Resolves once the canvas shows pixels that differ from `before`; returns their fingerprint. */
export async function changed(canvas: Locator, before = 0): Promise<number> {
  let now = 0;
  await expect.poll(async () => (now = await fingerprint(canvas)) !== 0 && now !== before, { timeout: 60_000 }).toBe(true);
  return now;
}
