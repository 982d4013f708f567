import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { before, describe, test } from 'node:test';
import type { DType } from '../../src';
import { compiledKernelCount as compiledPipelineCount } from '../../src/gpu/kernel';
import { assertClose, assertShape } from '../support/assert';
import { ALL_DTYPES, randomPixels } from '../support/data';
import { pulled, pushed, setup } from '../support/gpu';
import { OracleResult, Pixels, oracle } from '../support/oracle';

/**
 * Geometric transforms against numpy / scipy.ndimage.
 *
 * Tolerances:
 * - gathers (flip, transposes, reslices, paste, slices, nearest-neighbour transforms): exact,
 *   except order-0 positions within 1e-4 of a .5 tie and positions within 1e-4 of the edge in
 *   scipy's 'constant' mode, which are skipped ("fragile"; at most 5% of pixels, see
 *   test/support/transforms_oracle.py): float32 coordinates may round either way there.
 * - linear interpolation (float32 on the GPU, float64 in scipy): rtol 1e-4,
 *   atol 1e-3 + 2e-5 × (input max − min): the float32 position error (~1e-5 px at these sizes)
 *   times the steepest step between neighbouring random pixels.
 * - linear interpolation to integer outputs (scipy rounds half away from zero): ±1.
 */
let t: Awaited<ReturnType<typeof setup>>;
before(async () => (t = await setup()));

const HELPERS = resolve(__dirname, '../../../test/support/transforms_oracle.py');
/** A Python expression evaluated with the transform helpers loaded. */
const py = (expr: string) => `(exec(open(${JSON.stringify(HELPERS)}).read(), globals()), ${expr})[1]`;

const range = (d: DType): [number, number] | undefined =>
  d === 'int32' ? [-(2 ** 24), 2 ** 24] : d === 'uint32' ? [0, 2 ** 24] : undefined;
const data = (shape: number[], dtype: DType, seed: number) => randomPixels(shape, dtype, seed, range(dtype));

function linTol(p: Pixels): { rtol: number; atol: number } {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < p.data.length; i++) {
    lo = Math.min(lo, Number(p.data[i]));
    hi = Math.max(hi, Number(p.data[i]));
  }
  return { rtol: 1e-4, atol: 1e-3 + 2e-5 * (hi - lo) };
}

/** Compares with a stacked [values, fragile] reference, skipping fragile pixels. */
function checkStacked(out: Pixels, ref: OracleResult, tol: { rtol?: number; atol?: number }, what: string): void {
  const n = ref.data.length / 2;
  assertShape(out.shape, ref.shape.slice(1), `${what} shape`);
  const act: number[] = [];
  const exp: number[] = [];
  let fragile = 0;
  for (let i = 0; i < n; i++) {
    if (Number(ref.data[n + i]) !== 0) {
      fragile++;
      continue;
    }
    act.push(Number(out.data[i]));
    exp.push(Number(ref.data[i]));
  }
  assert.ok(fragile <= 0.05 * n, `${what}: ${fragile} of ${n} pixels are fragile (ties); choose other parameters`);
  assertClose(act, exp, { ...tol, what });
}

const mat = (m: number[]) => `np.array(${JSON.stringify(m)}, dtype=np.float64)`;

/** pyclesperanto's centring for rotations and scalings: (x, y, z) extents / 2, z = 0 for 2D. */
const centre = (shape: number[]): [number, number, number] => {
  const r = [...shape].reverse();
  return [r[0] / 2, r[1] / 2, shape.length === 3 ? r[2] / 2 : 0];
};
const about = (shape: number[], inner: string) => {
  const [x, y, z] = centre(shape);
  return `T(${x}, ${y}, ${z}) @ ${inner} @ T(${-x}, ${-y}, ${-z})`;
};

const EXACT_SHAPES: Record<string, number[]> = { '2D': [37, 53], '3D': [7, 19, 23], '2D 1-row': [1, 29], '3D 1-plane': [1, 19, 23], '3D 1-row': [5, 1, 17] };

