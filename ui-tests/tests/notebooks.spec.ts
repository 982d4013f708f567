/**
 * The example notebooks (binder/notebooks) in a real JupyterLab with the Tessera kernel, each
 * copied into a folder of its own (as a user would): every code cell runs without an error
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
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');
const NOTEBOOKS = path.join(ROOT, 'binder', 'notebooks');
const DOCS = path.join(ROOT, 'docs', 'widgets');
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

/** Collects the page's uncaught errors, to check that none happened. */
function pageErrors(page: IJupyterLabPageFixture): string[] {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  return errors;
}

/** Uploads a binder notebook into the test's own folder, opens it and reads its cells. */
async function open(page: IJupyterLabPageFixture, tmpPath: string, name: string): Promise<Opened> {
  await page.contents.uploadContent(fs.readFileSync(path.join(NOTEBOOKS, name), 'utf8'), 'text', `${tmpPath}/${name}`);
  await page.notebook.openByPath(`${tmpPath}/${name}`);
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

/** A fingerprint of a canvas' pixels (0 while nothing is drawn). */
function fingerprint(canvas: Locator): Promise<number> {
  return canvas.evaluate((c: HTMLCanvasElement) => {
    if (c.width === 0 || c.height === 0) return 0;
    const { data } = c.getContext('2d')!.getImageData(0, 0, c.width, c.height);
    let h = 0;
    for (let i = 0; i < data.length; i += 4) h = (Math.imul(h, 31) + data[i] + 7 * data[i + 1] + 13 * data[i + 2] + data[i + 3]) | 0;
    return h;
  });
}

/** Resolves once the canvas shows pixels that differ from `before`; returns their fingerprint. */
async function drawn(canvas: Locator, before = 0): Promise<number> {
  let now = 0;
  await expect.poll(async () => (now = await fingerprint(canvas)) !== 0 && now !== before, { timeout: 60_000 }).toBe(true);
  return now;
}

/** Every widget canvas of the notebook shows pixels, every Vega-Lite plot has rendered marks. */
async function everythingRendered(page: IJupyterLabPageFixture): Promise<{ canvases: number; plots: number }> {
  const notebook = (await page.notebook.getNotebookInPanelLocator())!;
  const canvases = await notebook.locator('canvas.tessera-canvas, canvas.tessera-insight-picture, canvas.tessera-histogram').all();
  for (const canvas of canvases) await drawn(canvas);
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
    const raw = await drawn(canvas);
    await filters.getByRole('button', { name: 'topHatBox 8' }).click();
    await drawn(canvas, raw);
    await expect(await output('const results: ')).toContainText('65,536'); // every 3rd voxel of 48 x 192 x 192
    await expect(await output('const sizes = ')).toContainText('Here the GPU');
  },
  '03-custom-kernels.ipynb': async ({ page, output }) => {
    // The custom kernels agree exactly with the built-in operations.
    await expect((await output('absoluteDifference(sqdiff, builtIn)')).locator('.jp-OutputArea-output')).toHaveText(/^\s*0\s*$/);
    await expect((await output('absoluteDifference(edges, viaFilters)')).locator('.jp-OutputArea-output')).toHaveText(/^\s*0\s*$/);
    await expect(await output("'typo'")).toContainText("line 2 of the operation: unresolved value 'doubledd'");
    await snapshots(page, 'custom-kernels', { 'squared-difference': (await output('colormaps: [\'grey\', \'magma\']')).locator('.tessera-widget') });
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
      let before = await drawn(canvas);
      const slider = slice.getByRole('slider', { name: 'z' });
      await slider.focus();
      for (let k = 0; k < 3; k++) {
        const trips = (await roundTrips(page)).length;
        await page.keyboard.press('ArrowRight');
        before = await drawn(canvas, before);
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
      const before = await drawn(canvas);
      await canvas.scrollIntoViewIfNeeded();
      const box = (await canvas.boundingBox())!;
      await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
      await page.mouse.down();
      await page.mouse.move(box.x + box.width * 0.2, box.y + box.height / 2, { steps: 5 });
      await page.mouse.up();
      await drawn(canvas, before);
      const position = Number(await curtain.getByRole('slider', { name: 'curtain' }).inputValue());
      expect(position).toBeLessThan(0.35);
    });
    await test.step('picker: hovering shows the position and the value', async () => {
      const picker = await output('widgets.picker(stack');
      const canvas = picker.locator('canvas.tessera-canvas');
      await drawn(canvas);
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
      const before = await drawn(planes.nth(1));
      await planes.first().click({ position: { x: 30, y: 40 } });
      await drawn(planes.nth(1), before);
    });
    await test.step('switchImages and animate', async () => {
      const sw = await output('widgets.switchImages(');
      const shown = await drawn(sw.locator('canvas.tessera-canvas'));
      await sw.getByRole('button', { name: 'labels' }).click();
      await drawn(sw.locator('canvas.tessera-canvas'), shown);
      const anim = await output('widgets.animate(');
      const frame = await drawn(anim.locator('canvas.tessera-canvas'));
      await anim.getByRole('button', { name: /play/ }).click();
      await drawn(anim.locator('canvas.tessera-canvas'), frame);
      await anim.getByRole('button', { name: /pause/ }).click();
    });
    const widget = async (marker: string) => (await output(marker)).locator('.tessera-widget').first();
    await snapshots(page, 'widgets-tour', {
      insight: await widget('widgets.insight(stack'),
      'label-overlay': await widget('widgets.labelOverlay('),
      'side-by-side': await widget('widgets.sideBySide('),
    });
    if (docsScreenshots) {
      fs.mkdirSync(DOCS, { recursive: true });
      const shots: Record<string, string> = {
        insight: 'widgets.insight(stack', slice: 'widgets.slice(stack', orthogonal: 'widgets.orthogonal(stack', curtain: 'widgets.curtain(stack',
        'label-overlay': 'widgets.labelOverlay(', 'side-by-side': 'widgets.sideBySide(', 'switch-images': 'widgets.switchImages(',
        picker: 'widgets.picker(stack', histogram: 'widgets.histogram(stack', animate: 'widgets.animate(',
      };
      for (const [name, marker] of Object.entries(shots)) await (await widget(marker)).screenshot({ path: path.join(DOCS, `${name}.png`) });
    }
  },
  '09-cpu-or-gpu.ipynb': async ({ output }) => {
    const verdict = await output('let advice');
    await expect(verdict).toContainText('processing / loading');
    await expect(verdict).toContainText('image size × 4');
    await expect(verdict).toContainText(/Pick "(No GPU|RTX 2080Ti|Tesla V100)"/);
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

/**
 * Notebooks known to fail, with the reason: their test is expected to fail (and fails once they
 * run again, so that the entry is removed then).
 */
const KNOWN_FAILING: Record<string, string> = {
  '05-tiling.ipynb':
    "cells 7, 9 and 11 do not type-check in the Tessera kernel (untyped parameters `(a, b)` of `difference`/`maxDifference`, tiled()'s ZarrArray | HostImage results): for its author to fix",
};

for (const name of notebooks) {
  test(`binder notebook ${name} runs top to bottom and shows its pictures`, async ({ page, tmpPath }) => {
    test.setTimeout(420_000);
    test.fail(name in KNOWN_FAILING, KNOWN_FAILING[name]);
    const errors = pageErrors(page);
    const nb = await open(page, tmpPath, name);
    await runAll(nb, name);
    const shown = await everythingRendered(page);
    console.log(`${name}: ${nb.sources.filter(Boolean).length} code cells, ${shown.canvases} widget canvases, ${shown.plots} Vega-Lite plots`);
    expect(shown.canvases).toBeGreaterThan(0);
    await CHECKS[name]?.(nb);
    expect(errors).toEqual([]);
  });
}

test('every binder notebook is for the Tessera kernel, saved without outputs', () => {
  for (const name of notebooks) {
    const nb = JSON.parse(fs.readFileSync(path.join(NOTEBOOKS, name), 'utf8'));
    expect(nb.metadata.kernelspec.name, name).toBe('tessera');
    for (const cell of nb.cells) if (cell.cell_type === 'code') expect(cell.outputs, `${name}: outputs are not committed`).toEqual([]);
  }
});
