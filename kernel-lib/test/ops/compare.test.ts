import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { assertClose } from '../support/assert';
import { rng } from '../support/data';
import { setup } from '../support/gpu';
import { oracle } from '../support/oracle';
import { assertValidVegaLite } from '../support/vega';
import { resolve } from 'node:path';

/**
 * Bland–Altman method comparison against numpy / scipy.stats (test/support/compare_ref.py:
 * t.ppf, pearsonr with its Fisher confidence interval, linregress), rtol 1e-7 (jStat's t
 * quantiles); the plots validated against the Vega-Lite 5 JSON schema and compiled with
 * vega-lite (test/support/vega.ts).
 */
let t: Awaited<ReturnType<typeof setup>>;
before(async () => (t = await setup()));

const REF = resolve(__dirname, '../../../test/support/compare_ref.py');
const ref = (a: Float64Array, b: Float64Array) =>
  oracle(`(lambda R: R['bland_altman'](a, b))(__import__('runpy').run_path(${JSON.stringify(REF)}))`, {
    a: { data: a, shape: [a.length], dtype: 'float64' },
    b: { data: b, shape: [b.length], dtype: 'float64' },
  });

type Comparison = Awaited<ReturnType<typeof t.blandAltman>>;
const FIELDS = (c: Comparison) => [
  c.n, c.meanA, c.meanB, c.bias, c.biasCI.low, c.biasCI.high, c.sdOfDifferences,
  c.lowerLimit, c.upperLimit, c.lowerLimitCI.low, c.lowerLimitCI.high, c.upperLimitCI.low, c.upperLimitCI.high, c.withinLimits,
  c.pearsonR, c.pearsonCI.low, c.pearsonCI.high, c.pearsonP,
  c.regression.slope, c.regression.intercept, c.regression.slopeStandardError, c.regression.interceptStandardError,
  c.regression.slopeCI.low, c.regression.slopeCI.high, c.regression.pValue,
];

/** Normal deviates (Box–Muller) from the tests' deterministic generator. */
function normals(n: number, seed: number, sd = 1): Float64Array {
  const r = rng(seed);
  return Float64Array.from({ length: n }, () => sd * Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r()));
}

/** Paired measurements of true values 10..100: a = truth + noise, b = gain·truth + offset + noise. */
function paired(n: number, seed: number, offset: number, gain: number, sd = 1): [Float64Array, Float64Array] {
  const r = rng(seed);
  const truth = Float64Array.from({ length: n }, () => 10 + 90 * r());
  const ea = normals(n, seed + 1, sd);
  const eb = normals(n, seed + 2, sd);
  return [truth.map((v, i) => v + ea[i]), truth.map((v, i) => gain * v + offset + eb[i])];
}

const CASES: Record<string, [Float64Array, Float64Array]> = {
  offset: paired(60, 1, 0.8, 1),
  proportional: paired(80, 2, 0, 1.1),
  agreement: paired(25, 3, 0, 1, 0.5),
};

