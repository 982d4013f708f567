/**
 * Where the round trip of a full-resolution 2048 x 2048 uint16 slice goes: the view's request to
 * the kernel, the kernel (cut and convert on the GPU, read back), the kernel's answer to the
 * websocket frame arriving in the browser (ZeroMQ, the Jupyter server's message path, the
 * websocket), the frame to the widget's handler (JupyterLab's deserialisation, kernel
 * connection, widget manager) and the browser's colouring and drawing. Times since the epoch
 * from the kernel (`sent_at`) and the page are compared on the same machine. Written to
 * out/transport.json (ignored by git).
 */
import { expect, test, type IJupyterLabPageFixture } from '@jupyterlab/galata';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const OUT = path.join(__dirname, '..', 'out');

const CELLS = [
  `import * as tessera from 'tessera';
import * as widgets from 'tessera/dist/src/widgets';
await tessera.init();
const big = tessera.push(new Uint16Array(4 * 2048 * 2048).map((_, i) => (Math.imul(i, 2654435761) >>> 20) + ((i >> 22) << 10)), [4, 2048, 2048]);`,
  'await widgets.slice(big, { zoom: 1 });',
];

function notebook(cells: string[]): string {
  return JSON.stringify({
    cells: cells.map((source) => ({ cell_type: 'code', execution_count: null, metadata: {}, outputs: [], source })),
    metadata: { kernelspec: { name: 'tessera', display_name: 'TypeScript (Tessera)', language: 'typescript' }, language_info: { name: 'typescript' } },
    nbformat: 4,
    nbformat_minor: 5,
  });
}

interface Trip {
  duration: number;
  detail: { width: number; kernel_ms: number; browser_ms: number; sent_at: number; requested_at: number; received_at: number };
}

test.use({ autoGoto: false });

test('transport of a 2048 x 2048 slice, split by stage', async ({ page, tmpPath, browser }) => {
  // Records when each large websocket frame arrives, before JupyterLab's own handler runs.
  await page.addInitScript(() => {
    const frames: number[] = [];
    (window as unknown as { __tesseraFrames: number[] }).__tesseraFrames = frames;
    const Native = window.WebSocket;
    class Recording extends Native {
      constructor(url: string | URL, protocols?: string | string[]) {
        super(url, protocols);
        this.addEventListener('message', (e: MessageEvent) => {
          const size = e.data instanceof ArrayBuffer ? e.data.byteLength : e.data instanceof Blob ? e.data.size : 0;
          if (size > 1_000_000) frames.push(performance.timeOrigin + performance.now());
        });
      }
    }
    window.WebSocket = Recording as typeof WebSocket;
  });
  await page.goto();
  await page.contents.uploadContent(notebook(CELLS), 'text', `${tmpPath}/t.ipynb`);
  await page.notebook.openByPath(`${tmpPath}/t.ipynb`);
  await page.notebook.activate('t.ipynb');
  expect(await page.notebook.runCell(0, true)).toBe(true);
  expect(await page.notebook.runCell(1, true)).toBe(true);
  const out = (await page.notebook.getCellLocator(1))!.locator('.jp-Cell-outputWrapper');
  const slider = out.locator('input.tessera-slider-input').first();
  const trips = (): Promise<Trip[]> => page.evaluate(() => performance.getEntriesByName('tessera:roundtrip').map((e) => ({ duration: e.duration, detail: (e as PerformanceMeasure).detail })));
  await expect.poll(async () => (await trips()).length, { timeout: 60_000 }).toBeGreaterThan(0);
  const rows = [];
  await slider.focus();
  for (let k = 0; k < 15; k++) {
    const n = (await trips()).length;
    const framesBefore = await page.evaluate(() => (window as unknown as { __tesseraFrames: number[] }).__tesseraFrames.length);
    await page.keyboard.press(k % 2 === 0 ? 'ArrowRight' : 'ArrowLeft');
    await expect.poll(async () => (await trips()).length, { timeout: 30_000 }).toBeGreaterThan(n);
    const r = (await trips()).at(-1)!;
    const frame = await page.evaluate((i) => (window as unknown as { __tesseraFrames: number[] }).__tesseraFrames[i], framesBefore);
    const d = r.detail;
    const kernelReceived = d.sent_at - d.kernel_ms;
    rows.push({
      total_ms: r.duration,
      view_to_kernel_ms: kernelReceived - d.requested_at,
      kernel_ms: d.kernel_ms,
      kernel_to_websocket_ms: frame - d.sent_at,
      websocket_to_widget_ms: d.received_at - frame,
      browser_ms: d.browser_ms,
    });
    expect(d.width).toBe(2048);
  }
  const median = (k: keyof (typeof rows)[number]) => {
    const s = rows.map((r) => r[k]).sort((a, b) => a - b);
    return Math.round(s[Math.floor(s.length / 2)] * 10) / 10;
  };
  const result = {
    what: '2048 x 2048 uint16 slice at full resolution (4 MB of codes): medians of 15 slider steps, split by stage (epoch times of kernel and page)',
    date: new Date().toISOString(),
    browser: `Chromium ${browser.version()} (headless)`,
    machine: `${os.cpus().length} CPU cores, load average ${os.loadavg()[0].toFixed(1)}`,
    medians_ms: Object.fromEntries((['total_ms', 'view_to_kernel_ms', 'kernel_ms', 'kernel_to_websocket_ms', 'websocket_to_widget_ms', 'browser_ms'] as const).map((k) => [k, median(k)])),
    samples: rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, Math.round(v * 10) / 10]))),
  };
  fs.mkdirSync(OUT, { recursive: true });
  fs.writeFileSync(path.join(OUT, 'transport.json'), JSON.stringify(result, null, 2) + '\n');
  console.log('transport medians', JSON.stringify(result.medians_ms));
});
