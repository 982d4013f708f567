/**
 * The example notebooks (binder/notebooks) in a real JupyterLab with the Tessera kernel, each
 * copied into a folder of its own outside the repository (as a user would): every code cell runs without an error
 * output, every widget canvas shows pixels and every Vega-Lite plot renders. Per notebook, the
 * numbers are checked (the insight table's min/max, custom kernels agreeing with built-in
 * operations, the checklist's verdict), the widgets tour is driven (slice slider with its round
 * trip, curtain, picker, orthogonal cursor, switch, animation), and key outputs are compared with
 * committed snapshots in the light and the dark theme (tolerance: 2 % of the pixels).
 *
 * With TESSERA_DOCS_SCREENSHOTS=1 the widgets tour also writes a screenshot of each widget to
 * docs/widgets/ (docs/notebooks.md shows them).
 */
import { expect, galata, test, type IJupyterLabPageFixture } from '@jupyterlab/galata';
import type { Locator } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { changed, pageErrors } from './support/notebook';

const ROOT = path.resolve(__dirname, '..', '..');
const NOTEBOOKS = path.join(ROOT, 'binder', 'notebooks');
const DOCS = path.join(ROOT, 'docs', 'widgets');
/** The Jupyter server's root folder (playwright.config.ts). */
const SERVER_ROOT = path.join(ROOT, 'ui-tests', 'notebooks-tmp');
const docsScreenshots = process.env.TESSERA_DOCS_SCREENSHOTS === '1';
/** Pixel tolerance of the visual snapshots. */
const SNAPSHOT = { maxDiffPixelRatio: 0.02, threshold: 0.25 };

/** One notebook open in JupyterLab: its cells' sources, and how to reach its outputs. */
interface Opened {
  page: IJupyterLabPageFixture;
  sources: string[];
  /** The output area of the first code cell whose source contains `marker`. */
  output(marker: string): Promise<Locator>;
}

/**
 * Copies a binder notebook into a new folder outside the repository (as a user would: its kernel
 * runs there, and what it writes stays there), opens it and reads its cells. Jupyter serves only
 * files under its root, so the test's folder gets a symbolic link to it (as in outside-folder.spec.ts).
 */
async function open(page: IJupyterLabPageFixture, tmpPath: string, name: string, outside: string): Promise<Opened> {
  expect(path.relative(ROOT, outside).startsWith('..')).toBe(true);
  fs.copyFileSync(path.join(NOTEBOOKS, name), path.join(outside, name));
  fs.symlinkSync(outside, path.join(SERVER_ROOT, tmpPath, 'own'));
  await page.notebook.openByPath(`${tmpPath}/own/${name}`);
  await page.notebook.activate(name);
  const count = await page.notebook.getCellCount();
  const sources: string[] = [];
  for (let i = 0; i < count; i++) sources.push((await page.notebook.getCellType(i)) === 'code' ? await page.notebook.getCellTextInput(i) : '');
  const output = async (marker: string) => {
    const index = sources.findIndex((s) => s.includes(marker));
    expect(index, `a code cell containing ${JSON.stringify(marker)}`).toBeGreaterThanOrEqual(0);
    return (await page.notebook.getCellLocator(index))!.locator('.jp-Cell-outputWrapper');
  };
  return { page, sources, output };
}

/** Runs every code cell in order; fails at the first cell that shows an error, with its text. */
async function runAll(nb: Opened, name: string): Promise<void> {
  for (let i = 0; i < nb.sources.length; i++) {
    if (!nb.sources[i]) continue;
    expect(await nb.page.notebook.runCell(i, true)).toBe(true);
    const cell = (await nb.page.notebook.getCellLocator(i))!;
    const errors = cell.locator('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]');
    if ((await errors.count()) > 0) throw new Error(`${name}, cell ${i} failed:\n${await errors.first().innerText()}`);
    await expect(cell.locator('.jp-InputPrompt')).toHaveText(/\[\d+\]:/);
  }
}

