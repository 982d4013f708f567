import { RICH_DISPLAY } from '../jupyter/display';
import type { WidgetModel, WidgetState } from '../jupyter/ipywidgets';
import { TesseraError } from '../errors';
import { colormapLut } from './colormaps';
import { createModel, showModel } from './model';
import type { PlotState } from './protocol';
import { conversionOf } from './still';
import type { ImageInput } from './source';
import { ImageWidget, type ViewerOptions } from './viewer';

/**
 * Scatter plots of measurement tables linked to images: `scatterplot` (a table alone),
 * `clusterplot` (rows are the objects of a label image: select points to highlight objects,
 * hover an object to highlight its point) and `sliceplot` (rows are the slices of a stack:
 * selected points show their slices). The plot is drawn in the browser from two float32 columns;
 * the image side is an ordinary viewer whose label layer the kernel renders through the selection.
 */

/** A measurement table: columns of equal length by name, e.g. what `statisticsOfLabelledPixels` returns. */
export type ColumnTable = Record<string, ArrayLike<number>>;

/** Options of the plots (stackview's `column_x`, `column_y`, `column_selection`, `markersize`). */
export interface PlotOptions {
  /** Columns on the axes (default: the first two numeric columns other than `label`). */
  x?: string;
  y?: string;
  /** The column the selection is written to (0/1 per row, a Uint8Array; default `selection`). */
  columnSelection?: string;
  /** Marker size in CSS pixels (default 4). */
  markerSize?: number;
  /** Plot size in CSS pixels (default 360 × 360). */
  size?: [number, number];
  title?: string;
  /** Show the widget in the cell's output (default true). */
  show?: boolean;
}

type PlotModelState = PlotState<ArrayBufferView> & WidgetState;

/** Numeric columns of a table and its row count; checks that all columns have one length. */
function columnsOf(fn: string, table: ColumnTable): { names: string[]; rows: number } {
  if (typeof table !== 'object' || table === null) throw new TesseraError(`${fn}: table must be an object of columns (typed arrays or number arrays)`);
  const entries = Object.entries(table).filter(([, c]) => ArrayBuffer.isView(c) || (Array.isArray(c) && c.every((v) => typeof v === 'number')));
  if (entries.length === 0) throw new TesseraError(`${fn}: table has no numeric columns`);
  const rows = entries[0][1].length;
  for (const [name, c] of entries) if (c.length !== rows) throw new TesseraError(`${fn}: column ${name} has ${c.length} rows, ${entries[0][0]} ${rows}; columns must have one length`);
  return { names: entries.map(([n]) => n), rows };
}

function column(fn: string, table: ColumnTable, names: string[], name: string, what: string): Float32Array {
  if (!names.includes(name)) throw new TesseraError(`${fn}: ${what} column ${JSON.stringify(name)} is not a numeric column of the table (${names.join(', ')})`);
  return Float32Array.from(table[name] as ArrayLike<number>);
}

/** The widget of a plot: its model, the selection, and the linked viewer (clusterplot, sliceplot). */
export class PlotWidget {
  [RICH_DISPLAY](): void {}

  private constructor(
    readonly model: WidgetModel<PlotModelState>,
    private readonly table: ColumnTable,
    private readonly names: string[],
    private readonly selectionColumn: string,
    /** The image side (clusterplot, sliceplot). */
    readonly viewer: ImageWidget | undefined,
  ) {
    model.onChange((changes, origin) => {
      if (origin !== 'frontend') return;
      if ('selection' in changes) this.table[this.selectionColumn] = this.selection;
      if ('x_column' in changes || 'y_column' in changes) {
        const s = this.model.state;
        try {
          this.model.set({ x: column('plot', table, names, s.x_column, 'x'), y: column('plot', table, names, s.y_column, 'y') } as Partial<PlotModelState>);
        } catch (e) {
          console.error(e instanceof Error ? e.message : e);
        }
      }
    });
    model.comm.onClose(() => viewer?.close());
  }

