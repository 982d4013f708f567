import { computeType } from '../../dtype';
import type { GpuImage } from '../../array/gpu-image';
import { create } from '../../array/transfer';
import { runPixelProgram, xyzt } from '../../codegen/program';
import { nonZero } from '../../codegen/snippets';
import { KernelSpec, dispatch, kernelFor } from '../../gpu/kernel';
import { checkFilterInput } from '../../validate/filters';
import { iterateUntilStable } from './iterate';
import { defineOp, image } from '../op';

// State per pixel: 0 foreground, 1 background not (yet) reached from the border, 2 reached.
const TILE: Record<number, [number, number, number]> = { 1: [256, 1, 1], 2: [16, 16, 1], 3: [8, 8, 4] };

function stepSpec(nd: number): KernelSpec {
  const [tx, ty, tz] = TILE[nd];
  const [hx, hy, hz] = [1, nd >= 2 ? 1 : 0, nd >= 3 ? 1 : 0];
  const [sx, sy, sz] = [tx + 2 * hx, ty + 2 * hy, tz + 2 * hz];
  const size = sx * sy * sz;
  const neighbours = [
    's[me - 1u]', 's[me + 1u]',
    ...(nd >= 2 ? [`s[me - ${sx}u]`, `s[me + ${sx}u]`] : []),
    ...(nd >= 3 ? [`s[me - ${sx * sy}u]`, `s[me + ${sx * sy}u]`] : []),
  ];
  return {
    label: 'binaryFillHoles step',
    bindings: [
      { name: 'state', type: 'array<u32>', access: 'read_write' },
      { name: 'changed', type: 'atomic<u32>', access: 'read_write' },
    ],
    uniforms: [{ name: 'shape', type: 'vec4<u32>' }, { name: 'tiles', type: 'vec4<u32>' }],
    workgroupSize: 256,
    declarations: `var<workgroup> s: array<u32, ${size}>;
var<workgroup> again: u32;`,
    body: `let tile = group;
  let valid = tile < P.tiles.w;
  let t0 = vec3<i32>(i32(tile % P.tiles.x), i32((tile / P.tiles.x) % P.tiles.y), i32(tile / (P.tiles.x * P.tiles.y)))
    * vec3<i32>(${tx}, ${ty}, ${tz});
  let n = vec3<i32>(P.shape.xyz);
  // Stage the tile and a one-pixel halo; outside the image counts as wall.
  for (var k = lid; k < ${size}u; k += 256u) {
    let g = t0 + vec3<i32>(i32(k % ${sx}u), i32((k / ${sx}u) % ${sy}u), i32(k / ${sx * sy}u)) - vec3<i32>(${hx}, ${hy}, ${hz});
    var v = 0u;
    if (valid && all(g >= vec3<i32>(0)) && all(g < n)) { v = state[u32((g.z * n.y + g.y) * n.x + g.x)]; }
    s[k] = v;
  }
  workgroupBarrier();
  let l = vec3<u32>(lid % ${tx}u, (lid / ${tx}u) % ${ty}u, lid / ${tx * ty}u);
  let me = ((l.z + ${hz}u) * ${sy}u + l.y + ${hy}u) * ${sx}u + l.x + ${hx}u;
  let g = t0 + vec3<i32>(l);
  let mine = valid && all(g < n);
  let before = s[me];
  // Flood inside the tile until it settles (values only grow 1 -> 2, so races are benign).
  loop {
    workgroupBarrier();
    if (lid == 0u) { again = 0u; }
    workgroupBarrier();
    if (mine && s[me] == 1u && (${neighbours.map((x) => `${x} == 2u`).join(' || ')})) {
      s[me] = 2u;
      again = 1u;
    }
    if (workgroupUniformLoad(&again) == 0u) { break; }
  }
  if (mine && before == 1u && s[me] == 2u) {
    state[u32((g.z * n.y + g.y) * n.x + g.x)] = 2u;
    atomicStore(&changed, 1u);
  }`,
  };
}

/**
 * Fills holes: background (zero) regions not connected to the image border through
 * face-adjacent background pixels (4-connectivity in 2D, 6 in 3D) become foreground. Input
 * of any dtype (non-zero = foreground); uint8 0/1 result. Not in pyclesperanto; scipy:
 * `ndi.binary_fill_holes(a != 0)`.
 *
 * Async: a flood from the border runs on the GPU until it stops changing, which needs a few
 * read-backs of a change flag (each workgroup floods its tile of 16×16 / 8×8×4 pixels in
 * workgroup memory until settled, so one step crosses a whole tile).
 */
export const binaryFillHoles = defineOp({ params: [image()], output: 'uint8', tiling: 'global' }, async function binaryFillHoles(
  input: GpuImage,
): Promise<GpuImage> {
  const fn = 'binaryFillHoles';
  const img = checkFilterInput(input, fn);
  const nd = img.ndim;
  const [nx, ny, nz] = xyzt(img.shape);
  const state = create(img.shape, 'uint32');
  const border = [
    'c.x == 0 || c.x == i32(P.a_shape.x) - 1',
    ...(nd >= 2 ? ['c.y == 0 || c.y == i32(P.a_shape.y) - 1'] : []),
    ...(nd >= 3 ? ['c.z == 0 || c.z == i32(P.a_shape.z) - 1'] : []),
  ].join(' || ');
  runPixelProgram({
    op: `${fn}:init`,
    inputs: { a: img },
    output: state,
    coords: true,
    computeType: 'u32',
    body: `if (${nonZero(computeType(img.dtype), 'load_a(i)')}) { return 0u; }\n  return select(1u, 2u, ${border});`,
  });
  const [tx, ty, tz] = TILE[nd];
  const tiles = [Math.ceil(nx / tx), Math.ceil(ny / ty), Math.ceil(nz / tz)];
  const total = tiles[0] * tiles[1] * tiles[2];
  const kernel = kernelFor('binaryFillHoles', nd, stepSpec);
  const uniforms = { shape: [nx, ny, nz, img.size], tiles: [...tiles, total] };
  try {
    await iterateUntilStable(fn, (flag) => dispatch(kernel, [state.buffer, flag], uniforms, total, fn));
    return runPixelProgram({
      op: `${fn}:result`,
      inputs: { s: state },
      output: create(img.shape, 'uint8'),
      computeType: 'u32',
      body: 'return select(1u, 0u, load_s(i) == 2u);',
    });
  } finally {
    state.release();
  }
});
