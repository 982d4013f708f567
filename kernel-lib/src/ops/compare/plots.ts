import type { Agreement } from './agreement';

/**
 * Vega-Lite v5 specifications of a method comparison (rendered by JupyterLab's built-in
 * `application/vnd.vegalite.v5+json` renderer; no plotting library here): a scatter plot of B
 * against A with the identity line and Pearson's r, the Bland–Altman plot (differences against
 * means) with the bias, the limits of agreement and the 95 % confidence interval of each as a
 * band, plus the regression line of the differences on the means when the error is proportional,
 * and histograms of both methods on the same bins. Every number in a spec is finite (JSON has no
 * NaN).
 */

export type VegaLiteSpec = Record<string, unknown>;

export const VEGA_LITE_SCHEMA = 'https://vega.github.io/schema/vega-lite/v5.json';

/** A number for people: 4 significant digits, no exponent for ordinary magnitudes. */
export function formatNumber(x: number): string {
  if (!Number.isFinite(x)) return Number.isNaN(x) ? 'undefined' : String(x);
  if (x === 0) return '0';
  const a = Math.abs(x);
  if (a >= 1e-3 && a < 1e6) return String(Number(x.toPrecision(4)));
  return x.toExponential(3);
}

/** A p-value for people: `= 0.03`, or `< 0.0001` for smaller ones. */
export function formatP(p: number): string {
  return p < 1e-4 ? '< 0.0001' : `= ${formatNumber(p)}`;
}

export interface PlotInput {
  a: Float64Array;
  b: Float64Array;
  names: [string, string];
  stats: Agreement;
  /** Whether to draw the regression line of the differences on the means. */
  proportional: boolean;
  /** Lines shown under the title of the combined plot. */
  interpretation: string[];
  /** The findings in a few words (subtitle of a column's plot among several). */
  summary: string;
}

const SIZE = 260;
const DATA = { name: 'pairs' };

function pairs(p: PlotInput): Array<Record<string, number>> {
  return Array.from(p.a, (a, i) => ({ index: i, a, b: p.b[i], mean: (a + p.b[i]) / 2, difference: a - p.b[i] }));
}

/** [low, high] around the values with 5 % padding (a small range around a constant). */
function paddedRange(...values: Float64Array[]): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) for (const x of v) [lo, hi] = [Math.min(lo, x), Math.max(hi, x)];
  const pad = hi > lo ? 0.05 * (hi - lo) : Math.max(Math.abs(lo) * 0.05, 1e-9);
  return [lo - pad, hi + pad];
}

const finite = (x: number) => Number.isFinite(x);

function tooltip(names: [string, string]) {
  return [
    { field: 'index', type: 'quantitative', title: 'pair' },
    { field: 'a', type: 'quantitative', title: names[0], format: '.4~g' },
    { field: 'b', type: 'quantitative', title: names[1], format: '.4~g' },
    { field: 'difference', type: 'quantitative', title: 'difference', format: '.4~g' },
  ];
}

export function scatterPlot(p: PlotInput): VegaLiteSpec {
  const [lo, hi] = paddedRange(p.a, p.b);
  const r = p.stats.pearsonR;
  const rText = finite(r)
    ? `Pearson r = ${formatNumber(r)} (95 % CI ${formatNumber(p.stats.pearsonCI.low)} to ${formatNumber(p.stats.pearsonCI.high)}), n = ${p.stats.n}`
    : `Pearson r undefined (a method is constant), n = ${p.stats.n}`;
  const axis = (field: string, title: string) => ({ field, type: 'quantitative', title, scale: { domain: [lo, hi], zero: false } });
  return {
    title: { text: `${p.names[1]} against ${p.names[0]}`, subtitle: rText },
    width: SIZE,
    height: SIZE,
    layer: [
      {
        data: { values: [{ v: lo }, { v: hi }] },
        mark: { type: 'line', color: 'gray', strokeDash: [4, 4] },
        encoding: { x: axis('v', p.names[0]), y: axis('v', p.names[1]) },
      },
      {
        data: DATA,
        mark: { type: 'point', filled: true, opacity: 0.7 },
        encoding: { x: axis('a', p.names[0]), y: axis('b', p.names[1]), tooltip: tooltip(p.names) },
      },
    ],
  };
}

