import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import { after, before, describe, test } from 'node:test';
import { setKernelComms, type JsonObject } from '../../src/jupyter/comms';
import type { CommMessage } from '../../src/jupyter/comms';
import * as w from '../../src/viewers';
import { setup } from '../support/gpu';
import { RecordingComms, type Sent } from '../support/recording-comms';

/**
 * The kernel side of the widgets, with a recording stand-in for the kernel's comm transport:
 * what a widget opens, displays and answers to the view's requests (plane, values, export).
 */
let t: Awaited<ReturnType<typeof setup>>;
const rec = new RecordingComms();

before(async () => {
  t = await setup();
  setKernelComms(rec.manager);
});
after(() => setKernelComms(undefined));

/** Resets the record of sent messages. */
function clear(): void {
  rec.sent = [];
}

function opened(): Sent {
  const open = rec.sent.find((m) => m.type === 'comm_open');
  assert.ok(open, 'a comm_open was sent');
  return open;
}

/** Delivers a custom message from the "frontend" and waits for the widget's answer with the same id. */
function ask(widget: { model: { modelId: string } }, content: JsonObject): Promise<Sent> {
  return rec.ask(widget.model.modelId, content);
}

function reply(m: Sent): JsonObject {
  return (m.content.data as JsonObject).content as JsonObject;
}

/** A 3D uint16 stack whose pixel (x, y, z) is 100 z + 10 y + x. */
function stack(shape = [4, 6, 8]): { data: Uint16Array; shape: number[] } {
  const [Z, Y, X] = shape;
  const data = new Uint16Array(Z * Y * X);
  for (let z = 0; z < Z; z++) for (let y = 0; y < Y; y++) for (let x = 0; x < X; x++) data[(z * Y + y) * X + x] = 100 * z + 10 * y + x;
  return { data, shape };
}