describe('blandAltman numbers against scipy.stats', () => {
  for (const [name, [a, b]] of Object.entries(CASES)) {
    test(name, async () => {
      const c = await t.blandAltman(a, b, { names: ['method A', 'method B'] });
      const want = await ref(a, b);
      assertClose(FIELDS(c), want.data as Float64Array, { rtol: 1e-7, atol: 1e-12, what: name });
      assert.equal(c.offset, c.biasCI.low > 0 || c.biasCI.high < 0);
      assert.equal(c.proportionalError, Number(want.data[24]) < 0.05);
    });
  }

  test('the findings and their text: offset, proportional error, agreement within an acceptable difference', async () => {
    const off = await t.blandAltman(...CASES.offset);
    assert.equal(off.offset, true);
    assert.equal(off.proportionalError, false);
    assert.match(off.interpretation[0], /^Offset: A reads lower than B by 0\.\d+ on average/);
    assert.match(off.interpretation[1], /^No proportional error/);
    const prop = await t.blandAltman(...CASES.proportional);
    assert.equal(prop.proportionalError, true);
    assert.match(prop.interpretation[1], /^Proportional error: the difference changes by -0\.09\d* per unit of the mean/);
    const ok = await t.blandAltman(...CASES.agreement, { acceptableDifference: 3 });
    assert.equal(ok.offset, false);
    assert.equal(ok.interchangeable, true);
    assert.match(ok.toString(), /No systematic offset[\s\S]*can be used interchangeably[\s\S]*correlation shows association, not agreement/);
    const strict = await t.blandAltman(...CASES.agreement, { acceptableDifference: 0.5 });
    assert.equal(strict.interchangeable, false);
    assert.match(strict.toString(), /are not interchangeable/);
  });

  test('exact agreement, a constant offset and a constant method', async () => {
    const a = Float64Array.from({ length: 10 }, (_, i) => i * 1.5);
    const same = await t.blandAltman(a, a);
    assert.equal(same.bias, 0);
    assert.equal(same.sdOfDifferences, 0);
    assert.deepEqual(same.interpretation, ['A and B agree exactly on all 10 pairs.']);
    assertValidVegaLite(same.plot(), 'exact agreement');
    const shifted = await t.blandAltman(a, a.map((v) => v - 2));
    assert.equal(shifted.offset, true);
    assert.match(shifted.toString(), /exactly 2 for all 10 pairs/);
    const flat = await t.blandAltman(a, new Float64Array(10).fill(3));
    assert.ok(Number.isNaN(flat.pearsonR));
    assert.match(flat.toString(), /Pearson r is undefined/);
    assertValidVegaLite(flat.plot(), 'constant method');
    assert.equal(JSON.stringify(flat.toJSON()).includes('NaN'), false);
  });

  test('GpuImages of the same shape are compared pixel by pixel', async () => {
    const [a, b] = CASES.offset;
    const ga = t.push(Float32Array.from(a), [6, 10]);
    const gb = t.push(Float32Array.from(b), [6, 10]);
    const c = await t.blandAltman(ga, gb);
    assertClose(FIELDS(c), (await ref(Float64Array.from(Float32Array.from(a)), Float64Array.from(Float32Array.from(b)))).data as Float64Array, { rtol: 1e-7, atol: 1e-12 });
  });
});

describe('plots', () => {
  test('every plot is valid Vega-Lite 5 and holds what it should', async () => {
    for (const [name, pair] of Object.entries(CASES)) {
      const c = await t.blandAltman(...pair, { names: ['Tessera', 'scikit-image'] });
      for (const [kind, spec] of Object.entries({ all: c.plot(), scatter: c.scatterPlot(), blandAltman: c.blandAltmanPlot(), histograms: c.histograms() })) {
        assertValidVegaLite(spec, `${name} ${kind}`);
      }
      const text = JSON.stringify(c.blandAltmanPlot());
      assert.ok(text.includes('"bias') && text.includes('upper limit') && text.includes('lower limit') && text.includes('"rect"'), 'bias, limits and CI bands');
      assert.equal(text.includes('"fit"'), c.proportionalError, `${name}: a regression line exactly when the error is proportional`);
      assert.match(JSON.stringify(c.scatterPlot()), /Pearson r = 0\.9\d+/);
      const all = c.plot() as { title: { subtitle: string[] }; datasets: { pairs: unknown[] } };
      assert.deepEqual(all.title.subtitle, c.interpretation);
      assert.equal(all.datasets.pairs.length, c.n);
      const [md, vl] = c.mimeBundles();
      assert.match(String(md['text/markdown']), /^- (Offset|No systematic offset)/);
      assert.deepEqual(vl[t.VEGA_LITE_MIME], c.plot());
    }
  });
});

