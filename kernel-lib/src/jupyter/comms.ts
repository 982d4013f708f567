/**
 * Jupyter comms on the kernel side: bidirectional, id-addressed message channels between kernel
 * code and the frontend (the transport of ipywidgets). Free of zeromq so that library code can
 * import it anywhere; the Tessera kernel (kernel.ts) installs the singleton returned by
 * {@link getKernelComms}.
 */
import { randomUUID } from 'node:crypto';
import type { JupyterMessage } from './wire';

/** A JSON object as carried in message content and metadata. */
export type JsonObject = Record<string, unknown>;

/** Binary data accepted wherever buffers are sent. */
export type BufferLike = ArrayBuffer | ArrayBufferView;

/** Content of `comm_open`, `comm_msg` and `comm_close` messages. */
export interface CommContent {
  comm_id: string;
  data: JsonObject;
  /** Only on `comm_open`. */
  target_name?: string;
}

/** A comm message as received from the frontend; `buffers` are its binary frames. */
export type CommMessage = JupyterMessage<CommContent>;

/** Called with a comm opened by the frontend and its `comm_open` message. */
export type CommTargetCallback = (comm: Comm, openMsg: CommMessage) => void;

/**
 * What the kernel provides to the comm layer: publishing on IOPub. The kernel picks the parent
 * header: the request whose handling (a cell, or an incoming comm message) led to the call.
 */
export interface CommTransport {
  publish(msgType: string, content: JsonObject, metadata?: JsonObject, buffers?: Uint8Array[]): void;
}

/** A view of the bytes of `b`, without copying. */
export function toBytes(b: BufferLike): Uint8Array {
  return b instanceof ArrayBuffer ? new Uint8Array(b) : new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

/** Runs listener `fn`, reporting (not propagating) its errors: one bad handler must not break the kernel. */
function callSafely<A extends unknown[]>(fn: (...args: A) => void, ...args: A): void {
  try {
    fn(...args);
  } catch (e) {
    console.error('Error in comm callback:', e);
  }
}

/**
 * One end of a comm. Create with {@link CommManager.openComm}, or receive one in a target
 * callback ({@link CommManager.registerTarget}) when the frontend opens it.
 */
export class Comm {
  private readonly msgListeners = new Set<(msg: CommMessage) => void>();
  private readonly closeListeners = new Set<(msg: CommMessage | undefined) => void>();
  private isClosed = false;

  /** @internal Use {@link CommManager.openComm}. */
  constructor(
    /** Unique id shared by both ends. */
    readonly commId: string,
    /** The target the comm was opened for. */
    readonly targetName: string,
    private readonly manager: CommManager,
  ) {}

  /** Whether the comm was closed by either side. */
  get closed(): boolean {
    return this.isClosed;
  }

  /** Sends `comm_msg` with `data`; `buffers` travel as binary frames. Throws when closed. */
  send(data: JsonObject, metadata: JsonObject = {}, buffers: BufferLike[] = []): void {
    if (this.isClosed) throw new Error(`comm ${this.commId} (${this.targetName}) is closed`);
    this.manager.transport.publish('comm_msg', { comm_id: this.commId, data }, metadata, buffers.map(toBytes));
  }

  /** Calls `cb` for every message from the frontend. Returns a function that removes `cb`. */
  onMsg(cb: (msg: CommMessage) => void): () => void {
    this.msgListeners.add(cb);
    return () => this.msgListeners.delete(cb);
  }

  /**
   * Calls `cb` once the comm is closed, with the `comm_close` message when the frontend closed it
   * and `undefined` when the kernel did. Returns a function that removes `cb`.
   */
  onClose(cb: (msg: CommMessage | undefined) => void): () => void {
    this.closeListeners.add(cb);
    return () => this.closeListeners.delete(cb);
  }

  /** Closes the comm, telling the frontend with `comm_close`. Does nothing when already closed. */
  close(data: JsonObject = {}, metadata: JsonObject = {}, buffers: BufferLike[] = []): void {
    if (this.isClosed) return;
    this.manager.transport.publish('comm_close', { comm_id: this.commId, data }, metadata, buffers.map(toBytes));
    this.markClosed(undefined);
  }

  /** @internal Delivers a `comm_msg` from the frontend. */
  handleMsg(msg: CommMessage): void {
    for (const cb of [...this.msgListeners]) callSafely(cb, msg);
  }

  /** @internal Marks the comm closed (by the frontend when `msg` is given) and notifies listeners. */
  markClosed(msg: CommMessage | undefined): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.manager.forget(this);
    for (const cb of [...this.closeListeners]) callSafely(cb, msg);
    this.msgListeners.clear();
    this.closeListeners.clear();
  }
}

