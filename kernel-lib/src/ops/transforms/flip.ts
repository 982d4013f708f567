import { bytesPerPixel, computeType, pixelsPerWord } from '../../dtype';
import type { GpuImage } from '../../array/gpu-image';
import { createLike } from '../../array/transfer';
import { runPixelProgram } from '../../codegen/program';
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
 * The kernel that flips whole storage units: a thread writes one unit of an output row (a vec4 of
 * words when a row is a whole number of vec4s, else one word) as ONE load of the mirrored input
 * unit: the unit at the mirrored row (y, z mirrored within each volume) and, along x, at the
 * mirrored position in the row with its words and the pixels in them reversed. Only the bytes per
 * pixel and the unit change the code; shapes and flags are uniforms. The bits move unchanged, so
 * every dtype is exact.
 */
function flipUnitsKernel(bytes: number, vector: boolean) {
  return kernelFor('flipUnits', `${bytes}${vector ? 'v' : 'w'}`, () => {
    const unit = vector ? 'vec4<u32>' : 'u32';
    const mirrored = vector ? 'vec4<u32>(mirror_word(a.w), mirror_word(a.z), mirror_word(a.y), mirror_word(a.x))' : 'mirror_word(a)';
    return {
      label: 'flip',
      bindings: [
        { name: 'src', type: `array<${unit}>` },
        { name: 'dst', type: `array<${unit}>`, access: 'read_write' as const },
      ],
      // units: (units per row, rows per plane, planes per volume, units in all); flips: (x, y, z, -).
      uniforms: [
        { name: 'units', type: 'vec4<u32>' as const },
        { name: 'flips', type: 'vec4<u32>' as const },
      ],
      workgroupSize: WORKGROUP,
      declarations: `fn mirror_word(w: u32) -> u32 { return ${MIRROR_WORD[bytes]}; }
fn mirrored(a: ${unit}) -> ${unit} { return ${mirrored}; }`,
      body: `let s = P.units;
  if (gid >= s.w) { return; }
  let f = P.flips != vec4<u32>(0u);
  let x = gid % s.x;
  let row = gid / s.x;
  let y = row % s.y;
  let plane = row / s.y;
  let z = plane % s.z;
  let from_x = select(x, s.x - 1u - x, f.x);
  let from_y = select(y, s.y - 1u - y, f.y);
  let from_z = select(z, s.z - 1u - z, f.z);
  let a = src[((plane - z + from_z) * s.y + from_y) * s.x + from_x];
  dst[gid] = select(a, mirrored(a), f.x);`,
    };
  });
}

/**
 * Mirrors the image along x, y and/or z. pyclesperanto: `flip` (`flip_x`, `flip_y`,
 * `flip_z`, all default true); numpy: `np.flip(a, axis=...)` over the chosen axes
 * (x = last axis). Exact for every dtype; same shape and dtype. `flipZ` is ignored for 2D
 * inputs; a 4D input is flipped per volume.
 *
 * How: a flip only moves bits, so when a row is a whole number of 32-bit words (always for
 * 32-bit dtypes; width even for 16-bit, a multiple of 4 for 8-bit) each thread copies one whole
 * unit of the mirrored input row, reversing words and packed pixels for x: a vec4 (one 16-byte
 * load and store, which is what reaches the memory bandwidth) when a row is a whole number of
 * vec4s, else one word. Otherwise an output word holds pixels of two rows whose sources lie far
 * apart, and each pixel is gathered on its own (a pixel program). The flags are uniforms: a few
 * pipelines per pixel size serve every flag combination and size.
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
  const perWord = pixelsPerWord(input.dtype);
  if (width % perWord === 0) {
    const wordsPerRow = width / perWord;
    const vector = wordsPerRow % 4 === 0;
    const unitsPerRow = vector ? wordsPerRow / 4 : wordsPerRow;
    const units = unitsPerRow * (input.size / width);
    const values = { units: [unitsPerRow, height, depth, units], flips: [...flags, 0] };
    dispatch(flipUnitsKernel(bytesPerPixel(input.dtype), vector), [input.buffer, output.buffer], values, Math.ceil(units / WORKGROUP), 'flip');
    return output;
  }
  const axis = (a: string, k: number) => `select(c.${a}, i32(P.a_shape.${a}) - 1 - c.${a}, P.f${k} != 0)`;
  return runPixelProgram({
    op: 'flip',
    inputs: { a: input },
    output,
    scalars: { f0: { type: 'i32', value: flags[0] }, f1: { type: 'i32', value: flags[1] }, f2: { type: 'i32', value: flags[2] } },
    coords: true,
    computeType: computeType(input.dtype),
    body: `return at_a(vec4<i32>(${axis('x', 0)}, ${axis('y', 1)}, ${axis('z', 2)}, c.w));`,
  });
});
