import type { GpuImage } from '../../array/gpu-image';
import { create } from '../../array/transfer';
import { runPixelProgram } from '../../codegen/program';
import { computeType } from '../../dtype';
import { TesseraError } from '../../errors';
import { releaseBuffer } from '../../gpu/buffer-pool';
import { checkBoolean, checkNumber } from '../../validate/arguments';
import { checkLabels } from '../../validate/labels';
import { Quantity, ReductionKey, readRange, recordPerLabel, recordRange, recordReduction, releaseReduction } from '../measure/label-reduce';
import { defineOp, flag, image, number } from '../op';
import { recordExclusiveScan, releaseScan } from './scan';

/**
 * Label editing by renumbering: a per-label keep flag (computed on the GPU with the per-label
 * reduction engine) is turned into new numbers by a GPU prefix sum (kept labels become 1..M in
 * the order of their old values) and gathered into the image. One readback: the largest label,
 * which sizes the per-label tables; these operations are async.
 */

/** Replaces every label k by `map[k]` (a uint32 table of rows values); labels outside the table (negative ones) become 0. @internal */
export function replaceLabels(op: string, labels: GpuImage, map: GpuImage): GpuImage {
  const signed = computeType(labels.dtype) === 'i32';
  return runPixelProgram({
    op: `${op}: replace`,
    inputs: { l: labels, m: map },
    output: create(labels.shape, 'uint32'),
    computeType: 'u32',
    body: `${signed ? 'let s = load_l(i);\n  if (s < 0i) { return 0u; }\n  let k = u32(s);' : 'let k = load_l(i);'}
  if (k >= P.m_shape.x) { return 0u; }
  return load_m(k);`,
  });
}

/** New numbers from keep flags: kept label k gets 1 + the number of kept labels below it, others 0. @internal */
export function numbersFromFlags(op: string, keep: GpuImage): GpuImage {
  const rows = keep.size;
  const before = create([rows], 'uint32');
  const scan = recordExclusiveScan(op, keep.buffer, rows, before.buffer);
  const map = runPixelProgram({
    op: `${op}: numbers`,
    inputs: { k: keep, s: before },
    output: create([rows], 'uint32'),
    computeType: 'u32',
    body: 'return select(0u, load_s(i) + 1u, load_k(i) != 0u);',
  });
  releaseScan(scan);
  before.release();
  return map;
}

/**
 * Keeps the labels for which `keep` (a WGSL u32 expression of the reduction's `q_<name>`
 * values, 0 or 1) holds and renumbers them 1..M in order; labels without pixels are dropped.
 * @internal
 */
export async function keepLabels(
  op: string,
  labels: GpuImage,
  quantities: readonly Quantity[],
  keep: string,
  params?: Readonly<Record<string, { type: 'u32' | 'f32'; value: number }>>,
): Promise<GpuImage> {
  const range = recordRange(op, labels);
  try {
    const { maxLabel } = await readRange(op, range);
    const rows = maxLabel + 1;
    const key: ReductionKey = { quantities, labels: labels.dtype, refs: 0, background: false };
    const r = recordReduction(op, key, labels, undefined, rows, range);
    const flags = create([rows], 'uint32');
    recordPerLabel(op, r, [keep], { into: flags.buffer, u32: true, empty: '0u', params });
    releaseReduction(r);
    const map = numbersFromFlags(op, flags);
    flags.release();
    const out = replaceLabels(op, labels, map);
    map.release();
    return out;
  } finally {
    releaseBuffer(range);
  }
}

const COUNT: Quantity = { name: 'count', kind: 'count' };

/**
 * Renumbers the labels 1..M without gaps, keeping their order (label values that occur, sorted,
 * become 1, 2, ...); uint32. Async. pyclesperanto: `relabel_sequential`; skimage:
 * `segmentation.relabel_sequential(labels)[0]`.
 */
export const relabelSequential = defineOp(
  { params: [image('labels')], output: 'uint32', tiling: 'global' },
  async function relabelSequential(labels: GpuImage): Promise<GpuImage> {
    const fn = 'relabelSequential';
    return keepLabels(fn, checkLabels(labels, fn), [COUNT], 'select(0u, 1u, n_count > 0u)');
  },
);

/**
 * Removes the labels that touch the image border at the low or high end of the chosen axes (axes
 * of extent 1 are never borders) and renumbers the others 1..M in order; uint32. Async.
 * pyclesperanto: `exclude_labels_on_edges` / `remove_labels_on_edges` (which keeps the numbers of
 * labels missing from the input; Tessera numbers only labels present); skimage:
 * `segmentation.clear_border` followed by `relabel_sequential`.
 */