describe('viewers (kernel side)', () => {
  test('slice opens a ViewerModel comm with its state and displays it with a PNG fallback', async () => {
    clear();
    const img = t.push(stack().data, [4, 6, 8]);
    const viewer = await w.slice(img, { colormap: 'viridis', title: 'cells' });
    const open = opened();
    assert.equal(open.content.target_name, 'jupyter.widget');
    const data = open.content.data as { state: JsonObject; buffer_paths: (string | number)[][] };
    const state = data.state;
    assert.equal(state._model_name, 'ViewerModel');
    assert.equal(state._view_name, 'ViewerView');
    assert.equal(state._model_module, '@tessera/widgets');
    assert.equal(state._model_module_version, '^0.1.0');
    assert.equal(state.index, 2, 'starts at the middle slice');
    assert.equal(state.title, 'cells');
    const [layer] = state.layers as JsonObject[];
    assert.deepEqual(layer.shape, [4, 6, 8]);
    assert.equal(layer.dtype, 'uint16');
    assert.equal(layer.colormap, 'viridis');
    assert.deepEqual(layer.data_range, [0, 357]);
    assert.deepEqual(layer.display_range, [0, 357]);
    assert.ok(String(state.snapshot).startsWith('data:image/png;base64,'));
    // Lookup tables travel as binary buffers.
    assert.ok(data.buffer_paths.some((p) => p.join('/') === 'luts/viridis'));
    for (const b of open.buffers) assert.equal(b.length, 768);

    const shown = rec.sent.find((m) => m.type === 'display_data');
    assert.ok(shown);
    const bundle = shown.content.data as JsonObject;
    assert.deepEqual(bundle[w.VIEW_MIME_TYPE], { model_id: viewer.model.modelId, version_major: 2, version_minor: 1 });
    const png = Buffer.from(String(bundle['image/png']), 'base64');
    assert.equal(png.subarray(1, 4).toString(), 'PNG');
    assert.equal(String(bundle['text/plain']), 'tessera slice: z=2 of 0..3\n  image [4, 6, 8] uint16, viridis [0, 357]');
    viewer.close();
    img.release();
  });

  test('answers plane requests with 8-bit codes cut on the GPU', async () => {
    const img = t.push(stack().data, [4, 6, 8]);
    const viewer = await w.slice(img);
    const r = await ask(viewer, { request: 'plane', id: 7, layer: 0, axis: 0, index: 3, t: 0, display_range: [300, 357], labels: false });
    const { kernel_ms: kernelMs, sent_at: sentAt, ...content } = reply(r);
    assert.deepEqual(content, { response: 'plane', id: 7, layer: 0, width: 8, height: 6, min: 300, max: 357, region: [0, 0, 8, 6], level: 0, bytes_read: 0 });
    assert.ok(Math.abs(Number(sentAt) - Date.now()) < 60_000, 'sent_at is a time since the epoch');
    assert.equal(typeof kernelMs, 'number');
    const codes = r.buffers[0];
    assert.equal(codes.length, 48);
    assert.equal(codes[0], 0, 'the display minimum maps to 0');
    assert.equal(codes[47], 255, 'the display maximum maps to 255');
    assert.equal(codes[9], Math.floor(((311 - 300) * 255) / 57 + 0.5));

    const yz = await ask(viewer, { request: 'plane', id: 8, layer: 0, axis: 2, index: 5, display_range: [0, 357], labels: false, transpose: true, histogram: true });
    assert.deepEqual([reply(yz).width, reply(yz).height, reply(yz).min, reply(yz).max], [4, 6, 5, 355]);
    const hist = new Uint32Array(yz.buffers[1].buffer.slice(yz.buffers[1].byteOffset, yz.buffers[1].byteOffset + 1024));
    assert.equal(hist.reduce((a, b) => a + b, 0), 24, 'the histogram counts the plane');
    viewer.close();
    img.release();
  });

  test('answers values, export and bad requests', async () => {
    const img = t.push(stack().data, [4, 6, 8]);
    const viewer = await w.picker(img);
    const v = await ask(viewer, { request: 'values', id: 1, x: 7, y: 5, z: 3 });
    assert.deepEqual(reply(v).values, [357]);
    const gif = await ask(viewer, { request: 'export', id: 2, format: 'gif' });
    assert.equal(reply(gif).mime, 'image/gif');
    assert.equal(Buffer.from(gif.buffers[0].subarray(0, 6)).toString(), 'GIF89a');
    const apng = await ask(viewer, { request: 'export', id: 3, format: 'apng' });
    assert.ok(Buffer.from(apng.buffers[0]).includes('acTL'));
    const bad = await ask(viewer, { request: 'plane', id: 4, layer: 0, axis: 0, index: 9, display_range: [0, 1], labels: false });
    assert.equal(reply(bad).response, 'error');
    assert.match(String(reply(bad).message), /index 9 is outside 0..3/);
    const unknown = await ask(viewer, { request: 'teleport', id: 5 });
    assert.match(String(reply(unknown).message), /unknown request/);
    viewer.close();
    img.release();
  });

  test('views update their state and the kernel sees it', async () => {
    const img = t.push(stack().data, [4, 6, 8]);
    const viewer = await w.slice(img);
    const update = { content: { comm_id: viewer.model.modelId, data: { method: 'update', state: { index: 1 }, buffer_paths: [] } }, buffers: [] };
    rec.manager.handleMsg(update as unknown as CommMessage);
    assert.equal(viewer.index, 1);
    clear();
    viewer.update({ index: 3 });
    const msg = rec.sent.find((m) => m.type === 'comm_msg');
    assert.deepEqual((msg!.content.data as JsonObject).state, { index: 3 });
    viewer.close();
    img.release();
  });

  test('host arrays are pushed once and released when the view closes', async () => {
    const before = t.memoryStats();
    const viewer = await w.slice(stack());
    assert.ok(t.memoryStats().bytesInUse > before.bytesInUse);
    const closing = { content: { comm_id: viewer.model.modelId, data: {} }, buffers: [] };
    rec.manager.handleClose(closing as unknown as CommMessage);
    assert.equal(t.memoryStats().bytesInUse, before.bytesInUse);
  });

  test('lazy sources are read plane by plane, never whole', async () => {
    const full = stack([5, 6, 8]);
    const calls: string[] = [];
    const source: w.ImageSource = {
      shape: full.shape,
      dtype: 'uint16',
      getSlice(axis, index) {
        calls.push(`${axis}/${index}`);
        assert.equal(axis, 0, 'this test asks for XY planes only');
        return { data: full.data.slice(index * 48, (index + 1) * 48), shape: [6, 8] };
      },
    };
    const viewer = await w.slice(source);
    const state = viewer.model.state;
    assert.equal(state.layers[0].data_range, null, 'a lazy source has no known data range');
    assert.deepEqual(state.layers[0].display_range, [200, 257], 'the shown plane gives the display range');
    const r = await ask(viewer, { request: 'plane', id: 9, layer: 0, axis: 0, index: 4, display_range: [400, 457], labels: false });
    assert.deepEqual([reply(r).min, reply(r).max], [400, 457]);
    const v = await ask(viewer, { request: 'values', id: 10, x: 1, y: 2, z: 4 });
    assert.deepEqual(reply(v).values, [421]);
    assert.deepEqual(calls, ['0/2', '0/4'], 'each plane is read once');
    viewer.close();
  });

  test('Zarr arrays are shown lazily, in every orientation', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tessera-widgets-zarr-'));
    try {
      const full = stack([5, 6, 8]);
      const z = await t.createZarr(join(dir, 'stack.zarr'), full.shape, 'uint16', { chunks: [1, 6, 8] });
      await z.write([0, 0, 0], full.data, full.shape);
      const viewer = await w.orthogonal(z);
      const yz = await ask(viewer, { request: 'plane', id: 11, layer: 0, axis: 2, index: 7, display_range: [0, 457], labels: false, transpose: true });
      assert.deepEqual([reply(yz).width, reply(yz).height, reply(yz).min, reply(yz).max], [5, 6, 7, 457]);
      const v = await ask(viewer, { request: 'values', id: 12, x: 3, y: 4, z: 2 });
      assert.deepEqual(reply(v).values, [243]);
      viewer.close();
      const summary = await w.insight(z);
      assert.deepEqual(summary.model.state.stats.slice(3), [['min', 'n/a (lazy)'], ['max', 'n/a (lazy)']]);
      summary.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('curtain, labelOverlay, sideBySide, switchImages and orthogonal build their arrangements', async () => {
    const img = t.push(stack().data, [4, 6, 8]);
    const labels = t.push(new Uint32Array(4 * 6 * 8).map((_, i) => i % 5), [4, 6, 8]);
    const c = await w.curtain(img, labels, { alpha: 0.4, curtainColormap: 'labels' });
    assert.equal(c.model.state.arrangement, 'curtain');
    assert.deepEqual(c.model.state.layers.map((l) => [l.name, l.colormap, l.alpha]), [['image', 'grey', 1], ['overlay', 'labels', 0.4]]);
    const o = await w.labelOverlay(img, labels);
    assert.deepEqual([o.model.state.arrangement, o.model.state.layers[1].outline], ['overlay', true]);
    const s = await w.sideBySide(img, labels, { colormaps: ['magma', 'labels'] });
    assert.deepEqual(s.model.state.layers.map((l) => l.colormap), ['magma', 'labels']);
    const sw = await w.switchImages({ raw: img, labels });
    assert.deepEqual(sw.model.state.layers.map((l) => l.name), ['raw', 'labels']);
    const ortho = await w.orthogonal(img);
    assert.equal(ortho.model.state._view_name, 'OrthogonalView');
    assert.deepEqual(ortho.model.state.cursor, [4, 3, 2]);
    const small = t.push(new Uint16Array(12), [3, 4]);
    await assert.rejects(() => w.curtain(img, small), /must have the shape of the first image/);
    await assert.rejects(() => w.slice(img, { colormap: 'rainbow' }), /colormap of image must be one of grey, viridis/);
    await assert.rejects(() => w.slice(img, { index: 4 }), /index must be 0..3/);
    await assert.rejects(() => w.orthogonal(small), /orthogonal needs a 3D or 4D image/);
    for (const x of [c, o, s, sw, ortho]) x.close();
    for (const x of [img, labels, small]) x.release();
  });

  test('insight shows the maximum projection and the statistics', async () => {
    clear();
    const img = t.push(stack().data, [4, 6, 8]);
    const widget = await w.insight(img);
    const state = widget.model.state;
    assert.equal(state._model_name, 'InsightModel');
    assert.match(state.title, /maximum projection along z/);
    assert.deepEqual(state.stats.map(([k]) => k), ['shape', 'dtype', 'size', 'min', 'max']);
    assert.deepEqual(state.stats.slice(3), [['min', '0'], ['max', '357']]);
    // The projection's pixel (x, y) is 300 + 10 y + x; codes scale [0, 357] to 0..255.
    assert.equal(state.image[0], Math.floor((300 * 255) / 357 + 0.5));
    const shown = rec.sent.find((m) => m.type === 'display_data');
    const bundle = shown!.content.data as JsonObject;
    assert.match(String(bundle['text/html']), /<table>.*shape.*\(4, 6, 8\)/);
    assert.ok(bundle['image/png']);
    widget.close();
    img.release();
  });

  test('encodePng stores a plane as palette indices', async () => {
    const pixels = new Uint8Array([0, 1, 2, 3, 4, 5, 250, 255, 7, 8, 9, 10]);
    const png = w.encodePng({ pixels, width: 4, height: 3 }, w.colormapLut('magma'));
    // IDAT: one zlib stream of rows, each with filter byte 0.
    const idat = png.indexOf('IDAT');
    const len = png.readUInt32BE(idat - 4);
    const raw = inflateSync(png.subarray(idat + 4, idat + 4 + len));
    assert.deepEqual([...raw], [0, 0, 1, 2, 3, 0, 4, 5, 250, 255, 0, 7, 8, 9, 10]);
    const plte = png.indexOf('PLTE');
    assert.deepEqual([...png.subarray(plte + 4, plte + 4 + 768)], [...w.colormapLut('magma')]);
  });
});
