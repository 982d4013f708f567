import { TesseraError, formatBytes } from '../errors';
import { bindingLimit, deviceInfo, gpuDevice, onDeviceReset, reportGpuError } from './device';

/**
 * Storage buffers for images, reused by size class so that a workflow of many operations
 * allocates once. Sizes round up to one of four classes per power of two (at most 25% waste).
 * Bytes are accounted in use (held by live images) and pooled (free, kept for reuse);
 * the budget bounds their sum.
 */
// STORAGE for kernels, COPY_SRC/DST for push, pull and copies (GPUBufferUsage values).
const USAGE = 0x80 | 0x04 | 0x08;
const MIN_CLASS = 256;
const FALLBACK_BUDGET = 8 * 1024 ** 3;

/** The budget TESSERA_MEMORY_BUDGET sets, or 0 (use defaultBudget). */
const budgetFromEnv = () => Number(process.env.TESSERA_MEMORY_BUDGET) || 0;
let budget = budgetFromEnv();

/**
 * The default budget: 90% of the GPU's memory where it can be read (nvidia-smi for NVIDIA;
 * WebGPU itself does not tell), half the host memory for software adapters, else 8 GiB.
 */
function defaultBudget(): number {
  const info = deviceInfo();
  if (info.isSoftware) return Math.floor(require('node:os').totalmem() / 2);
  if (/nvidia/i.test(`${info.vendor} ${info.name} ${info.description}`)) {
    try {
      const out = require('node:child_process').execFileSync('nvidia-smi', ['--query-gpu=memory.total', '--format=csv,noheader,nounits'], { timeout: 3000, encoding: 'utf8' });
      const mib = Math.max(...String(out).trim().split('\n').map(Number));
      if (mib > 0) return Math.floor(mib * 1024 ** 2 * 0.9);
    } catch {
      // no nvidia-smi: keep the fallback
    }
  }
  return FALLBACK_BUDGET;
}

function currentBudget(): number {
  budget ||= defaultBudget();
  return budget;
}
let bytesInUse = 0;
let bytesPooled = 0;
let peakInUse = 0;
const free = new Map<number, GPUBuffer[]>();

onDeviceReset(() => {
  free.clear();
  bytesPooled = 0;
  bytesInUse = 0;
});

/** The size class a request of `bytes` is served from. */
export function sizeClass(bytes: number): number {
  if (bytes <= MIN_CLASS) return MIN_CLASS;
  const pow = bytes < 2 ** 31 ? 2 ** (31 - Math.clz32(bytes)) : 2 ** Math.floor(Math.log2(bytes));
  const quarter = pow / 4;
  return Math.ceil(bytes / quarter) * quarter;
}

export interface MemoryStats {
  bytesInUse: number;
  bytesPooled: number;
  peakBytesInUse: number;
  budget: number;
}

export function memoryStats(): MemoryStats {
  return { bytesInUse, bytesPooled, peakBytesInUse: peakInUse, budget: currentBudget() };
}

/**
 * Runs `fn` and returns, with its result, the most bytes that were in use at once while it ran
 * beyond those in use before it started (intermediates included). For the tiling planner.
 */
export async function peakDuring<T>(fn: () => Promise<T>): Promise<{ result: T; bytes: number }> {
  const before = bytesInUse;
  const savedPeak = peakInUse;
  peakInUse = bytesInUse;
  try {
    const result = await fn();
    return { result, bytes: peakInUse - before };
  } finally {
    peakInUse = Math.max(savedPeak, peakInUse);
  }
}

/**
 * Sets the GPU memory budget in bytes (default: see defaultBudget, or env TESSERA_MEMORY_BUDGET);
 * `setMemoryBudget()` (no argument) goes back to the default.
 */
export function setMemoryBudget(bytes?: number): void {
  if (bytes !== undefined && (typeof bytes !== 'number' || !Number.isFinite(bytes) || bytes <= 0)) {
    throw new TesseraError(`setMemoryBudget: bytes must be a positive number (or nothing, for the default); got ${typeof bytes === 'string' ? `string "${bytes}"` : bytes}`);
  }
  budget = bytes ?? budgetFromEnv();
  trimPool(0);
}

/** Destroys pooled buffers until at most `keep` bytes stay pooled. */
export function trimPool(keep = 0): void {
  for (const [size, list] of free) {
    while (list.length && bytesPooled > keep) {
      destroy(list.pop()!);
      bytesPooled -= size;
    }
    if (!list.length) free.delete(size);
  }
}

const mb = formatBytes;

/** What a request is, for errors: a string, or a function that spells it (built only when needed). */
export type Requester = string | (() => string);
const spell = (what: Requester) => (typeof what === 'string' ? what : what());

