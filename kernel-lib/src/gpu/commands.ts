import { TesseraError } from '../errors';
import { gpuDevice, onDeviceReset, throwPendingGpuErrors } from './device';

/**
 * Recording and submitting GPU work. Operations record dispatches into one shared
 * command encoder; the encoder is submitted when it holds MAX_PASSES dispatches, when the
 * uniform arena is full, or when the host needs results (`flush`/`sync`/`pull`).
 * Nothing waits for the GPU until `sync()` or a readback.
 *
 * Uniforms of all passes in a batch live in one arena buffer, written once per submit with
 * queue.writeBuffer. The queue orders that write after the previous submit, so the same
 * arena is safely reused batch after batch.
 */
const MAX_PASSES = 256;
const UNIFORM_SLOT = 256; // minUniformBufferOffsetAlignment
const ARENA_SLOTS = 1024;

let encoder: GPUCommandEncoder | undefined;
let passes = 0;
let arena: GPUBuffer | undefined;
const arenaData = new ArrayBuffer(UNIFORM_SLOT * ARENA_SLOTS);
let arenaUsed = 0;
const pipelines = new Map<string, GPUComputePipeline>();
const layouts = new WeakMap<GPUComputePipeline, GPUBindGroupLayout>();

/**
 * Bind groups are costly to create (Dawn validates each), and notebooks and tiled loops call
 * the same operation on the same pooled buffers over and over: cache them by pipeline,
 * buffers and uniform offset. Entries holding a buffer are dropped before it is destroyed.
 */
const BIND_GROUP_CACHE = 4096;
const bindGroups = new Map<string, GPUBindGroup>();
const bufferIds = new WeakMap<GPUBuffer, number>();
const pipelineIds = new WeakMap<GPUComputePipeline, number>();
let nextId = 1;
const idOf = <T extends object>(map: WeakMap<T, number>, o: T) => {
  let id = map.get(o);
  if (id === undefined) map.set(o, (id = nextId++));
  return id;
};

/** Must be called before a buffer that operations used is destroyed. */
export function forgetBuffer(buffer: GPUBuffer): void {
  const id = bufferIds.get(buffer);
  if (id === undefined) return;
  const tag = `,${id},`;
  for (const key of bindGroups.keys()) if (key.includes(tag)) bindGroups.delete(key);
}

/** GPU-side timing of every recorded pass with timestamp queries (see startProfiling). */
interface Profiler {
  querySet: GPUQuerySet;
  resolved: GPUBuffer;
  capacity: number;
  labels: string[];
  batchStart: number;
}
let profiler: Profiler | undefined;

onDeviceReset(() => {
  profiler = undefined;
  bindGroups.clear();
  openPass = undefined;
  encoder = undefined;
  passes = 0;
  arena = undefined;
  arenaUsed = 0;
  pipelines.clear();
});

/**
 * The compiled pipeline for `key`, compiling `source()` on first use. The key names exactly
 * what changes the generated code (operation, dtypes, ranks, code-changing parameters);
 * sizes travel as uniforms so one pipeline serves every shape.
 */
export function pipelineFor(key: string, source: () => string): GPUComputePipeline {
  let p = pipelines.get(key);
  if (!p) {
    const device = gpuDevice();
    const code = source();
    const module = device.createShaderModule({ code, label: key });
    p = device.createComputePipeline({ layout: 'auto', compute: { module, entryPoint: 'main' }, label: key });
    pipelines.set(key, p);
  }
  return p;
}

/** How many pipelines have been compiled (for tests of the cache). */
export const compiledPipelineCount = (): number => pipelines.size;

/**
 * Dispatches share one open compute pass until a copy or a submit needs the encoder:
 * WebGPU orders dispatches within a pass (each is its own usage scope), and beginning and
 * ending a pass per dispatch costs Dawn more host time than the dispatch itself.
 * When profiling, each dispatch gets its own pass so that it can be timed.
 */
