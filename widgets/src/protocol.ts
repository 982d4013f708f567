/**
 * The viewers' state and messages: the kernel's definitions (kernel-lib/src/viewers/protocol.ts,
 * the one source of truth), imported as types only (nothing of the kernel reaches the bundle),
 * plus how the browser holds binary values. See docs/widgets.md.
 */
import type { InsightState as KernelInsightState, PlotState as KernelPlotState, ViewerState as KernelViewerState } from 'tessera/dist/src/viewers/protocol.js';

export type {
  LayerState, Arrangement, ViewerTool,
  RequestMessage, PlaneRequestMessage, ValuesRequestMessage, ExportRequestMessage,
  ResponseMessage, PlaneResponseMessage, ValuesResponseMessage, ExportResponseMessage, ErrorResponseMessage,
  RunRequestMessage, PaintRequestMessage, UndoRequestMessage, DoneResponseMessage, ControlSpec, ControlValue,
} from 'tessera/dist/src/viewers/protocol.js';

/** Mime type of viewer outputs, rendered by the extension as widget views (a runtime value: protocol.js imports nothing). */
export { VIEW_MIME_TYPE } from 'tessera/dist/src/viewers/protocol.js';

/** Binary values of the state arrive as DataViews (or ArrayBuffers, or typed arrays). */
export type Bytes = DataView | ArrayBuffer | Uint8Array;

/** Viewer model state as the browser holds it (snake_case, as synced). */
export type ViewerState = KernelViewerState<Bytes>;

/** Insight model state as the browser holds it. */
export type InsightState = KernelInsightState<Bytes>;

/** Plot model state as the browser holds it. */
export type PlotState = KernelPlotState<Bytes>;

/** A request as a view writes it: the request channel adds its `id` when it sends it. */
export type Unsent<M> = M extends unknown ? Omit<M, 'id'> : never;

/** The bytes of a binary value, without copying. */
export function bytesOf(b: Bytes | ArrayBufferView): Uint8Array {
  if (b instanceof Uint8Array) return b;
  if (b instanceof ArrayBuffer) return new Uint8Array(b);
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}
