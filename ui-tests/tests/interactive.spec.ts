/**
 * The interactive widgets in a real JupyterLab with the Tessera kernel, driven with the mouse:
 * dragging a slider of `interact` re-runs the operation (the canvas and the code line change),
 * a brush stroke in `annotate` paints the label image in the kernel (read back in the next cell),
 * a box selection in `clusterplot` highlights the objects (and lands in the table), and a view of
 * an OME-Zarr pyramid zooms in reading only the visible chunks (round trips, levels and bytes
 * read written to out/multiscale-ui.json). Screenshots go to out/screenshots/ (ignored; copies
 * are in docs/images/).
 */
import { expect, test, type IJupyterLabPageFixture } from '@jupyterlab/galata';
import type { Locator } from '@playwright/test';
import * as fs from 'node:fs';
import * as path from 'node:path';

const OUT = path.join(__dirname, '..', 'out');
const SHOTS = path.join(OUT, 'screenshots');

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

const SETUP = `import * as tessera from 'tessera';
import * as widgets from 'tessera/dist/src/widgets';
await tessera.init();
// Blobs on a gradient: 12 slices of 64 x 96.
const [Z, Y, X] = [12, 64, 96];
const data = new Float32Array(Z * Y * X);
for (let z = 0; z < Z; z++)
  for (let y = 0; y < Y; y++)
    for (let x = 0; x < X; x++) {
      const blob = ((x % 24) - 12) ** 2 + ((y % 32) - 16) ** 2 < 40 ? 200 : 0;
      data[(z * Y + y) * X + x] = blob + x + 5 * z + ((x * 7 + y * 13) % 17) * 4;
    }
const stack = tessera.push(data, [Z, Y, X]);`;

const CELLS = [
  SETUP,
  'const ia = await widgets.interact(tessera.gaussianBlur, stack, { sigmaZ: 0 }, { zoom: 3 });',
  "console.log('kernel sigmaX', ia.values.sigmaX);",
  "const labels = tessera.set(tessera.create([Z, Y, X], 'uint32'), 0);\nconst an = await widgets.annotate(stack, labels, { zoom: 3, radius: 4 });",
  "console.log('painted', Array.from((await tessera.pull(labels)).data).filter((v) => v > 0).length, 'undo', an.undoDepth);",
  `// Labels of the blobs in slice 0, and a table of their area and mean intensity.
const plane = data.slice(0, Y * X);
const lab = new Uint32Array(Y * X).map((_, i) => (plane[i] >= 200 ? 1 + Math.floor((i % X) / 24) + 4 * Math.floor(Math.floor(i / X) / 32) : 0));
const rows = Math.max(...lab);
const table = { label: new Uint32Array(rows).map((_, k) => k + 1), area: new Float32Array(rows), mean: new Float32Array(rows) };
lab.forEach((l, i) => { if (l) { table.area[l - 1]++; table.mean[l - 1] += plane[i]; } });
table.mean.forEach((m, k) => (table.mean[k] = m / table.area[k] + k * 3));
const cp = await widgets.clusterplot(tessera.push(plane, [Y, X]), tessera.push(lab, [Y, X]), table, { x: 'area', y: 'mean', zoom: 3 });`,
  "console.log('selected rows', cp.selection.reduce((a, b) => a + b, 0), 'of', rows, 'table column', (table as Record<string, ArrayLike<number>>).selection.length);",
  `// A 64 MB uint16 stack with chunks of 256 x 256, its pyramid written on the GPU, viewed by level.
const big = await tessera.createZarr('pyramid-test.zarr', [8, 2048, 2048], 'uint16', { chunks: [1, 256, 256], overwrite: true });
for (let z = 0; z < 8; z++) await big.write([z, 0, 0], new Uint16Array(2048 * 2048).map((_, i) => (Math.imul(i + z, 2654435761) >>> 22) + (i % 2048) * 8 + z * 100), [1, 2048, 2048]);
const pyramid = await widgets.toMultiscale(big, { overwrite: true });
await widgets.slice(pyramid, { zoom: 0.25 });`,
];

