import { bytesPerPixel } from '../../dtype';
import type { GpuImage } from '../../array/gpu-image';
import { createLike } from '../../array/transfer';
import { dispatch, kernelFor } from '../../gpu/kernel';
import { checkDims, checkImage, checkBoolean } from '../../validate/arguments';
import { defineOp, flag, image } from '../op';

const WORKGROUP = 256;

/** WGSL reversing the order of the pixels packed in a 32-bit word (bytes of 8-bit, halves of 16-bit pixels). */
const MIRROR_WORD: Record<number, string> = {
  1: '((w & 0xffu) << 24u) | ((w & 0xff00u) << 8u) | ((w >> 8u) & 0xff00u) | (w >> 24u)',
  2: '(w << 16u) | (w >> 16u)',
  4: 'w',
};

/**
 * The flip kernel for pixels of `bytes` bytes: a thread writes one vec4 (16 bytes) of the output.
 * The bits move unchanged, so every dtype is exact; shapes and flags are uniforms.
 * - rows of whole vec4s (`window` false): the thread's vec4 lies in one output row and is ONE
 *   16-byte load of the mirrored row's vec4 (along x: the mirrored vec4, with its words and the
 *   pixels packed in them reversed).
 * - any other width (`window`): the thread's pixels come from a run of the mirrored row (two runs
 *   where the vec4 spans a row end). It loads the two neighbouring input vec4s around the run and
 *   picks its pixels from them, loading a new pair only where a run ends.
 */
function flipKernel(bytes: number, window: boolean) {
  return kernelFor('flip', window ? `${bytes} window` : `${bytes}`, () => {
    const perWord = 4 / bytes;
    const perVector = 4 * perWord;
    const bits = 8 * bytes;
    const vectors = `let x = gid % s.x;
  let a = src[source_row(gid / s.x) * s.x + select(x, s.x - 1u - x, flip_x)];
  dst[gid] = select(a, vec4<u32>(mirror_word(a.w), mirror_word(a.z), mirror_word(a.y), mirror_word(a.x)), flip_x);`;
    const picks = `var x = (gid * ${perVector}u) % s.x;
  var row = (gid * ${perVector}u) / s.x;
  var start = source_row(row) * s.x;
  var first = 0u; // the window's first pixel: the vec4 src[first / ${perVector}] and the one after it
  var lo = vec4<u32>(0u);
  var hi = vec4<u32>(0u);
  var out = vec4<u32>(0u);
  for (var k = 0u; k < ${perVector}u; k++) {
    if (row >= P.flips.w) { break; }
    let p = start + select(x, s.x - 1u - x, flip_x);
    if (k == 0u || p - first >= ${2 * perVector}u) {
      // Runs descend for x flips: then the window ends with p's vec4, else it begins with it.
      let v = p / ${perVector}u;
      let w0 = select(v, max(v, 1u) - 1u, flip_x);
      lo = src[w0];
      hi = src[min(w0 + 1u, arrayLength(&src) - 1u)];
      first = w0 * ${perVector}u;
    }
    let o = p - first;
    let word = select(lo, hi, o >= ${perVector}u)[(o % ${perVector}u) / ${perWord}u];
    out[k / ${perWord}u] |= ((word >> ((o % ${perWord}u) * ${bits}u)) & ${2 ** bits - 1}u) << ((k % ${perWord}u) * ${bits}u);
    x++;
    if (x == s.x) {
      x = 0u;
      row++;
      start = source_row(row) * s.x;
    }
  }
  dst[gid] = out;`;
    return {
      label: 'flip',
      bindings: [
        { name: 'src', type: 'array<vec4<u32>>' },
        { name: 'dst', type: 'array<vec4<u32>>', access: 'read_write' as const },
      ],
      // shape: (vec4s per row, or pixels per row for window; rows per plane; planes per volume; threads),
      // flips: (x, y, z, rows in all).
      uniforms: [
        { name: 'shape', type: 'vec4<u32>' as const },
        { name: 'flips', type: 'vec4<u32>' as const },
      ],
      workgroupSize: WORKGROUP,
      declarations: `fn mirror_word(w: u32) -> u32 { return ${MIRROR_WORD[bytes]}; }
// The input row that an output row mirrors: y and z mirrored within each plane and volume.
fn source_row(row: u32) -> u32 {
  let s = P.shape;
  let y = row % s.y;
  let plane = row / s.y;
  let z = plane % s.z;
  return (plane - z + select(z, s.z - 1u - z, P.flips.z != 0u)) * s.y + select(y, s.y - 1u - y, P.flips.y != 0u);
}`,
      body: `let s = P.shape;
  if (gid >= s.w) { return; }
  let flip_x = P.flips.x != 0u;
  ${window ? picks : vectors}`,
    };
  });
}

/**
 * Mirrors the image along x, y and/or z. pyclesperanto: `flip` (`flip_x`, `flip_y`,
 * `flip_z`, all default true); numpy: `np.flip(a, axis=...)` over the chosen axes
 * (x = last axis). Exact for every dtype; same shape and dtype. `flipZ` is ignored for 2D
 * inputs; a 4D input is flipped per volume.
 *
 * How: a flip only moves bits, so one kernel per pixel size copies them (see `flipKernel`): each
 * thread writes one 16-byte vec4 of the output, because 16-byte loads and stores are what reach
 * the memory bandwidth (a 4-pixel gather per thread reached half of it on an H200). When a row is
 * a whole number of vec4s (width a multiple of 4 / 8 / 16 pixels for 32 / 16 / 8-bit), that vec4 is
 * one load of the mirrored vec4, reversed along x; otherwise the thread picks its pixels from the
 * two neighbouring input vec4s around their run. The flags are uniforms: at most two pipelines per
 * pixel size serve every flag combination and size.
 */
export const flip = defineOp({
  params: [image(), flag('flipX', true), flag('flipY', true), flag('flipZ', true)],
  output: 'same',
  tiling: { notTileable: 'mirrors the image: the result of a tile belongs at the mirrored position, computed from pixels far away' },
}, function flip(input: GpuImage, flipX = true, flipY = true, flipZ = true): GpuImage {
  checkImage(input, 'flip: input');
  checkDims(input, [1, 2, 3, 4], 'flip: input');
  const flags = [flipX, flipY, flipZ].map((f, k) => (checkBoolean(f, `flip: flip${'XYZ'[k]}`) ? 1 : 0));
  const output = createLike(input);
  const s = input.shape;
  const n = s.length;
  const [width, height, depth] = [s[n - 1], n > 1 ? s[n - 2] : 1, n > 2 ? s[n - 3] : 1];
  const rows = input.size / width;
  const perVector = 16 / bytesPerPixel(input.dtype);
  const window = width % perVector !== 0;
  const threads = window ? Math.ceil(input.storageBytes / 16) : (width / perVector) * rows;
  const values = { shape: [window ? width : width / perVector, height, depth, threads], flips: [...flags, rows] };
  dispatch(flipKernel(bytesPerPixel(input.dtype), window), [input.buffer, output.buffer], values, Math.ceil(threads / WORKGROUP), 'flip');
  return output;
});
