/**
 * Tessera's widgets in a real JupyterLab with the Tessera kernel: insight and slice on a 3D GPU
 * array, the slider changing the canvas, the other viewers rendering (also over a Zarr dataset),
 * the round-trip latency of a 2048 x 2048 uint16 slice (written to out/latency.json), and
 * saved notebooks reopened without their kernel.
 */
import { expect, galata, test, type IJupyterLabPageFixture } from '@jupyterlab/galata';
import type { Locator } from '@playwright/test';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** Where measurements go (ignored by git). */
const MEASUREMENTS = path.join(__dirname, '..', 'out');

/** A notebook for the Tessera kernel with these code cells. */
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
import * as widgets from 'tessera/widgets';
await tessera.init();
// A disc whose radius grows with z, over a background that brightens with z.
const [Z, Y, X] = [12, 64, 96];
const data = new Uint16Array(Z * Y * X);
for (let z = 0; z < Z; z++)
  for (let y = 0; y < Y; y++)
    for (let x = 0; x < X; x++)
      data[(z * Y + y) * X + x] = ((x - 48) ** 2 + (y - 32) ** 2 < (4 + 2 * z) ** 2 ? 1000 : 100) + 10 * z;
const stack = tessera.push(data, [Z, Y, X]);
const labels = tessera.push(new Uint32Array(data.length).map((_, i) => (data[i] >= 1000 ? 1 + ((i % X) >> 4) : 0)), [Z, Y, X]);`;

const BIG = `const big = tessera.push(new Uint16Array(4 * 2048 * 2048).map((_, i) => (Math.imul(i, 2654435761) >>> 20) + ((i >> 22) << 10)), [4, 2048, 2048]);`;

const CELLS = [
  SETUP,
  'await widgets.insight(stack);',
  'const viewer = await widgets.slice(stack, { zoom: 3 });',
  "console.log('kernel index', viewer.index);",
  'await widgets.orthogonal(stack, { zoom: 2 });',
  "await widgets.curtain(stack, labels, { curtainColormap: 'labels', alpha: 0.5 });",
  'await widgets.picker(stack, { zoom: 2 });',
  'await widgets.animate(stack, { fps: 20, zoom: 2 });',
  BIG,
  '// Full resolution: one screen pixel per image pixel.\nawait widgets.slice(big, { zoom: 1 });',
  '// The default zoom shows 512 pixels: the view asks for every 4th pixel.\nawait widgets.slice(big);',
  "await widgets.histogram(stack, { zoom: 2, colormap: 'viridis' });",
  "await widgets.sideBySide(stack, labels, { zoom: 2, colormaps: ['magma', 'labels'] });",
  // `labels: labels`, not `{ labels }`: tslab does not rewrite shorthand properties that name an earlier cell's variable.
  'await widgets.switchImages({ raw: stack, labels: labels }, { zoom: 2 });',
  'await widgets.labelOverlay(stack, labels, { zoom: 2 });',
  `// A lazy Zarr dataset: the views read only the planes they show.