export const excludeLabelsOnEdges = defineOp(
  { params: [image('labels'), flag('excludeX', true), flag('excludeY', true), flag('excludeZ', true)], output: 'uint32', tiling: 'global' },
  async function excludeLabelsOnEdges(labels: GpuImage, excludeX = true, excludeY = true, excludeZ = true): Promise<GpuImage> {
    const fn = 'excludeLabelsOnEdges';
    const l = checkLabels(labels, fn);
    const axes = [checkBoolean(excludeX, `${fn}: excludeX`), checkBoolean(excludeY, `${fn}: excludeY`), checkBoolean(excludeZ, `${fn}: excludeZ`)];
    const shape = [...l.shape].reverse();
    const tests = axes
      .map((on, k) => (on && (shape[k] ?? 1) > 1 ? `${'xyz'[k]} == 0.0 || ${'xyz'[k]} == f32(P.shape.${'xyz'[k]}) - 1.0` : ''))
      .filter(Boolean);
    const edge: Quantity = { name: 'edge', kind: 'max', value: tests.length ? `select(0.0, 1.0, ${tests.join(' || ')})` : '0.0', type: 'u32' };
    return keepLabels(fn, l, [COUNT, edge], 'select(0u, 1u, n_count > 0u && q_edge == 0.0)');
  },
);

/**
 * Keeps the labels whose pixel count lies in [minimumSize, maximumSize] (inclusive) and renumbers
 * them 1..M in order; uint32. Async. pyclesperanto: `exclude_labels_outside_size_range` /
 * `filter_label_by_size`; skimage: `morphology.remove_small_objects` and its converse, then
 * `segmentation.relabel_sequential`.
 */
export const excludeLabelsOutsideSizeRange = defineOp(
  { params: [image('labels'), number('minimumSize', 0, [0, 1000]), number('maximumSize', 100, [0, 10000])], output: 'uint32', tiling: 'global' },
  async function excludeLabelsOutsideSizeRange(labels: GpuImage, minimumSize = 0, maximumSize = 100): Promise<GpuImage> {
    const fn = 'excludeLabelsOutsideSizeRange';
    return sizeRange(fn, labels, minimumSize, maximumSize);
  },
);

/**
 * Removes labels of fewer than `maximumSize` pixels (pyclesperanto's parameter name: the size
 * below which labels are excluded) and renumbers the rest; uint32. Async. pyclesperanto:
 * `exclude_small_labels` / `remove_small_labels`.
 */
export const excludeSmallLabels = defineOp(
  { params: [image('labels'), number('maximumSize', 100, [0, 10000])], output: 'uint32', tiling: 'global' },
  async function excludeSmallLabels(labels: GpuImage, maximumSize = 100): Promise<GpuImage> {
    return sizeRange('excludeSmallLabels', labels, maximumSize, Infinity, 'maximumSize');
  },
);

/**
 * Removes labels of more than `minimumSize` pixels (pyclesperanto's parameter name: the size
 * above which labels are excluded) and renumbers the rest; uint32. Async. pyclesperanto:
 * `exclude_large_labels` / `remove_large_labels`.
 */
export const excludeLargeLabels = defineOp(
  { params: [image('labels'), number('minimumSize', 100, [0, 10000])], output: 'uint32', tiling: 'global' },
  async function excludeLargeLabels(labels: GpuImage, minimumSize = 100): Promise<GpuImage> {
    return sizeRange('excludeLargeLabels', labels, 0, minimumSize, undefined, 'minimumSize');
  },
);

function sizeRange(fn: string, labels: GpuImage, min: number, max: number, minName = 'minimumSize', maxName = 'maximumSize'): Promise<GpuImage> {
  const l = checkLabels(labels, fn);
  const lo = checkNumber(min, `${fn}: ${minName}`);
  const hi = max === Infinity ? Infinity : checkNumber(max, `${fn}: ${maxName}`);
  if (hi < lo) throw new TesseraError(`${fn}: ${maxName} (${hi}) must be >= ${minName} (${lo})`);
  // Counts are whole numbers: the bounds become integer tests.
  const a = Math.max(0, Math.ceil(lo));
  const b = Math.min(4294967295, hi === Infinity ? Infinity : Math.floor(hi));
  if (b < a) return keepLabels(fn, l, [COUNT], '0u');
  return keepLabels(fn, l, [COUNT], 'select(0u, 1u, n_count > 0u && n_count >= P.lo && n_count <= P.hi)', { lo: { type: 'u32', value: a }, hi: { type: 'u32', value: b } });
}
