import { DType, computeType } from '../../dtype';
import type { GpuImage } from '../../array/gpu-image';
import { create } from '../../array/transfer';
import { xyzt } from '../../codegen/program';
import { workgroupArrays, workgroupInclusiveScan } from '../../codegen/snippets';
import { loader, storageElement } from '../../codegen/wgsl';
import { acquireBuffer, releaseBuffer } from '../../gpu/buffer-pool';
import { KernelSpec, dispatch, kernelFor } from '../../gpu/kernel';
import { type LabelConnectivity, checkLabelConnectivity, checkLabels } from '../../validate/labels';
import { choice, defineOp, image } from '../op';
import { BLOCK, WORKGROUP, recordScanOfSums } from './scan';
import { unionFind } from './union-find';

/**
 * Connected-component labeling on the GPU: union-find label equivalence in the manner of Playne
 * & Hawick (2018), with a first pass in workgroup memory.
 *
 * 1. local: each workgroup loads a tile of 1024 pixels (32×32 in 2D, 16×8×8 in 3D) and unites
 *    every pixel with its connected "backward" neighbours (those before it in raster order)
 *    inside the tile, with atomics in workgroup memory; each pixel's global parent is then the
 *    root of its tile-local set (its smallest pixel index);
 * 2. borders: pixels whose backward neighbours lie in another tile unite across tiles with
 *    global atomics (union links the larger root to the smaller, so a set's root stays its
 *    smallest index: the component's first pixel in raster order);
 * 3. roots: each workgroup resolves the roots of 1024 consecutive pixels (compressing the
 *    paths) and numbers the roots among them (a workgroup prefix sum);
 * 4. one workgroup turns the per-block root counts into block offsets;
 * 5. each pixel takes its root's number + 1.
 *
 * Pixels connect when both are non-zero and equal (so touching labels of a label image stay
 * apart, as skimage.measure.label); labels are 1..N in raster order of each component's first
 * pixel. Five dispatches, no readback.
 */
const TILES: Record<number, [number, number, number]> = { 1: [1024, 1, 1], 2: [32, 32, 1], 3: [16, 8, 8] };
const PER_THREAD = 4;
const BACKGROUND = 0xffffffff;

/** Offsets (dx, dy, dz) of the neighbours before a pixel in raster order. */
export function backwardOffsets(nd: number, connectivity: LabelConnectivity): Array<[number, number, number]> {
  const out: Array<[number, number, number]> = [];
  const r = (k: number) => (nd > k ? [-1, 0, 1] : [0]);
  for (const dz of r(2)) {
    for (const dy of r(1)) {
      for (const dx of r(0)) {
        const before = dz < 0 || (dz === 0 && (dy < 0 || (dy === 0 && dx < 0)));
        const face = Math.abs(dx) + Math.abs(dy) + Math.abs(dz) === 1;
        if (before && (connectivity === 'box' || face)) out.push([dx, dy, dz]);
      }
    }
  }
  return out;
}

interface CclKey {
  nd: number;
  connectivity: LabelConnectivity;
  dtype: DType;
}

/** The pixel's value as u32 bits (equal bits = equal values, 0 = background). */
function valueBits(d: DType): string {
  return `${loader('a', d)}\nfn bits_of(i: u32) -> u32 { return ${computeType(d) === 'u32' ? 'load_a(i)' : 'bitcast<u32>(load_a(i))'}; }`;
}

