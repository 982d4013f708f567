/**
 * The Tessera Jupyter kernel: tslab's TypeScript executor and request handler behind a ZeroMQ
 * server that also speaks comms (and therefore Jupyter widgets) with binary buffers.
 *
 * tslab's own ZmqServer cannot be extended for this: its message class is private, it signs
 * buffer frames (breaking every message with buffers) and JSON-encodes outgoing ones, and its
 * dispatch is one closed method. So the server is ours; execution, completion, inspection and
 * is_complete still go through tslab's JupyterHandlerImpl, which also serializes cells.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { format } from 'node:util';
import * as zmq from 'zeromq';
import { createConverter, type Converter } from 'tslab/dist/converter';
import { RICH_DISPLAY } from './display';
import { createExecutor, type ConverterSet, type Executor } from 'tslab/dist/executor';
import { JupyterHandlerImpl } from 'tslab/dist/jupyter';
import { versions } from 'tslab/dist/public';
import { CommManager, setKernelComms, type JsonObject } from './comms';
import { registerWidgetControlTarget } from './ipywidgets';
import { decodeMessage, encodeMessage, newHeader, Signer, type IncomingMessage, type MessageHeader } from './wire';

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

// The kernel's own diagnostics go to its real stderr (the Jupyter server log); tslab redirects
// process.stderr.write to the current cell once a cell runs.
const stderrWrite = process.stderr.write.bind(process.stderr);
function log(...args: unknown[]): void {
  stderrWrite(`[tessera-kernel] ${format(...args)}\n`);
}

function packageVersion(): string {
  try {
    return JSON.parse(fs.readFileSync(path.join(__dirname, '../../../package.json'), 'utf8')).version;
  } catch {
    return '0.0.0';
  }
}

/** tslab's converters (TypeScript language services), created on first use as in tslab's main. */
function createConverterSet(): ConverterSet {
  let node: Converter | undefined;
  let browser: Converter | undefined;
  return {
    get node() {
      return (node ??= createConverter({ isJS: false, isBrowser: false }));
    },
    get browser() {
      return (browser ??= createConverter({ isJS: false, isBrowser: true }));
    },
    close() {
      node?.close();
      browser?.close();
    },
  };
}

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

/** A running kernel. Create with {@link startKernel}. */
export class TesseraKernel {
  /** The comms of this kernel, also returned by getKernelComms(). */
  readonly comms: CommManager;
  private readonly session = randomUUID();
  private readonly signer: Signer;
  /** The header of the request being handled, followed through async calls (see publish). */
  private readonly requestContext = new AsyncLocalStorage<MessageHeader>();
  private lastExecuteHeader: MessageHeader | undefined;
  // sendTimeout 0: sends complete synchronously (PUB and ROUTER never block), which avoids
  // zeromq.js's "only one send in progress" error under bursts and lets output leave while a
  // synchronous cell blocks the event loop. No high-water mark on IOPub: a PUB socket drops
  // messages beyond it, and tslab sends one message per write, so a loop of console.log or
  // widget updates would lose some. linger bounds the flush on exit.
  private readonly iopub = new zmq.Publisher({ sendTimeout: 0, sendHighWaterMark: 0, linger: 1000 });
  private readonly shell = new zmq.Router({ sendTimeout: 0, linger: 1000 });
  private readonly control = new zmq.Router({ sendTimeout: 0, linger: 1000 });
  private readonly stdin = new zmq.Router({ sendTimeout: 0, linger: 0 });
  private readonly heartbeat = new zmq.Reply({ linger: 0 });

  private constructor(
    private readonly connection: ConnectionInfo,
    private readonly executor: Executor,
    private readonly handler: JupyterHandlerImpl,
    private readonly pendingDisplays: Array<Promise<unknown>>,
  ) {
    this.signer = new Signer(connection.key, connection.signature_scheme);
    this.comms = new CommManager({ publish: (type, content, metadata, buffers) => this.publish(type, content, metadata, buffers) });
    registerWidgetControlTarget(this.comms);
  }

