import { interruptSignal } from '../abort';
import type { Lut } from './colormaps';
import { encodeGif } from './encode/gif';
import { encodeApng, type AnimationOptions, type IndexedImage, type RgbaImage } from './encode/png';
import type { Conversion } from './render-plane';
import type { Layer } from './source';

/** Animation file formats. */
export type AnimationFormat = 'apng' | 'gif';

/** Where the frames of an animation come from. */
export interface FrameSelection {
  /** Sliced axis of every frame (0 = z, 1 = y, 2 = x). */
  axis: number;
  /** Position along `axis` when frames run through time (4D images). */
  index: number;
  /** Subsampling step of the frames. */
  step: number;
}

/**
 * Renders the frames of an animation on the GPU: through time for a 4D image (the plane at
 * `index`), otherwise through `axis`. Frames are read back one at a time as 8-bit codes.
 */
export async function renderFrames(layer: Layer, selection: FrameSelection, conversion: Conversion): Promise<IndexedImage[]> {
  const shape = layer.shape;
  const { axis, index, step } = selection;
  const timelapse = shape.length === 4;
  const count = timelapse ? shape[0] : shape.length === 3 ? shape[shape.length - 3 + axis] : 1;
  const frames: IndexedImage[] = [];
  const signal = interruptSignal();
  for (let k = 0; k < count; k++) {
    signal.throwIfAborted();
    const request = timelapse ? { axis, index, t: k, step } : { axis: shape.length === 3 ? axis : 0, index: shape.length === 3 ? k : 0, step };
    const { pixels, width, height } = await layer.render(request, conversion);
    frames.push({ pixels: pixels.slice(), width, height });
  }
  return frames;
}

/** Encodes frames (8-bit codes) with palette `lut` as an APNG or a GIF file. */
export function encodeAnimation(frames: IndexedImage[], lut: Lut, format: AnimationFormat, options: AnimationOptions = {}): Uint8Array {
  return format === 'gif' ? encodeGif(frames, lut, options) : encodeApng(frames, lut, options);
}

/** The format a file name asks for (by extension), APNG unless it ends with .gif. */
export function formatOfFilename(filename: string): AnimationFormat {
  return /\.gif$/i.test(filename) ? 'gif' : 'apng';
}

/**
 * One 256-colour palette for RGBA frames (blended layers have more colours than one colormap):
 * the frames' colours when there are at most 256, else the 256 most frequent colours at 5 bits
 * per channel (averaged within their bins), every colour mapped to its nearest palette entry.
 */
export function quantize(frames: RgbaImage[]): { frames: IndexedImage[]; lut: Lut } {
  const bins = new Float64Array(32768 * 4); // count, r, g, b sums
  for (const f of frames) {
    const p = f.pixels;
    for (let i = 0; i < p.length; i += 4) {
      const bin = ((p[i] >> 3) << 10) | ((p[i + 1] >> 3) << 5) | (p[i + 2] >> 3);
      bins[bin * 4] += 1;
      bins[bin * 4 + 1] += p[i];
      bins[bin * 4 + 2] += p[i + 1];
      bins[bin * 4 + 3] += p[i + 2];
    }
  }
  const used = [...Array(32768).keys()].filter((b) => bins[b * 4] > 0).sort((a, b) => bins[b * 4] - bins[a * 4]);
  const chosen = used.slice(0, 256);
  const lut = new Uint8Array(768);
  chosen.forEach((b, k) => lut.set([0, 1, 2].map((c) => Math.round(bins[b * 4 + 1 + c] / bins[b * 4])), k * 3));
  const nearest = new Uint8Array(32768);
  for (const b of used) {
    const r = ((b >> 10) << 3) + 4;
    const g = (((b >> 5) & 31) << 3) + 4;
    const bl = ((b & 31) << 3) + 4;
    let best = 0;
    let bestD = Infinity;
    for (let k = 0; k < chosen.length; k++) {
      const d = (lut[k * 3] - r) ** 2 + (lut[k * 3 + 1] - g) ** 2 + (lut[k * 3 + 2] - bl) ** 2;
      if (d < bestD) [best, bestD] = [k, d];
    }
    nearest[b] = best;
  }
  const indexed = frames.map((f) => {
    const out = new Uint8Array(f.width * f.height);
    const p = f.pixels;
    for (let i = 0, j = 0; i < p.length; i += 4, j++) out[j] = nearest[((p[i] >> 3) << 10) | ((p[i + 1] >> 3) << 5) | (p[i + 2] >> 3)];
    return { pixels: out, width: f.width, height: f.height };
  });
  return { frames: indexed, lut };
}