describe('compareMeasurements', () => {
  test('tables paired by label, columns compared, plots valid', async () => {
    const [a1, b1] = CASES.offset;
    const [a2, b2] = paired(60, 7, 0, 1);
    const labels = Uint32Array.from({ length: 60 }, (_, i) => i + 1);
    // Table B lists its rows in reverse and misses label 60; table A misses nothing.
    const order = Array.from({ length: 59 }, (_, i) => 58 - i);
    const tableA = { label: labels, area: Float32Array.from(a1), mean_intensity: a2 };
    const tableB = { label: Uint32Array.from(order, (i) => labels[i]), area: Float32Array.from(order, (i) => b1[i]), mean_intensity: Float64Array.from(order, (i) => b2[i]), extra: new Float32Array(59) };
    const m = await t.compareMeasurements(tableA, tableB);
    assert.deepEqual(Object.keys(m.columns), ['area', 'mean_intensity']);
    assert.equal(m.pairedBy, 'label');
    assert.equal(m.unmatched, 1);
    const want = await ref(Float64Array.from(Float32Array.from(a1.slice(0, 59))), Float64Array.from(Float32Array.from(b1.slice(0, 59))));
    assertClose(FIELDS(m.columns.area), want.data as Float64Array, { rtol: 1e-7, atol: 1e-12 });
    assert.equal(m.table().length, 2);
    assertValidVegaLite(m.plot(), 'several columns');
    assert.match(String(m.mimeBundles()[0]['text/markdown']), /^\| column \| n \| bias/);
    const byRow = await t.compareMeasurements({ x: a1, y: a2 }, { x: b1, y: b2 }, ['y']);
    assert.equal(byRow.pairedBy, 'row');
    assertClose(FIELDS(byRow.columns.y), (await ref(a2, b2)).data as Float64Array, { rtol: 1e-7, atol: 1e-12 });
  });
});

describe('bad input', () => {
  const [a, b] = CASES.agreement;
  const rejects = (fn: () => Promise<unknown>, pattern: RegExp) =>
    assert.rejects(fn, (e: Error) => e.name === 'TesseraError' && pattern.test(e.message));

  test('mismatched lengths, NaN, Infinity, empty, too few pairs, not numbers', async () => {
    await rejects(() => t.blandAltman(a, b.slice(1)), /blandAltman: a \(25 values\) and b \(24 values\) must be paired/);
    await rejects(() => t.blandAltman(a.map((v, i) => (i === 7 ? NaN : v)), b), /blandAltman: a\[7\] must be a finite number; got NaN/);
    await rejects(() => t.blandAltman(a, b.map((v, i) => (i === 3 ? Infinity : v))), /blandAltman: b\[3\] must be a finite number; got Infinity/);
    await rejects(() => t.blandAltman([], []), /hold 0 pairs; at least 4 are needed/);
    await rejects(() => t.blandAltman([1, 2, 3], [1, 2, 4]), /hold 3 pairs; at least 4/);
    await rejects(() => t.blandAltman('1,2,3' as never, b), /a must be an array of numbers, a typed array or a GpuImage; got string/);
    await rejects(() => t.blandAltman([1, 2, '3', 4] as never, [1, 2, 3, 4]), /a\[2\] must be a finite number; got string/);
    await rejects(() => t.blandAltman(a, b, { names: ['only one'] as never }), /options.names must be two non-empty strings/);
    await rejects(() => t.blandAltman(a, b, { acceptableDifference: -1 }), /acceptableDifference must be >= 0/);
  });

  test('GpuImages of different shapes, an image against an array', async () => {
    await rejects(() => t.blandAltman(t.create([2, 3]), t.create([3, 2])), /must have the same shape/);
    await rejects(() => t.blandAltman(t.create([2, 3]), a), /blandAltman: b must be a GpuImage/);
  });

  test('tables: not a table, a column missing, ragged columns', async () => {
    await rejects(() => t.compareMeasurements(a as never, {}), /tableA must be a measurement table/);
    await rejects(() => t.compareMeasurements({ x: a }, { x: b }, ['y']), /column "y" is not in both tables/);
    await rejects(() => t.compareMeasurements({ label: [1, 2] }, { label: [1, 2] }), /no columns to compare/);
    await rejects(() => t.compareMeasurements({ label: [1, 2, 3, 4, 5], x: [1, 2, 3] }, { label: [1, 2, 3, 4, 5], x: [1, 2, 3, 4, 5] }), /tableA.x has 3 rows but tableA.label has 5/);
  });
});