describe('flip, transposes, reslices (exact, every dtype)', () => {
  for (const [name, shape] of Object.entries(EXACT_SHAPES)) {
    for (const dtype of ALL_DTYPES) {
      const a = data(shape, dtype, 3);
      const nd = shape.length;
      test(`flip ${name} ${dtype}`, async () => {
        const combos: Array<[boolean, boolean, boolean]> = [[true, true, true], [true, false, false], [false, true, false], [false, false, true], [false, false, false]];
        for (const [fx, fy, fz] of combos) {
          const axes = [fx ? nd - 1 : -1, fy ? nd - 2 : -1, fz && nd === 3 ? 0 : -1].filter((k) => k >= 0);
          const out = await pulled(t.flip(pushed(a), fx, fy, fz));
          const ref = await oracle(`np.flip(a, axis=(${axes.join(',')}${axes.length === 1 ? ',' : ''}))`, { a });
          assertShape(out.shape, ref.shape);
          assertClose(out.data, ref.data, { what: `flip(${fx}, ${fy}, ${fz})` });
        }
        // Default: every axis, as pyclesperanto.
        const all = await pulled(t.flip(pushed(a)));
        assertClose(all.data, (await oracle('np.flip(a)', { a })).data);
      });
      test(`transposeXY/XZ/YZ ${name} ${dtype}`, async () => {
        const b = nd === 3 ? 'a' : 'a[None]';
        for (const [fn, expr] of [
          [t.transposeXY, 'np.swapaxes(a, -1, -2)'],
          [t.transposeXZ, `np.swapaxes(${b}, 0, 2)`],
          [t.transposeYZ, `np.swapaxes(${b}, 0, 1)`],
        ] as const) {
          const out = await pulled(fn(pushed(a)));
          const ref = await oracle(expr, { a });
          assertShape(out.shape, ref.shape, fn.name);
          assertClose(out.data, ref.data, { what: fn.name });
        }
      });
      if (nd === 3) {
        test(`resliceTop/Bottom/Left/Right ${name} ${dtype}`, async () => {
          for (const [fn, expr] of [
            [t.resliceTop, 'a.transpose(1, 0, 2)'],
            [t.resliceBottom, 'np.flip(a.transpose(1, 0, 2), axis=0)'],
            [t.resliceLeft, 'a.transpose(2, 0, 1)'],
            [t.resliceRight, 'np.flip(a.transpose(2, 0, 1), axis=0)'],
          ] as const) {
            const out = await pulled(fn(pushed(a)));
            const ref = await oracle(expr, { a });
            assertShape(out.shape, ref.shape, fn.name);
            assertClose(out.data, ref.data, { what: fn.name });
          }
        });
      }
    }
  }
});

/**
 * Both paths of flip against np.flip: rows of whole vec4s (4 / 8 / 16 pixels of 32 / 16 / 8 bits:
 * one mirrored vec4 per thread) and every other width (pixels picked from two neighbouring vec4s,
 * a thread's vec4 spanning up to 16 rows), for every dtype, 1D to 4D and every flag combination
 * (none included).
 */
describe('flip: every path (widths 1..64, 1D-4D, every flag combination)', () => {
  const WIDTHS = [1, 2, 3, 4, 5, 8, 12, 13, 16, 31, 64];
  const OUTER: number[][] = [[], [5], [3, 4], [2, 3, 2]];
  const COMBOS: Array<[boolean, boolean, boolean]> = [false, true].flatMap((fx) => [false, true].flatMap((fy) => [false, true].map((fz): [boolean, boolean, boolean] => [fx, fy, fz])));
  for (const dtype of ALL_DTYPES) {
    test(`flip ${dtype}`, async () => {
      for (const outer of OUTER) {
        for (const width of WIDTHS) {
          const shape = [...outer, width];
          const nd = shape.length;
          const a = data(shape, dtype, width + nd);
          const img = pushed(a);
          const outs: Pixels[] = [];
          for (const [fx, fy, fz] of COMBOS) outs.push(await pulled(t.flip(img, fx, fy, fz)));
          img.release();
          // x, y, z are the last three axes (a 4D input is flipped per volume); missing axes are not flipped.
          const axes = COMBOS.map(([fx, fy, fz]) => [fx ? -1 : 0, fy && nd > 1 ? -2 : 0, fz && nd > 2 ? -3 : 0].filter((k) => k < 0));
          const ref = await oracle(`np.stack([np.flip(a, axis=tuple(ax)) for ax in ${JSON.stringify(axes)}])`, { a });
          const n = a.data.length;
          COMBOS.forEach(([fx, fy, fz], k) => {
            assertShape(outs[k].shape, shape);
            assertClose(outs[k].data, ref.data.subarray(k * n, (k + 1) * n), { what: `flip(${fx}, ${fy}, ${fz}) of [${shape}]` });
          });
        }
      }
    });
  }
});

// General forward matrices (x, y, z), pyclesperanto's convention: shear, scale, rotation, shift.
const F2 = [0.9, -0.35, 4.2, 0.28, 1.1, -3.1, 0, 0, 1];
const F2as4 = [0.9, -0.35, 0, 4.2, 0.28, 1.1, 0, -3.1, 0, 0, 1, 0, 0, 0, 0, 1];
const F3 = [0.9, -0.3, 0.2, 1.5, 0.25, 1.05, -0.15, -2.0, -0.1, 0.2, 0.95, 0.7, 0, 0, 0, 1];

