import { bytesPerPixel, computeType, type DType } from '../dtype';
import { bindingLimit } from '../gpu/device';
import { push } from '../array/transfer';
import type { GpuImage } from '../array/gpu-image';
import { fromOrderKey, orderKeyFunctions } from '../codegen/snippets';
import { loader, storageElement } from '../codegen/wgsl';
import { acquireBuffer, releaseBuffer } from '../gpu/buffer-pool';
import { recordClear, recordCopy } from '../gpu/commands';
import { KernelSpec, dispatch, kernelFor } from '../gpu/kernel';
import { readBuffer } from '../gpu/readback';
import { TesseraError } from '../errors';
import { checkImage } from '../validate/arguments';

/**
 * What a widget shows, cut from an image on the GPU in one pass: the pixels of one plane
 * (any orientation, optionally subsampled), converted to 8 bits with the display range (or
 * to label codes), together with the plane's exact minimum and maximum and, on request, a
 * 256-bin histogram. Only the 8-bit plane and a few numbers are read back.
 */

/** A 4-vector in the image's (x, y, z, t) order. */
export type Vec4 = [number, number, number, number];

/**
 * A plane of an image: output pixel (col, row) is source pixel `origin + col·u + row·v`, all
 * in (x, y, z, t) order. Build one with {@link planeOf}.
 */
export interface PlaneSpec {
  origin: Vec4;
  u: Vec4;
  v: Vec4;
  width: number;
  height: number;
}

/**
 * How source values become 8-bit codes: `range` maps [low, high] linearly to 0..255 (rounded,
 * clamped); `labels` keeps 0 and wraps other labels to 1..255 (label 256 shows as 1).
 */
export type Conversion =
  | { mode: 'range'; low: number; high: number }
  | { mode: 'labels' }
  /** Label l becomes `table[l]` (0 beyond the table): clusterplot's selection codes. */
  | { mode: 'lookup'; table: Uint32Array };

/** Options of {@link renderPlane}. */
export interface RenderPlaneOptions {
  /** Also count the plane's values in 256 equal bins over [low, high] (values outside go to the end bins). */
  histogram?: { low: number; high: number };
}

/** A rendered plane: 8-bit codes (width × height, row by row) and statistics of its source values. */
export interface RenderedPlane {
  pixels: Uint8Array;
  width: number;
  height: number;
  /** Smallest and largest source value in the plane (exact). */
  min: number;
  max: number;
  histogram?: Uint32Array;
}

/** Where and how to cut a plane of an image, in terms of its shape. */
export interface PlaneRequest {
  /** Sliced spatial axis in the last three dimensions: 0 = z (an XY plane), 1 = y (XZ), 2 = x (YZ). */
  axis: number;
  /** Position along `axis`. */
  index: number;
  /** Time point (first dimension of a 4D image). */
  t?: number;
  /** Take every `step`-th pixel along both plane axes (default 1). */
  step?: number;
  /** Swap the plane's rows and columns (e.g. a YZ plane as z across, y down). */
  transpose?: boolean;
  /** Only this part, [x, y, width, height] in full-resolution pixels of the (transposed) plane; default all of it. */
  region?: readonly [number, number, number, number];
}

/** Width and height of the plane `request` names, at full resolution, after `transpose`. */
export function planeExtent(shape: readonly number[], request: Pick<PlaneRequest, 'axis' | 'transpose'>): [number, number] {
  const [X, Y, Z] = xyztOf(shape);
  const [w, h] = ([[X, Y], [X, Z], [Y, Z]] as [number, number][])[request.axis] ?? [X, Y];
  return request.transpose ? [h, w] : [w, h];
}

/** The region of `request` checked against the plane (whole plane by default), as integers. */
export function regionOf(shape: readonly number[], request: PlaneRequest): [number, number, number, number] {
  const [pw, ph] = planeExtent(shape, request);
  if (request.region === undefined) return [0, 0, pw, ph];
  const r = request.region;
  const ok = Array.isArray(r) && r.length === 4 && r.every((v) => Number.isInteger(v)) && r[0] >= 0 && r[1] >= 0 && r[2] >= 1 && r[3] >= 1 && r[0] + r[2] <= pw && r[1] + r[3] <= ph;
  if (!ok) throw new TesseraError(`plane: region ${JSON.stringify(r)} must be [x, y, width, height] of whole numbers inside the ${pw} x ${ph} plane`);
  return [r[0], r[1], r[2], r[3]];
}

