import type { GpuImage } from '../../array/gpu-image';
import { pull } from '../../array/transfer';
import { TesseraError } from '../../errors';
import { checkImage, checkNumber, checkSameShape, isGpuImage } from '../../validate/arguments';
import { checkPairedSamples, checkSample } from '../../validate/samples';
import { defineOp } from '../op';
import { Agreement, agreement } from './agreement';
import { PlotInput, VegaLiteSpec, blandAltmanPlot, comparisonPlot, comparisonsPlot, formatNumber, formatP, histograms, scatterPlot } from './plots';

/**
 * Method comparison of paired measurements (the seed's Bland–Altman lecture): are two methods
 * interchangeable? A correlation only shows association; agreement is judged from the
 * differences: their mean (bias, a constant offset), their spread (limits of agreement within
 * which 95 % of differences are expected), and their trend against the magnitude (proportional
 * error). Numbers: see ./agreement.ts; plots: ./plots.ts.
 */

/** Paired measurements: an array of numbers, a typed array (e.g. a column of a measurement table) or a GpuImage. */
export type Measurements = ArrayLike<number> | GpuImage;

/** A measurement table: columns of equal length by name (e.g. from `statisticsOfLabelledPixels`). */
export type MeasurementTable = Readonly<Record<string, ArrayLike<number>>>;

export interface BlandAltmanOptions {
  /** Names of the two methods (default 'A' and 'B'), used in plots and text. */
  names?: [string, string];
  /**
   * The largest difference that would not matter in practice (in the units of the data). With
   * it, the interpretation says whether the limits of agreement and their confidence
   * intervals lie within ±acceptableDifference, i.e. whether the methods are interchangeable.
   */
  acceptableDifference?: number;
}

/** Mime type of JupyterLab's built-in Vega-Lite 5 renderer. */
export const VEGA_LITE_MIME = 'application/vnd.vegalite.v5+json';

/** The minimum number of pairs: the confidence interval of Pearson's r uses n − 3. */
const MIN_PAIRS = 4;
const ALPHA = 0.05;

/** The result of {@link blandAltman}: the agreement numbers, their interpretation and plots. */
export class MethodComparison implements Agreement {
  readonly n!: number;
  readonly meanA!: number;
  readonly meanB!: number;
  readonly bias!: number;
  readonly biasCI!: Agreement['biasCI'];
  readonly sdOfDifferences!: number;
  readonly lowerLimit!: number;
  readonly upperLimit!: number;
  readonly lowerLimitCI!: Agreement['lowerLimitCI'];
  readonly upperLimitCI!: Agreement['upperLimitCI'];
  readonly withinLimits!: number;
  readonly pearsonR!: number;
  readonly pearsonCI!: Agreement['pearsonCI'];
  readonly pearsonP!: number;
  readonly regression!: Agreement['regression'];
  /** Names of the two methods. */
  readonly names: [string, string];
  /** Whether the 95 % confidence interval of the bias excludes 0 (a systematic offset). */
  readonly offset: boolean;
  /** Whether the slope of the differences on the means differs from 0 (p < 0.05). */
  readonly proportionalError: boolean;
  /** With `acceptableDifference`: whether the limits and their CIs lie within ±acceptableDifference. */
  readonly interchangeable: boolean | undefined;
  /** The plain-text reading of the numbers, one finding per line. */
  readonly interpretation: string[];
  readonly #a: Float64Array;
  readonly #b: Float64Array;

  /** @internal Use {@link blandAltman}. */
  constructor(a: Float64Array, b: Float64Array, names: [string, string], acceptable?: number) {
    const s = agreement(a, b);
    Object.assign(this, s);
    this.#a = a;
    this.#b = b;
    this.names = names;
    const exact = s.sdOfDifferences === 0;
    this.offset = !exact ? s.biasCI.low > 0 || s.biasCI.high < 0 : s.bias !== 0;
    this.proportionalError = !exact && s.regression.pValue < ALPHA;
    this.interchangeable =
      acceptable === undefined ? undefined : Math.max(Math.abs(s.lowerLimitCI.low), Math.abs(s.upperLimitCI.high), Math.abs(s.lowerLimit), Math.abs(s.upperLimit)) <= acceptable;
    this.interpretation = interpret(this, acceptable);
  }

