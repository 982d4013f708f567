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
}

/** How the layers of a viewer are arranged (not `layout`: widget models reserve it for CSS layout). */
export type Arrangement = 'single' | 'overlay' | 'curtain' | 'side-by-side' | 'switch';

/** Extra tools of a viewer. */
export type ViewerTool = 'picker' | 'histogram' | 'play';

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
  /** Curtain position as a fraction of the width (curtain arrangement). */
  curtain: number;
  /** Layer shown by the switch arrangement. */
  active: number;
  /** Frames per second of the play tool. */
  fps: number;
  title: string;
  /** PNG data URL of the last view, shown when the notebook is reopened without a kernel. */
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

export type RequestMessage = PlaneRequestMessage | ValuesRequestMessage | ExportRequestMessage;

/** Answer to a plane request; buffers: [codes (width × height bytes), histogram (256 × uint32, when asked)]. */
export interface PlaneResponseMessage {
  response: 'plane';
  id: number;
  layer: number;
  width: number;
  height: number;
  min: number;
  max: number;
  /** Time the kernel took from receiving the request to sending the answer. */
  kernel_ms: number;
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

export type ResponseMessage = PlaneResponseMessage | ValuesResponseMessage | ExportResponseMessage | ErrorResponseMessage;