describe('affineTransform (pyclesperanto convention) against scipy.ndimage.affine_transform', () => {
  const cases: Array<[string, number[], number[], number[]]> = [
    ['2D', [37, 53], F2, F2as4], ['3D', [7, 19, 23], F3, F3], ['2D 1-row', [1, 29], F2, F2as4],
    // The engine runs 16 × 16 tiles (codegen/program.ts): partial tiles in x and y, widths with and without whole vec4s.
    ['2D tiled', [37, 68], F2, F2as4], ['3D tiled', [3, 35, 40], F3, F3],
  ];
  for (const [name, shape, m, m4] of cases) {
    for (const dtype of ['uint8', 'int16', 'uint32', 'float32'] as DType[]) {
      const a = data(shape, dtype, 5);
      test(`${name} ${dtype}`, async () => {
        for (const interpolate of [false, true]) {
          for (const resize of [false, true]) {
            const out = await pulled(t.affineTransform(pushed(a), m, interpolate, resize));
            assert.equal(out.dtype, interpolate ? 'float32' : dtype);
            const ref = await oracle(py(`cle_ref(a, ${mat(m4)}, ${interpolate ? 1 : 0}, ${resize ? 'True' : 'False'})`), { a });
            checkStacked(out, ref, interpolate ? linTol(a) : {}, `affineTransform(interpolate=${interpolate}, resize=${resize})`);
          }
        }
      });
    }
  }
  test('matrix forms: flat, nested rows, typed array; identity default', async () => {
    const a = data([7, 19, 23], 'float32', 6);
    const flat = await pulled(t.affineTransform(pushed(a), F3, true));
    const rows = [0, 1, 2, 3].map((r) => F3.slice(4 * r, 4 * r + 4));
    assertClose((await pulled(t.affineTransform(pushed(a), rows, true))).data, flat.data);
    assertClose((await pulled(t.affineTransform(pushed(a), new Float64Array(F3), true))).data, flat.data);
    assertClose((await pulled(t.affineTransform(pushed(a)))).data, a.data);
    // A 3x3 matrix on a 3D image transforms every plane alike.
    const per = await pulled(t.affineTransform(pushed(a), F2, true));
    const ref = await oracle(py(`cle_ref(a, ${mat(F2as4)}, 1)`), { a });
    checkStacked(per, ref, linTol(a), '3x3 on 3D');
  });
  test('3D transforms that keep planes in place (sampled per plane): every mode, both orders', async () => {
    // F2 as a 4x4 keeps z: the engine samples each plane with 4 taps instead of 8.
    for (const [dtype, shape] of [['uint8', [5, 19, 23]], ['float32', [5, 19, 23]], ['float32', [2, 33, 36]]] as Array<[DType, number[]]>) {
      const a = data(shape, dtype, 9);
      for (const mode of ['constant', 'grid-constant', 'nearest', 'reflect', 'mirror', 'wrap', 'grid-wrap'] as const) {
        for (const order of [0, 1]) {
          const out = await pulled(t.affineTransform(pushed(a), F2as4, order === 1, false, { mode, cval: 7.5 }));
          const ref = await oracle(py(`cle_ref(a, ${mat(F2as4)}, ${order}, mode='${mode}', cval=7.5)`), { a });
          checkStacked(out, ref, order ? linTol(a) : {}, `in-plane 3D ${dtype} ${mode} order ${order}`);
        }
      }
    }
  });
  test('boundary modes and cval (options)', async () => {
    const a = data([37, 53], 'float32', 7);
    const b = data([7, 19, 23], 'int16', 8);
    for (const mode of ['grid-constant', 'nearest', 'reflect', 'mirror', 'grid-wrap'] as const) {
      const lin = await pulled(t.affineTransform(pushed(a), F2, true, false, { mode, cval: 7.5 }));
      checkStacked(lin, await oracle(py(`cle_ref(a, ${mat(F2as4)}, 1, mode='${mode}', cval=7.5)`), { a }), linTol(a), `linear ${mode}`);
      const near = await pulled(t.affineTransform(pushed(b), F3, false, false, { mode, cval: -3 }));
      checkStacked(near, await oracle(py(`cle_ref(b, ${mat(F3)}, 0, mode='${mode}', cval=-3)`), { b }), {}, `nearest ${mode}`);
    }
  });
});

