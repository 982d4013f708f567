import type { GpuImage } from '../array/gpu-image';
import { create } from '../array/transfer';
import type { DType } from '../dtype';
import { TesseraError } from '../errors';
import { peakDuring } from '../gpu/buffer-pool';
import { sync } from '../gpu/commands';
import { Halo, TracedCall, haloOf, traceOperations } from '../ops/op';
import { isGpuImage } from '../validate/arguments';

/**
 * What the planner needs to know about a pipeline (a function from one image to one image, made
 * of Tessera operations), found by running it once on a small probe image of the input's dtype
 * and dimensions while tracing the operations it calls:
 *
 * - its halo: the sum of the declared halos of the operations it calls, per axis (exact for a
 *   chain, and a safe bound for pipelines that combine branches, like `a - gaussianBlur(a)`);
 * - whether it can be tiled at all, and if not, which operation prevents it and why;
 * - the dtype of its result;
 * - its peak GPU memory per input pixel (input, intermediates and output at the busiest moment),
 *   from which the tile size follows (the seed's rule of thumb, ~4× the image, measured here).
 */
export type Pipeline = (image: GpuImage) => GpuImage | Promise<GpuImage>;

export interface PipelineAnalysis {
  /** (z, y, x) margins a tile must read beyond its core. */
  halo: Halo;
  /** The reason the pipeline cannot be tiled with margins (undefined when it can). */
  notTileable?: string;
  /** The operations that need the whole image (reductions, automatic thresholds, labelings). */
  globalOperations: string[];
  /** The operations called, in order. */
  calls: TracedCall[];
  outputDType: DType;
  /** The shape of the result for the probe, and whether it equals the probe's shape. */
  preservesShape: boolean;
  /** Peak GPU bytes per input pixel while the pipeline runs. */
  bytesPerPixel: number;
}

/** The probe's extent along each axis: small, but large enough for the intermediates to scale like the data's. */
function probeShape(shape: readonly number[]): number[] {
  const spatial = shape.slice(-3);
  return spatial.map((e, k) => Math.min(e, k === spatial.length - 1 || k === spatial.length - 2 ? 64 : 16));
}

/** Runs `pipeline` on a probe image like `input` and reports its halo, dtype and peak memory. */
export async function analysePipeline(pipeline: Pipeline, input: { shape: readonly number[]; dtype: DType }): Promise<PipelineAnalysis> {
  if (typeof pipeline !== 'function') throw new TesseraError('tiling: the pipeline must be a function (image) => image of Tessera operations');
  const shape = probeShape(input.shape);
  const pixels = shape.reduce((a, b) => a * b, 1);
  const { result, bytes } = await peakDuring(async () => {
    const probe = create(shape, input.dtype);
    const traced = await traceOperations(() => pipeline(probe));
    await sync();
    return { probe, ...traced };
  });
  const { probe, result: out, calls } = result;
  if (!isGpuImage(out)) throw new TesseraError(`tiling: the pipeline must return a GpuImage; it returned ${out === null ? 'null' : typeof out}`);
  const halo: Halo = [0, 0, 0];
  let notTileable: string | undefined;
  const globalOperations: string[] = [];
  for (const call of calls) {
    const firstImage = call.args.find(isGpuImage) as GpuImage | undefined;
    const h = haloOf(call.info, call.params, firstImage?.shape ?? shape);
    if (h === 'global') globalOperations.push(call.info.name);
    else if ('notTileable' in h) notTileable ??= `${call.info.name}: ${h.notTileable}`;
    else for (let k = 0; k < 3; k++) halo[k] += h[k];
  }
  if (calls.length === 0) notTileable = 'the pipeline calls no Tessera operation (nothing says how far a pixel reaches)';
  const analysis: PipelineAnalysis = {
    halo,
    notTileable,
    globalOperations,
    calls,
    outputDType: out.dtype,
    preservesShape: out.shape.length === shape.length && out.shape.every((e, k) => e === shape[k]),
    bytesPerPixel: bytes / pixels,
  };
  if (out !== probe) out.release();
  probe.release();
  return analysis;
}
