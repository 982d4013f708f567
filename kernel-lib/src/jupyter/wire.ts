/**
 * The Jupyter messaging wire format (protocol 5.3): framing, HMAC signing and binary buffers.
 *
 * tslab's ZmqMessage is not exported, signs the buffer frames too (jupyter_client signs only the
 * four JSON frames, so messages with buffers fail its check) and JSON-encodes extra frames on
 * send; hence this small replacement.
 */
import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';

/** The protocol version this kernel speaks. */
export const PROTOCOL_VERSION = '5.3';

const DELIMITER = Buffer.from('<IDS|MSG>');

/** A Jupyter message header. */
export interface MessageHeader {
  msg_id: string;
  msg_type: string;
  session: string;
  username: string;
  date: string;
  version: string;
}

/** A decoded Jupyter message; `buffers` are the frames after the content frame. */
export interface JupyterMessage<C = Record<string, any>> {
  header: MessageHeader;
  /** Empty object when the message has no parent. */
  parent_header: MessageHeader | Record<string, never>;
  metadata: Record<string, unknown>;
  content: C;
  buffers: Uint8Array[];
}

/**
 * A message received on a ROUTER socket, with the routing identities needed to reply. Its
 * content is whatever the sender put there, hence `any`: each handler reads its own fields.
 */
export interface IncomingMessage extends JupyterMessage<any> {
  identities: Buffer[];
}

/** Signs messages with the connection file's key; an empty key disables signing. */
export class Signer {
  private readonly algorithm: string;

  constructor(
    private readonly key: string,
    scheme = 'hmac-sha256',
  ) {
    this.algorithm = scheme.replace(/^hmac-/, '');
  }

  sign(frames: (Buffer | string)[]): string {
    if (!this.key) return '';
    const hmac = createHmac(this.algorithm, this.key);
    for (const frame of frames) hmac.update(frame);
    return hmac.digest('hex');
  }

  verify(signature: string, frames: Buffer[]): boolean {
    if (!this.key) return true;
    const expected = Buffer.from(this.sign(frames));
    const actual = Buffer.from(signature);
    return expected.length === actual.length && timingSafeEqual(expected, actual);
  }
}

/** Creates a header for a new message sent by the kernel session `session`. */
export function newHeader(msgType: string, session: string): MessageHeader {
  return {
    msg_id: randomUUID(),
    msg_type: msgType,
    session,
    username: 'kernel',
    date: new Date().toISOString(),
    version: PROTOCOL_VERSION,
  };
}

/**
 * Decodes `[identities..., <IDS|MSG>, signature, header, parent, metadata, content, buffers...]`.
 * Throws when the delimiter is missing or the signature is wrong.
 */
export function decodeMessage(frames: Buffer[], signer: Signer): IncomingMessage {
  const delim = frames.findIndex((f) => f.equals(DELIMITER));
  if (delim < 0 || frames.length < delim + 6) throw new Error('malformed message: no delimiter');
  const signature = frames[delim + 1].toString();
  const parts = frames.slice(delim + 2, delim + 6);
  if (!signer.verify(signature, parts)) throw new Error('invalid message signature');
  const [header, parent, metadata, content] = parts.map((p) => JSON.parse(p.toString()));
  return {
    identities: frames.slice(0, delim),
    header,
    parent_header: parent,
    metadata,
    content,
    buffers: frames.slice(delim + 6),
  };
}

/** Encodes a message into frames; buffers become extra (unsigned) frames after the content. */
export function encodeMessage(msg: JupyterMessage<unknown>, signer: Signer, identities: Buffer[] = []): (Buffer | string)[] {
  const parts = [msg.header, msg.parent_header, msg.metadata, msg.content].map((p) => JSON.stringify(p));
  const buffers = msg.buffers.map((b) => Buffer.from(b.buffer, b.byteOffset, b.byteLength));
  return [...identities, DELIMITER, signer.sign(parts), ...parts, ...buffers];
}
