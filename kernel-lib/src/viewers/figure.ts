import { computeType } from '../dtype';
import { GpuImage } from '../array/gpu-image';
import { create, push } from '../array/transfer';
import { runPixelProgram } from '../codegen/program';
import { TesseraError } from '../errors';
import { RICH_DISPLAY, displayMimeBundle } from '../jupyter/display';
import { maximumZProjection } from '../ops/projections';
import { maximumOfAllPixels, minimumOfAllPixels } from '../ops/reductions';
import { checkImage } from '../validate/arguments';
import { colorize, rgbaLut } from './colorize';
import { colormapLut, type Lut } from './colormaps';
import { encodeRgbaPng, type RgbaImage } from './encode/png';
import { planeOf, renderPlane } from './render-plane';
import { fonts, renderPixels } from 'js-pixel-fonts';

/**
 * Figures made in the kernel: text and bounding boxes burned into images on the GPU
 * (`addText`, `addBoundingBoxes`), and `imshow`, a static picture with a colorbar. Text is set in
 * js-pixel-fonts' 7-pixel "Seven Plus" font, scaled by whole pixels.
 */

/** A text as a bitmap: 1 where the glyphs are, width × height, scaled so that it is about `size` pixels high. */
export function textBitmap(text: string, size = 14): { mask: Uint8Array; width: number; height: number } {
  const rows = renderPixels(text.replace(/[^\x20-\x7e]/g, '?'), fonts.sevenPlus);
  const k = Math.max(1, Math.round(size / 9));
  const h0 = rows.length;
  const w0 = rows[0]?.length ?? 0;
  const width = w0 * k;
  const height = h0 * k;
  const mask = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) mask[y * width + x] = rows[Math.floor(y / k)][Math.floor(x / k)] ? 1 : 0;
  return { mask, width, height };
}

/** Where `addText` puts its text. */
export type TextPosition = 'top' | 'bottom' | 'center' | 'top-left' | 'top-right' | 'bottom-left' | 'bottom-right' | 'center-left' | 'center-right';
const POSITIONS: readonly TextPosition[] = ['top', 'bottom', 'center', 'top-left', 'top-right', 'bottom-left', 'bottom-right', 'center-left', 'center-right'];

/** Options of {@link addText}. */
export interface AddTextOptions {
  /** Text height in pixels (default 16). */
  fontSize?: number;
  /** Pixel value of the text (default: the image's maximum, "white"). */
  textValue?: number;
  /** Pixel value of a box behind the text, or null for none (default: the image's minimum, "black"). */
  backgroundValue?: number | null;
  position?: TextPosition;
}

/**
 * Burns `texts` into `image` on the GPU and returns a new image of the same dtype: one text for
 * a 2D image, and for a 3D stack one per slice (or one for all). Text pixels get `textValue`,
 * a box behind them `backgroundValue`. stackview: `add_text` (which returns RGB images; Tessera
 * keeps the pixel type, so that the result is shown, processed or animated like any image).
 */
