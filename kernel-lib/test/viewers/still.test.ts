import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { CommManager, setKernelComms, type JsonObject } from '../../src/jupyter/comms';
import * as w from '../../src/viewers';
import { setup } from '../support/gpu';
import { oracle } from '../support/oracle';

/**
 * The still of every viewer: the `image/png` (and `text/plain`) of its display bundle, which
 * frontends without the Tessera extension show. Decoded by Pillow and compared pixel by pixel
 * with what the view draws: the plane's codes (v - low) · 255 / (high - low), rounded, through
 * the colormap, overlays blended, the planes of the arrangement placed side by side.
 */
let t: Awaited<ReturnType<typeof setup>>;
let bundles: JsonObject[] = [];
const dir = mkdtempSync(join(tmpdir(), 'tessera-still-'));

before(async () => {
  t = await setup();
  setKernelComms(new CommManager({ publish: (type, content) => void (type === 'display_data' && bundles.push(content.data as JsonObject)) }));
});
after(() => {
  setKernelComms(undefined);
  rmSync(dir, { recursive: true, force: true });
});

/** The stack [4, 6, 8] whose pixel (x, y, z) is 100 z + 10 y + x (range 0..357). */
function stack() {
  const data = new Uint16Array(4 * 6 * 8).map((_, i) => 100 * Math.floor(i / 48) + 10 * (Math.floor(i / 8) % 6) + (i % 8));
  return t.push(data, [4, 6, 8]);
}
const value = (x: number, y: number, z: number) => 100 * z + 10 * y + x;
const code = (v: number, low = 0, high = 357) => Math.max(0, Math.min(255, Math.floor(((v - low) * 255) / (high - low) + 0.5)));

/** The shown widget's display bundle (the last one sent). */
function shown(): { png: Buffer; text: string } {
  const b = bundles[bundles.length - 1];
  return { png: Buffer.from(String(b['image/png']), 'base64'), text: String(b['text/plain']) };
}

let files = 0;
/** A PNG decoded by Pillow as RGBA: pixel (x, y) as [r, g, b, a], and the size. */
async function decode(png: Uint8Array): Promise<{ width: number; height: number; at(x: number, y: number): number[] }> {
  const path = join(dir, `still-${files++}.png`);
  writeFileSync(path, png);
  const r = await oracle(`np.asarray(__import__('PIL.Image').Image.open(${JSON.stringify(path)}).convert('RGBA'))`);
  const [height, width] = r.shape;
  return { width, height, at: (x, y) => Array.from(r.data.slice((y * width + x) * 4, (y * width + x) * 4 + 4) as Uint8Array) };
}

/** The RGBA colour of `code` in colormap `name`. */
function colour(name: string, c: number): number[] {
  const lut = w.colormapLut(name);
  return [lut[3 * c], lut[3 * c + 1], lut[3 * c + 2], 255];
}

