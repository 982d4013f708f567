/**
 * The Tessera Jupyter kernel: a ZeroMQ server for the Jupyter messaging protocol 5.3 that runs
 * TypeScript cells (cells/, on the project's TypeScript) and speaks comms, and therefore
 * Jupyter widgets, with binary buffers. It behaves as ipykernel where a Python user would notice:
 * `execute_input` / `execute_result` with execution counts, `error` messages with the class
 * name and a traceback of the cell's lines, `stop_on_error`, interrupts that reach the cell's
 * awaits and Tessera's loops, history, `is_complete`, inspection, and exit with its parent.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { format, inspect } from 'node:util';
import * as zmq from 'zeromq';
import { interrupt, InterruptedError } from '../abort';
import { NotebookSession } from './cells/session';
import { PACKAGE_ROOT } from './cells/resolution';
import { TYPESCRIPT_VERSION } from './cells/compiler';
import { CommManager, setKernelComms, type JsonObject } from './comms';
import { resultBundle } from './display';
import { History } from './history';
import { Heartbeat } from './heartbeat';
import { watchParent } from './lifetime';
import { registerWidgetControlTarget } from './ipywidgets';
import { startStatusFile } from './status-file';
import { decodeMessage, encodeMessage, newHeader, PROTOCOL_VERSION, Signer, type IncomingMessage, type MessageHeader } from './wire';

/** The fields of a Jupyter connection file that the kernel uses. */
interface ConnectionInfo {
  transport: string;
  ip: string;
  shell_port: number;
  iopub_port: number;
  stdin_port: number;
  control_port: number;
  hb_port: number;
  key: string;
  signature_scheme: string;
}

/** The request being handled, followed through async calls: it parents the output it causes. */
interface RequestContext {
  header: MessageHeader;
  /** A silent execute request: its output is not broadcast. */
  silent: boolean;
}

/** An execute request waiting for the cells before it. */
interface QueuedExecute {
  socket: zmq.Router;
  msg: IncomingMessage;
}

// The kernel's own diagnostics go to its real stderr (the Jupyter server log); the process's
// stdout and stderr carry the cells' output once the kernel runs.
const stderrWrite = process.stderr.write.bind(process.stderr);
function log(...args: unknown[]): void {
  stderrWrite(`[tessera-kernel] ${format(...args)}\n`);
}

const PACKAGE = JSON.parse(fs.readFileSync(path.join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string; homepage?: string };

/** Seconds without a heartbeat after which a kernel without a parent to watch exits. */
const HEARTBEAT_TIMEOUT_S = Number(process.env.TESSERA_KERNEL_HEARTBEAT_TIMEOUT) || 60;

/**
 * Dawn's Vulkan backend wants XDG_RUNTIME_DIR, which is unset when Jupyter runs outside a login
 * session (containers, JupyterHub); fall back to a private directory under the temp dir.
 */
function ensureXdgRuntimeDir(): void {
  if (process.env.XDG_RUNTIME_DIR) return;
  const dir = path.join(os.tmpdir(), `runtime-${process.getuid?.() ?? 'user'}`);
  try {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    process.env.XDG_RUNTIME_DIR = dir;
  } catch (e) {
    log('cannot create XDG_RUNTIME_DIR fallback', dir, e);
  }
}

/**
 * Returns the GPU memory of images that became unreachable (an interrupted loop's intermediates):
 * a full garbage collection (the kernelspec starts Node with --expose-gc) lets the images'
 * finalizers give their buffers back to the pool, which memoryStats() then shows.
 */
async function reclaimUnreachable(): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (typeof gc !== 'function') return;
  gc();
  // FinalizationRegistry callbacks run in a task after the collection.
  await new Promise((resolve) => setTimeout(resolve, 0));
}

/** A running kernel. Create with {@link startKernel}. */
export class TesseraKernel {
  /** The comms of this kernel, also returned by getKernelComms(). */
  readonly comms: CommManager;
  private readonly session = randomUUID();
  private readonly signer: Signer;
  private readonly requestContext = new AsyncLocalStorage<RequestContext>();
  private lastExecuteHeader: MessageHeader | undefined;
  private readonly cells = new NotebookSession(process.cwd());
  private readonly history = new History();
  private executionCount = 0;
  private readonly queue: QueuedExecute[] = [];
  private draining = false;
  private heartbeat: Heartbeat | undefined;
  // sendTimeout 0: sends complete synchronously (PUB and ROUTER never block), which avoids
  // zeromq.js's "only one send in progress" error under bursts and lets output leave while a
  // synchronous cell blocks the event loop. No high-water mark on IOPub: a PUB socket drops
  // messages beyond it, and output is one message per write, so a loop of console.log or
  // widget updates would lose some. linger bounds the flush on exit.
  private readonly iopub = new zmq.Publisher({ sendTimeout: 0, sendHighWaterMark: 0, linger: 1000 });
  private readonly shell = new zmq.Router({ sendTimeout: 0, linger: 1000 });
  private readonly control = new zmq.Router({ sendTimeout: 0, linger: 1000 });
  private readonly stdin = new zmq.Router({ sendTimeout: 0, linger: 0 });

