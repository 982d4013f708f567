import { interruptSignal } from '../abort';
import type { Lut } from './colormaps';
import { encodeGif } from './encode/gif';
import { encodeApng, type AnimationOptions, type IndexedImage } from './encode/png';
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
