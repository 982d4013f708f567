import { workgroupArrays, workgroupInclusiveScan } from '../../codegen/snippets';
import { acquireBuffer, releaseBuffer } from '../../gpu/buffer-pool';
import { KernelSpec, dispatch, kernelFor } from '../../gpu/kernel';

/**
 * Exclusive prefix sums of u32 arrays on the GPU, for sequential label numbers: blocks of
 * BLOCK values are summed per workgroup, the block sums are scanned by one workgroup, and each
 * block then scans itself from its offset. Three dispatches, no readback. @internal
 */
export const WORKGROUP = 256;
/** Values per workgroup: 4 consecutive values per invocation. */
export const BLOCK = 4 * WORKGROUP;

const count = { name: 'c', type: 'u32', combine: (a: string, b: string) => `${a} + ${b}` };

/** Sums of each block of BLOCK values of `values[0 .. n)`. */
function blockSumsSpec(): KernelSpec {
  return {
    label: 'scan: block sums',
    bindings: [
      { name: 'values', type: 'array<u32>' },
      { name: 'sums', type: 'array<u32>', access: 'read_write' },
    ],
    uniforms: [{ name: 'n', type: 'u32' }, { name: 'blocks', type: 'u32' }],
    workgroupSize: WORKGROUP,
    declarations: workgroupArrays([count], WORKGROUP),
    body: `var s = 0u;
  for (var k = 0u; k < 4u; k++) {
    let i = group * ${BLOCK}u + 4u * lid + k;
    if (i < P.n) { s += values[i]; }
  }
  sh_c[lid] = s;
  workgroupBarrier();
  ${workgroupInclusiveScan('c', WORKGROUP)}
  if (lid == 0u && group < P.blocks) { sums[group] = sh_c[${WORKGROUP - 1}u]; }`,
  };
}

/**
 * One workgroup turns `sums[0 .. blocks)` into exclusive prefix sums in place and writes the
 * total to `sums[blocks]` (each invocation takes a run of consecutive entries).
 */
function scanSumsSpec(): KernelSpec {
  return {
    label: 'scan: block offsets',
    bindings: [{ name: 'sums', type: 'array<u32>', access: 'read_write' }],
    uniforms: [{ name: 'blocks', type: 'u32' }],
    workgroupSize: WORKGROUP,
    declarations: workgroupArrays([count], WORKGROUP),
    body: `let per = (P.blocks + ${WORKGROUP - 1}u) / ${WORKGROUP}u;
  let first = lid * per;
  let last = min(first + per, P.blocks);
  var s = 0u;
  for (var b = first; b < last; b++) { s += sums[b]; }
  sh_c[lid] = s;
  workgroupBarrier();
  ${workgroupInclusiveScan('c', WORKGROUP)}
  var run = sh_c[lid] - s;
  for (var b = first; b < last; b++) { let v = sums[b]; sums[b] = run; run += v; }
  if (lid == ${WORKGROUP - 1}u) { sums[P.blocks] = sh_c[lid]; }`,
  };
}

/** out[i] = offsets[block] + the sum of values before i in its block. */
function blockScanSpec(): KernelSpec {
  return {
    label: 'scan: within blocks',
    bindings: [
      { name: 'values', type: 'array<u32>' },
      { name: 'offsets', type: 'array<u32>' },
      { name: 'out', type: 'array<u32>', access: 'read_write' },
    ],
    uniforms: [{ name: 'n', type: 'u32' }, { name: 'blocks', type: 'u32' }],
    workgroupSize: WORKGROUP,
    declarations: workgroupArrays([count], WORKGROUP),
    body: `var v: array<u32, 4>;
  var s = 0u;
  for (var k = 0u; k < 4u; k++) {
    let i = group * ${BLOCK}u + 4u * lid + k;
    v[k] = select(0u, values[min(i, P.n - 1u)], i < P.n);
    s += v[k];
  }
  sh_c[lid] = s;
  workgroupBarrier();
  ${workgroupInclusiveScan('c', WORKGROUP)}
  if (group >= P.blocks) { return; }
  var run = offsets[group] + sh_c[lid] - s;
  for (var k = 0u; k < 4u; k++) {
    let i = group * ${BLOCK}u + 4u * lid + k;
    if (i < P.n) { out[i] = run; }
    run += v[k];
  }`,
  };
}

/** Records the block-offset scan of `sums[0 .. blocks)` in place (total at `sums[blocks]`). @internal */
export function recordScanOfSums(op: string, sums: GPUBuffer, blocks: number): void {
  dispatch(kernelFor('scanSums', '', scanSumsSpec), [sums], { blocks }, [1, 1, 1], `${op}: block offsets`);
}

/** Blocks of BLOCK values in `n` values. */
export const blocksOf = (n: number): number => Math.max(1, Math.ceil(n / BLOCK));

/**
 * Records `out[i] = values[0] + … + values[i-1]` for i < n (exclusive prefix sums), and the
 * total at `out[n]` is not written; `total` (a buffer of blocks + 1 words that the caller
 * releases, returned) holds it at word `blocks`. `out` may not alias `values`.
 */
export function recordExclusiveScan(op: string, values: GPUBuffer, n: number, out: GPUBuffer): { sums: GPUBuffer; blocks: number } {
  const blocks = blocksOf(n);
  const sums = acquireBuffer((blocks + 1) * 4, `${op} scan block sums`);
  dispatch(kernelFor('scanBlockSums', '', blockSumsSpec), [values, sums], { n, blocks }, blocks, `${op}: block sums`);
  recordScanOfSums(op, sums, blocks);
  dispatch(kernelFor('scanBlocks', '', blockScanSpec), [values, sums, out], { n, blocks }, blocks, `${op}: scan`);
  return { sums, blocks };
}

/** Releases the block sums of a scan once the work that reads them is recorded. @internal */
export function releaseScan(s: { sums: GPUBuffer }): void {
  releaseBuffer(s.sums);
}