describe('viewer stills (image/png fallback)', () => {
  test('slice: the shown plane through its colormap, at the view zoom; text/plain says what and where', async () => {
    const img = stack();
    const viewer = await w.slice(img, { colormap: 'viridis' });
    const { png, text } = shown();
    const got = await decode(png);
    const zoom = viewer.model.state.zoom; // 8: an 8 x 6 plane fits 512 pixels 64 times; views stop at 8
    assert.equal(zoom, 8);
    assert.deepEqual([got.width, got.height], [8 * zoom, 6 * zoom]);
    for (const [x, y] of [[0, 0], [7, 0], [3, 4], [7, 5]]) {
      assert.deepEqual(got.at(x * zoom + 3, y * zoom + 5), colour('viridis', code(value(x, y, 2))), `pixel (${x}, ${y})`);
    }
    assert.equal(text, 'tessera slice: z=2 of 0..3\n  image [4, 6, 8] uint16, viridis [0, 357]');
    assert.equal(viewer.model.state.snapshot, `data:image/png;base64,${png.toString('base64')}`, 'the first snapshot is the still');

    // The still follows the state: after the kernel moves the slider, png() shows z = 3.
    viewer.update({ index: 3 });
    const moved = await decode(await viewer.png());
    assert.deepEqual(moved.at(5 * zoom, 1 * zoom), colour('viridis', code(value(5, 1, 3))));
    viewer.close();
    await assert.rejects(() => viewer.png(), /slice: the widget was closed/);
    img.release();
  });

  test('curtain: the overlay left of the curtain, label 0 transparent; labelOverlay draws outlines', async () => {
    const img = stack();
    const labels = t.push(new Uint32Array(4 * 6 * 8).map((_, i) => (i % 8 < 2 ? 0 : 1 + ((i % 8) >> 2))), [4, 6, 8]); // x 0-1: 0, 2-3: 1, 4-7: 2
    const c = await w.curtain(img, labels, { curtainColormap: 'labels', alpha: 1, position: 0.75 });
    const got = await decode(shown().png);
    const z = 8;
    assert.deepEqual(got.at(0 * z + 1, 2 * z), colour('grey', code(value(0, 2, 2))), 'label 0: the image shows');
    assert.deepEqual(got.at(3 * z + 1, 2 * z), colour('labels', 1));
    assert.deepEqual(got.at(5 * z + 1, 2 * z), colour('labels', 2));
    assert.deepEqual(got.at(6 * z + 1, 2 * z), colour('grey', code(value(6, 2, 2))), 'right of the curtain (x = 6 of 8): the image');
    assert.match(shown().text, /^tessera curtain: z=2 of 0..3\n {2}image \[4, 6, 8\] uint16, grey \[0, 357\]\n {2}overlay \[4, 6, 8\] uint32, labels, alpha 1$/);

    const o = await w.labelOverlay(img, labels, { alpha: 1 });
    const outlined = await decode(shown().png);
    assert.deepEqual(outlined.at(2 * z + 1, 2 * z), colour('labels', 1), 'the left edge of label 1 is outlined');
    assert.deepEqual(outlined.at(5 * z + 1, 2 * z), colour('grey', code(value(5, 2, 2))), 'inside label 2: the image');
    for (const x of [c, o]) x.close();
    for (const x of [img, labels]) x.release();
  });

  test('sideBySide, switchImages and orthogonal place their planes as the views do', async () => {
    const img = stack();
    const labels = t.push(new Uint32Array(4 * 6 * 8).fill(3), [4, 6, 8]);
    const s = await w.sideBySide(img, labels, { colormaps: ['magma', 'labels'], zoom: 2 });
    const pair = await decode(shown().png);
    assert.deepEqual([pair.width, pair.height], [8 * 2 + 4 + 8 * 2, 6 * 2], 'two planes at zoom 2, 4 pixels apart');
    assert.deepEqual(pair.at(0, 0), colour('magma', code(value(0, 0, 2))));
    assert.equal(pair.at(17, 0)[3], 0, 'transparent between the planes');
    assert.deepEqual(pair.at(20, 0), colour('labels', 3));

    const sw = await w.switchImages({ raw: img, labels }, { zoom: 1 });
    const one = await decode(shown().png);
    assert.deepEqual([one.width, one.height, ...one.at(7, 5)], [8, 6, ...colour('grey', code(value(7, 5, 2)))], 'the shown (first) image only');
    assert.match(shown().text, /raw \[4, 6, 8\] uint16, grey \[0, 357\], \(shown\)/);

    const ortho = await w.orthogonal(img, { zoom: 1 });
    const [cx, cy, cz] = ortho.model.state.cursor; // (4, 3, 2)
    const l = await decode(shown().png);
    // XY (8 x 6) at the left, YZ (z across: 4 x 6) beside it, XZ (8 x 4) below it.
    assert.deepEqual([l.width, l.height], [8 + 4 + 4, 6 + 4 + 4]);
    assert.deepEqual(l.at(1, 2), colour('grey', code(value(1, 2, cz))));
    assert.deepEqual(l.at(8 + 4 + 3, 5), colour('grey', code(value(cx, 5, 3))), 'YZ: column z, row y');
    assert.deepEqual(l.at(6, 6 + 4 + 1), colour('grey', code(value(6, cy, 1))), 'XZ: column x, row z');
    assert.equal(l.at(15, 13)[3], 0, 'nothing below YZ');
    assert.equal(shown().text, 'tessera orthogonal: cursor x=4 y=3 z=2\n  image [4, 6, 8] uint16, grey [0, 357]');
    for (const x of [s, sw, ortho]) x.close();
    for (const x of [img, labels]) x.release();
  });

  test('large planes are subsampled to at most 512 pixels across, as the view asks for them', async () => {
    const big = t.push(new Float32Array(1000 * 1500).map((_, i) => i % 1500), [1000, 1500]);
    const v = await w.slice(big);
    const got = await decode(shown().png);
    assert.deepEqual([got.width, got.height], [500, 334], 'every 3rd pixel of 1500 x 1000');
    assert.deepEqual(got.at(100, 7), colour('grey', code(300, 0, 1499)));
    assert.equal(shown().text, 'tessera slice\n  image [1000, 1500] float32, grey [0, 1499]');
    v.close();
    big.release();
  });
});
