/**
 * View changes on an OME-Zarr pyramid, kernel side: a uint16 stack is written as Zarr, its
 * pyramid made with `toMultiscale` (GPU binning, tiled), and a viewer of it answers the plane
 * requests a view sends while the user zooms in, pans and steps through slices — each answer's
 * time (request received → codes ready to send, what `kernel_ms` reports) and the stored bytes it
 * read. Transport to the browser is not included (see ui-tests/out/latency.json for that).
 *
 *   npm run build && node bench/dist/multiscale.js [--mb 300] [--dir /tmp/tessera-multiscale] [--view 1024]
 *   node bench/dist/multiscale.js --open /path/to/big.ome.zarr      # an existing pyramid (e.g. 8 GB)
 *
 * Prints one JSON object: the pyramid's levels, then per view change the level read, the region,
 * the bytes read and the milliseconds, with the median and maximum.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import * as tessera from 'tessera';
import { CommManager, setKernelComms, type CommMessage, type JsonObject } from 'tessera/dist/src/jupyter/comms';

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

/** Answers of a widget, by request id. */
const waiting = new Map<number, (content: JsonObject) => void>();
const comms = new CommManager({
  publish: (type, content) => {
    const data = content.data as JsonObject | undefined;
    const reply = data?.content as JsonObject | undefined;
    if (type === 'comm_msg' && data?.method === 'custom' && reply) waiting.get(Number(reply.id))?.(reply);
  },
});
setKernelComms(comms);

let ids = 0;
function ask(modelId: string, request: JsonObject): Promise<JsonObject> {
  const id = ++ids;
  return new Promise((resolve) => {
    waiting.set(id, resolve);
    comms.handleMsg({ content: { comm_id: modelId, data: { method: 'custom', content: { ...request, id } } }, buffers: [] } as unknown as CommMessage);
  });
}

async function main(): Promise<void> {
  await tessera.init();
  const view = Number(option('view', '1024')); // canvas pixels of the view
  let image: tessera.OmeZarrImage;
  let made: { ms: number; mb: number } | undefined;
  const open = option('open', '');
  const dir = option('dir', '/tmp/tessera-multiscale');
  if (open) {
    image = await tessera.openOmeZarr(open);
  } else {
    const mb = Number(option('mb', '300'));
    const side = 4096;
    const depth = Math.max(1, Math.round((mb * 1e6) / (side * side * 2)));
    rmSync(dir, { recursive: true, force: true });
    const zarr = await tessera.createZarr(join(dir, 'stack.zarr'), [depth, side, side], 'uint16', { chunks: [1, 512, 512], codec: 'blosc' });
    const plane = new Uint16Array(side * side);
    for (let z = 0; z < depth; z++) {
      for (let i = 0; i < plane.length; i++) plane[i] = 200 + (((i % side) * 3 + (i >> 12) * 5 + z * 7) % 1000) + ((i * 2654435761) >>> 28);
      await zarr.write([z, 0, 0], plane, [1, side, side]);
    }
    const start = performance.now();
    image = await tessera.widgets.toMultiscale(zarr, { path: join(dir, 'stack.ome.zarr'), overwrite: true });
    made = { ms: Math.round(performance.now() - start), mb: Math.round((depth * side * side * 2) / 1e6) };
  }
  const levels = image.levels.map((l) => l.array.shape);
  const widget = await tessera.widgets.slice(image, { show: false });
  const shape = levels[0];
  const [H, W] = shape.slice(-2);
  const depth = shape.length >= 3 ? shape[shape.length - 3] : 1;
  const id = widget.model.modelId;
  const range = widget.model.state.layers[0].display_range;
  // What a view of `view` canvas pixels asks for at magnification m centred at (cx, cy): the visible region (with the view's margins) at its step.
  const request = (m: number, cx: number, cy: number, index: number) => {
    const vw = Math.min(W, W / m);
    const vh = Math.min(H, H / m);
    const step = Math.max(1, Math.floor(W / m / view));
    const x0 = Math.max(0, Math.floor(cx - vw / 2));
    const y0 = Math.max(0, Math.floor(cy - vh / 2));
    const region = m <= 1 ? undefined : [x0, y0, Math.min(W - x0, Math.ceil(vw)), Math.min(H - y0, Math.ceil(vh))];
    return { request: 'plane', layer: 0, axis: 0, index, step, display_range: range, labels: false, ...(region ? { region } : {}) };
  };
  const changes: Array<{ what: string; m: number; cx: number; cy: number; index: number }> = [];
  let [cx, cy, index] = [W / 2, H / 2, Math.floor(depth / 2)];
  for (const m of [1, 2, 4, 8, 16]) changes.push({ what: `zoom ${m}x`, m, cx, cy, index });
  for (let k = 1; k <= 5; k++) changes.push({ what: 'pan', m: 16, cx: (cx += W / 16 / 4), cy: (cy += H / 16 / 8), index });
  for (let k = 1; k <= 5; k++) changes.push({ what: 'slice step', m: 16, cx, cy, index: (index = Math.min(depth - 1, index + 1)) });
  for (let k = 1; k <= 3; k++) changes.push({ what: 'slice step (zoomed out)', m: 1, cx, cy, index: (index = Math.max(0, index - 1)) });
  const rows = [];
  for (const c of changes) {
    const start = performance.now();
    const r = await ask(id, request(c.m, c.cx, c.cy, c.index));
    if (r.response === 'error') throw new Error(String(r.message));
    rows.push({ what: c.what, ms: Math.round((performance.now() - start) * 10) / 10, level: r.level, width: r.width, height: r.height, region: r.region, bytes_read: r.bytes_read });
  }
  const ms = rows.map((r) => r.ms).sort((a, b) => a - b);
  console.log(JSON.stringify({
    source: open || join(dir, 'stack.ome.zarr'), levels, made, view_pixels: view,
    median_ms: ms[Math.floor(ms.length / 2)], max_ms: ms[ms.length - 1],
    max_bytes_read: Math.max(...rows.map((r) => Number(r.bytes_read))), changes: rows,
  }, null, 2));
  widget.close();
  setKernelComms(undefined);
  process.exit(0);
}

void main();
