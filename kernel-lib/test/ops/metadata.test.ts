import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import type { DType, GpuImage, TypedArray } from '../../src';
import { type Op, type ParamSpec, haloOf, namedArguments, operations, outputDType, traceOperations } from '../../src/ops/op';
import { randomPixels } from '../support/data';
import { setup } from '../support/gpu';

/**
 * The declared operation metadata (ops/op.ts) against the operations: every public operation
 * is declared; its parameters are the function's own, in order, with the same defaults; the
 * declared output dtype is the dtype it returns; tracing records only top-level calls.
 * The halos are checked in halo.test.ts.
 */
let t: Awaited<ReturnType<typeof setup>>;
before(async () => (t = await setup()));

type AnyOp = Op<(...args: never[]) => unknown>;

/** Exports of the operation folders that are not operations, and why. */
const NOT_OPERATIONS: Record<string, string> = {
  elementwiseKernel: 'a factory: it makes custom kernels, whose metadata the user gives',
  neighbourhoodKernel: 'a factory: it makes custom kernels, whose metadata the user gives',
  MethodComparison: 'the result type of blandAltman (a class with a rich display), not an operation',
  MeasurementComparison: 'the result type of compareMeasurements, not an operation',
};

/** Operations whose inputs are measurements (host data), not images. */
const DATA_FIRST = new Set(['blandAltman', 'compareMeasurements']);

/** Every function exported by a folder of src/ops (as compiled), by folder. */
function folderExports(): Array<{ folder: string; name: string; value: (...a: unknown[]) => unknown }> {
  const ops = join(__dirname, '../../src/ops');
  const found: Array<{ folder: string; name: string; value: (...a: unknown[]) => unknown }> = [];
  for (const folder of readdirSync(ops).sort()) {
    const index = join(ops, folder, 'index.js');
    if (!existsSync(index)) continue;
    for (const [name, value] of Object.entries(require(index) as Record<string, unknown>)) {
      if (typeof value === 'function') found.push({ folder, name, value: value as (...a: unknown[]) => unknown });
    }
  }
  return found;
}

describe('registry', () => {
  test('every function of the operation folders is a registered operation, re-exported by the package', () => {
    const exported = folderExports();
    assert.ok(exported.length > 190, `only ${exported.length} functions found`);
    const notRegistered = exported.filter((e) => !(e.name in NOT_OPERATIONS) && (operations().get(e.value.name) as unknown) !== e.value);
    assert.deepEqual(notRegistered.map((e) => `${e.folder}/${e.name}`), [], 'exported but not declared with defineOp');
    const notInPackage = exported.filter((e) => (t as unknown as Record<string, unknown>)[e.name] !== e.value);
    assert.deepEqual(notInPackage.map((e) => `${e.folder}/${e.name}`), [], 'not re-exported by src/index.ts');
    for (const name of Object.keys(NOT_OPERATIONS)) assert.ok(exported.some((e) => e.name === name), `${name} is no longer exported`);
  });

  test('every registered operation is public under its own name', () => {
    const pkg = t as unknown as Record<string, unknown>;
    const hidden = [...operations().keys()].filter((name) => pkg[name] !== operations().get(name));
    assert.deepEqual(hidden, []);
  });
});

/** A parameter of a compiled function's source: its name and its default's source, if any. */
interface SourceParam {
  name: string;
  default?: string;
}

/** The parameter list of `fn` from its source (`function f(a, b = 1, c)`: compiled TypeScript, no types). */
function sourceParams(fn: (...a: never[]) => unknown): SourceParam[] {
  const src = fn.toString();
  const open = src.indexOf('(');
  let depth = 0;
  let quote = '';
  let part = '';
  const parts: string[] = [];
  for (let i = open + 1; i < src.length; i++) {
    const c = src[i];
    if (quote) {
      if (c === quote && src[i - 1] !== '\\') quote = '';
    } else if (c === "'" || c === '"' || c === '`') {
      quote = c;
    } else if ('([{'.includes(c)) {
      depth++;
    } else if (')]}'.includes(c)) {
      if (depth === 0) break;
      depth--;
    } else if (c === ',' && depth === 0) {
      parts.push(part);
      part = '';
      continue;
    }
    part += c;
  }
  if (part.trim()) parts.push(part);
  return parts.map((p) => {
    const k = p.indexOf('=');
    return k < 0 ? { name: p.trim() } : { name: p.slice(0, k).trim(), default: p.slice(k + 1).trim() };
  });
}

