import type { GpuImage } from '../array/gpu-image';
import { push } from '../array/transfer';
import { flush } from '../gpu/commands';
import { onDeviceReset } from '../gpu/device';

/**
 * Small read-only tables on the GPU (filter weights, footprint row lists), kept by a key that
 * names their content, so one upload serves every later call with the same parameters.
 * They are ordinary images (1-D float32 or int32), so kernels read them with the usual
 * loaders and runPixelProgram takes them as inputs.
 */
const MAX_ENTRIES = 256;
const tables = new Map<string, GpuImage>();
onDeviceReset(() => tables.clear());

export function constantTable(key: string, make: () => Float32Array | Int32Array): GpuImage {
  const found = tables.get(key);
  if (found && !found.released) return found;
  if (tables.size >= MAX_ENTRIES) {
    // Recorded passes may still read old tables: submit them before the buffers go back to the pool.
    flush();
    for (const t of tables.values()) t.release();
    tables.clear();
  }
  const data = make();
  const img = push(data, [data.length]);
  tables.set(key, img);
  return img;
}