/**
 * The comms of a kernel: opens comms, routes incoming comm messages by id and answers
 * `comm_info_request`. Inside the Tessera kernel, get the running instance with
 * {@link getKernelComms}.
 */
export class CommManager {
  private readonly comms = new Map<string, Comm>();
  private readonly targets = new Map<string, CommTargetCallback>();

  constructor(
    /** How messages reach the frontend. */
    readonly transport: CommTransport,
  ) {}

  /** Lets the frontend open comms for `targetName`; `cb` receives each new comm. Replaces any previous callback. */
  registerTarget(targetName: string, cb: CommTargetCallback): void {
    this.targets.set(targetName, cb);
  }

  /** Stops accepting new comms for `targetName` (open comms stay open). */
  unregisterTarget(targetName: string): void {
    this.targets.delete(targetName);
  }

  /** Opens a comm to the frontend's `targetName` with `comm_open`; `data` is its initial payload. */
  openComm(targetName: string, data: JsonObject = {}, metadata: JsonObject = {}, buffers: BufferLike[] = [], commId = randomUUID()): Comm {
    const comm = new Comm(commId, targetName, this);
    this.comms.set(commId, comm);
    this.transport.publish('comm_open', { comm_id: commId, target_name: targetName, data }, metadata, buffers.map(toBytes));
    return comm;
  }

  /** The open comm with id `commId`, if any. */
  getComm(commId: string): Comm | undefined {
    return this.comms.get(commId);
  }

  /** The open comms (optionally only those of `targetName`) in the shape of a `comm_info_reply`. */
  commInfo(targetName?: string): Record<string, { target_name: string }> {
    const info: Record<string, { target_name: string }> = {};
    for (const comm of this.comms.values()) {
      if (targetName === undefined || comm.targetName === targetName) info[comm.commId] = { target_name: comm.targetName };
    }
    return info;
  }

  /** @internal Handles `comm_open` from the frontend. Unknown targets get a `comm_close`, as in ipykernel. */
  handleOpen(msg: CommMessage): void {
    const { comm_id: commId, target_name: targetName = '' } = msg.content;
    const callback = this.targets.get(targetName);
    const comm = new Comm(commId, targetName, this);
    if (!callback) {
      comm.close();
      return;
    }
    this.comms.set(commId, comm);
    try {
      callback(comm, msg);
    } catch (e) {
      console.error(`Error opening comm for target '${targetName}':`, e);
      comm.close();
    }
  }

  /** @internal Handles `comm_msg` from the frontend. */
  handleMsg(msg: CommMessage): void {
    this.comms.get(msg.content.comm_id)?.handleMsg(msg);
  }

  /** @internal Handles `comm_close` from the frontend. */
  handleClose(msg: CommMessage): void {
    this.comms.get(msg.content.comm_id)?.markClosed(msg);
  }

  /** @internal Called by a comm when it closes. */
  forget(comm: Comm): void {
    this.comms.delete(comm.commId);
  }
}

// On globalThis rather than in a module variable, so that a second copy of this module (say, a
// notebook importing another install of tessera) still finds the kernel's manager.
const KERNEL_COMMS = Symbol.for('tessera.jupyter.kernelComms');

/**
 * The comm manager of the running Tessera kernel, or `undefined` when this process is not a
 * Tessera kernel (plain Node, tslab, tests).
 */
export function getKernelComms(): CommManager | undefined {
  return (globalThis as Record<symbol, CommManager | undefined>)[KERNEL_COMMS];
}

/** @internal Installed by the kernel at startup. */
export function setKernelComms(manager: CommManager | undefined): void {
  (globalThis as Record<symbol, CommManager | undefined>)[KERNEL_COMMS] = manager;
}
