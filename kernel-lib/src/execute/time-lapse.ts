/**
 * Time-lapse mapping: a pipeline over the time (and channel) axes of 4D/5D data, one whole time
 * point at a time — any pipeline, also those that cannot be tiled in space (projections,
 * rotations, automatic thresholds, labelings, shape changes): each time point is read whole,
 * pushed, processed, pulled and written, with the next time point read while this one is on
 * the GPU. Each time point must fit the GPU (else use `tiled`, which tiles within time points).
 */
import { pull, push, type HostImage } from '../array/transfer';
import type { GpuImage } from '../array/gpu-image';
import { allocTypedArray, type DType, type TypedArray } from '../dtype';
import type { WriteLog } from '../io/write-log';
import { TesseraError } from '../errors';
import { ZarrArray, type ZarrCodecName } from '../io/zarr';
import { product } from '../plan/box';
import { isGpuImage } from '../validate/arguments';
import { resolvePipeline, type PipelineLike } from './pipeline';
import { Progress, type ProgressDisplayMode } from './progress';
import { runSignal } from './signal';
import { openInput, prepareOutput, type Input } from './sources';
import { stage } from './stages';
import { spatialDimsOf } from './tiled';

export interface MapTimepointsOptions {
  /** Spatial dimensions of one time point (default: from the axes, else 3). */
  spatialDims?: number;
  chunks?: readonly number[];
  codec?: ZarrCodecName;
  overwrite?: boolean;
  progress?: ProgressDisplayMode;
  label?: string;
  signal?: AbortSignal;
}

/**
 * Runs `pipeline` on every time point (every index of the leading dimensions) of `input` and
 * writes the results, stacked along the same leading dimensions, to `output` (a new Zarr path,
 * chunked one time point deep; existing time points of the same job are kept) or host memory.
 * The result's shape is the leading extents followed by the pipeline's result shape.
 *
 * @example
 * const mips = await tessera.mapTimepoints((img) => tessera.maximumZProjection(img), movie, 'mips.zarr');
 */
export async function mapTimepoints(pipeline: PipelineLike, input: Input, output: string, options?: MapTimepointsOptions): Promise<ZarrArray>;
export async function mapTimepoints(pipeline: PipelineLike, input: Input, output?: undefined, options?: MapTimepointsOptions): Promise<HostImage>;
export async function mapTimepoints(pipeline: PipelineLike, input: Input, output?: string, options: MapTimepointsOptions = {}): Promise<ZarrArray | HostImage> {
  const what = 'mapTimepoints';
  const { fn, spec } = resolvePipeline(pipeline, what);
  const source = await openInput(input, what);
  const spatial = options.spatialDims !== undefined || source.axes ? spatialDimsOf(source, options.spatialDims) : source.ndim >= 4 ? 3 : 2;
  const lead = source.shape.slice(0, source.ndim - spatial);
  if (lead.length === 0) throw new TesseraError(`${what}: the input of shape [${source.shape}] has no time axis beyond its ${spatial} spatial ones`);
  const count = product(lead);
  const index = (n: number) => lead.map((_, k) => Math.floor(n / product(lead.slice(k + 1))) % lead[k]);
  const signal = runSignal(options.signal);
  const progress = new Progress({ label: options.label ?? `${fn.name || 'pipeline'} per time point`, tilesTotal: count, display: options.progress });
  let out: ZarrArray | undefined;
  let log: WriteLog | undefined;
  let host: HostImage | undefined;
  let outShape: number[] | undefined;
  const done = new Set<number>();

  const reads = stage(Array.from({ length: count }, (_, n) => n), 2, async (n: number) => {
    signal.throwIfAborted();
    const start = [...index(n), ...new Array<number>(spatial).fill(0)];
    const size = [...lead.map(() => 1), ...source.shape.slice(-spatial)];
    return { n, pixels: await source.readRegion(start, size) };
  });
  try {
    for await (const { n, pixels } of reads) {
      if (out && done.has(n)) continue;
      signal.throwIfAborted();
      const img = push(pixels.data, source.shape.slice(-spatial));
      const res = (await fn(img)) as GpuImage;
      if (!isGpuImage(res)) throw new TesseraError(`${what}: the pipeline must return a GpuImage; it returned ${typeof res}`);
      const { data, shape } = await pull(res);
      if (res !== img) res.release();
      img.release();
      if (!outShape) {
        outShape = [...lead, ...shape];
        if (output === undefined) host = { data: allocTypedArray(res.dtype, product(outShape)), shape: outShape, dtype: res.dtype as DType };
        else {
          const chunks = options.chunks ?? [...lead.map(() => 1), ...shape.map((e) => Math.min(e, 256))];
          const fp = { pipeline: 'source' in spec ? spec.source : `${spec.module}#${spec.export}`, input: String(source).split('\n')[0], shape: source.shape, dtype: source.dtype, margin: [] };
          const prepared = await prepareOutput(output, outShape, res.dtype, fp, { chunks, codec: options.codec, overwrite: options.overwrite }, what);
          out = prepared.array;
          log = await out.writeLog({ writer: `timepoints-${process.pid}` });
          for (let k = 0; k < count; k++) if (log.has({ start: [...index(k), ...shape.map(() => 0)], size: [...lead.map(() => 1), ...shape] })) done.add(k);
          if (done.has(n)) continue;
        }
      } else if (shape.join() !== outShape.slice(lead.length).join()) {
        throw new TesseraError(`${what}: time point ${n} gave a result of shape [${shape}], time point 0 one of [${outShape.slice(lead.length)}]; every time point must give the same shape`);
      }
      const box = { start: [...index(n), ...shape.map(() => 0)], size: [...lead.map(() => 1), ...shape] };
      if (out) {
        await out.write(box.start, data, box.size, { partialChunks: 'refuse' });
        await log!.record(box);
      } else (host!.data as TypedArray).set(data as never, n * product(shape));
      progress.tileDone({ bytesRead: pixels.data.byteLength, bytesWritten: data.byteLength });
    }
  } catch (e) {
    progress.finish(signal.aborted ? 'cancelled' : 'failed', e);
    throw e;
  }
  progress.finish('completed');
  return out ?? host!;
}