const evaluate = (expr: string): unknown => new Function(`return (${expr});`)();

describe('parameters', () => {
  for (const [name, op] of operations()) {
    test(name, () => {
      const declared = op.info.params;
      const actual = sourceParams(op.implementation);
      assert.deepEqual(declared.map((p) => p.name), actual.map((p) => p.name), 'parameter names in order');
      declared.forEach((p, k) => {
        const d = actual[k].default === undefined ? undefined : evaluate(actual[k].default!);
        const what = `${name}: ${p.name}`;
        if (p.kind === 'options' || (p.kind === 'value' && typeof d === 'object')) {
          assert.ok(d === undefined || (typeof d === 'object' && d !== null && Object.keys(d).length === 0), `${what}: an options object defaults to nothing or {}`);
          return;
        }
        const declaredDefault = 'default' in p ? p.default : undefined;
        assert.equal(declaredDefault, d, `${what}: declared default ${String(declaredDefault)}, the function's ${String(d)}`);
      });
    });
  }

  test('declarations are consistent (defaults in range and among the choices, options last, an image first)', () => {
    const problems: string[] = [];
    const check = (op: string, p: ParamSpec) => {
      if (p.kind === 'number' && p.default !== undefined) {
        if ((p.min !== undefined && p.default < p.min) || (p.max !== undefined && p.default > p.max)) problems.push(`${op}: ${p.name} default outside [min, max]`);
        if (p.integer && !Number.isInteger(p.default)) problems.push(`${op}: ${p.name} default not an integer`);
        if (p.soft && (p.default < p.soft[0] || p.default > p.soft[1])) problems.push(`${op}: ${p.name} default outside its slider range`);
      }
      if (p.kind === 'enum' && p.default !== undefined && !p.values.includes(p.default)) problems.push(`${op}: ${p.name} default not a choice`);
      if (p.kind === 'options') p.fields.forEach((f) => check(op, f));
    };
    for (const [name, op] of operations()) {
      op.info.params.forEach((p) => check(name, p));
      const k = op.info.params.findIndex((p) => p.kind === 'options');
      if (k >= 0 && k !== op.info.params.length - 1) problems.push(`${name}: options not last`);
      if (op.info.params[0]?.kind !== 'image' && !DATA_FIRST.has(name)) problems.push(`${name}: the first parameter is not an image`);
    }
    assert.deepEqual(problems, []);
  });
});

/** Images made for one call, released afterwards. */
class Images {
  private made: GpuImage[] = [];
  make(shape: number[], dtype: DType, seed = 3): GpuImage {
    const p = randomPixels(shape, dtype, seed, [0, 9]);
    const img = t.push(p.data as TypedArray, shape);
    this.made.push(img);
    return img;
  }
  /** A [3, n] float32 point list inside SHAPE. */
  pointlist(n: number): GpuImage {
    const xyz = Float32Array.from({ length: 3 * n }, (_, k) => (k * 7) % (SHAPE[2 - Math.floor(k / n)] ?? 4));
    return this.keep(t.push(xyz, [3, n]));
  }
  /** An (n + 1) × (n + 1) matrix (row and column 0 for the background), float32 distances or a uint32 touch matrix. */
  matrix(n: number, dtype: DType = 'float32'): GpuImage {
    const m = n + 1;
    const v = Array.from({ length: m * m }, (_, k) => (Math.floor(k / m) === 0 || k % m === 0 || Math.floor(k / m) === k % m ? 0 : dtype === 'uint32' ? (k % 3 === 0 ? 1 : 0) : (k % 5) + 1));
    // symmetric: take the larger index first
    const sym = v.map((_, k) => v[Math.max(Math.floor(k / m), k % m) * m + Math.min(Math.floor(k / m), k % m)]);
    return this.keep(t.push(dtype === 'uint32' ? Uint32Array.from(sym) : Float32Array.from(sym), [m, m]));
  }
  /** A [2, n] uint32 list of point-index pairs. */
  indexList(n: number): GpuImage {
    return this.keep(t.push(Uint32Array.from({ length: 2 * n }, (_, k) => (k < n ? k : (k + 1) % n)), [2, n]));
  }
  private keep(img: GpuImage): GpuImage {
    this.made.push(img);
    return img;
  }
  release(also: unknown): void {
    for (const img of this.made) if (!img.released) img.release();
    if (also instanceof t.GpuImage && !also.released) also.release();
    this.made = [];
  }
}