async function output(page: IJupyterLabPageFixture, index: number): Promise<Locator> {
  const cell = await page.notebook.getCellLocator(index);
  return cell!.locator('.jp-Cell-outputWrapper');
}

async function run(page: IJupyterLabPageFixture, index: number): Promise<Locator> {
  expect(await page.notebook.runCell(index, true)).toBe(true);
  const out = await output(page, index);
  const errors = out.locator('.jp-RenderedText[data-mime-type="application/vnd.jupyter.stderr"]');
  if ((await errors.count()) > 0) throw new Error(`cell ${index} failed:\n${await errors.first().innerText()}`);
  return out;
}

function fingerprint(canvas: Locator): Promise<number> {
  return canvas.evaluate((c: HTMLCanvasElement) => {
    const { data } = c.getContext('2d')!.getImageData(0, 0, c.width, c.height);
    let h = 0;
    for (let i = 0; i < data.length; i += 4) h = (Math.imul(h, 31) + data[i] + 7 * data[i + 1] + 13 * data[i + 2] + data[i + 3]) | 0;
    return h;
  });
}

async function changed(canvas: Locator, before = 0): Promise<number> {
  let now = 0;
  await expect.poll(async () => ((now = await fingerprint(canvas)) !== 0 && now !== before), { timeout: 60_000 }).toBe(true);
  return now;
}

/** Drags with the mouse from (x0, y0) to (x1, y1), fractions of the element's box, in `steps` moves. */
async function drag(page: IJupyterLabPageFixture, target: Locator, [x0, y0]: [number, number], [x1, y1]: [number, number], steps = 8, shift = false): Promise<void> {
  await target.scrollIntoViewIfNeeded(); // the mouse reaches only what is on screen
  const box = (await target.boundingBox())!;
  await page.mouse.move(box.x + x0 * box.width, box.y + y0 * box.height);
  if (shift) await page.keyboard.down('Shift');
  await page.mouse.down();
  for (let k = 1; k <= steps; k++) {
    const f = k / steps;
    await page.mouse.move(box.x + (x0 + (x1 - x0) * f) * box.width, box.y + (y0 + (y1 - y0) * f) * box.height);
    await page.waitForTimeout(30);
  }
  await page.mouse.up();
  if (shift) await page.keyboard.up('Shift');
}

async function shot(target: Locator, name: string): Promise<void> {
  fs.mkdirSync(SHOTS, { recursive: true });
  await target.screenshot({ path: path.join(SHOTS, `${name}.png`) });
}

interface RoundTrip {
  duration: number;
  detail: { width: number; height: number; kernel_ms: number; browser_ms: number; level: number; bytes_read: number; sent_at: number };
}

function roundTrips(page: IJupyterLabPageFixture): Promise<RoundTrip[]> {
  return page.evaluate(() => performance.getEntriesByName('tessera:roundtrip').map((e) => ({ duration: e.duration, detail: (e as PerformanceMeasure).detail })));
}

test.use({ autoGoto: true });