let openPass: GPUComputePassEncoder | undefined;

function endPass(): void {
  openPass?.end();
  openPass = undefined;
}

function computePass(label?: string): GPUComputePassEncoder {
  if (profiler) {
    endPass();
    openPass = currentEncoder().beginComputePass(passDescriptor(label));
  }
  openPass ??= currentEncoder().beginComputePass();
  return openPass;
}

function currentEncoder(): GPUCommandEncoder {
  encoder ??= gpuDevice().createCommandEncoder();
  return encoder;
}

/** Reserves a uniform slot for `bytes` (<= 256) in the batch's arena and returns its offset. */
function uniformSlot(bytes: number): { offset: number } {
  const slots = Math.ceil(bytes / UNIFORM_SLOT) * UNIFORM_SLOT;
  if (slots > arenaData.byteLength) throw new TesseraError(`a uniform block of ${bytes} bytes exceeds the arena (${arenaData.byteLength})`);
  if (arenaUsed + slots > arenaData.byteLength) flush();
  const offset = arenaUsed;
  arenaUsed += slots;
  return { offset };
}

export interface Dispatch {
  pipeline: GPUComputePipeline;
  /** Storage buffers in binding order 0..n-1; the uniforms (if any) take binding n. */
  buffers: GPUBuffer[];
  /** Uniform bytes, already laid out as the shader's Params struct. */
  uniforms?: ArrayBuffer;
  workgroups: [number, number?, number?];
  label?: string;
}

