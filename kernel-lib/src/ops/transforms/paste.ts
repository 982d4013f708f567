import { computeType } from '../../dtype';
import type { GpuImage } from '../../array/gpu-image';
import { runPixelProgram } from '../../codegen/program';
import { convertExpr } from '../../codegen/wgsl';
import { TesseraError } from '../../errors';
import { checkDims, checkImage, checkInteger } from '../../validate/arguments';
import { extentsXYZ } from './affine-engine';
import { defineOp, image, integer } from '../op';

/**
 * Writes `input` into `destination` at (destinationX, destinationY, destinationZ), in place,
 * and returns `destination`. pyclesperanto: `paste(input_image, output_image, destination_x,
 * destination_y, destination_z)`; numpy: `dst[z0:z0+d, y0:y0+h, x0:x0+w] = a`.
 *
 * Only the box's pixels change (also for 8/16-bit images, whose neighbouring pixels share
 * storage words). Values are converted to the destination dtype with saturation. A 2D input
 * can be pasted into one plane of a 3D destination. The box must lie inside the destination
 * (pyclesperanto clips silently; Tessera throws, naming the axis).
 */
export const paste = defineOp({
  params: [image(), image('destination'), integer('destinationX', 0), integer('destinationY', 0), integer('destinationZ', 0)],
  output: (inputs) => inputs[1],
  tiling: { notTileable: 'writes the input into another image at a position' },
  inPlace: 'destination',
}, function paste(input: GpuImage, destination: GpuImage, destinationX = 0, destinationY = 0, destinationZ = 0): GpuImage {
  const fn = 'paste';
  checkImage(input, `${fn}: input`);
  checkImage(destination, `${fn}: destination`);
  checkDims(input, [2, 3], `${fn}: input`);
  checkDims(destination, [2, 3], `${fn}: destination`);
  if (input.ndim > destination.ndim) {
    throw new TesseraError(`${fn}: input (shape [${input.shape}]) has more dimensions than destination (shape [${destination.shape}])`);
  }
  if (input.buffer === destination.buffer) throw new TesseraError(`${fn}: input and destination must be different images`);
  const pos = [destinationX, destinationY, destinationZ].map((v, k) => checkInteger(v, `${fn}: destination${'XYZ'[k]}`));
  const size = extentsXYZ(input);
  const ext = extentsXYZ(destination);
  for (let k = 0; k < 3; k++) {
    if (pos[k] < 0 || pos[k] + size[k] > ext[k]) {
      throw new TesseraError(
        `${fn}: the box along ${'xyz'[k]} (destination${'XYZ'[k]} ${pos[k]}, size ${size[k]}) must lie within destination's extent ${ext[k]}`,
      );
    }
  }
  const index = (x: number, y: number, z: number) => (z * ext[1] + y) * ext[0] + x;
  const first = index(pos[0], pos[1], pos[2]);
  const last = index(pos[0] + size[0] - 1, pos[1] + size[1] - 1, pos[2] + size[2] - 1);
  const T = computeType(destination.dtype);
  // The runner writes whole words over [first, last]; pixels outside the box keep the
  // destination's value, read back through `load_out` (the same word this thread owns).
  return runPixelProgram({
    op: fn,
    inputs: { src: input },
    output: destination,
    range: { start: first, count: last - first + 1 },
    scalars: { dx: { type: 'i32', value: pos[0] }, dy: { type: 'i32', value: pos[1] }, dz: { type: 'i32', value: pos[2] } },
    coords: true,
    computeType: T,
    body: `let s = c - vec4<i32>(P.dx, P.dy, P.dz, 0);
  let n = vec3<i32>(P.src_shape.xyz);
  if (all(s.xyz >= vec3<i32>(0)) && all(s.xyz < n)) { return ${convertExpr('at_src(s)', computeType(input.dtype), destination.dtype)}; }
  return load_out(i);`,
  });
});