const zarr = await tessera.createZarr('stack.zarr', [Z, Y, X], 'uint16', { chunks: [1, Y, X], overwrite: true });
await zarr.write([0, 0, 0], data, [Z, Y, X]);
await widgets.orthogonal(zarr, { zoom: 2 });`,
];

/** Collects the page's uncaught errors, to check that none happened. */
function pageErrors(page: IJupyterLabPageFixture): string[] {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  return errors;
}

/** Output area of cell `index`. */
async function output(page: IJupyterLabPageFixture, index: number): Promise<Locator> {
  const cell = await page.notebook.getCellLocator(index);
  return cell!.locator('.jp-Cell-outputWrapper');
}

/** Runs cell `index` and waits for it to finish; fails when it printed an error. */
async function run(page: IJupyterLabPageFixture, index: number): Promise<Locator> {
  expect(await page.notebook.runCell(index, true)).toBe(true);
  const out = await output(page, index);
  const errors = out.locator('.jp-RenderedText[data-mime-type="application/vnd.jupyter.stderr"]');
  if ((await errors.count()) > 0) throw new Error(`cell ${index} failed:\n${await errors.first().innerText()}`);
  return out;
}

/** A fingerprint of a canvas' pixels (0 when nothing is drawn yet). */
function fingerprint(canvas: Locator): Promise<number> {
  return canvas.evaluate((c: HTMLCanvasElement) => {
    const { data } = c.getContext('2d')!.getImageData(0, 0, c.width, c.height);
    let h = 0;
    for (let i = 0; i < data.length; i += 4) h = (Math.imul(h, 31) + data[i] + 7 * data[i + 1] + 13 * data[i + 2] + data[i + 3]) | 0;
    return h;
  });
}

/** Resolves once canvas pixels are drawn and differ from `before`. */
async function changed(canvas: Locator, before = 0): Promise<number> {
  let now = 0;
  await expect.poll(async () => ((now = await fingerprint(canvas)) !== 0 && now !== before), { timeout: 60_000 }).toBe(true);
  return now;
}

/** A round trip measured by a view: send → drawn, with the kernel's and the browser's shares. */
interface RoundTrip {
  duration: number;
  detail: { width: number; height: number; kernel_ms: number; browser_ms: number };
}

function roundTrips(page: IJupyterLabPageFixture): Promise<RoundTrip[]> {
  return page.evaluate(() =>
    performance.getEntriesByName('tessera:roundtrip').map((e) => ({ duration: e.duration, detail: (e as PerformanceMeasure).detail })),
  );
}

/**
 * Moves `slider` back and forth `n` times, one step at a time, each after the previous plane
 * was drawn, and returns the round trip of each step.
 */
async function measure(page: IJupyterLabPageFixture, slider: Locator, n: number): Promise<RoundTrip[]> {
  const trips: RoundTrip[] = [];
  await slider.focus();
  for (let k = 0; k < n; k++) {
    const count = (await roundTrips(page)).length;
    await page.keyboard.press(k % 2 === 0 ? 'ArrowRight' : 'ArrowLeft');
    await expect.poll(async () => (await roundTrips(page)).length, { timeout: 30_000 }).toBeGreaterThan(count);
    trips.push((await roundTrips(page)).at(-1)!);
  }
  return trips;
}

/** Median, 90th percentile and range of `samples`, rounded to 0.1 ms. */
function stats(samples: number[]) {
  const s = [...samples].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))];
  const round = (v: number) => Math.round(v * 10) / 10;
  return { n: s.length, median_ms: round(at(0.5)), p90_ms: round(at(0.9)), min_ms: round(s[0]), max_ms: round(s[s.length - 1]) };
}

/** Summary of round trips: totals, and the medians of the kernel's, the browser's and the transport's shares. */
function summary(trips: RoundTrip[], width: number) {
  expect(trips.every((r) => r.detail.width === width)).toBe(true);
  const totals = trips.map((r) => r.duration);
  const kernel = trips.map((r) => r.detail.kernel_ms);
  const browser = trips.map((r) => r.detail.browser_ms);
  const transport = trips.map((r) => r.duration - r.detail.kernel_ms - r.detail.browser_ms);
  return {
    ...stats(totals),
    kernel_median_ms: stats(kernel).median_ms,
    transport_median_ms: stats(transport).median_ms,
    browser_median_ms: stats(browser).median_ms,
    samples_ms: totals.map((v) => Math.round(v * 10) / 10),
  };
}

test.use({ autoGoto: true });

test('Tessera widgets render in JupyterLab with the Tessera kernel', async ({ page, tmpPath, browser }) => {
  const errors = pageErrors(page);
  const name = 'widgets.ipynb';
  await page.contents.uploadContent(notebook(CELLS), 'text', `${tmpPath}/${name}`);
  await page.notebook.openByPath(`${tmpPath}/${name}`);
  await page.notebook.activate(name);

  await test.step('insight shows a picture and the statistics', async () => {
    await run(page, 0);
    const out = await run(page, 1);
    await expect(out.locator('.tessera-stats')).toContainText('(12, 64, 96)');
    await expect(out.locator('.tessera-stats')).toContainText('uint16');
    await changed(out.locator('canvas.tessera-insight-picture'));
  });

  await test.step('slice: moving the slider changes the canvas and the kernel sees it', async () => {
    const out = await run(page, 2);
    const canvas = out.locator('canvas.tessera-canvas');
    const before = await changed(canvas);
    const slider = out.locator('input.tessera-slider-input').first();
    await slider.focus();
    for (let k = 0; k < 3; k++) await page.keyboard.press('ArrowRight');
    await expect(out.locator('.tessera-slider .tessera-readout').first()).toHaveText('9');
    await changed(canvas, before);
    await page.waitForTimeout(1000); // the view saves its state to the kernel after a pause
    const printed = await run(page, 3);
    await expect(printed).toContainText('kernel index 9');
  });

  await test.step('orthogonal, curtain, picker and animate render', async () => {
    const ortho = await run(page, 4);
    await expect(ortho.locator('canvas.tessera-canvas')).toHaveCount(3);
    for (const c of await ortho.locator('canvas.tessera-canvas').all()) await changed(c);
    const before = await fingerprint(ortho.locator('canvas.tessera-canvas').nth(1));
    await ortho.locator('canvas.tessera-canvas').first().click({ position: { x: 40, y: 60 } });
    await changed(ortho.locator('canvas.tessera-canvas').nth(1), before); // the YZ plane follows the cursor

    const curtain = await run(page, 5);
    await changed(curtain.locator('canvas.tessera-canvas'));

    const picker = await run(page, 6);
    const pc = picker.locator('canvas.tessera-canvas');
    await changed(pc);
    const box = (await pc.boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await expect(picker.locator('.tessera-picker')).toContainText(/x=4[78] y=3[12] z=6: 1060/);

    const anim = await run(page, 7);
    const ac = anim.locator('canvas.tessera-canvas');
    const first = await changed(ac);
    await anim.getByRole('button', { name: /play/ }).click();
    await changed(ac, first);
    await anim.getByRole('button', { name: /pause/ }).click();
    const download = page.waitForEvent('download');
    await anim.getByRole('button', { name: 'GIF' }).click();
    expect((await download).suggestedFilename()).toMatch(/\.gif$/);
  });

  await test.step('round trip of a 2048 x 2048 uint16 slice', async () => {
    await run(page, 8);
    const full = await run(page, 9);
    await changed(full.locator('canvas.tessera-canvas'));
    const fullRes = await measure(page, full.locator('input.tessera-slider-input').first(), 15);
    const fit = await run(page, 10);
    await changed(fit.locator('canvas.tessera-canvas'));
    const fitted = await measure(page, fit.locator('input.tessera-slider-input').first(), 15);
    const result = {
      what: 'slider step to drawn canvas (performance.measure tessera:roundtrip), one request at a time; kernel = request received to answer sent, browser = answer received to canvas drawn, transport = the rest (ZeroMQ, Jupyter server, websocket, widget manager)',
      date: new Date().toISOString(),
      browser: `Chromium ${browser.version()} (headless, --disable-gpu)`,
      machine: `${os.cpus().length} CPU cores (load average ${os.loadavg()[0].toFixed(1)}); WebGPU in the kernel on ${process.env.TESSERA_GPU_NAME ?? 'the default adapter (Mesa lavapipe, CPU, on CI)'}`,
      full_resolution_2048x2048_uint16: summary(fullRes, 2048),
      display_resolution_512x512_of_2048x2048: summary(fitted, 512),
    };
    // Into the ignored out/: tests leave tracked files alone; results/latency.json is a copy committed on purpose.
    fs.mkdirSync(MEASUREMENTS, { recursive: true });
    fs.writeFileSync(path.join(MEASUREMENTS, 'latency.json'), JSON.stringify(result, null, 2) + '\n');
    console.log(`round trip 2048x2048 uint16: median ${result.full_resolution_2048x2048_uint16.median_ms} ms; at display resolution: ${result.display_resolution_512x512_of_2048x2048.median_ms} ms`);
    expect(fullRes.length).toBe(15);
  });

  await test.step('histogram, sideBySide, switchImages and labelOverlay render', async () => {
    const hist = await run(page, 11);
    await changed(hist.locator('canvas.tessera-histogram'));
    const sbs = await run(page, 12);
    for (const c of await sbs.locator('canvas.tessera-canvas').all()) await changed(c);
    const sw = await run(page, 13);
    const shown = await changed(sw.locator('canvas.tessera-canvas'));
    await sw.getByRole('button', { name: 'labels' }).click();
    await changed(sw.locator('canvas.tessera-canvas'), shown);
    const overlay = await run(page, 14);
    await changed(overlay.locator('canvas.tessera-canvas'));
  });

  await test.step('orthogonal views of a Zarr dataset', async () => {
    const ortho = await run(page, 15);
    const canvases = ortho.locator('canvas.tessera-canvas');
    for (const c of await canvases.all()) await changed(c);
    const before = await fingerprint(canvases.nth(1));
    await canvases.first().click({ position: { x: 40, y: 60 } });
    await changed(canvases.nth(1), before);
  });
  expect(errors).toEqual([]);
});

test.describe('saved notebooks', () => {
  // jupyterlab_widgets saves widget state with the notebook only when this setting is on.
  test.use({ mockSettings: { ...galata.DEFAULT_SETTINGS, '@jupyter-widgets/jupyterlab-manager:plugin': { saveState: true } } });

  test('reopened without the kernel, widgets show their saved pictures; views follow the dark theme', async ({ page, tmpPath }) => {
    const errors = pageErrors(page);
    const name = 'saved.ipynb';
    await page.contents.uploadContent(notebook([SETUP, 'await widgets.insight(stack);', 'await widgets.slice(stack, { zoom: 2 });']), 'text', `${tmpPath}/${name}`);
    await page.notebook.openByPath(`${tmpPath}/${name}`);
    await page.notebook.activate(name);
    await run(page, 0);
    await run(page, 1);
    const live = await run(page, 2);
    await changed(live.locator('canvas.tessera-canvas'));

    await page.theme.setDarkTheme();
    const colors = await live.locator('.tessera-widget').evaluate((el) => ({
      widget: getComputedStyle(el).color,
      theme: getComputedStyle(document.body).getPropertyValue('--jp-ui-font-color1').trim(),
      input: getComputedStyle(el.querySelector('.tessera-number')!).backgroundColor,
    }));
    expect(colors.widget).toBe(await page.evaluate((c) => {
      const probe = document.createElement('div');
      probe.style.color = c;
      document.body.append(probe);
      const value = getComputedStyle(probe).color;
      probe.remove();
      return value;
    }, colors.theme));
    expect(colors.input).not.toBe('rgb(255, 255, 255)');

    await page.waitForTimeout(2500); // the view saves a fresh snapshot of itself after a pause
    await page.notebook.save();
    await page.notebook.close();
    await page.kernel.shutdownAll();
    await page.notebook.openByPath(`${tmpPath}/${name}`);
    await page.notebook.activate(name);
    const insight = await output(page, 1);
    await changed(insight.locator('canvas.tessera-insight-picture'));
    const slice = await output(page, 2);
    const snapshot = slice.locator('img.tessera-snapshot');
    await expect(snapshot).toBeVisible();
    expect(await snapshot.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBeGreaterThan(100);
    await expect(slice).toContainText('Static snapshot');
    expect(errors).toEqual([]);
  });
});