const SHAPE = [5, 6, 7];
/** The second image of two-image operations has another dtype, so 'same' is seen to mean the first's. */
const other = (d: DType): DType => (d === 'float32' ? 'uint8' : 'float32');

/**
 * Calls that the default (images of SHAPE, every other parameter its default) cannot make or
 * that show another branch of a dtype rule. Each returns the full argument list.
 */
const CALLS: Record<string, Array<(d: DType, im: Images) => unknown[]>> = {
  convert: [(d, im) => [im.make(SHAPE, d), 'int16'], (d, im) => [im.make(SHAPE, d), 'float32', { scale: 2 }]],
  skeletonize: [(d, im) => [im.make([9, 8], d)]],
  zPositionProjection: [(d, im) => [im.make(SHAPE, d), im.make(SHAPE.slice(1), other(d))]],
  paste: [(d, im) => [im.make([2, 3, 4], d), im.make(SHAPE, other(d)), 1, 1, 1]],
  copySlice: [(d, im) => [im.make(SHAPE, d), 2], (d, im) => [im.make([6, 7], d), 2, im.make(SHAPE, d)]],
  copyHorizontalSlice: [(d, im) => [im.make(SHAPE, d), 2], (d, im) => [im.make([5, 7], d), 2, im.make(SHAPE, d)]],
  copyVerticalSlice: [(d, im) => [im.make(SHAPE, d), 2], (d, im) => [im.make([5, 6], d), 2, im.make(SHAPE, d)]],
  scipyAffineTransform: [(d, im) => [im.make(SHAPE, d), [1, 1, 1], { order: 0 }], (d, im) => [im.make(SHAPE, d), [1, 1, 1], { output: 'uint16' }]],
  affineTransform: [(d, im) => [im.make(SHAPE, d)], (d, im) => [im.make(SHAPE, d), undefined, true]],
  rotate: [(d, im) => [im.make(SHAPE, d), 0, 0, 30], (d, im) => [im.make(SHAPE, d), 0, 0, 30, true, true]],
  rigidTransform: [(d, im) => [im.make(SHAPE, d), 1], (d, im) => [im.make(SHAPE, d), 1, 0, 0, 0, 0, 10, true, true]],
  scale: [(d, im) => [im.make(SHAPE, d), 2], (d, im) => [im.make(SHAPE, d), 2, 1, 1, true, true]],
  resample: [(d, im) => [im.make(SHAPE, d), 2], (d, im) => [im.make(SHAPE, d), 2, 1, 1, true]],
  translate: [(d, im) => [im.make(SHAPE, d), 1], (d, im) => [im.make(SHAPE, d), 1.5, 0, 0, true]],
  // Neighbour graphs: matrices and point lists as the operations make them.
  generateDistanceMatrix: [(_d, im) => [im.pointlist(4), im.pointlist(3)]],
  nClosestPoints: [(_d, im) => [im.matrix(4), 2]],
  averageDistanceOfNClosestPoints: [(_d, im) => [im.matrix(4), 2]],
  averageDistanceOfTouchingNeighbors: [(_d, im) => [im.matrix(4), im.matrix(4, 'uint32')]],
  generateProximalNeighborsMatrix: [(_d, im) => [im.matrix(4), 0, 3]],
  countTouchingNeighbors: [(_d, im) => [im.matrix(4, 'uint32')]],
  neighborsOfNeighbors: [(_d, im) => [im.matrix(4, 'uint32')]],
  touchMatrixToMesh: [(_d, im) => [im.pointlist(4), im.matrix(4, 'uint32'), SHAPE]],
  pointIndexListToMesh: [(_d, im) => [im.pointlist(4), im.indexList(4), SHAPE]],
  pointlistToLabelledSpots: [(_d, im) => [im.pointlist(4), SHAPE]],
  blandAltman: [() => [[1, 2, 3, 4, 5], [1.1, 2.2, 2.9, 4.1, 5.2]]],
  parametricMap: [(d, im) => [im.make(SHAPE, d === 'float32' ? 'uint8' : d), [1, 2, 3]]],
  compareMeasurements: [() => [{ label: [1, 2, 3, 4, 5], area: [1, 2, 3, 4, 5] }, { label: [1, 2, 3, 4, 5], area: [1.1, 2, 3.2, 4, 5.1] }, ['area']]],
};

