import { normal, studentt } from 'jstat';

/**
 * The numbers of a method comparison of paired measurements a (method A) and b (method B),
 * in float64 on the host. Differences are a − b; means (a + b) / 2.
 *
 * - Bias: the mean difference, with its 95 % confidence interval bias ± t(0.975, n − 1)·s/√n.
 * - Limits of agreement: bias ± 1.96·s (s: standard deviation of the differences, n − 1 in the
 *   denominator), with 95 % confidence intervals LoA ± t(0.975, n − 1)·SE, where
 *   SE = s·√(1/n + 1.96²/(2(n − 1))) (Bland & Altman 1999, section 2.3; ≈ √(3s²/n)).
 * - Pearson's r of a and b with its two-sided p-value (t-test, n − 2 degrees of freedom) and the
 *   Fisher-z 95 % confidence interval tanh(atanh r ± z(0.975)/√(n − 3)) (scipy.stats.pearsonr).
 * - The least-squares regression of the differences on the means (scipy.stats.linregress):
 *   slope and intercept with standard errors, the two-sided p-value of the slope, and the 95 %
 *   confidence interval of the slope (t(0.975, n − 2)). A slope unlike 0 is proportional error.
 *
 * Quantiles of Student's t and of the normal distribution come from jStat.
 */

export interface Interval {
  low: number;
  high: number;
}

export interface Regression {
  slope: number;
  intercept: number;
  slopeStandardError: number;
  interceptStandardError: number;
  slopeCI: Interval;
  /** Two-sided p-value of the slope (H0: slope = 0). */
  pValue: number;
}

export interface Agreement {
  n: number;
  meanA: number;
  meanB: number;
  /** Mean difference a − b. */
  bias: number;
  biasCI: Interval;
  /** Standard deviation of the differences (ddof = 1). */
  sdOfDifferences: number;
  lowerLimit: number;
  upperLimit: number;
  lowerLimitCI: Interval;
  upperLimitCI: Interval;
  /** Share of the differences inside [lowerLimit, upperLimit] (expected ≈ 0.95). */
  withinLimits: number;
  /** Pearson's r of a and b (NaN when one method is constant). */
  pearsonR: number;
  pearsonCI: Interval;
  pearsonP: number;
  /** Regression of the differences on the means. */
  regression: Regression;
}

/** The multiplier of the limits of agreement, as Bland and Altman use it. */
export const LOA_Z = 1.96;

const mean = (x: Float64Array) => x.reduce((s, v) => s + v, 0) / x.length;

function centredSums(x: Float64Array, y: Float64Array): { sxx: number; syy: number; sxy: number; mx: number; my: number } {
  const mx = mean(x);
  const my = mean(y);
  let sxx = 0;
  let syy = 0;
  let sxy = 0;
  for (let i = 0; i < x.length; i++) {
    const dx = x[i] - mx;
    const dy = y[i] - my;
    sxx += dx * dx;
    syy += dy * dy;
    sxy += dx * dy;
  }
  return { sxx, syy, sxy, mx, my };
}

const tQuantile = (p: number, dof: number) => studentt.inv(p, dof);
/** Two-sided p-value of a t statistic. */
const twoSided = (t: number, dof: number) => (Number.isNaN(t) ? NaN : Math.min(1, 2 * (1 - studentt.cdf(Math.abs(t), dof))));

function regression(x: Float64Array, y: Float64Array): Regression {
  const n = x.length;
  const { sxx, syy, sxy, mx, my } = centredSums(x, y);
  const slope = sxx > 0 ? sxy / sxx : NaN;
  const intercept = my - slope * mx;
  const residual = Math.max(0, syy - slope * sxy);
  const se = Math.sqrt(residual / (n - 2) / sxx);
  const seIntercept = se * Math.sqrt(sxx / n + mx * mx);
  const tc = tQuantile(0.975, n - 2);
  // A perfect fit has no error: its slope is certain (p = 0, or 1 for a slope of exactly 0).
  const pValue = Number.isNaN(slope) ? NaN : se === 0 ? (slope === 0 ? 1 : 0) : twoSided(slope / se, n - 2);
  return { slope, intercept, slopeStandardError: se, interceptStandardError: seIntercept, slopeCI: { low: slope - tc * se, high: slope + tc * se }, pValue };
}

function pearson(a: Float64Array, b: Float64Array): { r: number; ci: Interval; p: number } {
  const n = a.length;
  const { sxx, syy, sxy } = centredSums(a, b);
  if (!(sxx > 0 && syy > 0)) return { r: NaN, ci: { low: NaN, high: NaN }, p: NaN };
  const r = Math.max(-1, Math.min(1, sxy / Math.sqrt(sxx * syy)));
  const z = Math.atanh(r);
  const h = normal.inv(0.975, 0, 1) / Math.sqrt(n - 3);
  const p = Math.abs(r) === 1 ? 0 : twoSided(r * Math.sqrt((n - 2) / (1 - r * r)), n - 2);
  return { r, ci: { low: Math.tanh(z - h), high: Math.tanh(z + h) }, p };
}

/** The agreement statistics of paired samples of at least 4 finite values each (checked by the caller). */
export function agreement(a: Float64Array, b: Float64Array): Agreement {
  const n = a.length;
  const diff = new Float64Array(n);
  const avg = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    diff[i] = a[i] - b[i];
    avg[i] = (a[i] + b[i]) / 2;
  }
  const bias = mean(diff);
  const sd = Math.sqrt(centredSums(diff, diff).sxx / (n - 1));
  const tc = tQuantile(0.975, n - 1);
  const biasHalf = (tc * sd) / Math.sqrt(n);
  const lowerLimit = bias - LOA_Z * sd;
  const upperLimit = bias + LOA_Z * sd;
  const limitHalf = tc * sd * Math.sqrt(1 / n + (LOA_Z * LOA_Z) / (2 * (n - 1)));
  const inside = diff.reduce((k, d) => k + (d >= lowerLimit && d <= upperLimit ? 1 : 0), 0);
  const r = pearson(a, b);
  return {
    n,
    meanA: mean(a),
    meanB: mean(b),
    bias,
    biasCI: { low: bias - biasHalf, high: bias + biasHalf },
    sdOfDifferences: sd,
    lowerLimit,
    upperLimit,
    lowerLimitCI: { low: lowerLimit - limitHalf, high: lowerLimit + limitHalf },
    upperLimitCI: { low: upperLimit - limitHalf, high: upperLimit + limitHalf },
    withinLimits: inside / n,
    pearsonR: r.r,
    pearsonCI: r.ci,
    pearsonP: r.p,
    regression: regression(avg, diff),
  };
}