  private constructor(private readonly connection: ConnectionInfo) {
    this.signer = new Signer(connection.key, connection.signature_scheme);
    this.comms = new CommManager({ publish: (type, content, metadata, buffers) => this.publish(type, content, metadata, buffers) });
    registerWidgetControlTarget(this.comms);
  }

  /** Exits because the client is gone. */
  private gone(why: string): void {
    log(`exiting: ${why}`);
    this.exit(1);
  }

  /** @internal Use {@link startKernel}. */
  static async create(connectionFile: string): Promise<TesseraKernel> {
    const connection: ConnectionInfo = JSON.parse(fs.readFileSync(connectionFile, 'utf8'));
    const kernel = new TesseraKernel(connection);
    setKernelComms(kernel.comms);
    kernel.captureOutput();
    await kernel.bind();
    // Loading TypeScript's libraries takes a second or two: done now, before the first cell.
    setImmediate(() => kernel.cells.warmUp());
    return kernel;
  }

  private async bind(): Promise<void> {
    const { transport, ip } = this.connection;
    const address = (port: number) => `${transport}://${ip}${transport === 'ipc' ? '-' : ':'}${port}`;
    // As ipykernel: exit when the parent that started the kernel is gone; a kernel started
    // without one (no JPY_PARENT_PID) exits when its heartbeat stops instead.
    const watchParentProcess = Boolean(process.env.JPY_PARENT_PID);
    const [heartbeat] = await Promise.all([
      Heartbeat.start(address(this.connection.hb_port), watchParentProcess ? undefined : HEARTBEAT_TIMEOUT_S * 1000),
      this.iopub.bind(address(this.connection.iopub_port)),
      this.shell.bind(address(this.connection.shell_port)),
      this.control.bind(address(this.connection.control_port)),
      this.stdin.bind(address(this.connection.stdin_port)),
    ]);
    this.heartbeat = heartbeat;
    void this.serve(this.shell);
    void this.serve(this.control);
    if (watchParentProcess) watchParent((why) => this.gone(why));
  }

  /** Sends what cells write to stdout and stderr (console.log & co.) as `stream` messages. */
  private captureOutput(): void {
    for (const name of ['stdout', 'stderr'] as const) {
      const stream = process[name];
      stream.write = ((chunk: string | Uint8Array, encoding?: unknown, callback?: unknown): boolean => {
        const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
        const context = this.requestContext.getStore();
        if (!context?.silent) this.publish('stream', { name, text });
        const done = typeof encoding === 'function' ? encoding : callback;
        if (typeof done === 'function') process.nextTick(done as () => void);
        return true;
      }) as typeof stream.write;
    }
  }

  /**
   * Receives requests and handles each as it arrives: execute requests wait in a queue for the
   * cells before them, while everything else (comm messages, completions, interrupts) is handled
   * at once, also while a cell awaits.
   */
  private async serve(socket: zmq.Router): Promise<void> {
    for await (const frames of socket) {
      let msg: IncomingMessage;
      try {
        msg = decodeMessage(frames, this.signer);
      } catch (e) {
        log('dropped message:', e);
        continue;
      }
      if (msg.header.msg_type === 'execute_request') {
        this.queue.push({ socket, msg });
        void this.drainQueue();
      } else {
        void this.handle(msg, () => this.dispatch(socket, msg));
      }
    }
  }

  /** Runs `work` for request `msg` between its `busy` and `idle` status messages. */
  private async handle(msg: IncomingMessage, work: () => Promise<unknown> | unknown): Promise<void> {
    this.publish('status', { execution_state: 'busy' }, {}, [], msg.header);
    const silent = msg.header.msg_type === 'execute_request' && Boolean(msg.content.silent);
    try {
      await this.requestContext.run({ header: msg.header, silent }, work);
    } catch (e) {
      log(`error handling ${msg.header.msg_type}:`, e);
    } finally {
      this.publish('status', { execution_state: 'idle' }, {}, [], msg.header);
    }
    if (msg.header.msg_type === 'shutdown_request') this.exit(0);
  }

