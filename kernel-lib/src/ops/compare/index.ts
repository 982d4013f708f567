// Method comparison of paired measurements: Bland–Altman statistics, interpretation and Vega-Lite plots.
export {
  blandAltman, compareMeasurements, MethodComparison, MeasurementComparison, VEGA_LITE_MIME,
  type BlandAltmanOptions, type Measurements, type MeasurementTable,
} from './bland-altman';
export type { Agreement, Interval, Regression } from './agreement';
export type { VegaLiteSpec } from './plots';
