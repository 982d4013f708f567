/**
 * Rich output from kernel code: arbitrary mime bundles (`display_data`), e.g. a widget view with
 * a PNG and text fallback, and how a cell's value shows (`execute_result`).
 */
import { inspect } from 'node:util';
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

/**
 * A cell's last expression whose value has a method under this symbol shows as the mime bundle
 * the method returns (or resolves to), in the cell's `execute_result` (`Out[n]`), e.g.
 * `[MIME_BUNDLE]() { return { 'text/html': '<b>hi</b>' }; }`. The symbol is Deno's Jupyter
 * kernel's, so the same classes show in both.
 */
export const MIME_BUNDLE = Symbol.for('Jupyter.display');

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

/** Whether {@link displayMimeBundle} has somewhere to send output (a Tessera kernel), e.g. before encoding a PNG. */
export function canDisplay(): boolean {
  return getKernelComms() !== undefined;
}

/**
 * Displays a mime bundle in the output of the current cell (`display_data`), e.g.
 * `displayMimeBundle({ 'image/png': pngBytes, 'text/plain': 'Image 512x512' })`.
 * The frontend shows the richest representation it supports.
 *
 * @returns whether the bundle was sent (false outside a kernel). A cell ending with this call
 * shows `true` as its result: end it with `void displayMimeBundle(...)` to keep that out.
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
  comms?.transport.publish(update ? 'update_display_data' : 'display_data', content);
  return comms !== undefined;
}

/**
 * Clears the output of the current cell (`clear_output`); with `wait`, only when the next output
 * arrives, which avoids flicker in a loop that redraws.
 * @returns whether it was sent (false outside a kernel).
 */
export function clearOutput(wait = false): boolean {
  const comms = getKernelComms();
  comms?.transport.publish('clear_output', { wait });
  return comms !== undefined;
}

/**
 * The `execute_result` of a cell's last expression: `undefined` shows nothing; a value with a
 * {@link MIME_BUNDLE} method shows the bundle it returns; one with a {@link RICH_DISPLAY}
 * method displays itself (and has no result of its own); anything else is its `text/plain`
 * as Node's REPL prints it (without colours).
 * @internal The kernel calls this.
 */
export async function resultBundle(value: unknown): Promise<{ data: JsonObject; metadata: JsonObject } | undefined> {
  if (value === undefined) return undefined;
  if (value instanceof Promise) return { data: { 'text/plain': await promiseText(value) }, metadata: {} };
  const methods = value as { [MIME_BUNDLE]?: () => MimeBundle | Promise<MimeBundle>; [RICH_DISPLAY]?: () => unknown } | null;
  const bundle = methods?.[MIME_BUNDLE];
  if (typeof bundle === 'function') {
    const data = encodeBundle(await bundle.call(value));
    return { data: { 'text/plain': inspect(value), ...data }, metadata: {} };
  }
  const show = methods?.[RICH_DISPLAY];
  if (typeof show === 'function') {
    await show.call(value);
    return undefined;
  }
  return { data: { 'text/plain': inspect(value) }, metadata: {} };
}

/**
 * A promise as a cell's value is shown, not awaited (a cell waits only where it says `await`):
 * its state and the hint a user who forgot the `await` needs, without the kernel's async
 * context that Node's inspect would print with it.
 */
async function promiseText(promise: Promise<unknown>): Promise<string> {
  // Reactions of a settled promise run before the next macrotask: what is still undecided then is pending.
  const pending = new Promise<string>((resolve) => setImmediate(() => resolve('<pending>')));
  const state = await Promise.race([
    promise.then((v) => inspect(v, { depth: 1 }), (e: unknown) => `<rejected> ${e instanceof Error ? `${e.name}: ${e.message}` : inspect(e)}`),
    pending,
  ]);
  return `Promise { ${state} } (not awaited: write \`await\` before the expression to wait for its result)`;
}