test('interactive widgets: interact, annotate, clusterplot and a pyramid, driven with the mouse', async ({ page, tmpPath }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  const name = 'interactive.ipynb';
  await page.contents.uploadContent(notebook(CELLS), 'text', `${tmpPath}/${name}`);
  await page.notebook.openByPath(`${tmpPath}/${name}`);
  await page.notebook.activate(name);
  await run(page, 0);

  await test.step('interact: dragging a slider re-runs the operation', async () => {
    const out = await run(page, 1);
    const canvas = out.locator('canvas.tessera-canvas');
    const before = await changed(canvas);
    const code = out.locator('code.tessera-code');
    await expect(code).toContainText('tessera.gaussianBlur(stack, 0, 0, 0');
    const slider = out.locator('[data-control="sigmaX"] input.tessera-slider-input');
    await drag(page, slider, [0.02, 0.5], [0.3, 0.5]);
    await changed(canvas, before);
    await expect(code).not.toContainText('gaussianBlur(stack, 0, 0');
    await page.waitForTimeout(800);
    const printed = await run(page, 2);
    await expect(printed).toContainText(/kernel sigmaX [1-9]/);
    await shot(out.locator('.tessera-widget').first(), 'interact');
  });

  await test.step('annotate: a brush stroke paints the label image in the kernel', async () => {
    const out = await run(page, 3);
    const canvas = out.locator('canvas.tessera-canvas');
    const before = await changed(canvas);
    await drag(page, canvas, [0.2, 0.3], [0.7, 0.6], 12);
    await changed(canvas, before);
    await page.waitForTimeout(1000);
    const printed = await run(page, 4);
    const text = await printed.innerText();
    const painted = Number(/painted (\d+)/.exec(text)?.[1]);
    expect(painted).toBeGreaterThan(50);
    expect(text).toContain('undo 1');
    await shot(out.locator('.tessera-widget').first(), 'annotate');
  });

  await test.step('clusterplot: a box selection highlights the objects; hovering an object its point', async () => {
    const out = await run(page, 5);
    const plot = out.locator('canvas.tessera-plot');
    const image = out.locator('canvas.tessera-canvas');
    const plotBefore = await changed(plot);
    const imageBefore = await changed(image);
    await drag(page, plot, [0.1, 0.05], [0.98, 0.92], 6, true);
    await expect(out.locator('.tessera-selection-count')).not.toContainText(/^0 of/);
    await changed(image, imageBefore); // the selected objects are drawn over the image
    const selectedPlot = await changed(plot, plotBefore);
    await image.scrollIntoViewIfNeeded();
    const box = (await image.boundingBox())!;
    await page.mouse.move(box.x + box.width * (12 / 96), box.y + box.height * (16 / 64)); // the centre of the first blob
    await changed(plot, selectedPlot); // its point is ringed
    await page.waitForTimeout(800);
    const printed = await run(page, 6);
    await expect(printed).toContainText(/selected rows [1-9]\d* of/);
    await shot(out, 'clusterplot');
  });

  await test.step('a pyramid: zooming in reads only the visible chunks of the matching level', async () => {
    const out = await run(page, 7);
    const canvas = out.locator('canvas.tessera-canvas');
    let before = await changed(canvas);
    const start = (await roundTrips(page)).length;
    const plane = out.locator('.tessera-plane').first();
    for (let k = 0; k < 4; k++) {
      await plane.hover();
      await plane.getByRole('button', { name: '+' }).click();
      before = await changed(canvas, before);
    }
    await drag(page, canvas, [0.6, 0.6], [0.4, 0.4], 4); // pan
    await page.waitForTimeout(1500);
    const trips = (await roundTrips(page)).slice(start);
    expect(trips.length).toBeGreaterThan(0);
    expect(trips.some((r) => r.detail.level === 0)).toBe(true);
    // Each view change reads at most the chunks of its region (with margins): far below a plane of 8 MB.
    for (const r of trips) expect(r.detail.bytes_read).toBeLessThan(4 * 1024 * 1024);
    fs.mkdirSync(OUT, { recursive: true });
    fs.writeFileSync(path.join(OUT, 'multiscale-ui.json'), JSON.stringify({
      what: 'view changes of an 8 x 2048 x 2048 uint16 OME-Zarr pyramid (chunks 256 x 256): zoom in 4 times from the coarsest view, then pan; round trip = request sent to canvas drawn',
      date: new Date().toISOString(),
      trips: trips.map((r) => ({ ms: Math.round(r.duration * 10) / 10, kernel_ms: r.detail.kernel_ms, level: r.detail.level, width: r.detail.width, height: r.detail.height, bytes_read: r.detail.bytes_read })),
    }, null, 2) + '\n');
    await shot(out, 'pyramid');
  });
  expect(errors).toEqual([]);
});