function localSpec({ nd, connectivity, dtype }: CclKey): KernelSpec {
  const [tx, ty, tz] = TILES[nd];
  const size = tx * ty * tz;
  const tests = backwardOffsets(nd, connectivity)
    .map(([dx, dy, dz]) => {
      const conds = [dx < 0 ? 'l.x > 0u' : dx > 0 ? `l.x < ${tx - 1}u` : '', dy < 0 ? 'l.y > 0u' : dy > 0 ? `l.y < ${ty - 1}u` : '', dz < 0 ? 'l.z > 0u' : ''].filter(Boolean);
      const m = `${dx + dy * tx + dz * tx * ty}`;
      return `if (${conds.join(' && ') || 'true'}) { let m = u32(i32(t) + ${m}); if (vals[m] == v) { local_union(t, m); } }`;
    })
    .join('\n        ');
  return {
    label: 'connectedComponentsLabeling: tiles',
    bindings: [
      { name: 'a_buf', type: `array<${storageElement(dtype)}>` },
      { name: 'parents', type: 'array<u32>', access: 'read_write' },
    ],
    uniforms: [{ name: 'shape', type: 'vec4<u32>' }, { name: 'tiles', type: 'vec4<u32>' }],
    workgroupSize: WORKGROUP,
    declarations: `${valueBits(dtype)}
var<workgroup> local_parent: array<atomic<u32>, ${size}>;
var<workgroup> vals: array<u32, ${size}>;
${unionFind('local_', 'local_parent')}
fn tile_pos(t: u32) -> vec3<u32> { return vec3<u32>(t % ${tx}u, (t / ${tx}u) % ${ty}u, t / ${tx * ty}u); }`,
    body: `let tile = group;
  let origin = vec3<u32>(tile % P.tiles.x, (tile / P.tiles.x) % P.tiles.y, tile / (P.tiles.x * P.tiles.y)) * vec3<u32>(${tx}u, ${ty}u, ${tz}u);
  let valid = tile < P.tiles.w;
  for (var k = 0u; k < ${PER_THREAD}u; k++) {
    let t = lid + k * ${WORKGROUP}u;
    let g = origin + tile_pos(t);
    var v = 0u;
    if (valid && all(g < P.shape.xyz)) { v = bits_of((g.z * P.shape.y + g.y) * P.shape.x + g.x); }
    vals[t] = v;
    atomicStore(&local_parent[t], t);
  }
  workgroupBarrier();
  for (var k = 0u; k < ${PER_THREAD}u; k++) {
    let t = lid + k * ${WORKGROUP}u;
    let v = vals[t];
    if (v != 0u) {
      let l = tile_pos(t);
        ${tests}
    }
  }
  workgroupBarrier();
  for (var k = 0u; k < ${PER_THREAD}u; k++) {
    let t = lid + k * ${WORKGROUP}u;
    let g = origin + tile_pos(t);
    if (valid && all(g < P.shape.xyz)) {
      var parent = ${BACKGROUND}u;
      if (vals[t] != 0u) {
        let r = origin + tile_pos(local_find(t));
        parent = (r.z * P.shape.y + r.y) * P.shape.x + r.x;
      }
      parents[(g.z * P.shape.y + g.y) * P.shape.x + g.x] = parent;
    }
  }`,
  };
}

function borderSpec({ nd, connectivity, dtype }: CclKey): KernelSpec {
  const [tx, ty, tz] = TILES[nd];
  const tests = backwardOffsets(nd, connectivity)
    .map(([dx, dy, dz]) => {
      const q = `vec3<i32>(p) + vec3<i32>(${dx}, ${dy}, ${dz})`;
      return `{ let q = ${q};
      if (all(q >= vec3<i32>(0)) && all(vec3<u32>(q) < P.shape.xyz) && any(vec3<u32>(q) / tile != p / tile)) {
        let j = (u32(q.z) * P.shape.y + u32(q.y)) * P.shape.x + u32(q.x);
        if (bits_of(j) == v) { global_union(i, j); }
      } }`;
    })
    .join('\n    ');
  return {
    label: 'connectedComponentsLabeling: tile borders',
    bindings: [
      { name: 'a_buf', type: `array<${storageElement(dtype)}>` },
      { name: 'parents', type: 'array<atomic<u32>>', access: 'read_write' },
    ],
    uniforms: [{ name: 'shape', type: 'vec4<u32>' }],
    workgroupSize: WORKGROUP,
    declarations: `${valueBits(dtype)}\n${unionFind('global_', 'parents')}`,
    body: `let i = gid;
  if (i >= P.shape.w) { return; }
  let tile = vec3<u32>(${tx}u, ${ty}u, ${tz}u);
  let p = vec3<u32>(i % P.shape.x, (i / P.shape.x) % P.shape.y, i / (P.shape.x * P.shape.y));
  let l = p % tile;
  // Only pixels on a tile face that has backward neighbours in another tile.
  if (${[
    'l.x == 0u',
    ...(connectivity === 'box' ? [`l.x == ${tx - 1}u`] : []),
    ...(nd >= 2 ? ['l.y == 0u', ...(connectivity === 'box' && nd >= 3 ? [`l.y == ${ty - 1}u`] : [])] : []),
    ...(nd >= 3 ? ['l.z == 0u'] : []),
  ].map((c) => `!(${c})`).join(' && ')}) { return; }
  let v = bits_of(i);
  if (v == 0u) { return; }
  ${tests}`,
  };
}