/** A shape (z, y, x order, 1 to 4 dimensions) as (x, y, z, t) extents. */
export function xyztOf(shape: readonly number[]): Vec4 {
  const r = [...shape].reverse();
  return [r[0] ?? 1, r[1] ?? 1, r[2] ?? 1, r[3] ?? 1];
}

/**
 * The plane of an image of `shape` that `request` names. For an XY plane (axis 0) columns run
 * along x and rows along y; XZ (axis 1): x across, z down; YZ (axis 2): y across, z down.
 */
export function planeOf(shape: readonly number[], request: PlaneRequest): PlaneSpec {
  const [X, Y, Z, T] = xyztOf(shape);
  const { axis, index, t = 0, step = 1, transpose = false } = request;
  const extent = [Z, Y, X][axis];
  const [rx, ry, rw, rh] = regionOf(shape, request);
  if (![0, 1, 2].includes(axis) || (shape.length < 3 && axis !== 0)) {
    throw new TesseraError(`plane: axis must be 0 (z)${shape.length >= 3 ? ', 1 (y) or 2 (x)' : ' for a 2D image'}; got ${axis}`);
  }
  if (!Number.isInteger(index) || index < 0 || index >= extent) throw new TesseraError(`plane: index ${index} is outside 0..${extent - 1} along axis ${axis}`);
  if (!Number.isInteger(t) || t < 0 || t >= T) throw new TesseraError(`plane: t ${t} is outside 0..${T - 1}`);
  if (!Number.isInteger(step) || step < 1) throw new TesseraError(`plane: step must be a positive integer; got ${step}`);
  const unit = (k: number, n = step): Vec4 => [0, 1, 2, 3].map((j) => (j === k ? n : 0)) as Vec4;
  // Plane axes as (x, y, z) dimension numbers: columns, rows (swapped when transposed).
  let [cols, rows] = [[0, 1], [0, 2], [1, 2]][axis];
  if (transpose) [cols, rows] = [rows, cols];
  const origin: Vec4 = [0, 0, 0, t];
  origin[2 - axis] = index;
  origin[cols] += rx;
  origin[rows] += ry;
  return { origin, u: unit(cols), v: unit(rows), width: Math.ceil(rw / step), height: Math.ceil(rh / step) };
}

/** Threads per workgroup (along a row); each thread writes WORDS_PER_THREAD words of 4 pixels. */
const GROUP = 64;
const WORDS_PER_THREAD = 4;
/** Statistics words: max key, inverted min key, 2 spare, 256 histogram bins. */
const STATS_WORDS = 260;
const HIST_OFFSET = 4;

/**
 * The renderer's WGSL. A thread converts WORDS_PER_THREAD words (4 pixels each) of one row,
 * `threads` words apart so that neighbouring threads touch neighbouring words; rows are padded
 * to whole words. A plane is a linear map of the source's linear index: pixel (col, row) is at
 * start + col·du + row·dv, so pixels are found by additions. Each thread folds its minimum and
 * maximum into the result with one atomic each: on software Vulkan (CI), workgroup atomics and
 * barriers cost more than the conversion itself, so only the histogram uses them.
 */
