import assert from 'node:assert/strict';

type Numeric = ArrayLike<number | bigint>;

/**
 * Asserts two arrays agree elementwise: |a - e| <= atol + rtol * |e|. With the defaults
 * (0, 0) this is exact equality. Reports the first mismatches with their indices.
 */
export function assertClose(actual: Numeric, expected: Numeric, opts: { rtol?: number; atol?: number; what?: string } = {}): void {
  const { rtol = 0, atol = 0, what = 'result' } = opts;
  assert.equal(actual.length, expected.length, `${what}: length ${actual.length} != expected ${expected.length}`);
  const bad: string[] = [];
  let count = 0;
  for (let i = 0; i < actual.length; i++) {
    const a = Number(actual[i]);
    const e = Number(expected[i]);
    const ok = a === e || (Number.isNaN(a) && Number.isNaN(e)) || Math.abs(a - e) <= atol + rtol * Math.abs(e);
    if (!ok) {
      count++;
      if (bad.length < 5) bad.push(`[${i}] got ${a}, expected ${e}`);
    }
  }
  assert.ok(count === 0, `${what}: ${count} of ${actual.length} values differ (rtol ${rtol}, atol ${atol}): ${bad.join('; ')}`);
}

export function assertShape(actual: readonly number[], expected: readonly number[], what = 'shape'): void {
  assert.deepEqual([...actual], [...expected], `${what}: [${actual}] != [${expected}]`);
}