/** Every widget canvas of the notebook shows pixels, every Vega-Lite plot has rendered marks. */
async function everythingRendered(page: IJupyterLabPageFixture): Promise<{ canvases: number; plots: number }> {
  const notebook = (await page.notebook.getNotebookInPanelLocator())!;
  const canvases = await notebook.locator('canvas.tessera-canvas, canvas.tessera-insight-picture, canvas.tessera-histogram').all();
  for (const canvas of canvases) await changed(canvas);
  // JupyterLab's Vega-Lite renderer (vega-embed) draws into a canvas.
  const plots = await notebook.locator('.jp-RenderedVegaLite').all();
  for (const plot of plots) {
    const canvas = plot.locator('.vega-embed canvas').first();
    await expect(canvas).toBeVisible({ timeout: 60_000 });
    expect(await canvas.evaluate((c: HTMLCanvasElement) => c.width)).toBeGreaterThan(100);
  }
  return { canvases: canvases.length, plots: plots.length };
}

/** Round trips a view measured (slider step to drawn canvas), in ms. */
function roundTrips(page: IJupyterLabPageFixture): Promise<number[]> {
  return page.evaluate(() => performance.getEntriesByName('tessera:roundtrip').map((e) => e.duration));
}

/** Snapshots of `widgets` (name → locator) in the light theme, then the dark one. */
async function snapshots(page: IJupyterLabPageFixture, stem: string, widgets: Record<string, Locator>): Promise<void> {
  for (const theme of ['light', 'dark'] as const) {
    if (theme === 'dark') await page.theme.setDarkTheme();
    for (const [what, widget] of Object.entries(widgets)) {
      await widget.scrollIntoViewIfNeeded();
      await expect(widget).toHaveScreenshot(`${stem}-${what}-${theme}.png`, SNAPSHOT);
    }
  }
  await page.theme.setLightTheme();
}

/**
 * With TESSERA_DOCS_SCREENSHOTS=1: a screenshot of the output of the cell with each marker
 * (name → marker), written to docs/widgets/<name>.png.
 */
async function docsShots(output: Opened['output'], shots: Record<string, string>): Promise<void> {
  if (!docsScreenshots) return;
  fs.mkdirSync(DOCS, { recursive: true });
  for (const [name, marker] of Object.entries(shots)) {
    const shown = (await output(marker)).locator('.jp-OutputArea-output').last();
    await shown.scrollIntoViewIfNeeded();
    await shown.screenshot({ path: path.join(DOCS, `${name}.png`) });
  }
}

/** Whether this machine has a Slurm partition up with a node that takes jobs, as notebook 6 decides. */
function hasSlurm(): boolean {
  try {
    return /^\S+ up \d+ (idle|mix|alloc)/m.test(execFileSync('sinfo', ['-h', '-o', '%P %a %D %t'], { encoding: 'utf8', timeout: 10_000 }));
  } catch {
    return false;
  }
}