  /** @internal */
  static create(fn: string, table: ColumnTable, options: PlotOptions, kind: PlotState['kind'], viewer?: ImageWidget, labels?: Uint32Array): PlotWidget {
    const { names, rows } = columnsOf(fn, table);
    const numeric = names.filter((n) => n !== 'label' && n !== (options.columnSelection ?? 'selection'));
    const x = options.x ?? numeric[0] ?? names[0];
    const y = options.y ?? numeric[1] ?? numeric[0] ?? names[0];
    const selectionColumn = options.columnSelection ?? 'selection';
    const given = table[selectionColumn];
    const selection = new Uint8Array(rows);
    if (given && given.length === rows) for (let i = 0; i < rows; i++) selection[i] = given[i] ? 1 : 0;
    const markerSize = options.markerSize ?? 4;
    if (!(markerSize > 0 && markerSize <= 64)) throw new TesseraError(`${fn}: markerSize must be 0 < size <= 64; got ${markerSize}`);
    const state: PlotState<ArrayBufferView> = {
      kind,
      columns: numeric.length ? numeric : names,
      x_column: x,
      y_column: y,
      x: column(fn, table, names, x, 'x'),
      y: column(fn, table, names, y, 'y'),
      labels: labels ?? null,
      selection,
      hovered: -1,
      marker_size: markerSize,
      title: options.title ?? '',
      viewer: viewer?.model ?? null,
      size: options.size ?? [360, 360],
      thumbnails: [],
      thumbnail_info: [],
      thumbnail_lut: null,
      snapshot: '',
    };
    table[selectionColumn] = selection;
    const model = createModel<PlotModelState>('PlotModel', 'PlotView', state as PlotModelState);
    return new PlotWidget(model, table, names, selectionColumn, viewer);
  }

  /** 1 for each selected row (also written to the table's selection column). */
  get selection(): Uint8Array {
    const s = this.model.state.selection;
    return new Uint8Array(s.buffer, s.byteOffset, s.byteLength).slice();
  }

  /** Selects rows (indices) from the kernel, as a lasso in the view does. */
  select(rows: number[]): void {
    const sel = new Uint8Array(this.model.state.x.byteLength / 4);
    for (const r of rows) if (Number.isInteger(r) && r >= 0 && r < sel.length) sel[r] = 1;
    this.model.set({ selection: sel } as Partial<PlotModelState>);
    this.table[this.selectionColumn] = sel;
    this.afterSelection();
  }

  /** @internal Called after the selection changed (from either side). */
  afterSelection: () => void = () => {};

  /** Shows (another view of) the plot, with its linked viewer, in the cell's output. */
  async show(): Promise<void> {
    showModel(this.model, this.viewer ? `${this.toString()}\n${this.viewer.describe()}` : this.toString(), this.viewer ? { 'image/png': await this.viewer.png() } : {});
  }

  close(): void {
    this.model.close();
  }