/** Sizes of the buffers the pool made: reading `GPUBuffer.size` is a call into Dawn. */
const sizes = new WeakMap<GPUBuffer, number>();

/** The size of `buffer` in bytes (remembered for pooled buffers). */
export function bufferSize(buffer: GPUBuffer): number {
  return sizes.get(buffer) ?? buffer.size;
}

/**
 * Throws unless `bytes` fit one GPU buffer. Also for work that builds an image on the host first
 * (sample data), so that a shape far too large is refused at once instead of after minutes of
 * host work or running out of host memory.
 */
export function checkFitsOneBuffer(bytes: number, what: Requester): void {
  const maxBuffer = deviceInfo().limits.maxBufferSize;
  if (bytes > maxBuffer) {
    throw new TesseraError(
      `${spell(what)} needs ${mb(bytes)} in one GPU buffer, more than this GPU allows (${mb(maxBuffer)}, maxBufferSize of ` +
        `${deviceInfo().name}). Process it in tiles from a file (tessera.tiled over a Zarr or TIFF) or crop it.`,
    );
  }
}

/**
 * A storage buffer of at least `bytes`. `what` names the request in errors
 * (e.g. "create(shape [512, 2048, 2048], float32)").
 */
export function acquireBuffer(bytes: number, what: Requester): GPUBuffer {
  const maxBinding = bindingLimit();
  // Size classes while they stay within one binding; beyond, the exact size (also for images
  // larger than a binding, which run in slabs), so that no image that fits a binding gets a buffer that does not.
  let size = sizeClass(bytes);
  if (size > maxBinding) size = Math.ceil(bytes / 256) * 256;
  checkFitsOneBuffer(size, what);
  const list = free.get(size);
  let buffer = list?.pop();
  if (buffer) {
    bytesPooled -= size;
    bytesInUse += size;
  } else {
    reserve(size, what);
    buffer = createBuffer(size, what);
  }
  peakInUse = Math.max(peakInUse, bytesInUse);
  return buffer;
}

/**
 * Counts `size` new bytes as in use, first freeing pooled buffers if the budget needs it.
 * Also used for buffers made outside the pool (push's mapped-at-creation buffers).
 */
export function reserve(size: number, what: Requester): void {
  const budget = currentBudget();
  if (bytesInUse + bytesPooled + size > budget) trimPool(Math.max(0, budget - bytesInUse - size));
  if (bytesInUse + size > budget) {
    throw new TesseraError(
      `${spell(what)} needs ${mb(size)} of GPU memory but ${mb(bytesInUse)} of the ${mb(budget)} budget are in use. ` +
        'Release images you no longer need (img.release() or `using`), raise the budget with ' +
        'tessera.setMemoryBudget(bytes) if the GPU has more memory, or process the data in tiles.',
    );
  }
  bytesInUse += size;
  peakInUse = Math.max(peakInUse, bytesInUse);
}

function createBuffer(size: number, what: Requester): GPUBuffer {
  const device = gpuDevice();
  device.pushErrorScope('out-of-memory');
  const buffer = device.createBuffer({ size, usage: USAGE });
  // The scope is closed at once (nothing else records in it); its verdict arrives later and is
  // thrown by the next readback, before any result computed with this buffer is returned.
  device.popErrorScope().then((e) => {
    if (e) reportGpuError(`GPU out of memory allocating ${mb(size)} for ${spell(what)}: ${e.message}`);
  });
  sizes.set(buffer, size);
  return buffer;
}

/**
 * What must happen before a buffer is destroyed: work recorded but not yet submitted may still
 * use it, so the execution layer (gpu/commands.ts) installs a hook that submits that work and
 * forgets cached bind groups holding the buffer (WebGPU frees a destroyed buffer only after
 * submitted work). The pool itself knows nothing of recording.
 */
let retire: (buffer: GPUBuffer) => void = () => {};
export function onBufferRetire(hook: (buffer: GPUBuffer) => void): void {
  retire = hook;
}

function destroy(buffer: GPUBuffer): void {
  retire(buffer);
  buffer.destroy();
}

/** Returns a buffer to the pool. Commands already recorded on it still run first (queue order). */
export function releaseBuffer(buffer: GPUBuffer): void {
  const size = bufferSize(buffer);
  bytesInUse -= size;
  if (bytesInUse + bytesPooled + size > currentBudget()) {
    destroy(buffer);
    return;
  }
  bytesPooled += size;
  let list = free.get(size);
  if (!list) free.set(size, (list = []));
  list.push(buffer);
}

export const STORAGE_USAGE = USAGE;