  /** The scatter plot with the identity line and Pearson's r (Vega-Lite v5). */
  scatterPlot(): VegaLiteSpec {
    return { $schema: 'https://vega.github.io/schema/vega-lite/v5.json', datasets: { pairs: this.#pairs() }, ...scatterPlot(this.#plotInput()) };
  }

  /** The Bland–Altman plot: differences against means, bias, limits, their CIs (Vega-Lite v5). */
  blandAltmanPlot(): VegaLiteSpec {
    return { $schema: 'https://vega.github.io/schema/vega-lite/v5.json', datasets: { pairs: this.#pairs() }, ...blandAltmanPlot(this.#plotInput()) };
  }

  /** Histograms of both methods on the same bins (Vega-Lite v5). */
  histograms(): VegaLiteSpec {
    return { $schema: 'https://vega.github.io/schema/vega-lite/v5.json', datasets: { pairs: this.#pairs() }, ...histograms(this.#plotInput()) };
  }

  /** All plots in one Vega-Lite v5 spec, the interpretation under its title. */
  plot(): VegaLiteSpec {
    return comparisonPlot(this.#plotInput(), `${this.names[0]} vs ${this.names[1]}: method comparison (n = ${this.n})`);
  }

  /** The numbers as plain data (JSON-safe: undefined values are null). */
  toJSON(): Record<string, unknown> {
    const { names, offset, proportionalError, interchangeable, interpretation } = this;
    const numbers = agreementOf(this);
    return JSON.parse(JSON.stringify({ names, ...numbers, offset, proportionalError, interchangeable, interpretation }, (_, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v)));
  }

  toString(): string {
    return this.interpretation.join('\n');
  }

  /**
   * What the Tessera kernel displays for this value: the interpretation (Markdown, with a text
   * fallback) and the plots (Vega-Lite, rendered by JupyterLab).
   */
  mimeBundles(): Array<Record<string, unknown>> {
    const text = this.toString();
    return [
      { 'text/markdown': this.interpretation.map((l) => `- ${l}`).join('\n'), 'text/plain': text },
      { [VEGA_LITE_MIME]: this.plot(), 'text/plain': `Bland–Altman plot of ${this.names[0]} vs ${this.names[1]} (n = ${this.n})` },
    ];
  }

  /** @internal */
  plotInput(): PlotInput {
    return this.#plotInput();
  }

  #pairs() {
    return Array.from(this.#a, (a, i) => ({ index: i, a, b: this.#b[i], mean: (a + this.#b[i]) / 2, difference: a - this.#b[i] }));
  }

  #plotInput(): PlotInput {
    const summary =
      this.sdOfDifferences === 0
        ? this.interpretation[0]
        : `${this.offset ? 'offset' : 'no offset'}, ${this.proportionalError ? 'proportional error' : 'no proportional error'}, n = ${this.n}`;
    return { a: this.#a, b: this.#b, names: this.names, stats: this, proportional: this.proportionalError, interpretation: this.interpretation, summary };
  }
}

function agreementOf(c: MethodComparison): Agreement {
  const { n, meanA, meanB, bias, biasCI, sdOfDifferences, lowerLimit, upperLimit, lowerLimitCI, upperLimitCI, withinLimits, pearsonR, pearsonCI, pearsonP, regression } = c;
  return { n, meanA, meanB, bias, biasCI, sdOfDifferences, lowerLimit, upperLimit, lowerLimitCI, upperLimitCI, withinLimits, pearsonR, pearsonCI, pearsonP, regression };
}

function interpret(c: MethodComparison, acceptable: number | undefined): string[] {
  const [A, B] = c.names;
  const f = formatNumber;
  const ci = (i: { low: number; high: number }) => `95 % CI ${f(i.low)} to ${f(i.high)}`;
  if (c.sdOfDifferences === 0) {
    return [
      c.bias === 0
        ? `${A} and ${B} agree exactly on all ${c.n} pairs.`
        : `${A} − ${B} is exactly ${f(c.bias)} for all ${c.n} pairs: a constant offset and no random error.`,
    ];
  }
  const lines: string[] = [];
  lines.push(
    c.offset
      ? `Offset: ${A} reads ${c.bias > 0 ? 'higher' : 'lower'} than ${B} by ${f(Math.abs(c.bias))} on average (bias ${f(c.bias)}, ${ci(c.biasCI)}, excludes 0).`
      : `No systematic offset: the bias ${f(c.bias)} (${ci(c.biasCI)}) is compatible with 0.`,
  );
  const g = c.regression;
  lines.push(
    c.proportionalError
      ? `Proportional error: the difference changes by ${f(g.slope)} per unit of the mean (slope ${ci(g.slopeCI)}, p ${formatP(g.pValue)}); the limits of agreement do not describe all magnitudes alike.`
      : `No proportional error: the slope of the differences on the means is ${f(g.slope)} (p ${formatP(g.pValue)}).`,
  );
  lines.push(
    `Limits of agreement: 95 % of differences are expected between ${f(c.lowerLimit)} (${ci(c.lowerLimitCI)}) and ${f(c.upperLimit)} (${ci(c.upperLimitCI)}); ` +
      `${f(100 * c.withinLimits)} % of the ${c.n} differences lie within them.`,
  );
  if (acceptable !== undefined) {
    lines.push(
      c.interchangeable
        ? `Agreement: the limits and their confidence intervals lie within ±${f(acceptable)}, so ${A} and ${B} can be used interchangeably.`
        : `No sufficient agreement: the limits (or their confidence intervals) exceed ±${f(acceptable)}, so ${A} and ${B} are not interchangeable.`,
    );
  }
  lines.push(
    Number.isFinite(c.pearsonR)
      ? `Pearson r = ${f(c.pearsonR)} (${ci(c.pearsonCI)}): correlation shows association, not agreement.`
      : 'Pearson r is undefined: one of the methods gives a constant value.',
  );
  return lines;
}

async function samplesOf(fn: string, a: unknown, b: unknown): Promise<[Float64Array, Float64Array]> {
  if (isGpuImage(a) || isGpuImage(b)) {
    const x = checkImage(a, `${fn}: a`);
    const y = checkImage(b, `${fn}: b`);
    checkSameShape(x, y, [`${fn}: a`, 'b']);
    const [px, py] = await Promise.all([pull(x), pull(y)]);
    return [checkSample(px.data, `${fn}: a`), checkSample(py.data, `${fn}: b`)];
  }
  return [checkSample(a, `${fn}: a`), checkSample(b, `${fn}: b`)];
}

function checkOptions(fn: string, options: BlandAltmanOptions): { names: [string, string]; acceptable?: number } {
  if (typeof options !== 'object' || options === null) throw new TesseraError(`${fn}: options must be an object like { names: ['A', 'B'] }`);
  const names = options.names ?? ['A', 'B'];
  if (!Array.isArray(names) || names.length !== 2 || names.some((n) => typeof n !== 'string' || n.length === 0)) {
    throw new TesseraError(`${fn}: options.names must be two non-empty strings; got ${JSON.stringify(options.names)}`);
  }
  const acceptable = options.acceptableDifference === undefined ? undefined : checkNumber(options.acceptableDifference, `${fn}: options.acceptableDifference`);
  if (acceptable !== undefined && acceptable < 0) throw new TesseraError(`${fn}: options.acceptableDifference must be >= 0; got ${acceptable}`);
  return { names: [names[0], names[1]], acceptable };
}

/**
 * Bland–Altman comparison of paired measurements `a` (method A) and `b` (method B): arrays of
 * numbers, typed arrays (e.g. columns of two measurement tables) or two GpuImages of the same
 * shape (pixel by pixel). Differences are a − b. Returns the bias, the standard deviation of the
 * differences, the 95 % limits of agreement with their confidence intervals (Bland & Altman
 * 1999), Pearson's r with its confidence interval, the regression of the differences on the
 * means (proportional error), a plain-text interpretation, and Vega-Lite plots; in the Tessera
 * kernel the result displays as the interpretation and its plots. At least 4 pairs; every value
 * finite.
 *
 * Oracle: numpy / scipy.stats (`pearsonr` with its Fisher CI, `linregress`, `t.ppf`).
 * Tessera's addition (pyclesperanto has none).
 */
export const blandAltman = defineOp(
  {
    params: [
      { name: 'a', kind: 'value' },
      { name: 'b', kind: 'value' },
      { name: 'options', kind: 'value', optional: true },
    ],
    output: 'none',
    tiling: 'global',
  },
  async function blandAltman(a: Measurements, b: Measurements, options: BlandAltmanOptions = {}): Promise<MethodComparison> {
    const fn = 'blandAltman';
    const { names, acceptable } = checkOptions(fn, options);
    const [x, y] = await samplesOf(fn, a, b);
    checkPairedSamples(x, y, [`${fn}: a`, 'b'], MIN_PAIRS, "the confidence interval of Pearson's r uses n − 3 degrees of freedom");
    return new MethodComparison(x, y, names, acceptable);
  },
);

/** The result of {@link compareMeasurements}: one {@link MethodComparison} per column. */
export class MeasurementComparison {
  /** @internal Use {@link compareMeasurements}. */
  constructor(
    readonly names: [string, string],
    readonly columns: Readonly<Record<string, MethodComparison>>,
    /** How rows were paired: by the tables' `label` columns, or by row index. */
    readonly pairedBy: 'label' | 'row',
    /** Labels present in only one of the tables (when paired by label). */
    readonly unmatched: number,
  ) {}

  /** One row per column: n, bias, its CI, SD, limits, Pearson r, slope and its p-value, findings. */
  table(): Array<Record<string, number | string | boolean | null>> {
    return Object.entries(this.columns).map(([column, c]) => {
      const row: Record<string, number | string | boolean | null> = {
        column, n: c.n, bias: c.bias, biasLow: c.biasCI.low, biasHigh: c.biasCI.high, sdOfDifferences: c.sdOfDifferences,
        lowerLimit: c.lowerLimit, upperLimit: c.upperLimit, pearsonR: c.pearsonR, slope: c.regression.slope, slopeP: c.regression.pValue,
        offset: c.offset, proportionalError: c.proportionalError,
      };
      for (const [k, v] of Object.entries(row)) if (typeof v === 'number' && !Number.isFinite(v)) row[k] = null;
      return row;
    });
  }

  /** The Bland–Altman plots of all columns in one Vega-Lite v5 spec. */
  plot(): VegaLiteSpec {
    const items = Object.entries(this.columns).map(([column, c]) => ({ column, input: c.plotInput() }));
    return comparisonsPlot(items, `${this.names[0]} vs ${this.names[1]}: ${items.length} measurements, paired by ${this.pairedBy}`);
  }

  toString(): string {
    const head = `${this.names[0]} vs ${this.names[1]}, paired by ${this.pairedBy}${this.unmatched ? ` (${this.unmatched} labels in only one table left out)` : ''}`;
    return [head, ...Object.entries(this.columns).map(([k, c]) => `${k}:\n  ${c.interpretation.join('\n  ')}`)].join('\n');
  }

  /** A Markdown table of the numbers and the Vega-Lite plots (what the Tessera kernel displays). */
  mimeBundles(): Array<Record<string, unknown>> {
    const rows = this.table();
    const keys = ['column', 'n', 'bias', 'biasLow', 'biasHigh', 'sdOfDifferences', 'lowerLimit', 'upperLimit', 'pearsonR', 'slope', 'slopeP', 'offset', 'proportionalError'];
    const cell = (v: unknown) => (typeof v === 'number' ? formatNumber(v) : String(v));
    const md = [`| ${keys.join(' | ')} |`, `| ${keys.map(() => '---').join(' | ')} |`, ...rows.map((r) => `| ${keys.map((k) => cell(r[k])).join(' | ')} |`)].join('\n');
    return [
      { 'text/markdown': md, 'text/plain': this.toString() },
      { [VEGA_LITE_MIME]: this.plot(), 'text/plain': `Bland–Altman plots of ${rows.length} measurements` },
    ];
  }
}

function checkTable(x: unknown, argument: string): MeasurementTable {
  if (typeof x !== 'object' || x === null || Array.isArray(x) || ArrayBuffer.isView(x) || isGpuImage(x)) {
    throw new TesseraError(`${argument} must be a measurement table (an object of columns, e.g. { label: Uint32Array, mean_intensity: Float32Array }); got ${Array.isArray(x) ? 'an array' : typeof x}`);
  }
  return x as MeasurementTable;
}

/**
 * Bland–Altman comparisons of several measurements at once: for each of `columns` (default: all
 * columns both tables have, except `label`), {@link blandAltman} of tableA[column] against
 * tableB[column]. When both tables have a `label` column, rows are paired by label (labels in
 * only one table are left out and counted); otherwise by row index (equal lengths required).
 * Tessera's addition; the seed's exercise compares two measurement libraries this way.
 */
export const compareMeasurements = defineOp(
  {
    params: [
      { name: 'tableA', kind: 'value' },
      { name: 'tableB', kind: 'value' },
      { name: 'columns', kind: 'value', optional: true },
      { name: 'options', kind: 'value', optional: true },
    ],
    output: 'none',
    tiling: 'global',
  },
  async function compareMeasurements(tableA: MeasurementTable, tableB: MeasurementTable, columns?: readonly string[], options: BlandAltmanOptions = {}): Promise<MeasurementComparison> {
    const fn = 'compareMeasurements';
    const ta = checkTable(tableA, `${fn}: tableA`);
    const tb = checkTable(tableB, `${fn}: tableB`);
    const { names, acceptable } = checkOptions(fn, options);
    const shared = Object.keys(ta).filter((k) => k !== 'label' && k in tb);
    const wanted = columns === undefined ? shared : [...columns];
    if (!Array.isArray(wanted) || wanted.length === 0) throw new TesseraError(`${fn}: no columns to compare (the tables share none besides 'label'; columns: ${JSON.stringify(columns)})`);
    for (const k of wanted) {
      if (typeof k !== 'string' || !(k in ta) || !(k in tb)) {
        throw new TesseraError(`${fn}: column ${JSON.stringify(k)} is not in both tables (tableA: ${Object.keys(ta).join(', ')}; tableB: ${Object.keys(tb).join(', ')})`);
      }
    }
    // Pair rows by label where both tables have labels.
    let rowsA: number[];
    let rowsB: number[];
    let unmatched = 0;
    const pairedBy = 'label' in ta && 'label' in tb ? 'label' : 'row';
    if (pairedBy === 'label') {
      const la = checkSample(ta.label, `${fn}: tableA.label`);
      const lb = checkSample(tb.label, `${fn}: tableB.label`);
      const where = new Map<number, number>();
      lb.forEach((l, i) => where.set(l, i));
      rowsA = [];
      rowsB = [];
      la.forEach((l, i) => {
        const j = where.get(l);
        if (j === undefined) {
          unmatched++;
        } else {
          rowsA.push(i);
          rowsB.push(j);
        }
      });
      unmatched += lb.length - rowsB.length;
    } else {
      const n = checkSample(ta[wanted[0]], `${fn}: tableA.${wanted[0]}`).length;
      rowsA = rowsB = Array.from({ length: n }, (_, i) => i);
    }
    const out: Record<string, MethodComparison> = {};
    for (const k of wanted) {
      const a = checkSample(ta[k], `${fn}: tableA.${k}`);
      const b = checkSample(tb[k], `${fn}: tableB.${k}`);
      if (pairedBy === 'label') {
        for (const [t, col, labels] of [['tableA', a, ta.label], ['tableB', b, tb.label]] as const) {
          if (col.length !== labels.length) throw new TesseraError(`${fn}: ${t}.${k} has ${col.length} rows but ${t}.label has ${labels.length}`);
        }
      }
      if (pairedBy === 'row') checkPairedSamples(a, b, [`${fn}: tableA.${k}`, `tableB.${k}`], MIN_PAIRS, "the confidence interval of Pearson's r uses n − 3 degrees of freedom");
      const x = Float64Array.from(rowsA, (i) => a[i]);
      const y = Float64Array.from(rowsB, (i) => b[i]);
      checkPairedSamples(x, y, [`${fn}: tableA.${k}`, `tableB.${k}`], MIN_PAIRS, 'pairs matched by label; the confidence interval of r uses n − 3');
      out[k] = new MethodComparison(x, y, names, acceptable);
    }
    return new MeasurementComparison(names, out, pairedBy, unmatched);
  },
);