/** Checks of one notebook beyond "runs and renders", after its cells ran. */
const CHECKS: Record<string, (nb: Opened) => Promise<void>> = {
  '01-getting-started.ipynb': async ({ page, output }) => {
    // The insight table of the hand-made uint16 image shows its true minimum and maximum.
    const values: number[] = [];
    for (let y = 0; y < 192; y++) for (let x = 0; x < 256; x++) values.push(Math.round(1000 + 800 * Math.sin(x / 12) * Math.cos(y / 16)));
    const stats = (await output('const waves = ')).locator('.tessera-stats');
    const row = (key: string) => stats.locator('tr', { has: page.locator(`th:text-is("${key}")`) }).locator('td');
    await expect(row('shape')).toHaveText('(192, 256)');
    await expect(row('dtype')).toHaveText('uint16');
    await expect(row('min')).toHaveText(String(Math.min(...values)));
    await expect(row('max')).toHaveText(String(Math.max(...values)));
    await expect(await output('identical to what was pushed')).toContainText(/identical to what was pushed\s*│\s*true/);
    await expect(await output('setMemoryBudget(16e6)')).toContainText('needs 64.0 MB of GPU memory');
    await snapshots(page, 'getting-started', { insight: (await output('const sample = ')).locator('.tessera-widget') });
  },
  '02-filtering-and-benchmark.ipynb': async ({ output }) => {
    await expect(await output('const largest = ')).toContainText(/largest difference CPU vs GPU: \d\.\de-[5-9]/);
    const filters = await output('switchImages(filtered');
    const canvas = filters.locator('canvas.tessera-canvas');
    const raw = await changed(canvas);
    await filters.getByRole('button', { name: 'topHatBox 8' }).click();
    await changed(canvas, raw);
    await expect(await output('const results: ')).toContainText('65,536'); // every 3rd voxel of 48 x 192 x 192
    await expect(await output('const sizes = ')).toContainText('Here the GPU');
  },
  '11-interactive-widgets.ipynb': async ({ output }) => {
    await docsShots(output, {
      scatterplot: 'widgets.scatterplot(table', sliceplot: 'widgets.sliceplot(', grid: 'widgets.grid(', blend: 'widgets.blend(stack',
      crop: 'widgets.crop(stack)', zoom: 'widgets.zoom(stack', 'display-range': 'widgets.displayRange(stack)', imshow: 'widgets.imshow(stack',
      'add-text': 'widgets.addText(', 'add-bounding-boxes': 'widgets.addBoundingBoxes(', 'animate-curtain': 'widgets.animateCurtain(',
    });
  },
  '03-custom-kernels.ipynb': async ({ page, output }) => {
    // The custom kernels agree exactly with the built-in operations.
    await expect((await output('absoluteDifference(sqdiff, builtIn)')).locator('.jp-OutputArea-output')).toHaveText(/^\s*0\s*$/);
    await expect((await output('absoluteDifference(edges, viaFilters)')).locator('.jp-OutputArea-output')).toHaveText(/^\s*0\s*$/);
    await expect(await output("'typo'")).toContainText("line 2 of the operation: unresolved value 'doubledd'");
    await snapshots(page, 'custom-kernels', { 'squared-difference': (await output('colormaps: [\'grey\', \'magma\']')).locator('.tessera-widget') });
  },
  '04-nuclei-and-embryo.ipynb': async ({ page, output }) => {
    // The counts are compared with the synthetic embryo's ground truth, which the notebook prints.
    const count = Number((await (await output('tessera.syntheticNuclei(')).innerText()).match(/(\d+) nuclei in a stack/)![1]);
    expect(count).toBeGreaterThan(100);
    const stats = (await output('const nuclei = ')).locator('.tessera-stats');
    const row = (key: string) => stats.locator('tr', { has: page.locator(`th:text-is("${key}")`) }).locator('td');
    await expect(row('dtype')).toHaveText('uint32');
    const found = Number(await row('max').innerText());
    expect(Math.abs(found - count), 'nuclei segmented vs true').toBeLessThanOrEqual(0.05 * count);
    const spots = Number((await (await output('const spotCount = ')).innerText()).match(new RegExp(`(\\d+) spots detected \\(ground truth: ${count} nuclei\\)`))![1]);
    expect(Math.abs(spots - count), 'spots vs true nuclei').toBeLessThanOrEqual(0.05 * count);
    await expect(await output('averageNeighborDistanceMap(cells)')).toContainText(/average centroid distance of neighbours: \d+\.\d\d voxels/);
    const comparison = await (await output('const truth = ')).innerText();
    const oneToOne = Number(comparison.match(new RegExp(`(\\d+) of ${count} nuclei found one to one`))![1]);
    expect(oneToOne).toBeGreaterThanOrEqual(0.95 * count);
    // The neighbour distance from the segmentation agrees with the one from the true nuclei (within 5 %).
    const [measured, truth] = comparison.match(/average neighbour distance \(voxels\)\s*│\s*([\d.]+)\s*│\s*([\d.]+)/)!.slice(1).map(Number);
    expect(Math.abs(measured - truth)).toBeLessThanOrEqual(0.05 * truth);
    await expect((await output('await tessera.blandAltman(')).locator('.jp-RenderedVegaLite').first()).toBeVisible();
    const widget = async (marker: string) => (await output(marker)).locator('.tessera-widget').first();
    await snapshots(page, 'nuclei-and-embryo', {
      nuclei: await widget('widgets.labelOverlay(image, nuclei'),
      mesh: await widget("names: ['nuclei', 'neighbour mesh']"),
    });
  },
  '05-tiling.ipynb': async ({ output }) => {
    // Without a margin the tiles differ from the whole image; from the pipeline's reach (34) on they do not.
    const margins = await output('for (const margin of');
    await expect(margins).toContainText(/│\s*0\s*│\s*0\s*│\s*'1\.00'\s*│\s*'[1-9]\.\de\+\d'/);
    await expect(margins).toContainText(/│\s*6\s*│\s*34\s*│\s*'4\.25'\s*│\s*'0\.0e\+0'/);
    const automatic = await output('tessera.analysePipeline(');
    await expect(automatic).toContainText('margin (z, y, x) from the declared halos: [ 0, 34, 34 ]');
    await expect(automatic).toContainText('max |difference| with the automatic margin: 0');
  },
  '06-slurm.ipynb': async ({ output }) => {
    // Local workers and (where there is a cluster) a Slurm job array give the result of this process exactly.
    const workers = await output('workers: 2, tileShape');
    await expect(workers).toContainText(/executor\s*│\s*'workers'/);
    await expect(workers).toContainText(/largest difference to this process\s*│\s*0\s/);
    const slurm = await output('const slurmOptions');
    await expect(slurm).toContainText(hasSlurm() ? /largest difference to this process\s*│\s*0\s/ : 'No Slurm: this would submit');
    await expect(await output("'already done, skipped'")).toContainText(/already done, skipped\s*│\s*16\s/);
  },
  '07-bland-altman.ipynb': async ({ output }) => {
    const table = await output('await tessera.compareMeasurements(');
    await expect(table.locator('table')).toContainText('mean_intensity');
    await expect(table.locator('.jp-RenderedVegaLite')).toHaveCount(1);
    const threshold = await output('acceptableDifference: 5');
    await expect(threshold).toContainText('Proportional error');
    await expect(threshold).toContainText('are not interchangeable');
    await expect(await output('acceptableDifference: 0.01')).toContainText('GPU (float32) and CPU (float64) can be used interchangeably');
  },
  '08-widgets-tour.ipynb': async ({ page, output }) => {
    await test.step('the kernel moves the slider', async () => {
      await expect(await output('viewer.update({ index: 16 })')).toContainText('the slider is at z = 16');
      await expect((await output('widgets.slice(stack')).locator('.tessera-slider .tessera-readout').first()).toHaveText('16');
    });
    await test.step('slice: the slider moves z, the canvas changes, the round trip is measured', async () => {
      const slice = await output('widgets.slice(stack');
      const canvas = slice.locator('canvas.tessera-canvas');
      let before = await changed(canvas);
      const slider = slice.getByRole('slider', { name: 'z' });
      await slider.focus();
      for (let k = 0; k < 3; k++) {
        const trips = (await roundTrips(page)).length;
        await page.keyboard.press('ArrowRight');
        before = await changed(canvas, before);
        await expect.poll(async () => (await roundTrips(page)).length, { timeout: 30_000 }).toBeGreaterThan(trips);
      }
      const trips = await roundTrips(page);
      const last = trips.slice(-3).map((ms) => Math.round(ms));
      console.log(`slice of 24 x 128 x 128 float32 in the widgets tour: slider step to drawn canvas ${last.join(', ')} ms`);
      test.info().annotations.push({ type: 'round trip (ms)', description: last.join(', ') });
      expect(last.every((ms) => ms > 0)).toBe(true);
    });
    await test.step('curtain: dragging the curtain changes the picture and the curtain slider', async () => {
      const curtain = await output('widgets.curtain(stack, cleaned');
      const canvas = curtain.locator('canvas.tessera-canvas');
      const before = await changed(canvas);
      await canvas.scrollIntoViewIfNeeded();
      const box = (await canvas.boundingBox())!;
      await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
      await page.mouse.down();
      await page.mouse.move(box.x + box.width * 0.2, box.y + box.height / 2, { steps: 5 });
      await page.mouse.up();
      await changed(canvas, before);
      const position = Number(await curtain.getByRole('slider', { name: 'curtain' }).inputValue());
      expect(position).toBeLessThan(0.35);
    });
    await test.step('picker: hovering shows the position and the value', async () => {
      const picker = await output('widgets.picker(stack');
      const canvas = picker.locator('canvas.tessera-canvas');
      await changed(canvas);
      await canvas.scrollIntoViewIfNeeded();
      const box = (await canvas.boundingBox())!;
      const readout = picker.locator('.tessera-picker');
      await page.mouse.move(box.x + box.width / 4, box.y + box.height / 4);
      await expect(readout).toContainText(/x=3[12] y=3[12] z=12: -?\d/);
      const first = await readout.innerText();
      await page.mouse.move(box.x + (3 * box.width) / 4, box.y + box.height / 2);
      await expect(readout).toContainText(/x=9[56] y=6[34] z=12: -?\d/);
      expect(await readout.innerText()).not.toBe(first);
    });
    await test.step('orthogonal: a click moves the cursor, the other planes follow', async () => {
      const ortho = await output('widgets.orthogonal(stack');
      const planes = ortho.locator('canvas.tessera-canvas');
      await expect(planes).toHaveCount(3);
      const before = await changed(planes.nth(1));
      await planes.first().click({ position: { x: 30, y: 40 } });
      await changed(planes.nth(1), before);
    });
    await test.step('switchImages and animate', async () => {
      const sw = await output('widgets.switchImages(');
      const shown = await changed(sw.locator('canvas.tessera-canvas'));
      await sw.getByRole('button', { name: 'labels' }).click();
      await changed(sw.locator('canvas.tessera-canvas'), shown);
      const anim = await output('widgets.animate(');
      const frame = await changed(anim.locator('canvas.tessera-canvas'));
      await anim.getByRole('button', { name: /play/ }).click();
      await changed(anim.locator('canvas.tessera-canvas'), frame);
      await anim.getByRole('button', { name: /pause/ }).click();
    });
    const widget = async (marker: string) => (await output(marker)).locator('.tessera-widget').first();
    await snapshots(page, 'widgets-tour', {
      insight: await widget('widgets.insight(stack'),
      'label-overlay': await widget('widgets.labelOverlay('),
      'side-by-side': await widget('widgets.sideBySide('),
    });
    await docsShots(output, {
      insight: 'widgets.insight(stack', slice: 'widgets.slice(stack', orthogonal: 'widgets.orthogonal(stack', curtain: 'widgets.curtain(stack',
      'label-overlay': 'widgets.labelOverlay(', 'side-by-side': 'widgets.sideBySide(', 'switch-images': 'widgets.switchImages(',
      picker: 'widgets.picker(stack', histogram: 'widgets.histogram(stack', animate: 'widgets.animate(',
    });
  },
  '09-cpu-or-gpu.ipynb': async ({ output }) => {
    const verdict = await output('let advice');
    await expect(verdict).toContainText('processing / loading');
    await expect(verdict).toContainText('image size × 4');
    await expect(verdict).toContainText(/Pick "(No GPU|RTX 2080Ti|Tesla V100)"/);
  },
  '10-embryo-surface.ipynb': async ({ output }) => {
    // Ray casting finds the synthetic embryo's outer shell exactly.
    const surface = await output('tessera.classifySurfaceLabels(');
    await expect(surface).toContainText(/\d+ surface and \d+ sub-surface cells/);
    await expect(surface).toContainText('the outer shell, found exactly: true');
  },
};