export async function addText(image: GpuImage, texts: string | readonly string[], options: AddTextOptions = {}): Promise<GpuImage> {
  const fn = 'addText';
  checkImage(image, `${fn}: image`);
  if (image.ndim < 2 || image.ndim > 3) throw new TesseraError(`${fn}: image must be 2D or a 3D stack of slices; got shape [${image.shape}]`);
  const depth = image.ndim === 3 ? image.shape[0] : 1;
  const list = typeof texts === 'string' ? new Array<string>(depth).fill(texts) : [...texts];
  if (list.length !== depth || !list.every((t) => typeof t === 'string')) throw new TesseraError(`${fn}: texts must be one string or ${depth} strings (one per slice); got ${Array.isArray(texts) ? texts.length : typeof texts}`);
  const position = options.position ?? 'top';
  if (!POSITIONS.includes(position)) throw new TesseraError(`${fn}: position must be one of ${POSITIONS.join(', ')}; got ${JSON.stringify(position)}`);
  const size = options.fontSize ?? 16;
  if (!(size >= 4 && size <= 512)) throw new TesseraError(`${fn}: fontSize must be 4..512; got ${size}`);
  const [H, W] = image.shape.slice(-2);
  const bitmaps = list.map((t) => textBitmap(t, size));
  const pad = Math.max(1, Math.round(size / 8));
  const tw = Math.min(W, Math.max(...bitmaps.map((b) => b.width)) + 2 * pad);
  const th = Math.min(H, Math.max(...bitmaps.map((b) => b.height)) + 2 * pad);
  // One mask per slice: 2 text, 1 background box, 0 nothing; placed at (ox, oy).
  const mask = new Uint8Array(depth * th * tw);
  bitmaps.forEach((b, z) => {
    const x0 = position.endsWith('left') ? pad : position.endsWith('right') ? tw - b.width - pad : Math.floor((tw - b.width) / 2);
    for (let y = 0; y < th; y++) for (let x = 0; x < tw; x++) {
      const bx = x - x0;
      const by = y - pad;
      const on = bx >= 0 && by >= 0 && bx < b.width && by < b.height && b.mask[by * b.width + bx] === 1;
      mask[(z * th + y) * tw + x] = on ? 2 : b.width > 0 ? 1 : 0;
    }
  });
  const ox = position.endsWith('left') ? 0 : position.endsWith('right') ? W - tw : Math.floor((W - tw) / 2);
  const oy = position.startsWith('top') ? 0 : position.startsWith('bottom') ? H - th : Math.floor((H - th) / 2);
  const textValue = options.textValue ?? (await maximumOfAllPixels(image));
  const background = options.backgroundValue === undefined ? await minimumOfAllPixels(image) : options.backgroundValue;
  const m = push(mask, [depth, th, tw]);
  try {
    const t = computeType(image.dtype);
    return runPixelProgram({
      op: 'addText',
      inputs: { a: image, m },
      output: create(image.shape, image.dtype),
      scalars: {
        ox: { type: 'i32', value: ox }, oy: { type: 'i32', value: oy }, tw: { type: 'i32', value: tw }, th: { type: 'i32', value: th },
        text: { type: t, value: textValue }, bg: { type: t, value: background ?? 0 }, hasBg: { type: 'u32', value: background === null ? 0 : 1 },
      },
      coords: true,
      computeType: t,
      body: `let v = load_a(i);
  let x = c.x - P.ox;
  let y = c.y - P.oy;
  if (x < 0 || y < 0 || x >= P.tw || y >= P.th) { return v; }
  let k = at_m(vec4<i32>(x, y, c.z, 0));
  if (k == 2u) { return P.text; }
  if (k == 1u && P.hasBg == 1u) { return P.bg; }
  return v;`,
    });
  } finally {
    m.release();
  }
}

/** A bounding box: pixel position and size (z and depth for 3D images, default the whole stack). */
export interface BoundingBox {
  x: number;
  y: number;
  width: number;
  height: number;
  z?: number;
  depth?: number;
}

/** Options of {@link addBoundingBoxes}. */
export interface BoundingBoxOptions {
  /** Outline width in pixels (default 2). */
  lineWidth?: number;
  /** Pixel value of the outlines (default: the image's maximum). */
  value?: number;
}

/** Boxes from a list, or from a table's bbox columns (statisticsOfLabelledPixels: `bbox_min_x`, `bbox_max_x`, ...). */
function boxesOf(fn: string, boxes: readonly BoundingBox[] | Record<string, ArrayLike<number>>): BoundingBox[] {
  if (Array.isArray(boxes)) {
    for (const [k, b] of boxes.entries()) {
      if (![b.x, b.y, b.width, b.height].every(Number.isFinite) || b.width < 0 || b.height < 0) throw new TesseraError(`${fn}: box ${k} must have finite x, y and width, height >= 0; got ${JSON.stringify(b)}`);
    }
    return [...boxes];
  }
  const t = boxes as Record<string, ArrayLike<number>>;
  const need = ['bbox_min_x', 'bbox_min_y', 'bbox_max_x', 'bbox_max_y'];
  if (typeof t !== 'object' || t === null || !need.every((c) => t[c])) throw new TesseraError(`${fn}: boxes must be a list of { x, y, width, height } or a table with ${need.join(', ')} columns`);
  return Array.from({ length: t.bbox_min_x.length }, (_, i) => ({
    x: t.bbox_min_x[i], y: t.bbox_min_y[i], width: t.bbox_max_x[i] - t.bbox_min_x[i] + 1, height: t.bbox_max_y[i] - t.bbox_min_y[i] + 1,
    ...(t.bbox_min_z ? { z: t.bbox_min_z[i], depth: t.bbox_max_z[i] - t.bbox_min_z[i] + 1 } : {}),
  }));
}