function rootsSpec(): KernelSpec {
  const roots = { name: 'n', type: 'u32', combine: (a: string, b: string) => `${a} + ${b}` };
  return {
    label: 'connectedComponentsLabeling: roots',
    bindings: [
      { name: 'parents', type: 'array<atomic<u32>>', access: 'read_write' },
      { name: 'rank', type: 'array<u32>', access: 'read_write' },
      { name: 'sums', type: 'array<u32>', access: 'read_write' },
    ],
    uniforms: [{ name: 'n', type: 'u32' }, { name: 'blocks', type: 'u32' }],
    workgroupSize: WORKGROUP,
    declarations: `${unionFind('global_', 'parents')}\n${workgroupArrays([roots], WORKGROUP)}`,
    body: `var isRoot = 0u;
  var count = 0u;
  for (var k = 0u; k < ${PER_THREAD}u; k++) {
    let i = group * ${BLOCK}u + ${PER_THREAD}u * lid + k;
    if (i < P.n && group < P.blocks) {
      if (atomicLoad(&parents[i]) != ${BACKGROUND}u) {
        let r = global_find(i);
        atomicStore(&parents[i], r);
        if (r == i) { isRoot |= 1u << k; count++; }
      }
    }
  }
  sh_n[lid] = count;
  workgroupBarrier();
  ${workgroupInclusiveScan('n', WORKGROUP)}
  if (group >= P.blocks) { return; }
  var next = sh_n[lid] - count;
  for (var k = 0u; k < ${PER_THREAD}u; k++) {
    if ((isRoot & (1u << k)) != 0u) { rank[group * ${BLOCK}u + ${PER_THREAD}u * lid + k] = next; next++; }
  }
  if (lid == ${WORKGROUP - 1}u) { sums[group] = sh_n[lid]; }`,
  };
}

function numberSpec(): KernelSpec {
  return {
    label: 'connectedComponentsLabeling: numbers',
    bindings: [
      { name: 'parents', type: 'array<u32>', access: 'read_write' },
      { name: 'rank', type: 'array<u32>' },
      { name: 'offsets', type: 'array<u32>' },
    ],
    uniforms: [{ name: 'n', type: 'u32' }],
    workgroupSize: WORKGROUP,
    body: `let i = gid;
  if (i >= P.n) { return; }
  let r = parents[i];
  parents[i] = select(rank[r] + offsets[r / ${BLOCK}u] + 1u, 0u, r == ${BACKGROUND}u);`,
  };
}

/**
 * Records the labeling of `input` (non-zero pixels; equal values connect) into a new uint32
 * image. @internal
 */
export function labelComponents(op: string, input: GpuImage, connectivity: LabelConnectivity): GpuImage {
  const nd = input.ndim;
  const [nx, ny, nz] = xyzt(input.shape);
  const n = input.size;
  const [tx, ty, tz] = TILES[nd];
  const tiles = [Math.ceil(nx / tx), Math.ceil(ny / ty), Math.ceil(nz / tz)];
  const totalTiles = tiles[0] * tiles[1] * tiles[2];
  const key: CclKey = { nd, connectivity, dtype: input.dtype };
  const out = create(input.shape, 'uint32');
  const blocks = Math.ceil(n / BLOCK);
  const rank = acquireBuffer(n * 4, `${op} root numbers`);
  const sums = acquireBuffer((blocks + 1) * 4, `${op} root counts`);
  const shape = [nx, ny, nz, n];
  dispatch(kernelFor('cclTiles', key, localSpec), [input.buffer, out.buffer], { shape, tiles: [...tiles, totalTiles] }, totalTiles, `${op}: tiles`);
  dispatch(kernelFor('cclBorders', key, borderSpec), [input.buffer, out.buffer], { shape }, Math.ceil(n / WORKGROUP), `${op}: tile borders`);
  dispatch(kernelFor('cclRoots', '', rootsSpec), [out.buffer, rank, sums], { n, blocks }, blocks, `${op}: roots`);
  recordScanOfSums(op, sums, blocks);
  dispatch(kernelFor('cclNumbers', '', numberSpec), [out.buffer, rank, sums], { n }, Math.ceil(n / WORKGROUP), `${op}: numbers`);
  releaseBuffer(rank);
  releaseBuffer(sums);
  return out;
}

/**
 * Labels the connected components of `binary`: non-zero pixels that touch (connectivity 'box':
 * 8 neighbours in 2D, 26 in 3D; 'diamond', pyclesperanto's 'sphere': 4 / 6) and have the same
 * value form one component, so a label image can be relabeled without merging touching labels.
 * Labels are uint32 1..N, numbered in raster order (z, then y, then x) of each component's first
 * pixel, which is skimage.measure.label's numbering. pyclesperanto:
 * `connected_components_labeling(binary, connectivity)`; skimage:
 * `measure.label(a, connectivity=ndim or 1, background=0)`; scipy: `ndi.label` (for 0/1 masks).
 * Union-find label equivalence on the GPU (Playne & Hawick), five dispatches and no readback.
 */
export const connectedComponentsLabeling = defineOp(
  { params: [image('binary'), choice('connectivity', ['box', 'diamond', 'sphere'], 'box')], output: 'uint32', tiling: 'global' },
  function connectedComponentsLabeling(binary: GpuImage, connectivity = 'box'): GpuImage {
    const fn = 'connectedComponentsLabeling';
    const img = checkLabels(binary, fn, 'binary');
    return labelComponents(fn, img, checkLabelConnectivity(connectivity, fn));
  },
);