/** Records one compute dispatch into the current batch. */
export function record(d: Dispatch): void {
  const device = gpuDevice();
  let offset = -1;
  if (d.uniforms && d.uniforms.byteLength > 0) {
    const slot = uniformSlot(d.uniforms.byteLength);
    offset = slot.offset;
    new Uint8Array(arenaData, offset, d.uniforms.byteLength).set(new Uint8Array(d.uniforms));
    arena ??= device.createBuffer({ size: arenaData.byteLength, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
  }
  const key = `${idOf(pipelineIds, d.pipeline)},${d.buffers.map((b) => idOf(bufferIds, b)).join(',')},${offset}:${d.uniforms?.byteLength ?? 0}`;
  let bindGroup = bindGroups.get(key);
  if (!bindGroup) {
    const entries: GPUBindGroupEntry[] = d.buffers.map((buffer, binding) => ({ binding, resource: { buffer } }));
    if (offset >= 0) entries.push({ binding: d.buffers.length, resource: { buffer: arena!, offset, size: d.uniforms!.byteLength } });
    let layout = layouts.get(d.pipeline);
    if (!layout) layouts.set(d.pipeline, (layout = d.pipeline.getBindGroupLayout(0)));
    bindGroup = device.createBindGroup({ layout, entries });
    if (bindGroups.size >= BIND_GROUP_CACHE) bindGroups.delete(bindGroups.keys().next().value!);
    bindGroups.set(key, bindGroup);
  }
  const pass = computePass(d.label);
  pass.setPipeline(d.pipeline);
  pass.setBindGroup(0, bindGroup);
  pass.dispatchWorkgroups(d.workgroups[0], d.workgroups[1] ?? 1, d.workgroups[2] ?? 1);
  if (++passes >= MAX_PASSES) flush();
}

/** Records a buffer-to-buffer copy into the current batch. */
export function recordCopy(src: GPUBuffer, srcOffset: number, dst: GPUBuffer, dstOffset: number, bytes: number): void {
  endPass();
  currentEncoder().copyBufferToBuffer(src, srcOffset, dst, dstOffset, bytes);
  if (++passes >= MAX_PASSES) flush();
}

/** Gives the recording encoder to `fn` (for readback copies that must follow recorded work). */
export function withEncoder(fn: (e: GPUCommandEncoder) => void): void {
  endPass();
  fn(currentEncoder());
}

function passDescriptor(label?: string): GPUComputePassDescriptor | undefined {
  if (!profiler || profiler.labels.length + 1 > profiler.capacity) return label ? { label } : undefined;
  const k = profiler.labels.length;
  profiler.labels.push(label ?? 'pass');
  return { label, timestampWrites: { querySet: profiler.querySet, beginningOfPassWriteIndex: 2 * k, endOfPassWriteIndex: 2 * k + 1 } };
}

/**
 * Starts timing every compute pass on the GPU with timestamp queries (where the adapter
 * supports them). `stopProfiling()` returns each pass's label and GPU milliseconds.
 */
export function startProfiling(capacity = 2048): boolean {
  const device = gpuDevice();
  if (!device.features.has('timestamp-query')) return false;
  flush();
  endPass();
  const querySet = device.createQuerySet({ type: 'timestamp', count: 2 * capacity });
  const resolved = device.createBuffer({ size: 16 * capacity, usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC });
  profiler = { querySet, resolved, capacity, labels: [], batchStart: 0 };
  return true;
}

/** Stops profiling; resolves to the GPU time of each pass recorded since startProfiling. */
export async function stopProfiling(): Promise<Array<{ label: string; ms: number }>> {
  const p = profiler;
  if (!p) return [];
  flush();
  profiler = undefined;
  const { readBuffer } = await import('../array/transfer');
  const raw = new BigUint64Array(await readBuffer(p.resolved, 16 * Math.min(p.labels.length, p.capacity)));
  p.querySet.destroy();
  p.resolved.destroy();
  return p.labels
    .map((label, k) => ({ label, ms: k < p.capacity ? Number(raw[2 * k + 1] - raw[2 * k]) / 1e6 : NaN }))
    .filter((r) => r.label !== '' && !Number.isNaN(r.ms));
}

/** Submits everything recorded so far. Does not wait for the GPU. */
export function flush(): void {
  if (!encoder) return;
  endPass();
  const device = gpuDevice();
  if (profiler && profiler.labels.length > profiler.batchStart) {
    // Resolve this batch's queries; resolve offsets must be 256-byte aligned (16 passes).
    const first = profiler.batchStart;
    const count = Math.min(profiler.labels.length, profiler.capacity) - first;
    if (count > 0) encoder.resolveQuerySet(profiler.querySet, 2 * first, 2 * count, profiler.resolved, 16 * first);
    const next = Math.ceil(profiler.labels.length / 16) * 16;
    while (profiler.labels.length < next) profiler.labels.push('');
    profiler.batchStart = next;
  }
  // Pass a view of the used bytes: dawn.node copies the whole ArrayBuffer it is given.
  if (arena && arenaUsed > 0) device.queue.writeBuffer(arena, 0, new Uint8Array(arenaData, 0, arenaUsed));
  device.queue.submit([encoder.finish()]);
  encoder = undefined;
  passes = 0;
  arenaUsed = 0;
}

const syncChecks: Array<() => Promise<void> | undefined> = [];

/**
 * Registers a check run whenever results come back to the host (sync, pull, statistics).
 * It returns undefined when it has nothing to check (the common case costs no await), or a
 * promise that may read small GPU buffers and reject. Used for deferred validation.
 */
export function afterSync(check: () => Promise<void> | undefined): void {
  syncChecks.push(check);
}

/** @internal Throws pending WebGPU errors; returns the registered checks' work, if any. */
export function runSyncChecks(): Promise<void> | undefined {
  throwPendingGpuErrors();
  const pendingChecks = syncChecks.map((c) => c()).filter((p): p is Promise<void> => p !== undefined);
  return pendingChecks.length ? Promise.all(pendingChecks).then(() => undefined) : undefined;
}

/** Submits recorded work and waits until the GPU has finished it. */
export async function sync(): Promise<void> {
  flush();
  await gpuDevice().queue.onSubmittedWorkDone();
  const checks = runSyncChecks();
  if (checks) await checks;
}