// Every cell attached to the DOM, so that outputs far down a notebook are there to check; a
// window wide enough for two images side by side.
test.use({
  autoGoto: true,
  viewport: { width: 1440, height: 1000 },
  mockSettings: { ...galata.DEFAULT_SETTINGS, '@jupyterlab/notebook-extension:tracker': { windowingMode: 'none' } },
});

const notebooks = fs.readdirSync(NOTEBOOKS).filter((f) => f.endsWith('.ipynb')).sort();

for (const name of notebooks) {
  test(`binder notebook ${name} runs top to bottom and shows its pictures`, async ({ page, tmpPath }) => {
    test.setTimeout(420_000);
    const errors = pageErrors(page);
    const outside = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-notebook-')));
    try {
      const nb = await open(page, tmpPath, name, outside);
      const started = Date.now();
      await runAll(nb, name);
      const seconds = Math.round((Date.now() - started) / 1000);
      const shown = await everythingRendered(page);
      console.log(`${name}: ${nb.sources.filter(Boolean).length} code cells run in ${seconds} s, ${shown.canvases} widget canvases, ${shown.plots} Vega-Lite plots`);
      test.info().annotations.push({ type: 'cells run (s)', description: String(seconds) });
      expect(shown.canvases).toBeGreaterThan(0);
      await CHECKS[name]?.(nb);
      expect(errors).toEqual([]);
    } finally {
      fs.rmSync(outside, { recursive: true, force: true });
    }
  });
}

test('every binder notebook is for the Tessera kernel, saved without outputs', () => {
  for (const name of notebooks) {
    const nb = JSON.parse(fs.readFileSync(path.join(NOTEBOOKS, name), 'utf8'));
    expect(nb.metadata.kernelspec.name, name).toBe('tessera');
    for (const cell of nb.cells) if (cell.cell_type === 'code') expect(cell.outputs, `${name}: outputs are not committed`).toEqual([]);
  }
});