  /** @internal Use {@link startKernel}. */
  static async create(connectionFile: string): Promise<TesseraKernel> {
    const connection: ConnectionInfo = JSON.parse(fs.readFileSync(connectionFile, 'utf8'));
    const converters = createConverterSet();
    void converters.node; // Warm up TypeScript before the first cell, as tslab does.
    // tslab prints a cell's last expression with `log`; values that know how to show themselves do.
    const pendingDisplays: Array<Promise<unknown>> = [];
    const log = (value: unknown, ...rest: unknown[]) => {
      const show = (value as { [RICH_DISPLAY]?: () => unknown } | null)?.[RICH_DISPLAY];
      if (typeof show !== 'function') return console.log(value, ...rest);
      const shown = show.call(value);
      if (shown instanceof Promise) pendingDisplays.push(shown);
    };
    const executor = createExecutor(process.cwd(), converters, { log, error: console.error });
    const kernel = new TesseraKernel(connection, executor, new JupyterHandlerImpl(executor, false), pendingDisplays);
    setKernelComms(kernel.comms);
    await kernel.bind();
    return kernel;
  }

  private async bind(): Promise<void> {
    const { transport, ip } = this.connection;
    const address = (port: number) => `${transport}://${ip}${transport === 'ipc' ? '-' : ':'}${port}`;
    await Promise.all([
      this.iopub.bind(address(this.connection.iopub_port)),
      this.shell.bind(address(this.connection.shell_port)),
      this.control.bind(address(this.connection.control_port)),
      this.stdin.bind(address(this.connection.stdin_port)),
      this.heartbeat.bind(address(this.connection.hb_port)),
    ]);
    void this.serve(this.shell);
    void this.serve(this.control);
    void this.echoHeartbeats();
  }

  private async echoHeartbeats(): Promise<void> {
    for await (const frames of this.heartbeat) await this.heartbeat.send(frames);
  }

  /**
   * Receives requests and handles each without waiting for the previous one: execute requests
   * are queued by tslab's handler, while comm messages are handled as soon as they arrive, also
   * while an async cell awaits.
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
      void this.handle(socket, msg);
    }
  }

  private async handle(socket: zmq.Router, msg: IncomingMessage): Promise<void> {
    this.publish('status', { execution_state: 'busy' }, {}, [], msg.header);
    try {
      await this.requestContext.run(msg.header, () => this.dispatch(socket, msg));
    } catch (e) {
      log(`error handling ${msg.header.msg_type}:`, e);
    } finally {
      this.publish('status', { execution_state: 'idle' }, {}, [], msg.header);
    }
    if (msg.header.msg_type === 'shutdown_request') this.exit();
  }

  private async dispatch(socket: zmq.Router, msg: IncomingMessage): Promise<void> {
    const reply = (content: object) => this.reply(socket, msg, content);
    const content = msg.content;
    switch (msg.header.msg_type) {
      case 'execute_request':
        return reply(await this.execute(msg));
      case 'kernel_info_request':
        return reply(this.kernelInfo());
      case 'complete_request':
        return reply(this.handler.handleComplete(content));
      case 'inspect_request':
        return reply(this.handler.handleInspect(content));
      case 'is_complete_request':
        return reply(this.handler.handleIsComplete(content));
      case 'history_request':
        return reply({ status: 'ok', history: [] });
      case 'comm_info_request':
        return reply({ status: 'ok', comms: this.comms.commInfo(content.target_name) });
      case 'comm_open':
        return this.comms.handleOpen(msg);
      case 'comm_msg':
        return this.comms.handleMsg(msg);
      case 'comm_close':
        return this.comms.handleClose(msg);
      case 'interrupt_request':
        // For interrupt_mode "message"; it can only stop awaiting cells, unlike SIGINT.
        this.executor.interrupt();
        return reply({ status: 'ok' });
      case 'shutdown_request':
        return reply({ status: 'ok', restart: Boolean(content.restart) });
      default:
        log('unsupported message type', msg.header.msg_type);
    }
  }

  private kernelInfo(): object {
    const info = this.handler.handleKernel();
    return {
      ...info,
      status: 'ok',
      implementation: 'tessera',
      implementation_version: packageVersion(),
      language_info: { ...info.language_info, version: versions.typescript },
      banner: 'TypeScript (Tessera): tslab with Jupyter comms and widgets',
    };
  }

  private async execute(msg: IncomingMessage): Promise<object> {
    this.lastExecuteHeader = msg.header;
    // Outputs of a cell are parented to its request explicitly: tslab keeps the stream writers of
    // the latest cell for output that comes after the cell (timers), like ipykernel.
    const writeStream = (name: string, text: string) => this.publish('stream', { name, text }, {}, [], msg.header);
    const writeDisplayData = (data: object, update: boolean) =>
      this.publish(update ? 'update_display_data' : 'display_data', data as JsonObject, {}, [], msg.header);
    const result = await this.handler.handleExecute(msg.content, writeStream, writeDisplayData);
    // Rich displays of the last expression finish inside the cell, before its reply.
    for (const shown of await Promise.allSettled(this.pendingDisplays.splice(0))) {
      if (shown.status === 'rejected') writeStream('stderr', `${shown.reason instanceof Error ? shown.reason.message : String(shown.reason)}\n`);
    }
    // tslab reports errors on stderr; the reply still needs the error fields of the protocol.
    return result.status === 'error' ? { ...result, ename: 'Error', evalue: '', traceback: [] } : result;
  }

  /**
   * Publishes on IOPub. The parent defaults to the request whose handling led here (a cell, a
   * comm message), followed across awaits and timers by AsyncLocalStorage, so the frontend
   * associates comm messages and outputs with the right request; code running outside any
   * request falls back to the latest execute request.
   */
  private publish(msgType: string, content: JsonObject, metadata: JsonObject = {}, buffers: Uint8Array[] = [], parent?: MessageHeader): void {
    const parent_header = parent ?? this.requestContext.getStore() ?? this.lastExecuteHeader ?? {};
    const msg = { header: newHeader(msgType, this.session), parent_header, metadata, content, buffers };
    this.send(this.iopub, encodeMessage(msg, this.signer, [Buffer.from(`kernel.${msgType}`)]));
  }

