import { TesseraError } from '../errors';
import { onBufferRetire } from './buffer-pool';
import { gpuDevice, onDeviceReset, takeGpuErrors, uncapturedErrorCount } from './device';

/**
 * Recording and submitting GPU work. Operations record dispatches into one shared command
 * encoder; the encoder is submitted as one batch when it holds MAX_PASSES commands (dispatches,
 * copies, clears), when the uniform arena is full, or when the host needs results
 * (`flush`/`sync`/a readback). Nothing waits for the GPU until `sync()` or a readback.
 *
 * Uniforms of all passes in a batch live in one arena buffer, written once per submit with
 * queue.writeBuffer. The queue orders that write after the previous submit, so the same arena is
 * safely reused batch after batch. Only the words that differ from what the arena already holds
 * are written: a loop calling one operation with the same parameters writes nothing, and on an
 * H200 a writeBuffer adds ~7 µs to a submit (bench/round-trip.ts).
 *
 * Failed batches. A batch that fails validation (say, a pipeline whose shader did not compile)
 * does not run at all: the buffers it should have written keep stale bytes. dawn.node reports
 * such an error from inside the finish or submit that found it, to the device's uncaptured-error
 * handler (gpu/device.ts), so a submit knows at once whether its batch failed; the buffers the
 * batch writes are remembered, and a failed batch marks them invalid (its error is kept for the
 * next readback). A readback of an invalid buffer throws, and work recorded on it marks its own
 * outputs invalid, until successful work writes it again. (An error scope per submit says the
 * same a little later and needs its promise awaited; timed per method, push and pop cost Dawn
 * ~8 µs per submit on the H200, though whole calls with and without were within noise.)
 */
const MAX_PASSES = 256;
const UNIFORM_SLOT = 256; // minUniformBufferOffsetAlignment
const ARENA_SLOTS = 1024;

let encoder: GPUCommandEncoder | undefined;
let passes = 0;
let arena: GPUBuffer | undefined;
const arenaData = new ArrayBuffer(UNIFORM_SLOT * ARENA_SLOTS);
const arenaView = new DataView(arenaData);
const arenaWords = new Uint32Array(arenaData);
/** What the GPU's arena holds (a new buffer is zeros), word by word. */
const arenaOnGpu = new Uint32Array(arenaData.byteLength / 4);
let arenaUsed = 0;

/** Buffers written by the batch being recorded. */
let batchWrites: GPUBuffer[] = [];
/** Buffers whose content is invalid: the batch that should have written them failed, or read invalid input. */
const invalid = new Set<GPUBuffer>();

/**
 * Bind groups are costly to create (Dawn validates each), and notebooks and tiled loops call
 * the same operation on the same pooled buffers over and over: cache them by pipeline, buffers
 * and uniform offset. Entries holding a buffer are dropped before it is destroyed.
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

/**
 * Must be called before a buffer that operations used is destroyed: submits the work recorded
 * so far (it may use the buffer) and drops cached bind groups holding it.
 */
export function retireBuffer(buffer: GPUBuffer): void {
  flush();
  invalid.delete(buffer);
  const id = bufferIds.get(buffer);
  if (id === undefined) return;
  const tag = `,${id},`;
  for (const key of bindGroups.keys()) if (key.includes(tag)) bindGroups.delete(key);
}
onBufferRetire(retireBuffer);

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
  passPipeline = undefined;
  encoder = undefined;
  passes = 0;
  arena = undefined;
  arenaUsed = 0;
  batchWrites = [];
  invalid.clear();
});

/**
 * Dispatches share one open compute pass until a copy or a submit needs the encoder: WebGPU
 * orders dispatches within a pass (each is its own usage scope), and beginning and ending a pass
 * per dispatch costs Dawn more host time than the dispatch itself. When profiling, each dispatch
 * gets its own pass so that it can be timed.
 */
let openPass: GPUComputePassEncoder | undefined;
/** The pipeline last set on the open pass: a pass keeps it, so a repeat needs no setPipeline. */
let passPipeline: GPUComputePipeline | undefined;