describe('scipyAffineTransform (scipy convention)', () => {
  // Output -> input, (z, y, x): rotation by 23° in y-x, scaled, shifted; 3D also tilts z.
  const c = Math.cos((23 * Math.PI) / 180);
  const s = Math.sin((23 * Math.PI) / 180);
  const M2 = [[1.1 * c, -1.1 * s, 3.7], [s, c, -4.3], [0, 0, 1]];
  const M3 = [[0.9513, 0.1037, -0.0529, 0.6171], [0.04, 1.1 * c, -1.1 * s, 2.2], [-0.06, s, c, -3.1], [0, 0, 0, 1]];
  const cases: Array<[string, number[], number[][]]> = [['2D', [37, 53], M2], ['3D', [7, 19, 23], M3], ['3D 1-plane', [1, 19, 23], [[1, 0, 0, 0], ...M3.slice(1).map((r) => [0, ...r.slice(1)])]]];
  for (const [name, shape, M] of cases) {
    test(`${name} float32, every mode, order 0 and 1`, async () => {
      const a = data(shape, 'float32', 9);
      for (const mode of ['constant', 'grid-constant', 'nearest', 'reflect', 'grid-mirror', 'mirror', 'wrap', 'grid-wrap'] as const) {
        for (const order of [0, 1] as const) {
          const out = await pulled(t.scipyAffineTransform(pushed(a), M, { order, mode, cval: -5.5 }));
          const ref = await oracle(py(`affine_ref(a, ${JSON.stringify(M)}, None, ${order}, '${mode}', -5.5)`), { a });
          checkStacked(out, ref, order === 1 ? linTol(a) : {}, `${mode} order ${order}`);
        }
      }
    });
  }
  test('matrix forms (diagonal, square + offset, nd x (nd+1)) and outputShape', async () => {
    const a = data([37, 53], 'float32', 10);
    const tol = linTol(a);
    const ref = (m: string, shape = 'None') => oracle(py(`affine_ref(a, ${m}, ${shape}, 1, 'constant', 0.0)`), { a });
    checkStacked(await pulled(t.scipyAffineTransform(pushed(a), [0.8, 1.3], { offset: [2, -1] })), await ref('[[0.8, 0, 2], [0, 1.3, -1], [0, 0, 1]]'), tol, 'diagonal');
    checkStacked(await pulled(t.scipyAffineTransform(pushed(a), [[0.8, 0.2], [-0.1, 1.3]], { offset: 1.5 })), await ref('[[0.8, 0.2, 1.5], [-0.1, 1.3, 1.5], [0, 0, 1]]'), tol, 'square + offset');
    checkStacked(await pulled(t.scipyAffineTransform(pushed(a), [[0.8, 0.2, 3], [-0.1, 1.3, -2]])), await ref('[[0.8, 0.2, 3], [-0.1, 1.3, -2], [0, 0, 1]]'), tol, '2x3');
    checkStacked(await pulled(t.scipyAffineTransform(pushed(a), M2, { outputShape: [41, 29] })), await ref(JSON.stringify(M2), '(41, 29)'), tol, 'outputShape');
  });
  test('integer outputs round half away from zero and clip, as scipy', async () => {
    for (const dtype of ['uint8', 'int8', 'int16'] as DType[]) {
      const a = data([37, 53], dtype, 11);
      const out = await pulled(t.scipyAffineTransform(pushed(a), M2, { order: 1, mode: 'grid-constant', cval: 1000 }));
      assert.equal(out.dtype, dtype);
      const ref = await oracle(py(`affine_ref(a, ${JSON.stringify(M2)}, None, 1, 'grid-constant', 1000.0)`), { a });
      checkStacked(out, ref, { atol: 1 }, `${dtype} order 1`);
      const near = await pulled(t.scipyAffineTransform(pushed(a), M2, { order: 0, mode: 'mirror' }));
      checkStacked(near, await oracle(py(`affine_ref(a, ${JSON.stringify(M2)}, None, 0, 'mirror')`), { a }), {}, `${dtype} order 0`);
    }
    const f = data([37, 53], 'float32', 12);
    const asU8 = await pulled(t.scipyAffineTransform(pushed(f), M2, { order: 1, output: 'int16' }));
    assert.equal(asU8.dtype, 'int16');
    checkStacked(asU8, await oracle(py(`affine_ref(a, ${JSON.stringify(M2)}, None, 1, 'constant', 0.0, np.int16)`), { a: f }), { atol: 1 }, 'float32 -> int16');
  });
});

describe('rotate against scipy.ndimage.rotate', () => {
  // 37° (not 30°: sin 30° = 0.5 puts many order-0 positions on exact ties).
  for (const dtype of ['uint8', 'int16', 'float32'] as DType[]) {
    test(`2D angleZ ${dtype}`, async () => {
      const a = data([37, 53], dtype, 13);
      for (const order of [0, 1]) {
        const out = await pulled(t.rotate(pushed(a), 0, 0, 37, true, order === 1));
        const ref = await oracle(py(`rotate_ref(a, -37, (0, 1), ${order})`), { a });
        checkStacked(out, ref, order ? linTol(a) : {}, `rotate 2D order ${order}`);
      }
    });
  }
  for (const dtype of ['uint16', 'float32'] as DType[]) {
    test(`3D about x, y, z ${dtype}`, async () => {
      const a = data([7, 19, 23], dtype, 14);
      const cases: Array<[number[], string]> = [[[37, 0, 0], '-37, (0, 1)'], [[0, 37, 0], '37, (0, 2)'], [[0, 0, 37], '-37, (1, 2)']];
      for (const [[ax, ay, az], args] of cases) {
        for (const order of [0, 1]) {
          const out = await pulled(t.rotate(pushed(a), ax, ay, az, true, order === 1));
          const ref = await oracle(py(`rotate_ref(a, ${args}, ${order})`), { a });
          checkStacked(out, ref, order ? linTol(a) : {}, `rotate(${ax}, ${ay}, ${az}) order ${order}`);
        }
      }
    });
  }
  test('3D combined angles, resize, not centred', async () => {
    const shape = [7, 19, 23];
    const a = data(shape, 'float32', 15);
    const R = 'rot(2, 50) @ rot(1, -35) @ rot(0, 20)';
    for (const order of [0, 1]) {
      for (const resize of [false, true]) {
        const out = await pulled(t.rotate(pushed(a), 20, -35, 50, true, order === 1, resize));
        const ref = await oracle(py(`cle_ref(a, ${about(shape, R)}, ${order}, ${resize ? 'True' : 'False'})`), { a });
        checkStacked(out, ref, order ? linTol(a) : {}, `rotate combined order ${order} resize ${resize}`);
      }
      const out = await pulled(t.rotate(pushed(a), 0, 0, 37, false, order === 1));
      checkStacked(out, await oracle(py(`cle_ref(a, rot(2, 37), ${order})`), { a }), order ? linTol(a) : {}, 'not centred');
    }
  });
  test('90° with resize equals np.rot90 / ndi.rotate(reshape=True)', async () => {
    for (const dtype of ['uint8', 'float32'] as DType[]) {
      const a = data([37, 53], dtype, 16);
      const out = await pulled(t.rotate(pushed(a), 0, 0, 90, true, false, true));
      const ref = await oracle('np.rot90(a, k=-1)', { a });
      assertShape(out.shape, ref.shape);
      assertClose(out.data, ref.data, { what: 'rot90' });
      const nd = await oracle("ndi.rotate(a, -90, axes=(0, 1), reshape=True, order=0, mode='grid-constant')", { a });
      assertClose(out.data, nd.data, { what: 'ndi.rotate reshape' });
    }
  });
  test('32-bit integers over the whole range stay exact with nearest sampling', async () => {
    for (const dtype of ['uint32', 'int32'] as DType[]) {
      const a = randomPixels([7, 19, 23], dtype, 37);
      const out = await pulled(t.rotate(pushed(a), 0, 0, 37));
      checkStacked(out, await oracle(py('rotate_ref(a, -37, (1, 2), 0)'), { a }), {}, `${dtype} full range`);
    }
  });
  test('thin images: 1-row 2D, 1-plane 3D', async () => {
    for (const shape of [[1, 29], [23, 1], [1, 19, 23]]) {
      const a = data(shape, 'float32', 17);
      for (const order of [0, 1]) {
        const out = await pulled(t.rotate(pushed(a), 0, 0, 37, true, order === 1));
        const ref = await oracle(py(`cle_ref(a, ${about(shape, 'rot(2, 37)')}, ${order})`), { a });
        checkStacked(out, ref, order ? linTol(a) : {}, `thin [${shape}] order ${order}`);
      }
    }
  });
});

