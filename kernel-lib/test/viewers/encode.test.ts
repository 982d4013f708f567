import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { colormapLut, encodeApng, encodeGif, encodePng, encodeRgbaPng, type IndexedImage, type RgbaImage } from '../../src/viewers';
import { rng } from '../support/data';
import { oracle } from '../support/oracle';

/**
 * The kernel's PNG, APNG and GIF encoders, decoded by an independent reader (Pillow, in the
 * test oracle's Python) and compared pixel by pixel with the palette applied.
 */
const dir = mkdtempSync(join(tmpdir(), 'tessera-encode-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function frame(width: number, height: number, seed: number, levels = 256): IndexedImage {
  const r = rng(seed);
  // Smooth ramps plus noise: long runs and fresh strings, so LZW both extends and resets its dictionary.
  const pixels = new Uint8Array(width * height).map((_, i) => ((i % width) + Math.floor(r() * levels)) % 256);
  return { pixels, width, height };
}

/** RGB pixels that `frames` should decode to, frame after frame. */
function expectedRgb(frames: IndexedImage[], lut: Uint8Array): number[] {
  const out: number[] = [];
  for (const f of frames) for (const p of f.pixels) out.push(lut[p * 3], lut[p * 3 + 1], lut[p * 3 + 2]);
  return out;
}

/** Decodes every frame of `file` with Pillow, as RGB (or RGBA). */
async function decode(file: string, bytes: Uint8Array, mode = 'RGB'): Promise<{ data: number[]; shape: number[] }> {
  const path = join(dir, file);
  writeFileSync(path, bytes);
  const expr = `(lambda Image, ImageSequence: np.stack([np.asarray(f.convert('${mode}')) for f in ImageSequence.Iterator(Image.open(${JSON.stringify(path)}))]))(__import__('PIL.Image').Image, __import__('PIL.ImageSequence').ImageSequence)`;
  const r = await oracle(expr);
  return { data: Array.from(r.data as Uint8Array), shape: r.shape };
}

describe('image encoders', () => {
  const lut = colormapLut('viridis');

  test('PNG with the colormap as palette', async () => {
    const f = frame(37, 23, 1);
    const got = await decode('plane.png', encodePng(f, lut));
    assert.deepEqual(got.shape, [1, 23, 37, 3]);
    assert.deepEqual(got.data, expectedRgb([f], lut));
  });

  test('colour PNG: indexed with transparency up to 256 colours, RGBA beyond', async () => {
    const rgba = (width: number, height: number, colours: number): RgbaImage => {
      const r = rng(colours);
      const palette = Array.from({ length: colours }, (_, k) => [Math.floor(r() * 256), Math.floor(r() * 256), k % 2 ? 255 : 0, k === 0 ? 0 : 255]);
      const pixels = new Uint8Array(width * height * 4);
      for (let i = 0; i < width * height; i++) pixels.set(palette[i % colours], 4 * i);
      return { pixels, width, height };
    };
    for (const [colours, type] of [[256, 3], [300, 6]]) {
      const img = rgba(41, 19, colours);
      const png = encodeRgbaPng(img);
      assert.equal(png[25], type, `${colours} colours: PNG colour type ${type}`);
      const got = await decode(`rgba-${colours}.png`, png, 'RGBA');
      assert.deepEqual(got.shape, [1, 19, 41, 4]);
      assert.deepEqual(got.data, Array.from(img.pixels));
    }
  });

  test('APNG frames', async () => {
    const frames = [frame(31, 17, 2), frame(31, 17, 3), frame(31, 17, 4)];
    const got = await decode('movie.png', encodeApng(frames, lut, { frameDelayMs: 50 }));
    assert.deepEqual(got.shape, [3, 17, 31, 3]);
    assert.deepEqual(got.data, expectedRgb(frames, lut));
  });

  test('GIF frames, including dictionary resets', async () => {
    // 30 000 noisy pixels overflow LZW's 4096-code dictionary several times.
    const frames = [frame(200, 150, 5), frame(200, 150, 6, 4)];
    const got = await decode('movie.gif', encodeGif(frames, lut, { frameDelayMs: 100, loops: 0 }));
    assert.deepEqual(got.shape, [2, 150, 200, 3]);
    assert.deepEqual(got.data, expectedRgb(frames, lut));
    const flat = { pixels: new Uint8Array(40 * 30).fill(9), width: 40, height: 30 };
    const one = await decode('flat.gif', encodeGif([flat], colormapLut('labels')));
    assert.deepEqual(one.data, expectedRgb([flat], colormapLut('labels')));
  });
});
