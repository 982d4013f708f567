import { TesseraError } from '../errors';
import { sizeClass } from './buffer-pool';
import { flush, recordCopy, settle } from './commands';
import { deviceGeneration, gpuDevice, onDeviceReset } from './device';

/**
 * Reading GPU buffers back to the host: the one path behind `pull`, reductions and statistics.
 * Large reads go in chunks through reused MAP_READ staging buffers (creating and mapping fresh
 * buffers per read is slow). Each chunk's copy is submitted on its own, so that its map resolves
 * as soon as the GPU has copied it: the host copies chunk k out while the GPU copies chunk k+1.
 *
 * Into a fresh array, most of the time goes to the kernel's page faults on the new memory (4 KB
 * pages unless transparent huge pages apply; numpy asks for them on large arrays, Node cannot),
 * and blocks under glibc's mmap threshold fault afresh until malloc reuses freed ones. The
 * Jupyter kernel starts with malloc tunables for both (MALLOC_TUNABLES in jupyter/cli.ts);
 * scripts can set the same GLIBC_TUNABLES.
 */

/** Transfers move at most this many bytes per staging buffer (uploads use the same size). */
export const TRANSFER_CHUNK = 16 * 1024 ** 2;

const staging = new Map<number, GPUBuffer[]>();
onDeviceReset(() => staging.clear());

/**
 * Reads `bytes` of `buffer` after all recorded work, into `into` (or a fresh array). Throws the
 * errors found since the last readback (GPU errors, failed deferred checks), and throws when
 * `buffer` holds no valid result because the batch that should have written it failed.
 */
export async function readBuffer(buffer: GPUBuffer, bytes: number, into?: Uint8Array): Promise<ArrayBuffer> {
  const data = await readRaw(buffer, bytes, into);
  const pending = settle([buffer]);
  if (pending) await pending;
  return data;
}

/**
 * @internal Reads `bytes` of `buffer` after all recorded work without settling errors: for the
 * deferred checks that run while a readback settles (they must not take the errors it reports).
 */
export async function readRaw(buffer: GPUBuffer, bytes: number, into?: Uint8Array): Promise<ArrayBuffer> {
  const chunks: Array<{ offset: number; bytes: number; size: number; st: GPUBuffer }> = [];
  for (let offset = 0; offset < bytes; offset += TRANSFER_CHUNK) {
    const n = Math.min(TRANSFER_CHUNK, bytes - offset);
    const size = sizeClass(n);
    const st = staging.get(size)?.pop() ?? gpuDevice().createBuffer({ size, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    chunks.push({ offset, bytes: n, size, st });
  }
  const generation = deviceGeneration();
  const mapped = chunks.map((c) => {
    recordCopy(buffer, c.offset, c.st, 0, c.bytes);
    flush();
    return c.st.mapAsync(GPUMapMode.READ, 0, c.bytes);
  });
  // Allocated while the maps are pending (its pages are only touched by the copies below).
  // Uninitialised: every byte is written by the copies below (and an array whose read fails is
  // never returned), so zero-filling it first would write it twice (2 MB: ~0.1 ms).
  const target = into ?? uninitialisedBytes(bytes);
  try {
    for (const [k, c] of chunks.entries()) {
      await mapped[k];
      const n = Math.min(c.bytes, target.byteLength - c.offset);
      if (n > 0) target.set(new Uint8Array(c.st.getMappedRange(0, c.bytes), 0, n), c.offset);
      c.st.unmap();
    }
  } catch (e) {
    throw new TesseraError(`reading back from the GPU failed: ${(e as Error).message}`);
  } finally {
    for (const c of chunks) {
      if (generation !== deviceGeneration() || c.st.mapState !== 'unmapped') continue;
      let list = staging.get(c.size);
      if (!list) staging.set(c.size, (list = []));
      list.push(c.st);
    }
  }
  return target.buffer as ArrayBuffer;
}

/** A fresh byte array of its own ArrayBuffer (offset 0, exactly `bytes` long), not zero-filled. */
function uninitialisedBytes(bytes: number): Uint8Array {
  const b = Buffer.allocUnsafeSlow(bytes);
  return new Uint8Array(b.buffer, b.byteOffset, bytes);
}