describe('scale, translate, rigidTransform, resample', () => {
  for (const [name, shape] of Object.entries({ '2D': [37, 53], '3D': [7, 19, 23] })) {
    for (const dtype of ['uint8', 'float32'] as DType[]) {
      test(`scale ${name} ${dtype}`, async () => {
        const a = data(shape, dtype, 18);
        const S = shape.length === 3 ? 'np.diag([1.73, 0.61, 1.37, 1])' : 'np.diag([1.73, 0.61, 1, 1])';
        for (const order of [0, 1]) {
          const centred = await pulled(t.scale(pushed(a), 1.73, 0.61, 1.37, true, order === 1));
          checkStacked(centred, await oracle(py(`cle_ref(a, ${about(shape, S)}, ${order})`), { a }), order ? linTol(a) : {}, `scale centred order ${order}`);
          const resized = await pulled(t.scale(pushed(a), 1.73, 0.61, 1.37, true, order === 1, true));
          checkStacked(resized, await oracle(py(`cle_ref(a, ${S}, ${order}, True)`), { a }), order ? linTol(a) : {}, `scale resize order ${order}`);
          // Integer factors with resize: scipy's zoom on the pixel grid.
          const zoomed = await pulled(t.scale(pushed(a), 2, 3, 2, true, order === 1, true));
          const f = shape.length === 3 ? '(2, 3, 2)' : '(3, 2)';
          const ref = await oracle(`ndi.zoom(a, ${f}, order=${order}, grid_mode=True, mode='grid-constant', output=${order ? 'np.float32' : 'a.dtype'})`, { a });
          assertShape(zoomed.shape, ref.shape);
          assertClose(zoomed.data, ref.data, order ? { ...linTol(a), what: 'zoom' } : { what: 'zoom' });
        }
        // A factor of -1 about the centre mirrors.
        const mirrored = await pulled(t.scale(pushed(a), -1, 1, 1));
        assertClose(mirrored.data, (await oracle('np.flip(a, axis=-1)', { a })).data, { what: 'scale -1' });
      });
      test(`translate ${name} ${dtype}`, async () => {
        const a = data(shape, dtype, 19);
        const tz = shape.length === 3 ? 1.6 : 0;
        for (const order of [0, 1]) {
          const out = await pulled(t.translate(pushed(a), 2.3, -4.7, tz, order === 1));
          const shift = shape.length === 3 ? '(1.6, -4.7, 2.3)' : '(-4.7, 2.3)';
          const ref = await oracle(`ndi.shift(a, ${shift}, order=${order}, mode='grid-constant', output=${order ? 'np.float32' : 'a.dtype'})`, { a });
          assertClose(out.data, ref.data, order ? { ...linTol(a), what: 'shift' } : { what: 'shift' });
        }
      });
      test(`rigidTransform ${name} ${dtype}`, async () => {
        const a = data(shape, dtype, 20);
        const is3 = shape.length === 3;
        const R = is3 ? 'rot(2, 25) @ rot(1, 15) @ rot(0, -10)' : 'rot(2, 25)';
        const F = `T(3.2, -1.4, ${is3 ? 0.6 : 0}) @ ${about(shape, R)}`;
        for (const order of [0, 1]) {
          for (const resize of [false, true]) {
            const out = await pulled(is3
              ? t.rigidTransform(pushed(a), 3.2, -1.4, 0.6, -10, 15, 25, true, order === 1, resize)
              : t.rigidTransform(pushed(a), 3.2, -1.4, 0, 0, 0, 25, true, order === 1, resize));
            const ref = await oracle(py(`cle_ref(a, ${F}, ${order}, ${resize ? 'True' : 'False'})`), { a });
            checkStacked(out, ref, order ? linTol(a) : {}, `rigid order ${order} resize ${resize}`);
          }
        }
      });
      test(`resample ${name} ${dtype}`, async () => {
        const a = data(shape, dtype, 21);
        for (const order of [0, 1]) {
          const up = await pulled(t.resample(pushed(a), 2, 2, 2, order === 1));
          const ref = await oracle(`ndi.zoom(a, 2, order=${order}, grid_mode=True, mode='grid-constant', output=${order ? 'np.float32' : 'a.dtype'})`, { a });
          assertShape(up.shape, ref.shape);
          assertClose(up.data, ref.data, order ? { ...linTol(a), what: 'resample x2' } : { what: 'resample x2' });
          const f = [0.5, 0.73, 0.41];
          const down = await pulled(t.resample(pushed(a), f[0], f[1], f[2], order === 1));
          const outShape = shape.length === 3 ? [Math.floor(shape[0] * f[2]), Math.floor(shape[1] * f[1]), Math.floor(shape[2] * f[0])] : [Math.floor(shape[0] * f[1]), Math.floor(shape[1] * f[0])];
          const S = `np.diag([0.5, 0.73, ${shape.length === 3 ? 0.41 : 1}, 1])`;
          const r2 = await oracle(py(`affine_ref(a, cle_to_scipy(${S}, a.ndim), ${JSON.stringify(outShape)}, ${order}, 'grid-constant', 0.0, ${order ? 'np.float32' : 'a.dtype'})`), { a });
          checkStacked(down, r2, order ? linTol(a) : {}, `resample down order ${order}`);
        }
      });
    }
  }
});

