/**
 * The running Tessera kernel's report for the JupyterLab GPU panel: a small JSON file,
 * `<Jupyter runtime dir>/tessera/kernels/<kernel id>.json`, rewritten every few seconds with the
 * WebGPU device the kernel uses, its memory pool's bytes in use and what it is running now.
 * The panel's server extension (`tessera_jupyter/kernels.py`) reads it; the format is in
 * docs/gpu-panel.md. Dependency-free: Node's fs/os/path and Tessera's public index (loaded lazily,
 * so that starting the kernel does not load the GPU runtime).
 *
 * Run directly (`node status-file.js --adapters`) it prints the WebGPU adapters this machine offers
 * as JSON: the panel's server uses that when no Tessera kernel runs yet.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { memoryStats } from '../gpu/buffer-pool';
import { info, listDevices } from '../gpu/device';
import { jupyterRuntimeDirectory } from '../progress/records';

/** The version written in `version`; the reader rejects other versions. */
export const KERNEL_STATUS_VERSION = 1;

/** The device fields the panel shows (a subset of `DeviceInfo`). */
export interface StatusDevice {
  name: string;
  vendor: string;
  architecture: string;
  description: string;
  backend: string;
  /** True for CPU implementations such as Mesa lavapipe / SwiftShader. */
  isSoftware: boolean;
}

/** The content of a kernel's status file. */
export interface KernelStatus {
  version: typeof KERNEL_STATUS_VERSION;
  /** The id in the kernel's connection file name (`kernel-<id>.json`), as Jupyter names the kernel. */
  kernelId: string | null;
  pid: number;
  host: string;
  startedAt: string;
  updatedAt: string;
  /** The open device; null until the kernel first allocates GPU memory (the device opens lazily). */
  device: StatusDevice | null;
  /** The memory pool, in bytes; null before a device is open. */
  memory: { bytesInUse: number; bytesPooled: number; peakBytesInUse: number; budget: number } | null;
  /** What the kernel runs now, as reported by {@link setCurrentWork}; null when idle. */
  work: { label: string; since: string } | null;
}

let currentWork: KernelStatus['work'] = null;

/**
 * Tells the panel what the kernel runs now (e.g. "tiled gaussianBlur over cells.zarr"), or that it
 * is done (null). Long-running library code (the tiled executor) calls this; cheap, no I/O.
 */
export function setCurrentWork(label: string | null): void {
  currentWork = label ? { label, since: new Date().toISOString() } : null;
}

/** The folder of the status files: `$TESSERA_KERNEL_STATUS_DIR`, else `<runtime dir>/tessera/kernels`. */
export function kernelStatusDirectory(env: NodeJS.ProcessEnv = process.env): string {
  return env.TESSERA_KERNEL_STATUS_DIR || path.join(jupyterRuntimeDirectory(env), 'tessera', 'kernels');
}

/** The kernel id in a Jupyter connection file name (`.../kernel-<id>.json`), or null. */
export function kernelIdOf(connectionFile: string | undefined): string | null {
  const match = connectionFile && /^kernel-(.+)\.json$/.exec(path.basename(connectionFile));
  return match ? match[1] : null;
}

/** The device and pool, from Tessera's public API; never opens a device the kernel has not opened. */
async function gpuState(): Promise<Pick<KernelStatus, 'device' | 'memory'>> {
  let memory: KernelStatus['memory'];
  try {
    memory = memoryStats();
  } catch {
    return { device: null, memory: null }; // no device open yet (the budget needs one)
  }
  // Buffers exist only on an open device: before the first one, info() would open one itself.
  if (memory.peakBytesInUse === 0) return { device: null, memory };
  const d = await info();
  const device = { name: d.name, vendor: d.vendor, architecture: d.architecture, description: d.description, backend: d.backend, isSoftware: d.isSoftware };
  return { device, memory };
}

/** A running status writer; `stop()` ends it and removes the file. */
export interface StatusFileWriter {
  readonly path: string;
  /** Writes the file now (also done every `intervalMs`). */
  write(): Promise<void>;
  stop(): void;
}

/**
 * Starts the kernel's status file: call once when the kernel starts, with its connection file.
 * Writes at once and then every `intervalMs` (default 2 s; the timer does not keep the process
 * alive), and removes the file when the process exits. Errors (read-only runtime dir) are reported
 * once on stderr and never thrown: the panel is an extra, the kernel must run without it.
 */
export function startStatusFile(options: { connectionFile?: string; intervalMs?: number; dir?: string } = {}): StatusFileWriter {
  // One writer per process and file: a second call (e.g. from a notebook) returns the running one.
  const existing = writers.get(statusFilePath(options));
  if (existing) return existing;
  const kernelId = kernelIdOf(options.connectionFile);
  const file = statusFilePath(options);
  const dir = path.dirname(file);
  const startedAt = new Date().toISOString();
  let warned = false;
  let stopped = false;

  const write = async (): Promise<void> => {
    if (stopped) return;
    try {
      const status: KernelStatus = {
        version: KERNEL_STATUS_VERSION,
        kernelId,
        pid: process.pid,
        host: os.hostname(),
        startedAt,
        updatedAt: new Date().toISOString(),
        ...(await gpuState()),
        work: currentWork,
      };
      if (stopped) return;
      fs.mkdirSync(dir, { recursive: true });
      const tmp = `${file}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, JSON.stringify(status));
      fs.renameSync(tmp, file);
    } catch (e) {
      if (!warned) process.stderr.write(`[tessera-kernel] cannot write the status file ${file}: ${(e as Error).message}\n`);
      warned = true;
    }
  };
  const remove = () => fs.rmSync(file, { force: true });
  const timer = setInterval(() => void write(), options.intervalMs ?? 2000);
  timer.unref();
  process.on('exit', remove);
  void write();
  const writer: StatusFileWriter = {
    path: file,
    write,
    stop() {
      stopped = true;
      clearInterval(timer);
      process.off('exit', remove);
      writers.delete(file);
      remove();
    },
  };
  writers.set(file, writer);
  return writer;
}

const writers = new Map<string, StatusFileWriter>();

function statusFilePath(options: { connectionFile?: string; dir?: string }): string {
  const kernelId = kernelIdOf(options.connectionFile);
  return path.join(options.dir ?? kernelStatusDirectory(), `${kernelId ?? `pid-${process.pid}`}.json`);
}

/** `node status-file.js --adapters`: the adapters this machine offers, best first, as JSON. */
async function printAdapters(): Promise<void> {
  try {
    const devices = await listDevices();
    const adapters = devices.map((d) => ({ name: d.name, vendor: d.vendor, architecture: d.architecture, description: d.description, backend: d.backend, isSoftware: d.isSoftware }));
    process.stdout.write(`${JSON.stringify({ adapters })}\n`);
    process.exit(0);
  } catch (e) {
    process.stdout.write(`${JSON.stringify({ adapters: [], error: (e as Error).message })}\n`);
    process.exit(0);
  }
}

if (require.main === module && process.argv.includes('--adapters')) void printAdapters();