function endPass(): void {
  openPass?.end();
  openPass = undefined;
  passPipeline = undefined;
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

/** Reserves `bytes` of the batch's uniform arena (256-byte aligned slots) and returns the offset. */
function reserveUniforms(bytes: number): number {
  const slots = Math.ceil(bytes / UNIFORM_SLOT) * UNIFORM_SLOT;
  if (slots > arenaData.byteLength) throw new TesseraError(`a uniform block of ${bytes} bytes exceeds the arena (${arenaData.byteLength})`);
  if (arenaUsed + slots > arenaData.byteLength) flush();
  const offset = arenaUsed;
  arenaUsed += slots;
  return offset;
}

/** Notes that the batch writes `buffer`, computed from `inputs` (an invalid input makes it invalid too). */
function noteWrite(buffer: GPUBuffer, inputsInvalid: boolean): void {
  batchWrites.push(buffer);
  // A new write supersedes the failure of an earlier one: work recorded on the buffer from now on
  // reads this write (should this batch fail, its submit marks the buffer again).
  if (inputsInvalid) invalid.add(buffer);
  else invalid.delete(buffer);
}

/**
 * @internal Records one compute dispatch into the current batch: storage `buffers` in binding
 * order (`writes` says which the kernel writes), then `uniformBytes` of uniforms written by
 * `writeUniforms` into the arena. Use gpu/kernel.ts's `dispatch`.
 */
/** A storage binding: a whole buffer, or a range of one (offset a multiple of 256 bytes). */
export type BufferBinding = GPUBuffer | { buffer: GPUBuffer; offset: number; size: number };

export const bufferOf = (b: BufferBinding): GPUBuffer => ('buffer' in b ? b.buffer : b);

export function recordDispatch(
  pipeline: GPUComputePipeline,
  layout: GPUBindGroupLayout,
  bindings: readonly BufferBinding[],
  writes: readonly boolean[],
  uniformBytes: number,
  writeUniforms: ((view: DataView, offset: number) => void) | undefined,
  grid: readonly [number, number, number],
  label: string,
): void {
  const device = gpuDevice();
  let offset = -1;
  if (uniformBytes > 0 && writeUniforms) {
    offset = reserveUniforms(uniformBytes);
    writeUniforms(arenaView, offset);
    if (!arena) {
      arena = device.createBuffer({ size: arenaData.byteLength, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
      arenaOnGpu.fill(0);
    }
  }
  let key = `${idOf(pipelineIds, pipeline)},`;
  for (const b of bindings) key += 'buffer' in b ? `${idOf(bufferIds, b.buffer)},@${b.offset}+${b.size};` : `${idOf(bufferIds, b)},`;
  key += `${offset}:${uniformBytes}`;
  let bindGroup = bindGroups.get(key);
  if (!bindGroup) {
    const entries: GPUBindGroupEntry[] = bindings.map((b, binding) => ({ binding, resource: 'buffer' in b ? { buffer: b.buffer, offset: b.offset, size: b.size } : { buffer: b } }));
    if (offset >= 0) entries.push({ binding: bindings.length, resource: { buffer: arena!, offset, size: uniformBytes } });
    bindGroup = device.createBindGroup({ layout, entries });
    if (bindGroups.size >= BIND_GROUP_CACHE) bindGroups.delete(bindGroups.keys().next().value!);
    bindGroups.set(key, bindGroup);
  }
  const inputsInvalid = invalid.size > 0 && bindings.some((b, k) => !writes[k] && invalid.has(bufferOf(b)));
  for (let k = 0; k < bindings.length; k++) if (writes[k]) noteWrite(bufferOf(bindings[k]), inputsInvalid);
  const pass = computePass(label);
  if (passPipeline !== pipeline) {
    pass.setPipeline(pipeline);
    passPipeline = pipeline;
  }
  pass.setBindGroup(0, bindGroup);
  pass.dispatchWorkgroups(grid[0], grid[1], grid[2]);
  if (++passes >= MAX_PASSES) flush();
}

/** Records a buffer-to-buffer copy into the current batch. */
export function recordCopy(src: GPUBuffer, srcOffset: number, dst: GPUBuffer, dstOffset: number, bytes: number): void {
  endPass();
  currentEncoder().copyBufferToBuffer(src, srcOffset, dst, dstOffset, bytes);
  noteWrite(dst, invalid.size > 0 && invalid.has(src));
  if (++passes >= MAX_PASSES) flush();
}

/** Records a clear of `bytes` of `buffer` from `offset` (zeros). */
export function recordClear(buffer: GPUBuffer, offset: number, bytes: number): void {
  endPass();
  currentEncoder().clearBuffer(buffer, offset, bytes);
  noteWrite(buffer, false);
  if (++passes >= MAX_PASSES) flush();
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
  flush(); // resolves the last batch's queries
  profiler = undefined;
  // Read the timestamps here rather than through gpu/readback.ts, which builds on this module.
  const bytes = 16 * Math.max(1, Math.min(p.labels.length, p.capacity));
  const staging = gpuDevice().createBuffer({ size: bytes, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  currentEncoder().copyBufferToBuffer(p.resolved, 0, staging, 0, bytes);
  passes++;
  flush();
  await staging.mapAsync(GPUMapMode.READ);
  const raw = new BigUint64Array(staging.getMappedRange().slice(0));
  staging.destroy();
  p.querySet.destroy();
  p.resolved.destroy();
  return p.labels
    .map((label, k) => ({ label, ms: k < p.capacity ? Number(raw[2 * k + 1] - raw[2 * k]) / 1e6 : NaN }))
    .filter((r) => r.label !== '' && !Number.isNaN(r.ms));
}

/** Submits everything recorded so far. Does not wait for the GPU. */
export function flush(): void {
  if (!encoder || passes === 0) return;
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
  const writes = batchWrites;
  batchWrites = [];
  const errorsBefore = uncapturedErrorCount();
  uploadUniforms(device);
  device.queue.submit([encoder.finish()]);
  if (uncapturedErrorCount() !== errorsBefore) for (const b of writes) invalid.add(b);
  passes = 0;
  arenaUsed = 0;
  // The next batch's encoder and pass begin now, while the GPU runs this one: they cost Dawn
  // ~11 µs on the H200's host, which the next call would otherwise spend before its dispatch.
  // (An encoder without commands is never submitted; a copy ends the empty pass.)
  encoder = device.createCommandEncoder();
  if (!profiler) openPass = encoder.beginComputePass();
}

/** Writes the words of the batch's uniforms that the GPU's arena does not hold yet. */
function uploadUniforms(device: GPUDevice): void {
  if (!arena || arenaUsed === 0) return;
  const words = arenaUsed / 4;
  let first = 0;
  while (first < words && arenaWords[first] === arenaOnGpu[first]) first++;
  if (first === words) return;
  let last = words - 1;
  while (arenaWords[last] === arenaOnGpu[last]) last--;
  arenaOnGpu.set(arenaWords.subarray(first, last + 1), first);
  // Pass a view of the changed bytes: dawn.node copies the whole ArrayBuffer it is given.
  device.queue.writeBuffer(arena, first * 4, new Uint8Array(arenaData, first * 4, (last - first + 1) * 4));
}

/** @internal Whether a failed batch left `buffer` without a valid result. */
export function isInvalid(buffer: GPUBuffer): boolean {
  return invalid.has(buffer);
}

const syncChecks: Array<() => Promise<void> | undefined> = [];

/**
 * Registers a check run whenever results come back to the host (sync, readbacks). It returns
 * undefined when it has nothing to check (the common case costs no await), or a promise that
 * may read small GPU buffers and reject with a TesseraError. Used for deferred validation (NaN
 * checks of pushed data, compile checks of custom kernels).
 */
export function afterSync(check: () => Promise<void> | undefined): void {
  syncChecks.push(check);
}

/**
 * @internal Runs the registered checks, then throws what they and the GPU found: a failed check's
 * own error first (it names the cause), else the GPU's errors. `readBuffers` are buffers about to
 * be returned to the caller: if a failed batch left one of them invalid, that is thrown too.
 * Returns undefined when there is nothing to wait for.
 */
export function settle(readBuffers: readonly GPUBuffer[] = []): Promise<void> | undefined {
  // Each check's outcome is taken at once (as a value), so that a rejection is never left unhandled while others run.
  const checks: Array<Promise<unknown>> = [];
  for (const c of syncChecks) {
    const p = c();
    if (p) checks.push(p.then(() => undefined, (e: unknown) => e ?? new TesseraError('a deferred GPU check failed')));
  }
  if (checks.length === 0) {
    throwFindings(undefined, readBuffers);
    return undefined;
  }
  return Promise.all(checks).then((outcomes) => throwFindings(outcomes.find((e) => e !== undefined), readBuffers));
}

function throwFindings(checkError: unknown, readBuffers: readonly GPUBuffer[]): void {
  const gpu = takeGpuErrors();
  if (checkError !== undefined) throw checkError;
  if (gpu.length > 0) {
    throw new TesseraError(`the GPU reported ${gpu.length} error(s); results computed since the last readback are invalid:\n${gpu.slice(0, 3).join('\n')}`);
  }
  if (readBuffers.some((b) => invalid.has(b))) {
    throw new TesseraError(
      'this image holds no valid result: the GPU work that should have written it failed (the error was reported by an earlier readback). Compute it again.',
    );
  }
}

/** Submits recorded work and waits until the GPU has finished it; throws errors found meanwhile. */
export async function sync(): Promise<void> {
  flush();
  await gpuDevice().queue.onSubmittedWorkDone();
  await settle();
}
