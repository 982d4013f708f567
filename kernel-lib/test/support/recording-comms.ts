/**
 * A recording stand-in for the kernel's comm transport, for tests of the widgets' kernel side:
 * every message a widget publishes is kept in `sent`, and `ask` plays the view's custom request.
 */
import { CommManager, type CommMessage, type JsonObject } from '../../src/jupyter/comms';

export interface Sent {
  type: string;
  content: JsonObject;
  buffers: Uint8Array[];
}

export class RecordingComms {
  /** What the widgets published, oldest first (tests may reset it). */
  sent: Sent[] = [];
  private waiters: ((m: Sent) => boolean)[] = [];
  readonly manager = new CommManager({
    publish: (type, content, _metadata, buffers = []) => {
      const m = { type, content, buffers };
      this.sent.push(m);
      this.waiters = this.waiters.filter((fn) => !fn(m));
    },
  });

  /** Delivers a custom message (with an `id`) from the "frontend" to a model and resolves with the answer of the same id. */
  ask(modelId: string, content: JsonObject): Promise<Sent> {
    return new Promise((resolve) => {
      this.waiters.push((m) => {
        const data = m.content.data as JsonObject | undefined;
        const reply = data?.content as JsonObject | undefined;
        if (m.type !== 'comm_msg' || m.content.comm_id !== modelId || data?.method !== 'custom' || reply?.id !== content.id) return false;
        resolve(m);
        return true;
      });
      this.manager.handleMsg({ content: { comm_id: modelId, data: { method: 'custom', content } }, buffers: [] } as unknown as CommMessage);
    });
  }
}
