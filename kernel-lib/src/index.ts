/**
 * Tessera: GPU image processing on WebGPU for TypeScript notebooks.
 *
 * ```ts
 * import * as tessera from 'tessera';
 * await tessera.init();
 * const img = tessera.push(pixels, [64, 256, 256]);
 * const mip = tessera.maximumZProjection(img);
 * const { data, shape } = await tessera.pull(mip);
 * ```
 * Operations record GPU work and return at once; `pull`, reductions and `sync` wait for it.
 * Names follow pyclesperanto in camelCase (docs/name-mapping.md).
 * @packageDocumentation
 */
import { initDevice } from './gpu/device';

/** Opens the best GPU (discrete over integrated over software). Call once before other calls. */
export async function init(): Promise<void> {
  await initDevice();
}

export { TesseraError } from './errors';
export { info, listDevices, selectDevice, type DeviceInfo } from './gpu/device';
export { sync, flush, startProfiling, stopProfiling } from './gpu/commands';
export { memoryStats, setMemoryBudget, trimPool, type MemoryStats } from './gpu/buffer-pool';
export { DTYPES, type DType, type TypedArray } from './dtype';
export { GpuImage } from './array/gpu-image';
export { push, pull, create, createLike, type HostImage, type PushOptions } from './array/transfer';

// The operation catalogue, one folder per category (each folder's index lists its operations).
export * from './ops/arithmetic';
export * from './ops/logic';
export * from './ops/filters';
export * from './ops/morphology';
export * from './ops/projections';
export * from './ops/transforms';
export * from './ops/thresholds';
export * from './ops/reductions';
export * from './ops/custom';
export * from './ops/labels';
export * from './ops/measure';
export * from './ops/neighbours';
export * from './ops/compare';
export * from './ops/surface';
export * from './io';
export * as widgets from './widgets';
export type { BoundaryMode, BoundaryOptions, TransformMode, TransformOptions } from './validate/modes';
export { setCurrentWork } from './jupyter/status-file';
export {
  tiled, analysePipeline, type TiledOptions, type TiledStats, type Pipeline, type PipelineAnalysis, type PipelineModule, type PipelineLike,
} from './execute';
// Progress of tiled jobs shows in notebooks through the kernel's display (execute/ lies below jupyter/).
import { displayMimeBundle } from './jupyter/display';
import { setNotebookDisplay } from './execute/progress';
setNotebookDisplay(displayMimeBundle);
export {
  mapTimepoints, tiledStatistics, tiledThresholdOtsu, tiledThresholdOtsuValue, tiledConnectedComponentsLabeling, tiledLabelStatistics,
  type MapTimepointsOptions, type Connectivity, type LabelingOptions, type LabelStatistics, type GlobalOptions, type SlurmOptions,
} from './execute';
// Synthetic sample data (data/): blobs, gradients, nuclei and embryos with their ground truth.
export * from './data';