  /** Runs the queued execute requests one after the other. */
  private async drainQueue(): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    try {
      for (let next = this.queue.shift(); next; next = this.queue.shift()) {
        const { socket, msg } = next;
        let aborted: QueuedExecute[] = [];
        await this.handle(msg, async () => (aborted = await this.execute(socket, msg)));
        for (const request of aborted) {
          await this.handle(request.msg, () => this.reply(request.socket, request.msg, { status: 'aborted' }, { status: 'aborted' }));
        }
      }
    } finally {
      this.draining = false;
    }
  }

  /**
   * The execute requests to abort after an error with `stop_on_error` (the default), as
   * ipykernel does ("Run all" stops at the failing cell): those that arrived before the error is
   * replied to. A request sent after the reply runs. nbclient's `allow_errors` and papermill
   * send `stop_on_error: false`.
   */
  private async takeQueuedForAbort(): Promise<QueuedExecute[]> {
    // Let the receive loops take in requests that arrived while a synchronous cell blocked the
    // event loop: a few turns of it (each receive is one poll). Not `socket.readable`: reading
    // ZMQ_EVENTS consumes the socket's edge-triggered notification, and receiving stalls.
    for (let turn = 0; turn < 3; turn++) await new Promise((resolve) => setTimeout(resolve, 0));
    return this.queue.splice(0);
  }

  private async dispatch(socket: zmq.Router, msg: IncomingMessage): Promise<void> {
    const reply = (content: object) => this.reply(socket, msg, content);
    const content = msg.content;
    switch (msg.header.msg_type) {
      case 'kernel_info_request':
        return reply(this.kernelInfo());
      case 'complete_request':
        return reply({ status: 'ok', metadata: {}, ...this.cells.complete(String(content.code ?? ''), Number(content.cursor_pos ?? 0)) });
      case 'inspect_request': {
        const data = this.cells.inspect(String(content.code ?? ''), Number(content.cursor_pos ?? 0));
        return reply({ status: 'ok', found: data !== undefined, data: data ?? {}, metadata: {} });
      }
      case 'is_complete_request':
        return reply(this.cells.isComplete(String(content.code ?? '')));
      case 'history_request':
        return reply({ status: 'ok', history: this.history.query(content) });
      case 'comm_info_request':
        return reply({ status: 'ok', comms: this.comms.commInfo(content.target_name) });
      case 'comm_open':
        return this.comms.handleOpen(msg);
      case 'comm_msg':
        return this.comms.handleMsg(msg);
      case 'comm_close':
        return this.comms.handleClose(msg);
      case 'interrupt_request':
        // interrupt_mode "message"; the kernelspec's "signal" mode sends SIGINT (see startKernel).
        interrupt();
        return reply({ status: 'ok' });
      case 'shutdown_request':
        return reply({ status: 'ok', restart: Boolean(content.restart) });
      default:
        log('unsupported message type', msg.header.msg_type);
    }
  }

  private kernelInfo(): object {
    const homepage = PACKAGE.homepage;
    return {
      status: 'ok',
      protocol_version: PROTOCOL_VERSION,
      implementation: 'tessera',
      implementation_version: PACKAGE.version,
      language_info: {
        name: 'typescript',
        version: TYPESCRIPT_VERSION,
        mimetype: 'text/typescript',
        file_extension: '.ts',
        pygments_lexer: 'typescript',
        codemirror_mode: 'typescript',
      },
      banner: `Tessera ${PACKAGE.version}: TypeScript ${TYPESCRIPT_VERSION} on Node.js ${process.versions.node}, with top-level await and Jupyter widgets`,
      help_links: [
        ...(homepage ? [{ text: 'Tessera', url: homepage }] : []),
        { text: 'TypeScript handbook', url: 'https://www.typescriptlang.org/docs/handbook/intro.html' },
        { text: `Node.js ${process.versions.node.split('.')[0]} API`, url: `https://nodejs.org/docs/latest-v${process.versions.node.split('.')[0]}.x/api/` },
      ],
      debugger: false,
    };
  }

  /** Runs one execute request; returns the queued requests to abort because it failed. */
  private async execute(socket: zmq.Router, msg: IncomingMessage): Promise<QueuedExecute[]> {
    const { code = '', silent = false, user_expressions: expressions = {} } = msg.content as { code?: string; silent?: boolean; user_expressions?: Record<string, string> };
    const storeHistory = msg.content.store_history !== false && !silent;
    this.lastExecuteHeader = msg.header;
    if (storeHistory) this.executionCount++;
    const count = this.executionCount;
    const parent = msg.header;
    if (!silent) this.publish('execute_input', { code, execution_count: count }, {}, [], parent);
    const result = await this.cells.run(code, `Cell In[${count}]`);
    if (!result.ok) {
      if (!silent) this.publish('error', { ...result.error }, {}, [], parent);
      if (storeHistory) this.history.add(count, code);
      await reclaimUnreachable();
      const aborted = msg.content.stop_on_error !== false && !silent ? await this.takeQueuedForAbort() : [];
      this.reply(socket, msg, { status: 'error', execution_count: count, ...result.error }, { status: 'error' });
      return aborted;
    }
    let shown: { data: JsonObject; metadata: JsonObject } | undefined;
    try {
      shown = silent ? undefined : await resultBundle(result.value);
    } catch (e) {
      this.publish('stream', { name: 'stderr', text: `cannot display the result: ${e instanceof Error ? e.message : String(e)}\n` }, {}, [], parent);
    }
    if (shown) this.publish('execute_result', { execution_count: count, ...shown }, {}, [], parent);
    if (storeHistory) this.history.add(count, code, shown ? String(shown.data['text/plain'] ?? '') : null);
    const user_expressions = await this.evaluate(expressions);
    this.reply(socket, msg, { status: 'ok', execution_count: count, payload: [], user_expressions }, { status: 'ok' });
    return [];
  }

  /** The `user_expressions` of an execute request, evaluated after the cell: text/plain or the error. */
  private async evaluate(expressions: Record<string, string>): Promise<Record<string, object>> {
    const out: Record<string, object> = {};
    for (const [name, expression] of Object.entries(expressions)) {
      const r = await this.cells.run(expression, `<user expression ${name}>`);
      out[name] = r.ok ? { status: 'ok', data: { 'text/plain': inspect(r.value) }, metadata: {} } : { status: 'error', ...r.error };
    }
    return out;
  }

  /**
   * Publishes on IOPub. The parent defaults to the request whose handling led here (a cell, a
   * comm message), followed across awaits and timers by AsyncLocalStorage, so the frontend
   * associates comm messages and outputs with the right request; code running outside any
   * request falls back to the latest execute request.
   */
  private publish(msgType: string, content: JsonObject, metadata: JsonObject = {}, buffers: Uint8Array[] = [], parent?: MessageHeader): void {
    const parent_header = parent ?? this.requestContext.getStore()?.header ?? this.lastExecuteHeader ?? {};
    const msg = { header: newHeader(msgType, this.session), parent_header, metadata, content, buffers };
    this.send(this.iopub, encodeMessage(msg, this.signer, [Buffer.from(`kernel.${msgType}`)]));
  }

  private reply(socket: zmq.Router, request: IncomingMessage, content: object, metadata: JsonObject = {}): void {
    const msgType = request.header.msg_type.replace(/_request$/, '_reply');
    const msg = { header: newHeader(msgType, this.session), parent_header: request.header, metadata, content, buffers: [] };
    this.send(socket, encodeMessage(msg, this.signer, request.identities));
  }

  private send(socket: zmq.Publisher | zmq.Router, frames: (Buffer | string)[]): void {
    socket.send(frames).catch((e: unknown) => log('send failed:', e));
  }

  /** Leaves; pending messages are flushed within the sockets' linger. */
  private exit(code: number): void {
    setKernelComms(undefined);
    for (const socket of [this.iopub, this.shell, this.control, this.stdin]) socket.close();
    // Explicit exit: user timers or GPU handles could otherwise keep the process alive.
    this.heartbeat?.stop();
    setTimeout(() => process.exit(code), 50);
  }
}

/**
 * Starts the kernel on the ports of a Jupyter connection file and installs its comm manager
 * (getKernelComms()) with the `jupyter.widget.control` target.
 */
export async function startKernel(connectionFile: string): Promise<TesseraKernel> {
  ensureXdgRuntimeDir();
  const kernel = await TesseraKernel.create(connectionFile);
  startStatusFile({ connectionFile });
  // SIGINT (interrupt_mode "signal") stops a cell's synchronous start through vm's
  // breakOnSigint, which disables this listener meanwhile; otherwise it aborts the interrupt
  // signal: the cell's awaits and Tessera's loops stop (abort.ts).
  process.on('SIGINT', () => interrupt());
  // Errors from background work (timers, callbacks) are reported, not fatal, as in ipykernel.
  process.on('uncaughtException', (err) => console.error('Uncaught exception:', err));
  // Background work that an interrupt stopped ends with an InterruptedError nobody awaits: expected.
  process.on('unhandledRejection', (reason) => reason instanceof InterruptedError || console.error('Unhandled promise rejection:', reason));
  return kernel;
}
