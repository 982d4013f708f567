/**
 * The viewers' state and messages between the kernel (this side) and the browser views: the one
 * definition of the protocol. The browser package `@tessera/widgets` imports these types
 * (widgets/src/protocol.ts), so this file stays free of runtime imports: type-only imports of
 * files that are themselves free of imports (widgets/test/protocol.test.ts checks). See docs/widgets.md.
 *
 * Data stays in the kernel: a view asks for the plane it shows with a custom message and gets
 * 8-bit codes back as a binary buffer; colormaps (lookup tables in the state) are applied in
 * the browser.
 */
import type { DType } from '../dtype';

/** npm module of the browser models and views, and the version range of its models. */
export const WIDGETS_MODULE = '@tessera/widgets';
export const WIDGETS_MODULE_VERSION = '^0.1.0';

/**
 * Mime type of a viewer's output: a widget view reference (`{model_id, version_major,
 * version_minor}`) under Tessera's own type. The Tessera extension renders it as the widget view;
 * frontends without it (JupyterLab without the extension, nbconvert, GitHub) pass over it and show
 * the output's still (`image/png`), even where the widget state was saved with the notebook.
 */
export const VIEW_MIME_TYPE = 'application/vnd.tessera.view+json';

/** One image shown by a viewer. */
export interface LayerState {
  name: string;
  shape: number[];
  dtype: DType;
  /** Name of its lookup table in the viewer's `luts`; `labels` renders label codes. */
  colormap: string;
  /** Source values mapped to the first and last colour. */
  display_range: [number, number];
  /** Smallest and largest value of the whole image, when known (null for lazy sources). */
  data_range: [number, number] | null;
  /** Opacity when drawn over the first layer (overlay, curtain). */
  alpha: number;
  /** Draw only label outlines (labels colormap). */
  outline: boolean;
  /**
   * Bumped whenever the layer's pixels change in the kernel (interact re-ran the operation,
   * annotate painted, a selection changed): views ask for its planes again.
   */
  version: number;
  /** Resolution levels the kernel reads from (1 for in-memory images; a pyramid's level count). */
  levels: number;
  /** A label layer drawn through the kernel's label lookup (clusterplot's selection), coloured by `colormap`. */
  lookup?: boolean;
}

/** How the layers of a viewer are arranged (not `layout`: widget models reserve it for CSS layout). */
export type Arrangement = 'single' | 'overlay' | 'curtain' | 'side-by-side' | 'switch';

/** Extra tools of a viewer. */
export type ViewerTool = 'picker' | 'histogram' | 'play' | 'range' | 'zoom' | 'crop' | 'colorbar';

/**
 * State of `ViewerModel` (views `ViewerView` and `OrthogonalView`). `Binary` is how binary values
 * are held: `Uint8Array` in the kernel; in the browser they arrive as DataViews.
 */
export interface ViewerState<Binary = Uint8Array> {
  layers: LayerState[];
  /** Lookup tables by colormap name: 256 RGB triples each. */
  luts: Record<string, Binary>;
  arrangement: Arrangement;
  tools: ViewerTool[];
  /** Sliced axis (0 = z, 1 = y, 2 = x), position along it, and time point of 4D images. */
  axis: number;
  index: number;
  t: number;
  /** Cursor (x, y, z) of the orthogonal view. */
  cursor: [number, number, number];
  /** Display scale: screen pixels per image pixel. */
  zoom: number;
  /** Magnification of the visible part (1 = the whole plane; the zoom tool's slider). */
  magnification: number;
  /** Curtain position as a fraction of the width (curtain arrangement). */
  curtain: number;
  /** Layer shown by the switch arrangement. */
  active: number;
  /** Frames per second of the play tool. */
  fps: number;
  title: string;
  /** PNG data URL of the last view, shown when the notebook is reopened without a kernel. */
  snapshot: string;
  /** Crop box (x, y, z start and width, height, depth) of the crop tool, in image pixels. */
  crop_box: [number, number, number, number, number, number];
  /** Controls of `interact` (empty for other viewers). */
  controls: ControlSpec[];
  /** Values of the controls by control name. */
  values: Record<string, ControlValue>;
  /** The call that made the shown result, as a line of code (interact). */
  code: string;
  /** What the operation returned when it is not an image, or why it failed (interact). */
  result_text: string;
  /** Brush of `annotate`: the label painted (0 erases) and the radius in image pixels. */
  brush: { label: number; radius: number };
  /** Number of strokes that can be undone (annotate). */
  undo_depth: number;
}

/** Values a control holds: numbers, booleans, enum values, image names. */
export type ControlValue = number | boolean | string | null;

/**
 * One control of `interact`, generated from an operation's parameter metadata: a slider for a
 * number (range from the declared min/max, else its soft range), a checkbox, a drop-down of
 * enum values or of the notebook's images. `field` names an entry of a trailing options object.
 */
export interface ControlSpec {
  name: string;
  kind: 'number' | 'boolean' | 'enum' | 'image';
  min?: number;
  max?: number;
  step?: number;
  /** Enum values, or image names. */
  values?: string[];
  /** The parameter may be left out (the value null): the operation then decides. */
  optional?: boolean;
  doc?: string;
}