/**
 * Draws the outlines of `boxes` into a copy of `image` on the GPU (same dtype), at `value`.
 * Boxes are `{ x, y, width, height[, z, depth] }` or a measurement table with bbox columns.
 * stackview: `add_bounding_boxes` (which returns an RGB image).
 */
export async function addBoundingBoxes(image: GpuImage, boxes: readonly BoundingBox[] | Record<string, ArrayLike<number>>, options: BoundingBoxOptions = {}): Promise<GpuImage> {
  const fn = 'addBoundingBoxes';
  checkImage(image, `${fn}: image`);
  if (image.ndim < 2 || image.ndim > 3) throw new TesseraError(`${fn}: image must be 2D or 3D; got shape [${image.shape}]`);
  const list = boxesOf(fn, boxes);
  const lineWidth = options.lineWidth ?? 2;
  if (!Number.isInteger(lineWidth) || lineWidth < 1 || lineWidth > 100) throw new TesseraError(`${fn}: lineWidth must be a whole number 1..100; got ${lineWidth}`);
  const value = options.value ?? (await maximumOfAllPixels(image));
  const table = new Float32Array(Math.max(1, list.length) * 8);
  list.forEach((b, k) => table.set([b.x, b.y, b.x + b.width - 1, b.y + b.height - 1, b.z ?? -1e9, b.z === undefined ? 1e9 : b.z + (b.depth ?? 1) - 1, 0, 0], k * 8));
  const boxImage = push(table, [Math.max(1, list.length), 8]);
  try {
    const t = computeType(image.dtype);
    return runPixelProgram({
      op: 'addBoundingBoxes',
      inputs: { a: image, b: boxImage },
      output: create(image.shape, image.dtype),
      scalars: { n: { type: 'i32', value: list.length }, lw: { type: 'f32', value: lineWidth }, v: { type: t, value } },
      coords: true,
      computeType: t,
      body: `let p = vec3<f32>(f32(c.x), f32(c.y), f32(c.z));
  for (var k = 0; k < P.n; k++) {
    let x0 = at_b(vec4<i32>(0, k, 0, 0)); let y0 = at_b(vec4<i32>(1, k, 0, 0));
    let x1 = at_b(vec4<i32>(2, k, 0, 0)); let y1 = at_b(vec4<i32>(3, k, 0, 0));
    let z0 = at_b(vec4<i32>(4, k, 0, 0)); let z1 = at_b(vec4<i32>(5, k, 0, 0));
    let inside = p.x >= x0 && p.x <= x1 && p.y >= y0 && p.y <= y1 && p.z >= z0 && p.z <= z1;
    let edge = p.x < x0 + P.lw || p.x > x1 - P.lw || p.y < y0 + P.lw || p.y > y1 - P.lw;
    if (inside && edge) { return P.v; }
  }
  return load_a(i);`,
    });
  } finally {
    boxImage.release();
  }
}

/** Options of {@link imshow}. */
export interface ImshowOptions {
  /** Colormap (default grey; `labels` for label images). */
  colormap?: string | Lut;
  /** Values shown as the first and last colour (default: minimum and maximum). */
  displayRange?: [number, number];
  /** Show label colours (same as colormap 'labels'). */
  labels?: boolean;
  /** Draw a colorbar with the display range (default false, as stackview). */
  colorbar?: boolean;
  title?: string;
  /** Longest side of the picture in pixels (default 512). */
  size?: number;
}