describe('resliceRadial against scipy map_coordinates', () => {
  test('2D float32, CLIJ2 defaults', async () => {
    const a = data([37, 53], 'float32', 22);
    const out = await pulled(t.resliceRadial(pushed(a)));
    assert.equal(out.dtype, 'float32');
    const ref = await oracle(py('radial_ref(a, 360, 1, 0, 53 / 2, 37 / 2, 1, 1)'), { a });
    assertShape(out.shape, ref.shape);
    assertShape(out.shape, [360, 31]);
    assertClose(out.data, ref.data, linTol(a));
    assert.equal(t.radialReslice, t.resliceRadial);
  });
  test('3D uint16 and int16, custom centre, step, start and scales', async () => {
    for (const dtype of ['uint16', 'int16'] as DType[]) {
      const a = data([7, 19, 23], dtype, 23);
      const out = await pulled(t.resliceRadial(pushed(a), 180, 7.5, 10, 12.3, 8.9, 1.2, 0.8));
      const ref = await oracle(py('radial_ref(a, 24, 7.5, 10, 12.3, 8.9, 1.2, 0.8)'), { a });
      assertShape(out.shape, ref.shape);
      assertShape(out.shape, [24, 7, 14]);
      assertClose(out.data, ref.data, linTol(a));
    }
  });
  test('1-plane 3D and 1-row 2D', async () => {
    for (const shape of [[1, 19, 23], [1, 29]]) {
      const a = data(shape, 'float32', 24);
      const [h, w] = shape.slice(-2);
      const out = await pulled(t.resliceRadial(pushed(a), 360, 5));
      const ref = await oracle(py(`radial_ref(a, 72, 5, 0, ${w / 2}, ${h / 2}, 1, 1)`), { a });
      assertShape(out.shape, ref.shape);
      assertClose(out.data, ref.data, linTol(a));
    }
  });
});