  toString(): string {
    const s = this.model.state;
    const chosen = this.selection.reduce((a, b) => a + b, 0);
    return `tessera ${s.kind}plot: ${s.x.byteLength / 4} rows, x = ${s.x_column}, y = ${s.y_column}, ${chosen} selected`;
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
}

/**
 * A scatter plot of two columns of a table; select points with a lasso (drag) or a box
 * (Shift + drag); the selection is in `widget.selection` and the table's `selection` column.
 * stackview: `scatterplot`.
 */
export async function scatterplot(table: ColumnTable, options: PlotOptions = {}): Promise<PlotWidget> {
  const plot = PlotWidget.create('scatterplot', table, options, 'scatter');
  if (options.show !== false) await plot.show();
  return plot;
}

/** Options of {@link clusterplot}. */
export interface ClusterplotOptions extends PlotOptions, Omit<ViewerOptions, 'show' | 'title'> {
  /** Opacity of the highlighted objects over the image (default 0.6). */
  alpha?: number;
}

/** Colours of the selection codes: 0 background, 1 objects, 2 selected, 3 under the mouse. */
function selectionLut(): Uint8Array {
  const lut = new Uint8Array(768);
  lut.set([0, 0, 0, 110, 110, 120, 255, 220, 0, 255, 40, 200]);
  return lut;
}

/**
 * A scatter plot of two measurement columns linked to the label image: selecting points (lasso,
 * or Shift + drag for a box) highlights their objects over `image`; hovering an object in the
 * image highlights its point, hovering a point its object. `table` needs a `label` column (the
 * label of each row), e.g. from `statisticsOfLabelledPixels`. stackview: `clusterplot`.
 */
export async function clusterplot(image: ImageInput, labels: ImageInput, table: ColumnTable, options: ClusterplotOptions = {}): Promise<PlotWidget> {
  const fn = 'clusterplot';
  const { rows } = columnsOf(fn, table);
  const labelColumn = table.label;
  if (!labelColumn) throw new TesseraError(`${fn}: table needs a label column (the label of each row)`);
  const rowLabels = Uint32Array.from(labelColumn as ArrayLike<number>);
  if (rowLabels.some((l, i) => l !== labelColumn[i] || l === 0)) throw new TesseraError(`${fn}: the label column must hold positive whole numbers (labels; 0 is background)`);
  const rowOf = new Map<number, number>();
  rowLabels.forEach((l, i) => rowOf.set(l, i));
  const top = rows ? Math.max(...rowLabels) : 0;
  if (top > 1 << 26) throw new TesseraError(`${fn}: labels up to ${top} are too large for a lookup table (at most ${1 << 26})`);
  const viewer = await ImageWidget.create({
    kind: 'clusterplot',
    layers: [
      { image, name: 'image' },
      { image: labels, name: 'labels', colormap: selectionLut(), alpha: options.alpha ?? 0.6, lookup: true },
    ],
    arrangement: 'overlay',
    tools: ['picker'],
    options: { ...options, show: false, title: undefined },
  });
  const plot = PlotWidget.create(fn, table, options, 'cluster', viewer, rowLabels);
  const table0 = new Uint32Array(top + 1);
  viewer.setLookup(1, () => {
    const s = plot.model.state;
    const sel = plot.selection;
    const out = table0.slice();
    rowLabels.forEach((l, i) => (out[l] = sel[i] ? 2 : 1));
    if (s.hovered >= 0 && s.hovered < rows) out[rowLabels[s.hovered]] = 3;
    return out;
  });
  plot.afterSelection = () => viewer.touch(1);
  plot.model.onChange((changes, origin) => {
    if (origin === 'frontend' && ('selection' in changes || 'hovered' in changes)) viewer.touch(1);
  });
  // The object under the mouse in the image: its point is highlighted.
  viewer.onPick((_x, _y, _z, _t, values) => {
    const row = rowOf.get(values[1]) ?? -1;
    if (row !== plot.model.state.hovered) plot.model.set({ hovered: row } as Partial<PlotModelState>);
  });
  if (options.show !== false) await plot.show();
  return plot;
}

/** Options of {@link sliceplot}. */
export interface SliceplotOptions extends PlotOptions, Omit<ViewerOptions, 'show' | 'title'> {
  /** Largest number of thumbnails shown for a selection (default 16), and their longest side in pixels (default 96). */
  thumbnails?: number;
  thumbnailSize?: number;
}

/**
 * A scatter plot of per-slice measurements (row k describes slice k of `stack`, e.g. a UMAP of
 * slice features): hovering a point shows its slice in the viewer below, selecting points shows
 * thumbnails of their slices. stackview: `sliceplot`.
 */
export async function sliceplot(table: ColumnTable, stack: ImageInput, options: SliceplotOptions = {}): Promise<PlotWidget> {
  const fn = 'sliceplot';
  const { rows } = columnsOf(fn, table);
  const viewer = await ImageWidget.create({ kind: 'sliceplot', layers: [{ image: stack, name: 'stack' }], arrangement: 'single', options: { ...options, show: false, title: undefined } });
  const shape = viewer.model.state.layers[0].shape;
  const depth = shape.length >= 3 ? shape[shape.length - 3] : 1;
  if (rows !== depth) throw new TesseraError(`${fn}: the table has ${rows} rows but the stack ${depth} slices (shape [${shape}]); row k describes slice k`);
  const plot = PlotWidget.create(fn, table, options, 'slice', viewer);
  const most = options.thumbnails ?? 16;
  const side = options.thumbnailSize ?? 96;
  const layerState = () => viewer.model.state.layers[0];
  const renderThumbnails = async () => {
    const chosen = [...plot.selection.entries()].filter(([, v]) => v).map(([i]) => i).slice(0, most);
    const thumbs: Uint8Array[] = [];
    const info: { index: number; width: number; height: number }[] = [];
    const l = layerState();
    const step = Math.max(1, Math.ceil(Math.max(...shape.slice(-2)) / side));
    for (const index of chosen) {
      const plane = await viewer.layer(0).render({ axis: 0, index, step }, conversionOf(l.colormap === 'labels', l.display_range, 'display range'));
      thumbs.push(plane.pixels.slice());
      info.push({ index, width: plane.width, height: plane.height });
    }
    plot.model.set({ thumbnails: thumbs, thumbnail_info: info, thumbnail_lut: viewer.model.state.luts[l.colormap] ?? colormapLut('grey') } as Partial<PlotModelState>);
  };
  plot.afterSelection = () => void renderThumbnails();
  plot.model.onChange((changes, origin) => {
    if (origin !== 'frontend') return;
    if ('selection' in changes) void renderThumbnails().catch((e) => console.error(e));
    const row = plot.model.state.hovered;
    if ('hovered' in changes && row >= 0 && row < depth) viewer.update({ index: row });
  });
  if (options.show !== false) await plot.show();
  return plot;
}
