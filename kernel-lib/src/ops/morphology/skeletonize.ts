import { computeType } from '../../dtype';
import type { GpuImage } from '../../array/gpu-image';
import { create } from '../../array/transfer';
import { TesseraError } from '../../errors';
import { constantTable } from '../../codegen/constants';
import { runPixelProgram, xyzt } from '../../codegen/program';
import { nonZero } from '../../codegen/snippets';
import { KernelSpec, dispatch, kernelFor } from '../../gpu/kernel';
import { checkDims, checkImage } from '../../validate/arguments';
import { iterateUntilStable } from './iterate';
import { defineOp, image } from '../op';

/**
 * The Zhang–Suen (1984) deletion table over the 8 neighbours of a foreground pixel, indexed by
 * NW·1 + N·2 + NE·4 + E·8 + SE·16 + S·32 + SW·64 + W·128: bit 1 = deletable in the first
 * sub-iteration, bit 2 = in the second. With P2..P9 = N, NE, E, SE, S, SW, W, NW, a pixel is
 * deletable when 2 <= B <= 6 neighbours are set, the sequence P2, P3, ..., P9, P2 has exactly
 * one 0 -> 1 transition, and P2·P4·P6 = P4·P6·P8 = 0 (first) or P2·P4·P8 = P2·P6·P8 = 0 (second).
 */
export function zhangSuenTable(): Int32Array {
  const table = new Int32Array(256);
  for (let i = 0; i < 256; i++) {
    const bit = (k: number) => (i >> k) & 1;
    const [p2, p3, p4, p5, p6, p7, p8, p9] = [bit(1), bit(2), bit(3), bit(4), bit(5), bit(6), bit(7), bit(0)];
    const ring = [p2, p3, p4, p5, p6, p7, p8, p9, p2];
    let transitions = 0;
    for (let k = 0; k < 8; k++) if (ring[k] === 0 && ring[k + 1] === 1) transitions++;
    const b = p2 + p3 + p4 + p5 + p6 + p7 + p8 + p9;
    if (b < 2 || b > 6 || transitions !== 1) continue;
    const first = p2 * p4 * p6 === 0 && p4 * p6 * p8 === 0;
    const second = p2 * p4 * p8 === 0 && p2 * p6 * p8 === 0;
    table[i] = (first ? 1 : 0) | (second ? 2 : 0);
  }
  return table;
}

const stepSpec = (): KernelSpec => ({
  label: 'skeletonize step',
  bindings: [
    { name: 'src', type: 'array<u32>' },
    { name: 'dst', type: 'array<u32>', access: 'read_write' },
    { name: 'lut', type: 'array<i32>' },
    { name: 'changed', type: 'atomic<u32>', access: 'read_write' },
  ],
  uniforms: [{ name: 'shape', type: 'vec4<u32>' }, { name: 'phase', type: 'u32' }],
  workgroupSize: 256,
  declarations: `fn at(x: i32, y: i32) -> u32 {
  if (x < 0 || y < 0 || x >= i32(P.shape.x) || y >= i32(P.shape.y)) { return 0u; }
  return src[u32(y) * P.shape.x + u32(x)];
}`,
  body: `let i = gid;
  if (i >= P.shape.w) { return; }
  let v = src[i];
  if (v == 0u) { dst[i] = 0u; return; }
  let x = i32(i % P.shape.x);
  let y = i32(i / P.shape.x);
  let index = at(x - 1, y - 1) | (at(x, y - 1) << 1u) | (at(x + 1, y - 1) << 2u) | (at(x + 1, y) << 3u)
    | (at(x + 1, y + 1) << 4u) | (at(x, y + 1) << 5u) | (at(x - 1, y + 1) << 6u) | (at(x - 1, y) << 7u);
  let code = u32(lut[index]);
  if ((code & P.phase) != 0u) {
    dst[i] = 0u;
    atomicStore(&changed, 1u);
  } else {
    dst[i] = 1u;
  }`,
});

/**
 * Skeleton of a 2D binary image by Zhang–Suen thinning: foreground (non-zero) pixels are
 * peeled off in alternating sub-iterations, each a parallel GPU pass over the previous state,
 * until nothing changes; outside the image counts as background. Input of any dtype; uint8 0/1
 * result. Not in pyclesperanto; scikit-image: `morphology.skeletonize(a != 0)` (method 'zhang').
 *
 * Deviation: this uses the deletion rule of Zhang & Suen's paper ({@link zhangSuenTable});
 * scikit-image's table (from CellProfiler) differs from it in 25 of the 256 neighbour
 * configurations (it deletes some L-shaped corner pixels the paper keeps, and keeps some it
 * deletes), so the skeletons can differ by a few pixels at corners and line ends. Both keep
 * the topology and are one pixel thin. Async: iterates until stable with flag read-backs.
 */
export const skeletonize = defineOp({ params: [image()], output: 'uint8', tiling: 'global' }, async function skeletonize(
  input: GpuImage,
): Promise<GpuImage> {
  const fn = 'skeletonize';
  const img = checkImage(input, `${fn}: input`);
  checkDims(img, [2], `${fn}: input`);
  if (img.size >= 2 ** 31) throw new TesseraError(`${fn}: input has ${img.size} pixels; at most 2^31 - 1 are supported`);
  const [nx, ny] = xyzt(img.shape);
  const a = create(img.shape, 'uint32');
  const b = create(img.shape, 'uint32');
  try {
    runPixelProgram({
      op: `${fn}:init`,
      inputs: { x: img },
      output: a,
      computeType: 'u32',
      body: `return select(0u, 1u, ${nonZero(computeType(img.dtype), 'load_x(i)')});`,
    });
    const lut = constantTable('zhang-suen', zhangSuenTable);
    const kernel = kernelFor('skeletonize', '', stepSpec);
    const shape = [nx, ny, 1, img.size];
    const groups = Math.ceil(img.size / 256);
    await iterateUntilStable(fn, (flag) => {
      dispatch(kernel, [a.buffer, b.buffer, lut.buffer, flag], { shape, phase: 1 }, groups, fn);
      dispatch(kernel, [b.buffer, a.buffer, lut.buffer, flag], { shape, phase: 2 }, groups, fn);
    });
    return runPixelProgram({ op: `${fn}:result`, inputs: { s: a }, output: create(img.shape, 'uint8'), computeType: 'u32', body: 'return load_s(i);' });
  } finally {
    a.release();
    b.release();
  }
});