  private reply(socket: zmq.Router, request: IncomingMessage, content: object): void {
    const msgType = request.header.msg_type.replace(/_request$/, '_reply');
    const msg = { header: newHeader(msgType, this.session), parent_header: request.header, metadata: {}, content, buffers: [] };
    this.send(socket, encodeMessage(msg, this.signer, request.identities));
  }

  private send(socket: zmq.Publisher | zmq.Router, frames: (Buffer | string)[]): void {
    socket.send(frames).catch((e: unknown) => log('send failed:', e));
  }

  /** Interrupts an awaiting cell (a synchronous one is stopped by SIGINT itself, see startKernel). */
  interrupt(): void {
    this.executor.interrupt();
  }

  /** Leaves after a shutdown request; pending messages are flushed within the sockets' linger. */
  private exit(): void {
    setKernelComms(undefined);
    this.handler.close();
    for (const socket of [this.iopub, this.shell, this.control, this.stdin, this.heartbeat]) socket.close();
    // Explicit exit: user timers or GPU handles could otherwise keep the process alive.
    setTimeout(() => process.exit(0), 50);
  }
}

/**
 * Starts the kernel on the ports of a Jupyter connection file, as `tslab kernel` does, and
 * installs its comm manager (getKernelComms()) with the `jupyter.widget.control` target.
 */
export async function startKernel(connectionFile: string): Promise<TesseraKernel> {
  ensureXdgRuntimeDir();
  const kernel = await TesseraKernel.create(connectionFile);
  // A synchronous cell is stopped by SIGINT itself: tslab runs cells with breakOnSigint, which
  // disables this listener meanwhile. An awaiting cell is stopped by rejecting its await.
  // Known Node race: a SIGINT arriving just as a cell's synchronous part ends is swallowed by
  // breakOnSigint's watchdog and reaches neither; interrupting again works.
  process.on('SIGINT', () => kernel.interrupt());
  // As in tslab: errors from background work are reported to the current cell, not fatal.
  process.on('uncaughtException', (err) => console.error('UncaughtException:', err));
  process.on('unhandledRejection', (reason) => console.error('UnhandledPromiseRejection:', reason));
  return kernel;
}