describe('paste and horizontal/vertical slices (exact, every dtype, in place)', () => {
  for (const dtype of ALL_DTYPES) {
    test(`paste ${dtype}`, async () => {
      const d2 = data([37, 53], dtype, 25);
      const s2 = data([5, 7], dtype, 26);
      const cases: Array<[Pixels, Pixels, number[], string]> = [
        [s2, d2, [3, 4, 0], 'd[4:9, 3:10] = s'],
        [s2, d2, [46, 32, 0], 'd[32:37, 46:53] = s'],
        [data([3, 5, 7], dtype, 27), data([7, 19, 23], dtype, 28), [2, 3, 1], 'd[1:4, 3:8, 2:9] = s'],
        [s2, data([7, 19, 23], dtype, 29), [1, 13, 6], 'd[6, 13:18, 1:8] = s'],
        [data([1, 1], dtype, 30), data([3, 3, 5], dtype, 31), [4, 2, 2], 'd[2, 2, 4] = s[0, 0]'],
      ];
      for (const [s, d, [x, y, z], assign] of cases) {
        const dst = pushed(d);
        const ret = t.paste(pushed(s), dst, x, y, z);
        assert.equal(ret, dst);
        const ref = await oracle(`(lambda d: (exec(${JSON.stringify(assign)}, {'d': d, 's': s}), d)[1])(d.copy())`, { s, d });
        assertClose((await pulled(dst)).data, ref.data, { what: assign });
      }
      // Values convert to the destination dtype with saturation.
      const f = data([5, 7], 'float32', 32);
      const dst = pushed(d2);
      t.paste(pushed(f), dst, 3, 4);
      const ref = await oracle(`(lambda d: (d.__setitem__((slice(4, 9), slice(3, 10)), sat(f, d.dtype)), d)[1])(d.copy())`, { f, d: d2 });
      assertClose((await pulled(dst)).data, ref.data, { what: 'float32 into dtype' });
    });
    test(`copyHorizontalSlice / copyVerticalSlice ${dtype}`, async () => {
      const a = data([7, 19, 23], dtype, 33);
      assertClose((await pulled(t.copyHorizontalSlice(pushed(a), 11))).data, (await oracle('a[:, 11, :]', { a })).data);
      assertClose((await pulled(t.copyVerticalSlice(pushed(a), 22))).data, (await oracle('a[:, :, 22]', { a })).data);
      const h = data([7, 23], dtype, 34);
      const dh = pushed(a);
      assert.equal(t.copyHorizontalSlice(pushed(h), 5, dh), dh);
      const rh = await oracle('(lambda d: (d.__setitem__((slice(None), 5), p), d)[1])(a.copy())', { a, p: h });
      assertClose((await pulled(dh)).data, rh.data, { what: 'into y = 5' });
      const v = data([7, 19], dtype, 35);
      const dv = pushed(a);
      t.copyVerticalSlice(pushed(v), 0, dv);
      const rv = await oracle('(lambda d: (d.__setitem__((slice(None), slice(None), 0), p), d)[1])(a.copy())', { a, p: v });
      assertClose((await pulled(dv)).data, rv.data, { what: 'into x = 0' });
    });
  }
});

describe('binning against numpy block means', () => {
  for (const [name, shape, f] of [['2D', [37, 53], [3, 2, 1]], ['3D', [7, 19, 23], [4, 3, 2]], ['3D 1-plane', [1, 19, 23], [2, 5, 1]]] as Array<[string, number[], number[]]>) {
    for (const dtype of ['uint8', 'int16', 'uint32', 'float32'] as DType[]) {
      test(`${name} ${dtype}`, async () => {
        const a = data(shape, dtype, 36);
        const out = await pulled(t.binning(pushed(a), f[0], f[1], f[2]));
        assert.equal(out.dtype, 'float32');
        const nd = shape.length;
        const fs = nd === 3 ? [f[2], f[1], f[0]] : [f[1], f[0]];
        const o = shape.map((n, k) => Math.floor(n / fs[k]));
        const crop = o.map((n, k) => `:${n * fs[k]}`).join(', ');
        const blocks = o.map((n, k) => `${n}, ${fs[k]}`).join(', ');
        const axes = o.map((_, k) => 2 * k + 1).join(', ');
        const ref = await oracle(`a[${crop}].astype(np.float64).reshape(${blocks}).mean(axis=(${axes}))`, { a });
        assertShape(out.shape, ref.shape);
        assertClose(out.data, ref.data, { rtol: 1e-5, atol: 1e-3 });
      });
    }
  }
  test('bad factors', () => {
    assert.throws(() => t.binning(t.create([4, 6]), 0), /binning: factorX must be an integer >= 1; got 0/);
    assert.throws(() => t.binning(t.create([4, 6]), 2, 5), /binning: factorY \(5\) must not exceed the image extent along y \(4\)/);
    assert.throws(() => t.binning(t.create([4, 6]), 1.5), /binning: factorX must be an integer/);
  });
});

describe('one pipeline serves every size', () => {
  test('rotate and flip compile once per dtype/variant', async () => {
    await pulled(t.rotate(t.push(new Float32Array(12 * 13), [12, 13]), 0, 0, 10, true, true));
    await pulled(t.flip(t.push(new Float32Array(12 * 13), [12, 13])));
    const before = compiledPipelineCount();
    await pulled(t.rotate(t.push(new Float32Array(31 * 7), [31, 7]), 0, 0, 77, false, true, true));
    await pulled(t.flip(t.push(new Float32Array(31 * 7), [31, 7]), false, true));
    assert.equal(compiledPipelineCount(), before);
  });
});

