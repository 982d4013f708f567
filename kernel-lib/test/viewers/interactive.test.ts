import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setKernelComms, type CommMessage, type JsonObject } from '../../src/jupyter/comms';
import { operations } from '../../src/ops/op';
import * as w from '../../src/viewers';
import { oracle } from '../support/oracle';
import { setup } from '../support/gpu';
import { RecordingComms } from '../support/recording-comms';

/**
 * The interactive widgets on the kernel side, driven as their views drive them (custom messages
 * and state updates over a recording comm transport): interact (every operation of the
 * catalogue, a custom kernel), annotate (brush strokes on the GPU, undo), clusterplot (selection
 * and hover), region and pyramid-level plane requests (toMultiscale, bytes read), and the
 * figure helpers (addText, addBoundingBoxes, imshow, animateCurtain/animateBlend).
 */
let t: Awaited<ReturnType<typeof setup>>;
const rec = new RecordingComms();
let counter = 1000;
const dir = mkdtempSync(join(tmpdir(), 'tessera-interactive-'));

before(async () => {
  t = await setup();
  setKernelComms(rec.manager);
});
after(() => {
  setKernelComms(undefined);
  rmSync(dir, { recursive: true, force: true });
});

type Model = { modelId: string; state: Record<string, any> };

/** Sends a custom request to a widget model and waits for its answer (same id). */
async function ask(model: Model, content: JsonObject): Promise<{ content: JsonObject; buffers: Uint8Array[] }> {
  const m = await rec.ask(model.modelId, { ...content, id: content.id ?? ++counter });
  return { content: (m.content.data as JsonObject).content as JsonObject, buffers: m.buffers };
}

/** A state update from the "frontend" (binary values as buffers). */
function update(model: Model, state: JsonObject, buffers: Uint8Array[] = [], paths: string[][] = []): void {
  rec.manager.handleMsg({ content: { comm_id: model.modelId, data: { method: 'update', state, buffer_paths: paths } }, buffers } as unknown as CommMessage);
}

async function plane(model: Model, request: JsonObject) {
  const r = await ask(model, { request: 'plane', layer: 0, axis: 0, index: 0, display_range: [0, 255], labels: false, ...request });
  if (r.content.response === 'error') throw new Error(String(r.content.message));
  return r;
}

/** A 3D float32 stack with a bright square per slice. */
function stack(Z = 3, Y = 16, X = 20): { data: Float32Array; shape: number[] } {
  const data = new Float32Array(Z * Y * X);
  for (let z = 0; z < Z; z++) for (let y = 0; y < Y; y++) for (let x = 0; x < X; x++) data[(z * Y + y) * X + x] = (x >= 5 && x < 12 && y >= 4 && y < 10 ? 100 : 10) + z + 0.5 * x;
  return { data, shape: [Z, Y, X] };
}