function renderSpec({ dtype, mode, histogram }: { dtype: DType; mode: Conversion['mode']; histogram: boolean }): KernelSpec {
  const t = computeType(dtype);
  const label = `let l = ${t === 'f32' ? 'u32(max(v, 0.0))' : t === 'i32' ? 'bitcast<u32>(max(v, 0))' : 'v'};`;
  const code =
    mode === 'labels'
      ? `fn code(v: ${t}) -> u32 {
  ${label}
  return select((l - 1u) % 255u + 1u, 0u, l == 0u);
}`
      : mode === 'lookup'
        ? `fn code(v: ${t}) -> u32 {
  ${label}
  if (l >= arrayLength(&lut)) { return 0u; }
  return lut[l] & 255u;
}`
        : `fn code(v: ${t}) -> u32 { return u32(clamp((f32(v) - P.conv.x) * P.conv.y + 0.5, 0.0, 255.0)); }`;
  const bin = histogram ? `atomicAdd(&wg_hist[u32(clamp((f32(v) - P.conv.z) * P.conv.w, 0.0, 255.0))], 1u);` : '';
  return {
    label: 'renderPlane',
    bindings: [
      { name: 'a_buf', type: `array<${storageElement(dtype)}>` },
      { name: 'out', type: 'array<u32>', access: 'read_write' },
      { name: 'stats', type: 'array<atomic<u32>>', access: 'read_write' },
      ...(mode === 'lookup' ? [{ name: 'lut', type: 'array<u32>' }] : []),
    ],
    uniforms: [
      { name: 'start', type: 'u32' }, { name: 'du', type: 'u32' }, { name: 'dv', type: 'u32' }, { name: 'width', type: 'u32' },
      { name: 'height', type: 'u32' }, { name: 'words', type: 'u32' }, { name: 'threads', type: 'u32' }, { name: 'conv', type: 'vec4<f32>' },
      { name: 'base', type: 'u32' }, { name: 'row0', type: 'u32' },
    ],
    workgroupSize: GROUP,
    declarations: `${loader('a', dtype)}
${orderKeyFunctions(t)}
${code}
${histogram ? 'var<workgroup> wg_hist: array<atomic<u32>, 256>;' : ''}`,
    // The grid is (threads per row / GROUP, rows): workgroup (x, row).
    body: `let tx = wid.x * ${GROUP}u + local.x;
  var hi = 0u;
  var notlo = 0u;
  let row = wid.y + P.row0;
  if (row < P.height && tx < P.threads) {
    for (var j = 0u; j < ${WORDS_PER_THREAD}u; j++) {
      let w = tx + j * P.threads;
      if (w < P.words) {
        var index = P.start + row * P.dv + w * 4u * P.du - P.base;
        var word = 0u;
        for (var k = 0u; k < 4u; k++) {
          if (w * 4u + k < P.width) {
            let v = load_a(index);
            index += P.du;
            let kv = order_key(v);
            hi = max(hi, kv);
            notlo = max(notlo, ~kv);
            word = word | (code(v) << (k * 8u));
            ${bin}
          }
        }
        out[row * P.words + w] = word;
      }
    }
  }
  if (hi != 0u) { atomicMax(&stats[0], hi); }
  if (notlo != 0u) { atomicMax(&stats[1], notlo); }
  ${histogram ? `workgroupBarrier();
  for (var b = lid; b < 256u; b += ${GROUP}u) {
    let count = atomicLoad(&wg_hist[b]);
    if (count > 0u) { atomicAdd(&stats[${HIST_OFFSET}u + b], count); }
  }` : ''}`,
  };
}

/**
 * The rows of a plane in groups whose source pixels fit one binding, each with the range of the
 * image to bind (images larger than one binding are never bound whole): one group for ordinary
 * images. `base` is the first bound pixel (on a 256-byte boundary, hence on a whole word).
 */
function rowWindows(image: GpuImage, start: number, du: number, dv: number, width: number, height: number) {
  if (!image.large) return [{ binding: image.buffer as GPUBuffer | { buffer: GPUBuffer; offset: number; size: number }, base: 0, row0: 0, rows: height }];
  const bpp = bytesPerPixel(image.dtype);
  const rowSpan = ((width - 1) * du + 1) * bpp;
  const perWindow = dv === 0 ? height : Math.max(1, Math.floor((bindingLimit() - 512 - rowSpan) / (dv * bpp)) + 1);
  const windows = [];
  for (let row0 = 0; row0 < height; row0 += perWindow) {
    const rows = Math.min(perWindow, height - row0);
    const lo = start + row0 * dv;
    const hi = start + (row0 + rows - 1) * dv + (width - 1) * du + 1;
    const offset = Math.floor((lo * bpp) / 256) * 256;
    const size = Math.min(image.storageBytes, Math.ceil((hi * bpp) / 4) * 4) - offset;
    windows.push({ binding: { buffer: image.buffer, offset, size }, base: offset / bpp, row0, rows });
  }
  return windows;
}