describe('bad input', () => {
  test('matrices', () => {
    const a = t.create([5, 6]);
    const b = t.create([4, 5, 6]);
    assert.throws(() => t.affineTransform(a, [1, 0, 0, 0, 0, 0, 0, 0, 1]), /affineTransform: transformMatrix is singular/);
    assert.throws(() => t.affineTransform(a, [1, 0, 0, 1]), /affineTransform: transformMatrix must be 3x3 \(2D, 9 numbers\) or 4x4/);
    assert.throws(() => t.affineTransform(a, [[1, 0], [0, 1]]), /affineTransform: transformMatrix must be 3x3/);
    assert.throws(() => t.affineTransform(a, [1, 0, 0, 0, 1, 0, 0.1, 0, 1]), /affineTransform: transformMatrix must be affine: its last row must be \[0, 0, 1\]/);
    assert.throws(() => t.affineTransform(a, [1, 0, NaN, 0, 1, 0, 0, 0, 1]), /affineTransform: transformMatrix must hold finite numbers; found NaN/);
    assert.throws(() => t.affineTransform(a, 'eye' as never), /affineTransform: transformMatrix must be a matrix/);
    assert.throws(() => t.affineTransform(a, F3), /affineTransform: transformMatrix moves z .* but input is 2D/);
    assert.throws(() => t.affineTransform(b, F3, 1 as never), /affineTransform: interpolate must be true or false/);
    assert.throws(() => t.affineTransform(b, F3, false, false, { mode: 'edge' as never }), /affineTransform: options.mode must be one of 'constant'/);
    assert.throws(() => t.affineTransform(b, F3, false, false, { cval: Infinity }), /affineTransform: options.cval must be a finite number/);
    assert.throws(() => t.scipyAffineTransform(a, [[1, 0, 0], [0, 1, 0], [0, 0, 2]]), /scipyAffineTransform: matrix's last row must be \[0,0,1\]/);
    assert.throws(() => t.scipyAffineTransform(b, [[1, 0], [0, 1]]), /scipyAffineTransform: matrix must be 3x3, 3x4 or 4x4 for a 3D input; got 2x2/);
    assert.throws(() => t.scipyAffineTransform(a, [1, 2, 3]), /scipyAffineTransform: matrix as a flat list must hold 2 numbers/);
    assert.throws(() => t.scipyAffineTransform(a, [1, 1], { order: 3 as never }), /scipyAffineTransform: options.order must be 0 \(nearest\) or 1/);
    assert.throws(() => t.scipyAffineTransform(a, [1, 1], { outputShape: [3, 4, 5] }), /scipyAffineTransform: options.outputShape must have 2 entries/);
    assert.throws(() => t.scipyAffineTransform(a, [1, 1], { offset: [1, 2, 3] }), /scipyAffineTransform: options.offset must be a number or 2 numbers/);
  });
  test('angles, factors, shifts', () => {
    const a = t.create([5, 6]);
    const b = t.create([4, 5, 6]);
    assert.throws(() => t.rotate(b, NaN), /rotate: angleX must be a finite number; got NaN/);
    assert.throws(() => t.rotate(b, 0, 0, Infinity), /rotate: angleZ must be a finite number/);
    assert.throws(() => t.rotate(a, 10), /rotate: angleX must be 0 for a 2D input/);
    assert.throws(() => t.rotate(b, 0, 0, 10, 'yes' as never), /rotate: centered must be true or false/);
    assert.throws(() => t.scale(b, 0), /scale: factorX must not be 0/);
    assert.throws(() => t.scale(b, 1, NaN), /scale: factorY must be a finite number/);
    assert.throws(() => t.resample(b, 1, 1, -2), /resample: factorZ must be > 0/);
    assert.throws(() => t.translate(a, 1, 2, 3), /translate: translateZ must be 0 for a 2D input/);
    assert.throws(() => t.rigidTransform(b, 0, 0, 0, 0, 0, -Infinity), /rigidTransform: angleZ must be a finite number/);
    assert.throws(() => t.resliceRadial(b, 360, 0), /resliceRadial: angleStepSize must be > 0/);
    assert.throws(() => t.resliceRadial(b, 0.5, 1), /resliceRadial: numberOfAngles \/ angleStepSize must be at least 1/);
    assert.throws(() => t.resliceRadial(b, 360, 1, 0, NaN), /resliceRadial: centerX must be a finite number/);
    assert.throws(() => t.rotate(t.create([2, 3, 4, 5]), 0, 0, 10), /rotate: input must have 2 or 3 dimensions/);
  });
  test('paste, slices, reslices, flips', () => {
    const d = t.create([4, 6, 8]);
    assert.throws(() => t.paste(t.create([2, 3]), d, 6, 0, 0), /paste: the box along x \(destinationX 6, size 3\) must lie within destination's extent 8/);
    assert.throws(() => t.paste(t.create([2, 3]), d, 0, 0, 4), /paste: the box along z \(destinationZ 4, size 1\) must lie within destination's extent 4/);
    assert.throws(() => t.paste(t.create([2, 3]), d, -1), /paste: the box along x \(destinationX -1, size 3\) must lie within/);
    assert.throws(() => t.paste(t.create([2, 2, 3]), t.create([6, 8])), /paste: input \(shape \[2,2,3\]\) has more dimensions than destination/);
    assert.throws(() => t.paste(d, d), /paste: input and destination must be different images/);
    assert.throws(() => t.copyHorizontalSlice(d, 6), /copyHorizontalSlice: sliceIndex must be an integer >= 0 and <= 5; got 6/);
    assert.throws(() => t.copyVerticalSlice(t.create([4, 7]), 0, d), /copyVerticalSlice: input shape \[4,7\] does not match a vertical \(y-z\) slice of destination \[4,6,8\] \(expected \[4,6\]\)/);
    assert.throws(() => t.resliceTop(t.create([6, 8])), /resliceTop: input must have 3 dimensions/);
    assert.throws(() => t.flip(d, 1 as never), /flip: flipX must be true or false/);
    assert.throws(() => t.transposeXY([1, 2] as never), /transposeXY: input must be a GpuImage/);
  });
});

