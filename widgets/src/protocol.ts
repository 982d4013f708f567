/**
 * The widgets' state and messages, as the kernel defines them
 * (kernel-lib/src/viewers/protocol.ts; keep the two in step). See docs/widgets.md.
 */

/** One image shown by a viewer. */
export interface LayerState {
  name: string;
  shape: number[];
  dtype: string;
  /** Name of its lookup table in the viewer's `luts`; `labels` renders label codes. */
  colormap: string;
  display_range: [number, number];
  data_range: [number, number] | null;
  alpha: number;
  outline: boolean;
}

export type Arrangement = 'single' | 'overlay' | 'curtain' | 'side-by-side' | 'switch';
export type ViewerTool = 'picker' | 'histogram' | 'play';

/** Binary values of the state arrive as DataViews (or ArrayBuffers, or typed arrays). */
export type Bytes = DataView | ArrayBuffer | Uint8Array;

/** Viewer model state (snake_case, as synced). */
export interface ViewerState {
  layers: LayerState[];
  luts: Record<string, Bytes>;
  arrangement: Arrangement;
  tools: ViewerTool[];
  axis: number;
  index: number;
  t: number;
  cursor: [number, number, number];
  zoom: number;
  curtain: number;
  active: number;
  fps: number;
  title: string;
  snapshot: string;
}

export interface PlaneRequest {
  request: 'plane';
  layer: number;
  axis: number;
  index: number;
  t?: number;
  step?: number;
  transpose?: boolean;
  display_range: [number, number];
  labels: boolean;
  histogram?: boolean;
}

export interface ValuesRequest {
  request: 'values';
  x: number;
  y: number;
  z: number;
  t?: number;
}

export interface ExportRequest {
  request: 'export';
  format: 'apng' | 'gif';
}

export type Request = PlaneRequest | ValuesRequest | ExportRequest;

export interface PlaneResponse {
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

export interface ValuesResponse {
  response: 'values';
  id: number;
  values: number[];
}

export interface ExportResponse {
  response: 'export';
  id: number;
  filename: string;
  mime: string;
}

export interface ErrorResponse {
  response: 'error';
  id: number;
  message: string;
}

export type Response = PlaneResponse | ValuesResponse | ExportResponse | ErrorResponse;

/** The bytes of a binary value, without copying. */
export function bytesOf(b: Bytes | ArrayBufferView): Uint8Array {
  if (b instanceof Uint8Array) return b;
  if (b instanceof ArrayBuffer) return new Uint8Array(b);
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}