/**
 * State of `PlotModel` (views `PlotView`: scatterplot, clusterplot, sliceplot): two measurement
 * columns as float32 buffers, the selection as one byte per row. The rows' labels link the plot
 * to a label image (clusterplot), or the rows are the slices of a stack (sliceplot).
 */
export interface PlotState<Binary = Uint8Array> {
  kind: 'scatter' | 'cluster' | 'slice';
  /** Numeric columns of the table, offered on the axes. */
  columns: string[];
  x_column: string;
  y_column: string;
  /** Values of the two columns (float32), one per row. */
  x: Binary;
  y: Binary;
  /** Label of each row (uint32), for clusterplot. */
  labels: Binary | null;
  /** 1 for selected rows (uint8, one per row). */
  selection: Binary;
  /** Row under the mouse in the image (clusterplot), or -1. */
  hovered: number;
  marker_size: number;
  title: string;
  /** Model id of the linked image viewer (clusterplot, sliceplot), shown below the plot. */
  viewer: unknown;
  /** Plot size in CSS pixels. */
  size: [number, number];
  /** sliceplot: thumbnails (8-bit codes) of the selected slices, their slice indices and sizes, and their colormap. */
  thumbnails: Binary[];
  thumbnail_info: { index: number; width: number; height: number }[];
  thumbnail_lut: Binary | null;
  snapshot: string;
}

/** State of `InsightModel`: a static picture and a table; it needs no kernel to render. */
export interface InsightState<Binary = Uint8Array> {
  title: string;
  /** 8-bit codes, width × height, and the lookup table to colour them. */
  image: Binary;
  width: number;
  height: number;
  lut: Binary;
  zoom: number;
  /** Rows of the statistics table: [name, value]. */
  stats: [string, string][];
}

/** A view asks for a plane of one layer. */
export interface PlaneRequestMessage {
  request: 'plane';
  id: number;
  layer: number;
  axis: number;
  index: number;
  t?: number;
  step?: number;
  transpose?: boolean;
  display_range: [number, number];
  labels: boolean;
  /** Also send a 256-bin histogram over the layer's data range. */
  histogram?: boolean;
  /**
   * Only this part of the plane: [x, y, width, height] in full-resolution plane pixels (after
   * `transpose`); default the whole plane. Views ask for the visible region.
   */
  region?: [number, number, number, number];
  /**
   * Codes through the widget's label lookup (clusterplot) instead of label codes: 0 background,
   * 1 objects, 2 selected objects, 3 the object under the mouse in the plot.
   */
  lookup?: boolean;
}

/** A view asks for the values of all layers at one pixel (picker). */
export interface ValuesRequestMessage {
  request: 'values';
  id: number;
  x: number;
  y: number;
  z: number;
  t?: number;
}

/** A view asks for an animation file of the first layer through z (3D) or t (4D). */
export interface ExportRequestMessage {
  request: 'export';
  id: number;
  format: 'apng' | 'gif';
}

/** interact: re-run the operation with these control values. */
export interface RunRequestMessage {
  request: 'run';
  id: number;
  values: Record<string, ControlValue>;
}

/** annotate: paint (label > 0) or erase (label 0) along a stroke on one plane. */
export interface PaintRequestMessage {
  request: 'paint';
  id: number;
  axis: number;
  index: number;
  t?: number;
  /** The stroke's points in plane pixels: x0, y0, x1, y1, ... (a single point paints a disc). */
  points: number[];
  radius: number;
  label: number;
  /** Pieces of one stroke share an id: undo takes back the whole stroke. */
  stroke?: number;
}

/** annotate: undo the last stroke. */
export interface UndoRequestMessage {
  request: 'undo';
  id: number;
}

export type RequestMessage =
  | PlaneRequestMessage | ValuesRequestMessage | ExportRequestMessage | RunRequestMessage | PaintRequestMessage | UndoRequestMessage;

/** Answer to a plane request; buffers: [codes (width × height bytes), histogram (256 × uint32, when asked)]. */
export interface PlaneResponseMessage {
  response: 'plane';
  id: number;
  layer: number;
  width: number;
  height: number;
  min: number;
  max: number;
  /** The part of the plane sent, [x, y, width, height] in full-resolution plane pixels. */
  region: [number, number, number, number];
  /** Pyramid level read (0: full resolution), and the bytes read from storage for this plane (0 when on the GPU or cached). */
  level: number;
  bytes_read: number;
  /** Time the kernel took from receiving the request to sending the answer. */
  kernel_ms: number;
  /** When the answer left the kernel (ms since the epoch), to split the transport time. */
  sent_at: number;
}

export interface ValuesResponseMessage {
  response: 'values';
  id: number;
  values: number[];
}

/** Answer to an export request; buffers: [file bytes]. */
export interface ExportResponseMessage {
  response: 'export';
  id: number;
  filename: string;
  mime: string;
}

export interface ErrorResponseMessage {
  response: 'error';
  id: number;
  message: string;
}

/** Answer to run, paint and undo: done (the new state arrives as a model update just before). */
export interface DoneResponseMessage {
  response: 'done';
  id: number;
  kernel_ms: number;
}

export type ResponseMessage = PlaneResponseMessage | ValuesResponseMessage | ExportResponseMessage | DoneResponseMessage | ErrorResponseMessage;