describe('interact', () => {
  test('builds controls from the metadata, re-runs the operation on request and shows its result', async () => {
    const s = stack();
    const img = t.push(s.data, s.shape);
    const widget = await w.interact(t.gaussianBlur, img, { sigmaZ: 0 }, { images: { raw: img }, show: false });
    const state = widget.viewer.model.state;
    const names = state.controls.map((c) => c.name);
    assert.deepEqual(names, ['sigmaX', 'sigmaY', 'options.mode', 'options.cval'].filter((n) => names.includes(n)));
    const sigma = state.controls.find((c) => c.name === 'sigmaX')!;
    assert.deepEqual([sigma.kind, sigma.min, sigma.max], ['number', 0, 20], 'the soft range of a sigma');
    const mode = state.controls.find((c) => c.name === 'options.mode');
    assert.equal(mode?.kind, 'enum');
    assert.match(widget.code, /^tessera\.gaussianBlur\(raw, 0, 0, 0/);

    const before = widget.viewer.model.state.layers[0].version;
    const done = await ask(widget.viewer.model, { request: 'run', values: { ...widget.values, sigmaX: 2, sigmaY: 1.5 } });
    assert.equal(done.content.response, 'done');
    assert.equal(widget.viewer.model.state.layers[0].version, before + 1, 'views are told to ask again');
    assert.match(widget.code, /^tessera\.gaussianBlur\(raw, 2, 1\.5, 0/);
    const got = await plane(widget.viewer.model, { index: 1, labels: true });
    const expected = t.gaussianBlur(img, 2, 1.5, 0);
    const direct = await w.renderPlane(expected, w.planeOf(expected.shape, { axis: 0, index: 1 }), { mode: 'labels' });
    assert.deepEqual([got.content.min, got.content.max], [direct.min, direct.max], 'the shown plane is the operation\'s result');
    expected.release();

    const bad = await ask(widget.viewer.model, { request: 'run', values: { ...widget.values, sigmaX: 'a lot' } });
    assert.equal(bad.content.response, 'done');
    assert.match(widget.viewer.model.state.result_text, /sigmaX must be a number/);
    widget.close();
    img.release();
  });

  test('every operation of the catalogue gets a GUI without code of its own; run errors are shown, not thrown', async () => {
    const s = stack(1, 8, 8);
    const img = t.push(s.data, [8, 8]);
    const labels = t.push(new Uint32Array(s.data.length).map((_, i) => (s.data[i] > 50 ? 1 : 0)), [8, 8]);
    let made = 0;
    const refused: string[] = [];
    for (const [name, op] of operations()) {
      try {
        const widget = await w.interact(op as w.Interactive, img, {}, { images: { img, labels }, show: false });
        assert.ok(widget.code.startsWith(`tessera.${name}(`), `${name}: code line ${widget.code}`);
        made++;
        widget.close();
      } catch (e) {
        // Only parameters no control can set (matrices, lists) may refuse, naming the parameter.
        assert.match(String((e as Error).message), /must be given in fixed/, `${name}: ${(e as Error).message}`);
        refused.push(name);
      }
    }
    assert.ok(made > 100, `interact made GUIs for ${made} operations (refused: ${refused.join(', ')})`);
    img.release();
    labels.release();
  });

  test('operations returning numbers show the value; in-place operations work on a copy', async () => {
    const s = stack();
    const img = t.push(s.data, s.shape);
    const mean = await w.interact(t.meanOfAllPixels, img, {}, { show: false });
    assert.match(mean.viewer.model.state.result_text, /meanOfAllPixels returned 2\d\.\d+/);
    mean.close();
    const before = await t.pull(img);
    const inPlace = [...operations().values()].find((op) => op.info.inPlace === true && op.info.params.length >= 2);
    if (inPlace) {
      const widget = await w.interact(inPlace as w.Interactive, img, {}, { show: false });
      assert.deepEqual(await t.pull(img), before, `${inPlace.info.name} did not change the user's image`);
      widget.close();
    }
    img.release();
  });

  test('custom kernels with declared params get sliders', async () => {
    const gain = await t.elementwiseKernel('T x, float32 g', 'T y', 'y = T(f32(x) * g);', 'gain', { params: { g: { min: 0, max: 4, default: 2 } } });
    assert.deepEqual(gain.info.params.map((p) => [p.name, p.kind]), [['x', 'image'], ['g', 'number']]);
    const s = stack();
    const img = t.push(s.data, s.shape);
    const widget = await w.interact(gain, img, {}, { show: false });
    const g = widget.viewer.model.state.controls[0];
    assert.deepEqual([g.name, g.min, g.max], ['g', 0, 4]);
    await ask(widget.viewer.model, { request: 'run', values: { g: 3 } });
    const shown = await plane(widget.viewer.model, { index: 0, labels: true });
    assert.equal(shown.content.max, (100 + 0.5 * 11) * 3);
    await assert.rejects(t.elementwiseKernel('T x', 'T y', 'y = x;', 'k', { params: { q: {} } }), /not an input/);
    widget.close();
    img.release();
  });

  test('refuses what it cannot drive, naming the problem', async () => {
    const img = t.push(new Float32Array(16), [4, 4]);
    await assert.rejects(w.interact((() => 1) as unknown as w.Interactive, img), /parameter metadata/);
    await assert.rejects(w.interact(t.gaussianBlur, img, { sigmaQ: 1 }, { show: false }), /no parameter "sigmaQ"/);
    img.release();
  });
});

describe('plane regions, lookups and pyramids', () => {
  test('a region of a plane is that part of the whole plane', async () => {
    const s = stack(3, 16, 20);
    const img = t.push(s.data, s.shape);
    const viewer = await w.slice(img, { show: false });
    for (const [axis, transpose] of [[0, false], [1, false], [2, true]] as const) {
      const whole = await plane(viewer.model, { axis, index: 1, transpose, display_range: [0, 120] });
      const W = Number(whole.content.width);
      const region = [1, 1, Math.min(5, W - 1), 2];
      const part = await plane(viewer.model, { axis, index: 1, transpose, display_range: [0, 120], region });
      assert.deepEqual(part.content.region, region);
      const expected: number[] = [];
      for (let y = 1; y < 3; y++) for (let x = 1; x < 1 + region[2]; x++) expected.push(whole.buffers[0][y * W + x]);
      assert.deepEqual([...part.buffers[0]], expected, `axis ${axis}`);
    }
    const bad = await ask(viewer.model, { request: 'plane', layer: 0, axis: 0, index: 0, display_range: [0, 1], labels: false, region: [18, 0, 5, 5] });
    assert.match(String(bad.content.message), /region .* inside the 20 x 16 plane/);
    viewer.close();
    img.release();
  });

  test('toMultiscale writes GPU-binned levels; views read the level of their step and only the chunks of their region', async () => {
    const [Z, Y, X] = [4, 256, 320];
    const data = new Uint16Array(Z * Y * X).map((_, i) => (i * 2654435761) % 4000);
    const path = join(dir, 'big.zarr');
    const zarr = await t.createZarr(path, [Z, Y, X], 'uint16', { chunks: [1, 64, 64] });
    await zarr.write([0, 0, 0], data, [Z, Y, X]);
    const image = await w.toMultiscale(zarr, { minSize: 80 });
    assert.deepEqual(image.levels.map((l) => l.array.shape), [[4, 256, 320], [4, 128, 160], [4, 64, 80]]);
    const ref = await oracle(
      "np.floor(a.reshape(4, 128, 2, 160, 2).astype(np.float64).mean(axis=(2, 4)) + 0.5).astype(np.uint16)",
      { a: { data, shape: [Z, Y, X], dtype: 'uint16' } },
    );
    const level1 = await image.levels[1].array.compute();
    let worst = 0;
    for (let i = 0; i < ref.data.length; i++) worst = Math.max(worst, Math.abs(Number(level1.data[i]) - Number(ref.data[i])));
    assert.ok(worst <= 1, `level 1 is numpy's 2 x 2 block mean, rounded (float32 sums: within 1; worst ${worst})`);

    const viewer = await w.slice(image, { show: false });
    assert.equal(viewer.model.state.layers[0].levels, 3);
    const coarse = await plane(viewer.model, { index: 2, step: 4, display_range: [0, 4000] });
    assert.equal(coarse.content.level, 2);
    assert.deepEqual([coarse.content.width, coarse.content.height], [80, 64]);
    const region = [64, 64, 64, 64];
    const fine = await plane(viewer.model, { index: 1, step: 1, display_range: [0, 4000], region });
    assert.equal(fine.content.level, 0);
    assert.deepEqual(fine.content.region, region);
    const chunkBytes = 64 * 64 * 2;
    assert.ok(Number(fine.content.bytes_read) > 0 && Number(fine.content.bytes_read) <= 1.1 * chunkBytes, `one chunk read for a one-chunk region (${fine.content.bytes_read} bytes)`);
    for (let y = 0; y < 64; y += 17) {
      for (let x = 0; x < 64; x += 13) {
        const v = data[(1 * Y + 64 + y) * X + 64 + x];
        assert.equal(fine.buffers[0][y * 64 + x], Math.min(255, Math.floor((v * 255) / 4000 + 0.5)));
      }
    }
    const again = await plane(viewer.model, { index: 1, step: 1, display_range: [0, 2000], region });
    assert.equal(again.content.bytes_read, 0, 'a display change reads nothing');
    viewer.close();
  });
});

describe('annotate', () => {
  for (const dtype of ['uint32', 'uint8'] as const) {
    test(`a stroke paints a ${dtype} label image on the GPU in place; undo restores it`, async () => {
      const s = stack(3, 16, 20);
      const img = t.push(s.data, s.shape);
      const labels = t.set(t.create(s.shape, dtype), 0);
      const widget = await w.annotate(img, labels, { show: false });
      assert.equal(widget.label, 1);
      const r = await ask(widget.viewer.model, { request: 'paint', axis: 0, index: 1, points: [4, 5, 12, 5], radius: 2, label: 7, stroke: 1 });
      assert.equal(r.content.response, 'done');
      await ask(widget.viewer.model, { request: 'paint', axis: 1, index: 8, points: [15, 0], radius: 0.5, label: 3, stroke: 2 });
      const { data } = await t.pull(labels);
      const [Z, Y, X] = s.shape;
      for (let z = 0; z < Z; z++) for (let y = 0; y < Y; y++) for (let x = 0; x < X; x++) {
        const onStroke = z === 1 && (x < 4 ? (x - 4) ** 2 + (y - 5) ** 2 : x > 12 ? (x - 12) ** 2 + (y - 5) ** 2 : (y - 5) ** 2) <= 4;
        const onDot = y === 8 && x === 15 && z === 0;
        const expected = onDot ? 3 : onStroke ? 7 : 0;
        assert.equal(data[(z * Y + y) * X + x], expected, `pixel (${x}, ${y}, ${z})`);
      }
      assert.equal(widget.undoDepth, 2);
      await ask(widget.viewer.model, { request: 'undo' });
      const undone = await t.pull(labels);
      assert.equal(undone.data[(0 * Y + 8) * X + 15], 0, 'the dot is gone');
      assert.equal(undone.data[(1 * Y + 5) * X + 8], 7, 'the first stroke stays');
      await ask(widget.viewer.model, { request: 'paint', axis: 0, index: 1, points: [8, 5], radius: 1, label: 0 });
      assert.equal((await t.pull(labels)).data[(1 * Y + 5) * X + 8], 0, 'label 0 erases');
      const bad = await ask(widget.viewer.model, { request: 'paint', axis: 0, index: 1, points: [1], radius: 1, label: 1 });
      assert.match(String(bad.content.message), /points must be/);
      const tooBig = await ask(widget.viewer.model, { request: 'paint', axis: 0, index: 1, points: [1, 1], radius: 1, label: dtype === 'uint8' ? 256 : -1 });
      assert.match(String(tooBig.content.message), /label must be a whole number/);
      widget.close();
      assert.equal(labels.released, false, "the caller's labels stay");
      labels.release();
      img.release();
    });
  }
});

describe('plots', () => {
  test('clusterplot: a selection from the view highlights the objects; the object under the mouse its point', async () => {
    const [Y, X] = [8, 12];
    const labelPixels = new Uint32Array(Y * X).map((_, i) => 1 + Math.floor((i % X) / 4)); // labels 1, 2, 3 in columns
    const img = t.push(new Float32Array(Y * X).map((_, i) => i), [Y, X]);
    const labels = t.push(labelPixels, [Y, X]);
    const table = { label: new Uint32Array([1, 2, 3]), area: new Float32Array([32, 32, 32]), mean: new Float32Array([10, 20, 30]) };
    const plot = await w.clusterplot(img, labels, table, { x: 'area', y: 'mean', show: false });
    assert.deepEqual(plot.model.state.columns, ['area', 'mean']);
    const viewer = plot.viewer!;
    update(plot.model, { selection: {} }, [new Uint8Array([0, 1, 0])], [['selection']]);
    assert.deepEqual([...(table as unknown as { selection: Uint8Array }).selection], [0, 1, 0], 'the table gets the selection column');
    const codes = await ask(viewer.model, { request: 'plane', layer: 1, axis: 0, index: 0, display_range: [0, 1], labels: true, lookup: true });
    assert.deepEqual([...codes.buffers[0].slice(0, X)], [1, 1, 1, 1, 2, 2, 2, 2, 1, 1, 1, 1], 'label 2 selected');
    update(plot.model, { hovered: 2 });
    const hovered = await ask(viewer.model, { request: 'plane', layer: 1, axis: 0, index: 0, display_range: [0, 1], labels: true, lookup: true });
    assert.equal(hovered.buffers[0][10], 3, 'the hovered row\'s object');
    await ask(viewer.model, { request: 'values', x: 1, y: 3, z: 0 });
    assert.equal(plot.model.state.hovered, 0, 'the object under the mouse in the image: its row');
    plot.select([0, 2]);
    assert.deepEqual([...plot.selection], [1, 0, 1]);
    await assert.rejects(w.clusterplot(img, labels, { area: [1, 2] }, { show: false }), /label column/);
    plot.close();
    img.release();
    labels.release();
  });

  test('sliceplot renders thumbnails of the selected slices; scatterplot checks its columns', async () => {
    const s = stack(3, 16, 20);
    const img = t.push(s.data, s.shape);
    const plot = await w.sliceplot({ umap0: [0, 1, 2], umap1: [2, 1, 0] }, img, { show: false });
    update(plot.model, { selection: {} }, [new Uint8Array([1, 0, 1])], [['selection']]);
    await new Promise((r) => setTimeout(r, 200));
    assert.deepEqual(plot.model.state.thumbnail_info.map((i) => i.index), [0, 2]);
    await assert.rejects(w.sliceplot({ a: [1, 2] }, img, { show: false }), /2 rows but the stack 3 slices/);
    await assert.rejects(w.scatterplot({ a: [1, 2], b: [1] }, { show: false }), /one length/);
    plot.close();
    img.release();
  });
});

describe('figures and other helpers', () => {
  test('addText and addBoundingBoxes burn into a copy on the GPU', async () => {
    const img = t.push(new Uint16Array(40 * 60).fill(10), [40, 60]);
    const boxed = await w.addBoundingBoxes(img, [{ x: 5, y: 6, width: 10, height: 8 }], { lineWidth: 1, value: 500 });
    const { data } = await t.pull(boxed);
    assert.equal(data[6 * 60 + 5], 500, 'corner');
    assert.equal(data[6 * 60 + 10], 500, 'top edge');
    assert.equal(data[10 * 60 + 10], 10, 'inside stays');
    assert.equal(data[13 * 60 + 14], 500, 'opposite corner');
    assert.equal(data[20 * 60 + 20], 10, 'outside stays');
    const texted = await w.addText(img, 'Hi', { fontSize: 9, textValue: 900, position: 'top-left' });
    const pixels = (await t.pull(texted)).data;
    const bitmap = w.textBitmap('Hi', 9);
    let lit = 0;
    for (const v of pixels) if (v === 900) lit++;
    assert.equal(lit, bitmap.mask.reduce((a, b) => a + b, 0), 'one pixel of text value per glyph pixel');
    assert.equal((await t.pull(img)).data[0], 10, 'the input is unchanged');
    await assert.rejects(w.addText(img, ['a', 'b']), /one string or 1 strings/);
    const png = await w.imshow(img, { colorbar: true, title: 'flat' });
    assert.equal(Buffer.from(png.subarray(1, 4)).toString(), 'PNG');
    const { resultBundle } = await import('../../src/jupyter/display');
    assert.equal(await resultBundle(png), undefined, 'as a cell\'s value the PNG shows nothing more (it is displayed already), not its bytes');
    for (const x of [boxed, texted, img]) x.release();
  });

  test('crop returns the chosen region; blend, zoom and displayRange build their tools; animations encode', async () => {
    const s = stack(3, 16, 20);
    const img = t.push(s.data, s.shape);
    const cropper = await w.crop(img, { show: false });
    update(cropper.viewer.model, { crop_box: [2, 3, 1, 5, 4, 2] });
    assert.deepEqual(cropper.region, { start: [1, 3, 2], size: [2, 4, 5] });
    const cut = cropper.crop() as InstanceType<typeof t.GpuImage>;
    assert.deepEqual(cut.shape, [2, 4, 5]);
    assert.equal((await t.pull(cut)).data[0], s.data[(1 * 16 + 3) * 20 + 2]);
    cut.release();
    const blended = await w.blend(img, img, { blendFactor: 0.3, show: false });
    assert.equal(blended.model.state.layers[1].alpha, 0.3);
    const zoomed = await w.zoom(img, { magnification: 4, show: false });
    assert.deepEqual([zoomed.model.state.tools, zoomed.model.state.magnification], [['zoom'], 4]);
    const ranged = await w.displayRange(img, { show: false });
    update(ranged.model, { layers: ranged.model.state.layers.map((l) => ({ ...l, display_range: [20, 80] })) });
    assert.deepEqual(ranged.displayRanges[0], [20, 80]);
    const gif = await w.animateBlend(img, img, { numSteps: 3, filename: join(dir, 'blend.gif'), show: false });
    assert.equal(Buffer.from(gif.subarray(0, 6)).toString(), 'GIF89a');
    const apng = await w.animateCurtain(img, img, { numSteps: 4, show: false });
    assert.ok(Buffer.from(apng).includes('acTL'));
    const box = await w.grid([[img, zoomed], [ranged]]);
    assert.equal((box.state.children as unknown[]).length, 4, 'rows padded to the widest');
    for (const x of [cropper, blended, zoomed, ranged]) x.close();
    img.release();
  });
});