function checkPlane(image: GpuImage, p: PlaneSpec): void {
  const ext = xyztOf(image.shape);
  const corners = [
    p.origin,
    p.origin.map((o, j) => o + (p.width - 1) * p.u[j]),
    p.origin.map((o, j) => o + (p.height - 1) * p.v[j]),
    p.origin.map((o, j) => o + (p.width - 1) * p.u[j] + (p.height - 1) * p.v[j]),
  ];
  const inside = corners.every((c) => c.every((x, j) => Number.isInteger(x) && x >= 0 && x < ext[j]));
  if (!inside || !(p.width >= 1 && p.height >= 1)) {
    throw new TesseraError(`renderPlane: the plane ${JSON.stringify(p)} leaves the image (shape [${image.shape}])`);
  }
}

/**
 * Cuts plane `plane` out of `image` and converts it to 8-bit codes with `conversion`, in one GPU
 * pass that also finds the plane's minimum and maximum (and a histogram when asked for).
 * Only the plane is read back: the image never leaves the GPU.
 */
export async function renderPlane(image: GpuImage, plane: PlaneSpec, conversion: Conversion, options: RenderPlaneOptions = {}): Promise<RenderedPlane> {
  checkImage(image, 'renderPlane: image');
  checkPlane(image, plane);
  const { width, height } = plane;
  const words = Math.ceil(width / 4); // per row
  const pixelBytes = words * 4 * height;
  const hist = options.histogram;
  const kernel = kernelFor('renderPlane', { dtype: image.dtype, mode: conversion.mode, histogram: hist !== undefined }, renderSpec);

  const [X, Y, Z] = xyztOf(image.shape);
  const linear = (c: Vec4) => c[0] + X * (c[1] + Y * (c[2] + Z * c[3]));
  const threads = Math.ceil(words / WORDS_PER_THREAD); // per row
  const conv = [0, 0, 0, 0];
  if (conversion.mode === 'range') {
    const span = conversion.high - conversion.low;
    conv[0] = conversion.low;
    conv[1] = span > 0 ? 255 / span : 0;
  }
  if (hist) {
    const span = hist.high - hist.low;
    conv[2] = hist.low;
    conv[3] = span > 0 ? 256 / span : 0;
  }
  const uniforms = { start: linear(plane.origin), du: linear(plane.u), dv: linear(plane.v), width, height, words, threads, conv };

  // The statistics are copied behind the pixels so that one readback brings both.
  const out = acquireBuffer(pixelBytes + STATS_WORDS * 4, `renderPlane ${width}x${height}`);
  const stats = acquireBuffer(STATS_WORDS * 4, 'renderPlane statistics');
  const lut = conversion.mode === 'lookup' ? uploadTable(conversion.table) : undefined;
  try {
    recordClear(stats, 0, STATS_WORDS * 4);
    for (const w of rowWindows(image, uniforms.start, uniforms.du, uniforms.dv, width, height)) {
      const buffers = lut ? [w.binding, out, stats, lut.buffer] : [w.binding, out, stats];
      dispatch(kernel, buffers, { ...uniforms, base: w.base, row0: w.row0 }, [Math.ceil(threads / GROUP), w.rows, 1]);
    }
    recordCopy(stats, 0, out, pixelBytes, STATS_WORDS * 4);
    const raw = await readBuffer(out, pixelBytes + STATS_WORDS * 4);
    const head = new Uint32Array(raw, pixelBytes, STATS_WORDS);
    let pixels = new Uint8Array(raw, 0, width * height);
    if (words * 4 !== width) {
      // Drop the row padding.
      pixels = new Uint8Array(width * height);
      for (let y = 0; y < height; y++) pixels.set(new Uint8Array(raw, y * words * 4, width), y * width);
    }
    return {
      pixels,
      width,
      height,
      min: fromOrderKey(~head[1], image.dtype),
      max: fromOrderKey(head[0], image.dtype),
      histogram: hist ? head.slice(HIST_OFFSET, HIST_OFFSET + 256) : undefined,
    };
  } finally {
    releaseBuffer(out);
    releaseBuffer(stats);
    lut?.release();
  }
}

/** A lookup table on the GPU (pushed like any image, so the upload is ordered with the recorded work). */
function uploadTable(table: Uint32Array): GpuImage {
  if (!(table instanceof Uint32Array)) throw new TesseraError('renderPlane: a lookup conversion needs a Uint32Array table');
  return push(table.length > 0 ? table : new Uint32Array(1), [Math.max(1, table.length)]);
}
