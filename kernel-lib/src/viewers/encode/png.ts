import { crc32, deflateSync } from 'node:zlib';
import type { Lut } from '../colormaps';

/**
 * A small PNG and APNG encoder (node:zlib only). Mostly for 8-bit indexed images: the pixels are
 * colormap indices and the colormap's lookup table is the palette, so a rendered plane is
 * stored as it is, without expanding it to RGB. Composed pictures (overlays, several planes)
 * are RGBA images, stored indexed when they have few colours.
 */

/** An 8-bit indexed image: `pixels` holds width × height palette indices, row by row. */
export interface IndexedImage {
  pixels: Uint8Array;
  width: number;
  height: number;
}

/** A colour image: `pixels` holds width × height × 4 bytes (red, green, blue, alpha), row by row. */
export interface RgbaImage {
  pixels: Uint8Array;
  width: number;
  height: number;
}

/** PNG colour types used here. */
const INDEXED = 3;
const RGBA = 6;

const SIGNATURE = Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a);

function chunk(type: string, data: Uint8Array): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'latin1');
  out.set(data, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

function header(width: number, height: number, colourType = INDEXED): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, colourType, 0, 0, 0], 8); // bit depth 8, the colour type, deflate, adaptive filters, no interlace
  return ihdr;
}

/**
 * The zlib stream of an image's rows (`bytesPerPixel` bytes per pixel), each with filter type 0
 * (none): fast, and indices compress well.
 */
function imageData(img: IndexedImage | RgbaImage, level: number, bytesPerPixel = 1): Buffer {
  const { pixels, width, height } = img;
  const row = width * bytesPerPixel;
  if (pixels.length < row * height) throw new Error(`PNG: ${pixels.length} bytes for ${width}x${height} pixels of ${bytesPerPixel} bytes`);
  const raw = Buffer.alloc((row + 1) * height);
  for (let y = 0; y < height; y++) raw.set(pixels.subarray(y * row, (y + 1) * row), y * (row + 1) + 1);
  return deflateSync(raw, { level });
}

/** Encodes an indexed image with palette `lut` (256 RGB triples) as a PNG file. */
export function encodePng(img: IndexedImage, lut: Lut, level = 6): Buffer {
  return Buffer.concat([
    SIGNATURE,
    chunk('IHDR', header(img.width, img.height)),
    chunk('PLTE', lut),
    chunk('IDAT', imageData(img, level)),
    chunk('IEND', new Uint8Array(0)),
  ]);
}

/**
 * Encodes a colour image as a PNG file: indexed (with the colours as palette, and their
 * opacities in a tRNS chunk when some are not opaque) when it has at most 256 colours, as a
 * rendered plane of one colormap has; RGBA otherwise.
 */
export function encodeRgbaPng(img: RgbaImage, level = 6): Buffer {
  const { pixels, width, height } = img;
  const n = width * height;
  if (pixels.length < 4 * n) throw new Error(`PNG: ${pixels.length} bytes for ${width}x${height} RGBA pixels`);
  const colours = new Map<number, number>(); // RGBA word (big-endian read) -> palette index
  const indices = new Uint8Array(n);
  const view = new DataView(pixels.buffer, pixels.byteOffset, 4 * n);
  for (let i = 0; i < n && colours.size <= 256; i++) {
    const c = view.getUint32(4 * i);
    let k = colours.get(c);
    if (k === undefined) colours.set(c, (k = colours.size));
    indices[i] = k;
  }
  if (colours.size > 256) {
    return Buffer.concat([SIGNATURE, chunk('IHDR', header(width, height, RGBA)), chunk('IDAT', imageData(img, level, 4)), chunk('IEND', new Uint8Array(0))]);
  }
  const palette = new Uint8Array(3 * colours.size);
  const alpha = new Uint8Array(colours.size);
  for (const [c, k] of colours) {
    palette.set([c >>> 24, (c >>> 16) & 0xff, (c >>> 8) & 0xff], 3 * k);
    alpha[k] = c & 0xff;
  }
  const parts = [SIGNATURE, chunk('IHDR', header(width, height)), chunk('PLTE', palette)];
  if (alpha.some((a) => a !== 255)) parts.push(chunk('tRNS', alpha));
  parts.push(chunk('IDAT', imageData({ pixels: indices, width, height }, level)), chunk('IEND', new Uint8Array(0)));
  return Buffer.concat(parts);
}

/** Options of {@link encodeApng} and the GIF encoder. */
export interface AnimationOptions {
  /** Time each frame is shown, in milliseconds (default 100). */
  frameDelayMs?: number;
  /** How many times the animation plays; 0 (the default) loops forever. */
  loops?: number;
}

/**
 * Encodes frames of equal size as an animated PNG (APNG) with palette `lut`. Viewers without
 * APNG support show the first frame.
 */
export function encodeApng(frames: IndexedImage[], lut: Lut, options: AnimationOptions = {}): Buffer {
  if (frames.length === 0) throw new Error('APNG: no frames');
  const { width, height } = frames[0];
  if (frames.some((f) => f.width !== width || f.height !== height)) throw new Error('APNG: frames must have the same size');
  const delay = Math.max(0, Math.min(65535, Math.round(options.frameDelayMs ?? 100)));
  const actl = Buffer.alloc(8);
  actl.writeUInt32BE(frames.length, 0);
  actl.writeUInt32BE(options.loops ?? 0, 4);
  const parts = [SIGNATURE, chunk('IHDR', header(width, height)), chunk('acTL', actl), chunk('PLTE', lut)];
  let sequence = 0;
  frames.forEach((frame, k) => {
    const fctl = Buffer.alloc(26);
    fctl.writeUInt32BE(sequence++, 0);
    fctl.writeUInt32BE(width, 4);
    fctl.writeUInt32BE(height, 8);
    // x and y offsets stay 0; delay = delay/1000 s; dispose and blend ops 0 (none, source).
    fctl.writeUInt16BE(delay, 20);
    fctl.writeUInt16BE(1000, 22);
    parts.push(chunk('fcTL', fctl));
    const data = imageData(frame, 6);
    if (k === 0) {
      parts.push(chunk('IDAT', data));
    } else {
      const fdat = Buffer.alloc(4 + data.length);
      fdat.writeUInt32BE(sequence++, 0);
      fdat.set(data, 4);
      parts.push(chunk('fdAT', fdat));
    }
  });
  parts.push(chunk('IEND', new Uint8Array(0)));
  return Buffer.concat(parts);
}

/** A `data:` URL of PNG bytes, for an `<img src>` or a widget's saved snapshot. */
export function pngDataUrl(png: Uint8Array): string {
  return `data:image/png;base64,${Buffer.from(png.buffer, png.byteOffset, png.byteLength).toString('base64')}`;
}
