/**
 * Rich output from kernel code: arbitrary mime bundles (`display_data`), e.g. a widget view with
 * a PNG and text fallback.
 */
import { getKernelComms, toBytes, type JsonObject } from './comms';

/**
 * Mime type to representation. Strings and JSON values are sent as they are; binary values
 * (ArrayBuffer, typed arrays, Buffer) are base64-encoded, as Jupyter expects for `image/png` & co.
 */
export type MimeBundle = Record<string, unknown>;

/**
 * A cell's last expression whose value has a method under this symbol is shown by calling
 * it instead of printing the value (the Tessera kernel awaits a returned promise before the
 * cell ends). GPU images and Zarr arrays show an `insight` view; widget handles show nothing
 * more, as their view is already on screen.
 */
export const RICH_DISPLAY = Symbol.for('tessera.richDisplay');

/** Options of {@link displayMimeBundle}. */
export interface DisplayOptions {
  /** Names the output so that a later call with `update: true` can replace it. */
  displayId?: string;
  /** Replace the output named `displayId` (`update_display_data`) instead of adding one. */
  update?: boolean;
}

function encodeBundle(bundle: MimeBundle): JsonObject {
  const data: JsonObject = {};
  for (const [mime, value] of Object.entries(bundle)) {
    const binary = value instanceof ArrayBuffer || ArrayBuffer.isView(value);
    data[mime] = binary ? Buffer.from(toBytes(value)).toString('base64') : value;
  }
  return data;
}

/** tslab's display hook when running under a plain tslab kernel (it is set while a cell runs). */
function tslabDisplayHook(): ((data: JsonObject, update: boolean) => void) | undefined {
  for (const [id, mod] of Object.entries(require.cache)) {
    if (/[\\/]tslab[\\/]dist[\\/]jupyter\.js$/.test(id)) return mod?.exports.lastWriteDisplayData ?? undefined;
  }
  return undefined;
}

/** Whether {@link displayMimeBundle} has somewhere to send output (a Tessera or tslab kernel), e.g. before encoding a PNG. */
export function canDisplay(): boolean {
  return getKernelComms() !== undefined || tslabDisplayHook() !== undefined;
}

/**
 * Displays a mime bundle in the output of the current cell (`display_data`), e.g.
 * `displayMimeBundle({ 'image/png': pngBytes, 'text/plain': 'Image 512x512' })`.
 * The frontend shows the richest representation it supports.
 *
 * Works in the Tessera kernel and, as a fallback, in a plain tslab kernel.
 * @returns whether the bundle was sent (false outside a kernel). tslab prints the value of a
 * cell's last expression: end a cell with `void displayMimeBundle(...)` to keep "true" out of it.
 */
export function displayMimeBundle(bundle: MimeBundle, metadata: JsonObject = {}, options: DisplayOptions = {}): boolean {
  const update = options.update === true;
  if (update && options.displayId === undefined) throw new Error('displayMimeBundle: update needs a displayId');
  const content = {
    data: encodeBundle(bundle),
    metadata,
    transient: options.displayId === undefined ? {} : { display_id: options.displayId },
  };
  const comms = getKernelComms();
  if (comms) {
    comms.transport.publish(update ? 'update_display_data' : 'display_data', content);
    return true;
  }
  const tslabHook = tslabDisplayHook();
  tslabHook?.(content, update);
  return tslabHook !== undefined;
}