export function blandAltmanPlot(p: PlotInput): VegaLiteSpec {
  const s = p.stats;
  const lines = [
    { what: 'upper limit', value: s.upperLimit, low: s.upperLimitCI.low, high: s.upperLimitCI.high, dash: 1 },
    { what: 'bias', value: s.bias, low: s.biasCI.low, high: s.biasCI.high, dash: 0 },
    { what: 'lower limit', value: s.lowerLimit, low: s.lowerLimitCI.low, high: s.lowerLimitCI.high, dash: 1 },
  ].map((l) => ({ ...l, label: `${l.what} ${formatNumber(l.value)}` }));
  const colour = { field: 'what', type: 'nominal', title: null, scale: { domain: ['upper limit', 'bias', 'lower limit'], range: ['#d62728', '#1f77b4', '#d62728'] }, legend: null };
  const y = { field: 'value', type: 'quantitative', title: `difference (${p.names[0]} − ${p.names[1]})` };
  const layer: VegaLiteSpec[] = [
    // 95 % confidence intervals of the bias and of both limits, as bands over the whole width.
    { data: { values: lines }, mark: { type: 'rect', opacity: 0.15 }, encoding: { y: { ...y, field: 'low' }, y2: { field: 'high' }, color: colour } },
    {
      data: { values: lines },
      mark: { type: 'rule', strokeWidth: 1.5 },
      encoding: { y, color: colour, strokeDash: { field: 'dash', type: 'nominal', scale: { domain: [0, 1], range: [[1, 0], [6, 4]] }, legend: null } },
    },
    {
      data: { values: lines },
      mark: { type: 'text', align: 'right', baseline: 'bottom', dx: -3, dy: -2, fontSize: 10 },
      encoding: { y, x: { value: SIZE }, text: { field: 'label' }, color: colour },
    },
    {
      data: DATA,
      mark: { type: 'point', filled: true, opacity: 0.7, color: 'black' },
      encoding: {
        x: { field: 'mean', type: 'quantitative', title: `mean of ${p.names[0]} and ${p.names[1]}`, scale: { zero: false } },
        y: { ...y, field: 'difference' },
        tooltip: tooltip(p.names),
      },
    },
  ];
  const g = s.regression;
  if (p.proportional && finite(g.slope) && finite(g.intercept)) {
    const means = Float64Array.from(p.a, (a, i) => (a + p.b[i]) / 2);
    const [lo, hi] = [Math.min(...means), Math.max(...means)];
    layer.push({
      data: { values: [lo, hi].map((m) => ({ mean: m, fit: g.intercept + g.slope * m })) },
      mark: { type: 'line', color: '#ff7f0e', strokeWidth: 2 },
      encoding: { x: { field: 'mean', type: 'quantitative' }, y: { ...y, field: 'fit' } },
    });
  }
  const subtitle = [`bias ${formatNumber(s.bias)}, limits of agreement ${formatNumber(s.lowerLimit)} to ${formatNumber(s.upperLimit)}`, 'bands: their 95 % confidence intervals'];
  return { title: { text: 'Bland–Altman plot', subtitle }, width: SIZE, height: SIZE, layer };
}

export function histograms(p: PlotInput): VegaLiteSpec {
  const [lo, hi] = paddedRange(p.a, p.b);
  const one = (field: string, name: string, colour: string): VegaLiteSpec => ({
    data: DATA,
    title: name,
    width: SIZE,
    height: 140,
    mark: { type: 'bar', color: colour },
    encoding: {
      x: { field, type: 'quantitative', bin: { extent: [lo, hi], maxbins: 20 }, title: name },
      y: { aggregate: 'count', type: 'quantitative', title: 'count' },
    },
  });
  return { hconcat: [one('a', p.names[0], '#1f77b4'), one('b', p.names[1], '#2ca02c')], resolve: { scale: { y: 'shared' } } };
}

/** All plots of one comparison in one spec, the interpretation under its title. */
export function comparisonPlot(p: PlotInput, title: string): VegaLiteSpec {
  return {
    $schema: VEGA_LITE_SCHEMA,
    title: { text: title, subtitle: p.interpretation, anchor: 'start' },
    datasets: { pairs: pairs(p) },
    vconcat: [{ hconcat: [scatterPlot(p), blandAltmanPlot(p)] }, histograms(p)],
  };
}

/** Bland–Altman plots of several columns side by side (wrapping after three). */
export function comparisonsPlot(items: Array<{ column: string; input: PlotInput }>, title: string): VegaLiteSpec {
  const datasets: Record<string, unknown> = {};
  const views = items.map(({ column, input }, k) => {
    datasets[`pairs${k}`] = pairs(input);
    const view = blandAltmanPlot(input);
    const layer = (view.layer as VegaLiteSpec[]).map((l) => (l.data === DATA ? { ...l, data: { name: `pairs${k}` } } : l));
    return { ...view, title: { text: column, subtitle: [input.summary, ...(view.title as { subtitle: string[] }).subtitle] }, layer };
  });
  return { $schema: VEGA_LITE_SCHEMA, title, datasets, concat: views, columns: 3 };
}