/** Draws `text` into RGBA `img` at (x, y) in colour `rgba` (a packed word). */
function drawText(img: RgbaImage, text: string, x: number, y: number, color: [number, number, number]): void {
  const b = textBitmap(text, 14);
  for (let j = 0; j < b.height; j++) for (let i = 0; i < b.width; i++) {
    const px = x + i;
    const py = y + j;
    if (!b.mask[j * b.width + i] || px < 0 || py < 0 || px >= img.width || py >= img.height) continue;
    img.pixels.set([...color, 255], (py * img.width + px) * 4);
  }
}

/**
 * A static picture of an image (the maximum projection along z of a 3D image) through a
 * colormap, with a colorbar and the display range written next to it when asked: a PNG in the
 * cell's output (no widget, no kernel needed later). Returns the PNG (as a cell's last value it
 * shows nothing more). stackview: `imshow`.
 */
export async function imshow(image: GpuImage, options: ImshowOptions = {}): Promise<Uint8Array> {
  const fn = 'imshow';
  checkImage(image, `${fn}: image`);
  const labels = options.labels === true || options.colormap === 'labels';
  const lut = rgbaLut(colormapLut(labels ? 'labels' : options.colormap ?? 'grey'));
  const projected = image.ndim >= 3 ? maximumZProjection(image) : undefined;
  try {
    const target = projected ?? image;
    const low = options.displayRange?.[0] ?? (await minimumOfAllPixels(target));
    const high = options.displayRange?.[1] ?? (await maximumOfAllPixels(target));
    const side = Math.max(...target.shape.slice(-2));
    const maxSide = options.size ?? 512;
    const step = Math.max(1, Math.ceil(side / maxSide));
    const magnify = side * 2 <= maxSide ? Math.floor(maxSide / side) : 1;
    const plane = await renderPlane(target, planeOf(target.shape, { axis: 0, index: 0, step }), labels ? { mode: 'labels' } : { mode: 'range', low, high });
    const words = new Uint32Array(plane.width * plane.height);
    colorize(words, plane.pixels, lut);
    const pw = plane.width * magnify;
    const ph = plane.height * magnify;
    const titleH = options.title ? 20 : 0;
    const barW = options.colorbar && !labels ? 90 : 0;
    const out: RgbaImage = { pixels: new Uint8Array((pw + barW) * (ph + titleH) * 4).fill(255), width: pw + barW, height: ph + titleH };
    for (let y = 0; y < ph; y++) for (let x = 0; x < pw; x++) {
      const w = words[Math.floor(y / magnify) * plane.width + Math.floor(x / magnify)];
      out.pixels.set([w & 255, (w >>> 8) & 255, (w >>> 16) & 255, 255], ((y + titleH) * out.width + x) * 4);
    }
    if (options.title) drawText(out, options.title, 2, 3, [0, 0, 0]);
    if (barW) {
      const x0 = pw + 8;
      for (let y = 0; y < ph; y++) {
        const w = lut[Math.round(255 * (1 - y / Math.max(1, ph - 1)))];
        for (let x = x0; x < x0 + 16; x++) out.pixels.set([w & 255, (w >>> 8) & 255, (w >>> 16) & 255, 255], ((y + titleH) * out.width + x) * 4);
      }
      const fmt = (v: number) => (Number.isInteger(v) ? String(v) : v.toPrecision(4));
      drawText(out, fmt(high), x0 + 20, titleH, [0, 0, 0]);
      drawText(out, fmt(low), x0 + 20, titleH + ph - 12, [0, 0, 0]);
    }
    const png = encodeRgbaPng(out);
    displayMimeBundle({ 'image/png': png, 'text/plain': `tessera imshow: [${image.shape}] ${image.dtype}${labels ? ', labels' : `, ${typeof options.colormap === 'string' ? options.colormap : 'grey'} [${low}, ${high}]`}` });
    // Shown already: as a cell's value it adds nothing (not the PNG's bytes as text).
    Object.defineProperty(png, RICH_DISPLAY, { value: () => undefined });
    return png;
  } finally {
    projected?.release();
  }
}