/** Image parameters that hold labels, spots or binary masks: integer dtypes only (float32 is refused), so their float case is uint8. */
const LABEL_IMAGES = new Set(['labels', 'binary', 'markers', 'labelledSpots', 'spots']);

/** Images for the image parameters (the second of another dtype), defaults for the rest. */
function defaultCall(op: AnyOp): (d: DType, im: Images) => unknown[] {
  return (d, im) => {
    let images = 0;
    return op.info.params.map((p) => {
      if (p.kind !== 'image' || p.optional) return undefined;
      const dt = images++ === 0 ? d : other(d);
      return im.make(SHAPE, LABEL_IMAGES.has(p.name) && dt === 'float32' ? 'uint8' : dt, images);
    });
  };
}

const imageDTypes = (args: unknown[]): DType[] => args.filter((a): a is GpuImage => a instanceof t.GpuImage).map((a) => a.dtype);

describe('output dtype', () => {
  for (const [name, op] of operations()) {
    test(name, async () => {
      for (const d of ['uint8', 'int16', 'uint32', 'float32'] as DType[]) {
        for (const call of CALLS[name] ?? [defaultCall(op)]) {
          const im = new Images();
          const args = call(d, im);
          const what = `${name}(${d}${args.slice(1).map((a) => (a instanceof t.GpuImage ? `, ${a.dtype} image` : `, ${JSON.stringify(a)}`)).join('')})`;
          const result = await (op as unknown as (...a: unknown[]) => unknown)(...args);
          const expected = outputDType(op.info, imageDTypes(args), namedArguments(op.info, args));
          if (expected === undefined) {
            assert.ok(!(result instanceof t.GpuImage), `${what}: declared 'none' but returns an image`);
          } else {
            assert.ok(result instanceof t.GpuImage, `${what}: returns no image`);
            assert.equal(result.dtype, expected, `${what}: dtype`);
          }
          const into = op.info.inPlace === true ? args[0] : op.info.inPlace ? args[op.info.params.findIndex((p) => p.name === op.info.inPlace)] : undefined;
          if (into !== undefined) assert.equal(result, into, `${what}: the result is the image written into`);
          else if (op.info.inPlace === undefined && result instanceof t.GpuImage) assert.ok(!args.includes(result), `${what}: returns an argument but declares no inPlace`);
          im.release(result);
        }
      }
      await t.sync();
    });
  }
});

describe('tracing', () => {
  test('records the top-level calls only, also after an async operation awaited inside', async () => {
    const img = t.push(randomPixels([12, 14], 'float32', 5, [0, 1]).data as TypedArray, [12, 14]);
    const { result, calls } = await traceOperations(async () => {
      const blurred = t.gaussianBlur(img, 2, 1);
      const mask = await t.thresholdOtsu(blurred); // calls thresholdOtsuValue, then greaterConstant after an await
      blurred.release();
      const opened = t.binaryOpening(mask, 1, 1);
      mask.release();
      return opened;
    });
    assert.deepEqual(calls.map((c) => c.info.name), ['gaussianBlur', 'thresholdOtsu', 'binaryOpening']);
    assert.equal(calls[0].params.sigmaX, 2);
    assert.equal(calls[0].params.sigmaZ, 0, 'defaults are filled in');
    assert.deepEqual(haloOf(calls[0].info, calls[0].params, img.shape), [0, 4, 8]);
    assert.equal(haloOf(calls[1].info, calls[1].params, img.shape), 'global');
    assert.deepEqual(haloOf(calls[2].info, calls[2].params, img.shape), [0, 2, 2]);
    // Outside a trace nothing is recorded, and traces do not nest.
    t.gaussianBlur(img, 1).release();
    await assert.rejects(traceOperations(() => traceOperations(() => 0)), /do not nest/);
    result.release();
    img.release();
  });
});
