import { gpuDevice, onDeviceReset, throwPendingGpuErrors } from './device';

/**
 * Recording and submitting GPU work. Operations record compute passes into one shared
 * command encoder; the encoder is submitted when it holds MAX_PASSES passes, when the
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

onDeviceReset(() => {
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

function currentEncoder(): GPUCommandEncoder {
  encoder ??= gpuDevice().createCommandEncoder();
  return encoder;
}

/** Reserves a uniform slot for `bytes` (<= 256) and returns its offset and a view to fill. */
function uniformSlot(bytes: number): { offset: number; view: DataView } {
  if (arenaUsed + UNIFORM_SLOT > arenaData.byteLength) flush();
  const offset = arenaUsed;
  arenaUsed += Math.ceil(bytes / UNIFORM_SLOT) * UNIFORM_SLOT;
  return { offset, view: new DataView(arenaData, offset, bytes) };
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
  const entries: GPUBindGroupEntry[] = d.buffers.map((buffer, binding) => ({ binding, resource: { buffer } }));
  if (d.uniforms && d.uniforms.byteLength > 0) {
    const { offset, view } = uniformSlot(d.uniforms.byteLength);
    new Uint8Array(view.buffer, offset, d.uniforms.byteLength).set(new Uint8Array(d.uniforms));
    arena ??= device.createBuffer({ size: arenaData.byteLength, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
    entries.push({ binding: d.buffers.length, resource: { buffer: arena, offset, size: d.uniforms.byteLength } });
  }
  const bindGroup = device.createBindGroup({ layout: d.pipeline.getBindGroupLayout(0), entries });
  const pass = currentEncoder().beginComputePass(d.label ? { label: d.label } : undefined);
  pass.setPipeline(d.pipeline);
  pass.setBindGroup(0, bindGroup);
  pass.dispatchWorkgroups(d.workgroups[0], d.workgroups[1] ?? 1, d.workgroups[2] ?? 1);
  pass.end();
  if (++passes >= MAX_PASSES) flush();
}

/** Records a buffer-to-buffer copy into the current batch. */
export function recordCopy(src: GPUBuffer, srcOffset: number, dst: GPUBuffer, dstOffset: number, bytes: number): void {
  currentEncoder().copyBufferToBuffer(src, srcOffset, dst, dstOffset, bytes);
  if (++passes >= MAX_PASSES) flush();
}

/** Gives the recording encoder to `fn` (for readback copies that must follow recorded work). */
export function withEncoder(fn: (e: GPUCommandEncoder) => void): void {
  fn(currentEncoder());
}

/** Submits everything recorded so far. Does not wait for the GPU. */
export function flush(): void {
  if (!encoder) return;
  const device = gpuDevice();
  if (arena && arenaUsed > 0) device.queue.writeBuffer(arena, 0, arenaData, 0, arenaUsed);
  device.queue.submit([encoder.finish()]);
  encoder = undefined;
  passes = 0;
  arenaUsed = 0;
}

/** Submits recorded work and waits until the GPU has finished it. */
export async function sync(): Promise<void> {
  flush();
  await gpuDevice().queue.onSubmittedWorkDone();
  throwPendingGpuErrors();
}
