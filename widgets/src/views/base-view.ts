import { DOMWidgetView } from '@jupyter-widgets/base';
import { RequestChannel, type Reply } from '../channel';
import { el } from '../controls/controls';
import { bytesOf, type Bytes, type RequestMessage, type ResponseMessage, type Unsent } from '../protocol';
import { rgbaLut, type RgbaLut } from '../render/colorize';
import '@tessera/widgets/css/widgets.css';

/** Longest side of the snapshot saved in the model for notebooks reopened without a kernel. */
const SNAPSHOT_SIZE = 384;
const SNAPSHOT_DELAY_MS = 1500;
const SAVE_DELAY_MS = 400;

/** Name of the performance measures of request round trips (send → drawn), read by the UI tests. */
export const ROUNDTRIP_MEASURE = 'tessera:roundtrip';

function toDataView(b: DataView | ArrayBuffer | ArrayBufferView): DataView {
  if (b instanceof DataView) return b;
  const u = bytesOf(b as Bytes);
  return new DataView(u.buffer, u.byteOffset, u.byteLength);
}

/**
 * What Tessera's views share: request channels to the kernel (one request in flight per
 * channel), lookup tables, the saved snapshot, and the static rendering of a notebook opened
 * without its kernel.
 */
export abstract class TesseraView extends DOMWidgetView {
  private channels = new Map<string, RequestChannel<Unsent<RequestMessage>, ResponseMessage>>();
  private sentAt = new Map<number, number>();
  private receivedAt = new Map<number, number>();
  private luts = new Map<string, RgbaLut>();
  private snapshotTimer?: ReturnType<typeof setTimeout>;
  private saveTimer?: ReturnType<typeof setTimeout>;
  private statusLine?: HTMLElement;

  render(): void {
    this.el.classList.add('tessera-widget');
    const title = this.model.get('title');
    if (title) this.el.append(el('div', 'tessera-title', String(title)));
    if (!this.model.comm_live && this.hasStaticState()) {
      this.renderStatic();
      return;
    }
    this.listenTo(this.model, 'msg:custom', this.onCustom);
    this.build();
    this.statusLine = el('div', 'tessera-status');
    this.el.append(this.statusLine);
  }

  /** Builds the interactive view. */
  protected abstract build(): void;

  /** The canvases whose picture makes the snapshot. */
  protected abstract snapshotCanvases(): HTMLCanvasElement[];

  /** Whether the model can be shown without a kernel (it has a snapshot or its own pixels). */
  protected hasStaticState(): boolean {
    return Boolean(this.model.get('snapshot'));
  }

  /** Shows the saved snapshot: the notebook was reopened and the kernel no longer has the data. */
  protected renderStatic(): void {
    const img = el('img', 'tessera-snapshot');
    img.src = this.model.get('snapshot');
    img.alt = 'snapshot of the view';
    const note = el('div', 'tessera-status', 'Static snapshot: run the cell again to explore the data.');
    this.el.append(img, note);
  }

  /**
   * Sends `request` on channel `key` (at most one in flight per channel; see RequestChannel).
   * Resolves to the reply, or undefined when a newer request on the channel replaced it.
   * Error responses reject with the kernel's message.
   */
  protected async ask(key: string, request: Unsent<RequestMessage>): Promise<Reply<ResponseMessage> | undefined> {
    let channel = this.channels.get(key);
    if (!channel) {
      channel = new RequestChannel<Unsent<RequestMessage>, ResponseMessage>((req, id) => {
        this.sentAt.set(id, performance.now());
        const message: RequestMessage = { ...req, id };
        this.model.send({ ...message }); // a copy: JSON-typed, which an interface is not
      });
      this.channels.set(key, channel);
    }
    const reply = await channel.request(request);
    if (reply && reply.response.response === 'error') throw new Error(reply.response.message);
    return reply;
  }

  private onCustom(content: ResponseMessage, buffers: (DataView | ArrayBuffer | ArrayBufferView)[]): void {
    this.receivedAt.set(content.id, performance.now());
    const views = (buffers ?? []).map(toDataView);
    for (const channel of this.channels.values()) if (channel.handle(content, views)) return;
  }

  /**
   * Records the round trip of request `id` (sent → drawn) as a performance measure; its detail
   * adds `browser_ms`, the time from the answer's arrival to the drawn canvas.
   */
  protected measure(id: number, detail: Record<string, unknown>): void {
    const start = this.sentAt.get(id);
    const received = this.receivedAt.get(id);
    this.sentAt.delete(id);
    this.receivedAt.delete(id);
    if (start === undefined) return;
    const end = performance.now();
    const browserMs = received === undefined ? undefined : Math.round((end - received) * 10) / 10;
    // Times since the epoch, comparable with the kernel's `sent_at` on the same machine: they split the transport by direction.
    const epoch = (t: number | undefined) => (t === undefined ? undefined : Math.round((performance.timeOrigin + t) * 10) / 10);
    performance.measure(ROUNDTRIP_MEASURE, { start, end, detail: { ...detail, browser_ms: browserMs, requested_at: epoch(start), received_at: epoch(received) } });
  }

  /** The RGBA lookup table of colormap `name` from the model's `luts` (grey when unknown). */
  protected lut(name: string): RgbaLut {
    let lut = this.luts.get(name);
    if (!lut) {
      const luts = this.model.get('luts') as Record<string, Bytes>;
      const raw = luts[name] ?? luts.grey;
      lut = rgbaLut(bytesOf(raw));
      this.luts.set(name, lut);
    }
    return lut;
  }

  /** Names of the model's colormaps. */
  protected colormaps(): string[] {
    return Object.keys(this.model.get('luts') ?? {});
  }

  /** Shows an error (or clears it with ''). */
  protected status(message: string): void {
    if (this.statusLine) this.statusLine.textContent = message;
  }

  /** Saves state changes made in the view to the kernel, once the user pauses. */
  protected saveSoon(): void {
    clearTimeout(this.saveTimer);
    this.saveTimer = setTimeout(() => this.model.save_changes(), SAVE_DELAY_MS);
  }

  /** Updates the saved snapshot once the view has been still for a moment. */
  protected snapshotSoon(): void {
    clearTimeout(this.snapshotTimer);
    this.snapshotTimer = setTimeout(() => this.takeSnapshot(), SNAPSHOT_DELAY_MS);
  }

  private takeSnapshot(): void {
    const canvases = this.snapshotCanvases().filter((c) => c.width > 0 && c.isConnected);
    if (canvases.length === 0 || !this.model.comm_live) return;
    const origin = this.el.getBoundingClientRect();
    const rects = canvases.map((c) => c.getBoundingClientRect());
    const right = Math.max(...rects.map((r) => r.right - origin.left));
    const bottom = Math.max(...rects.map((r) => r.bottom - origin.top));
    if (!(right > 0 && bottom > 0)) return;
    const k = Math.min(1, SNAPSHOT_SIZE / Math.max(right, bottom));
    const out = document.createElement('canvas');
    out.width = Math.round(right * k);
    out.height = Math.round(bottom * k);
    const ctx = out.getContext('2d')!;
    canvases.forEach((c, i) => {
      const r = rects[i];
      ctx.drawImage(c, (r.left - origin.left) * k, (r.top - origin.top) * k, r.width * k, r.height * k);
    });
    this.model.set('snapshot', out.toDataURL('image/png'));
    this.model.save_changes();
  }

  remove(): void {
    for (const channel of this.channels.values()) channel.cancel();
    clearTimeout(this.snapshotTimer);
    clearTimeout(this.saveTimer);
    super.remove();
  }
}
