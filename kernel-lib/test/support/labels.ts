import { resolve } from 'node:path';

/** Path of the Python reference helpers of the labeling tests (source tree). */
const REF = resolve(__dirname, '../../../test/support/labels_ref.py');

/**
 * Wraps an oracle expression so it can call the helpers of labels_ref.py as `L.<name>`, e.g.
 * `withLabelsRef("L.label(a, 'box')")`.
 */
export function withLabelsRef(expr: string): string {
  return `(lambda L: ${expr})(__import__('types').SimpleNamespace(**__import__('runpy').run_path(${JSON.stringify(REF)})))`;
}
