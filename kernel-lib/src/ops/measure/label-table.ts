/**
 * A column table with one row per label: an object whose own enumerable properties are the
 * columns (typed arrays of equal length), plus `toCSV()` / `toJSON()`. `JSON.stringify(table)`
 * writes `{ column: [values] }` (NaN as null); `toCSV()` writes a header and one line per row
 * (NaN as `NaN`, which pandas reads back as NaN).
 */
export type Column = Float64Array | Uint32Array;

export interface LabelTableMethods {
  /** Number of rows. */
  readonly rowCount: number;
  /** The column names, in table order. */
  columnNames(): string[];
  /** The table as CSV: a header line, then one line per row. */
  toCSV(): string;
  /** The table as `{ column: number[] }` (what JSON.stringify writes). */
  toJSON(): Record<string, number[]>;
}

/** A column's type: `label` holds label values (Uint32Array), every other column Float64Array. */
export type ColumnOf<K extends string> = K extends 'label' ? Uint32Array : Float64Array;

export type LabelTable<C extends string = string> = { readonly [K in C]: ColumnOf<K> } & LabelTableMethods;

const csvNumber = (x: number): string => (Number.isNaN(x) ? 'NaN' : String(x));

/** Makes a table of `columns` (all of one length). @internal */
export function labelTable<C extends string>(columns: { [K in C]: ColumnOf<K> }): LabelTable<C> {
  const names = Object.keys(columns) as C[];
  const rows = names.length > 0 ? columns[names[0]].length : 0;
  for (const n of names) if (columns[n].length !== rows) throw new Error(`internal: column ${n} has ${columns[n].length} rows, not ${rows}`);
  const table = { ...columns } as Record<string, unknown>;
  const methods: LabelTableMethods = {
    rowCount: rows,
    columnNames: () => [...names],
    toCSV: () => {
      const lines = [names.join(',')];
      for (let r = 0; r < rows; r++) lines.push(names.map((n) => csvNumber(columns[n][r])).join(','));
      return lines.join('\n') + '\n';
    },
    toJSON: () => Object.fromEntries(names.map((n) => [n, Array.from(columns[n])])),
  };
  for (const [k, v] of Object.entries(methods)) Object.defineProperty(table, k, { value: v, enumerable: false });
  return table as LabelTable<C>;
}
