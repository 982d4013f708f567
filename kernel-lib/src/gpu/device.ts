import { TesseraError } from '../errors';
import { describeValue } from '../validate/arguments';

/** What `info()` reports about the GPU Tessera runs on. */
export interface DeviceInfo {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** Vulkan, Metal, D3D12 ... as Dawn reports it. */
  backend: string;
  /** True for CPU implementations such as Mesa lavapipe / SwiftShader. */
  isSoftware: boolean;
  /** A readable one-line name, used in errors and benchmark tables. */
  name: string;
  limits: {
    maxBufferSize: number;
    maxStorageBufferBindingSize: number;
    maxComputeWorkgroupsPerDimension: number;
    maxComputeInvocationsPerWorkgroup: number;
    maxComputeWorkgroupStorageSize: number;
  };
  features: string[];
}

interface Backend {
  gpu: GPU;
  // Dawn's instance must stay referenced for the life of the process: if the object
  // returned by create() is garbage-collected, Dawn crashes with futex/mutex errors.
  keepAlive: unknown;
}

let backend: Backend | undefined;
let current: { adapter: GPUAdapter; device: GPUDevice; info: DeviceInfo } | undefined;
let pending: Promise<void> | undefined;
const deviceLostHandlers: Array<() => void> = [];
const gpuErrors: string[] = [];
/** How many errors the device has reported so far (never reset): see uncapturedErrorCount. */
let uncapturedErrors = 0;
let generation = 0;

const NO_ADAPTER_HELP =
  'Tessera found no usable WebGPU adapter. Dawn needs a Vulkan driver: on Debian 12 install Mesa ' +
  'lavapipe (software) or your GPU vendor driver, e.g.\n' +
  '  echo "deb http://deb.debian.org/debian bookworm-backports main" > /etc/apt/sources.list.d/backports.list\n' +
  '  apt-get update && apt-get install -t bookworm-backports mesa-vulkan-drivers libvulkan1\n' +
  '(Mesa 22.3 from bookworm itself is too old for Dawn.) Check with `vulkaninfo --summary`.';

function loadBackend(): Backend {
  if (backend) return backend;
  if (!process.env.XDG_RUNTIME_DIR) process.env.XDG_RUNTIME_DIR = require('node:os').tmpdir();
  let mod: { create: (flags: string[]) => GPU; globals: object };
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    mod = require('webgpu');
  } catch (e) {
    throw new TesseraError(`could not load the WebGPU runtime (npm package "webgpu"): ${(e as Error).message}`);
  }
  // GPUBufferUsage, GPUMapMode ... are globals in browsers; dawn.node hands them out.
  Object.assign(globalThis, mod.globals);
  // Dawn quantizes timestamps (a browser privacy measure); exact ones are wanted for profiling.
  const gpu = mod.create(['disable-dawn-features=timestamp_quantization']);
  backend = { gpu, keepAlive: gpu };
  (globalThis as Record<string, unknown>).__tesseraDawnInstance = gpu;
  return backend;
}

function describe(adapter: GPUAdapter): DeviceInfo {
  const i = adapter.info;
  const l = adapter.limits;
  const text = `${i.vendor} ${i.architecture} ${i.device} ${i.description}`.toLowerCase();
  const isSoftware =
    (adapter as unknown as { isFallbackAdapter?: boolean }).isFallbackAdapter === true ||
    /llvmpipe|lavapipe|swiftshader|software/.test(text);
  const backendName = /vulkan/i.test(i.description) ? 'vulkan' : ((i as unknown as { backend?: string }).backend ?? 'vulkan');
  return {
    vendor: i.vendor,
    architecture: i.architecture,
    device: i.device,
    description: i.description,
    backend: backendName,
    isSoftware,
    // Dawn puts the product in `device` on NVIDIA ("nvidia-h100-80gb-hbm3") and in `description` on Mesa.
    name: (!isSoftware && i.device && !/^0x/.test(i.device) ? i.device : i.description || `${i.vendor} ${i.device}`).trim() || 'unknown adapter',
    limits: {
      maxBufferSize: l.maxBufferSize,
      maxStorageBufferBindingSize: l.maxStorageBufferBindingSize,
      maxComputeWorkgroupsPerDimension: l.maxComputeWorkgroupsPerDimension,
      maxComputeInvocationsPerWorkgroup: l.maxComputeInvocationsPerWorkgroup,
      maxComputeWorkgroupStorageSize: l.maxComputeWorkgroupStorageSize,
    },
    features: [...adapter.features].sort(),
  };
}

/** Rank adapters: discrete over integrated over anything else over software. */
function score(d: DeviceInfo): number {
  if (d.isSoftware) return 0;
  const t = `${d.vendor} ${d.description} ${d.architecture}`.toLowerCase();
  if (/nvidia|radeon|amd|discrete/.test(t)) return 3;
  if (/intel|integrated|apple/.test(t)) return 2;
  return 1;
}

/**
 * Dawn's native code prints two lines ("Warning: maxDynamicUniformBuffersPerPipelineLayout
 * artificially reduced ...") to file descriptor 2 every time it enumerates Vulkan adapters, and
 * offers no flag to silence them; in notebooks and terminals they are noise. Enumeration runs
 * synchronously inside requestAdapter, so for exactly that call descriptor 2 is pointed at a
 * temporary file, then restored; whatever else was printed meanwhile (a Vulkan loader error,
 * say) is passed on to stderr. Where descriptor 2 cannot be reopened (not Linux, a socket), the
 * call runs as is.
 */
const DAWN_NOISE = /^Warning: maxDynamic(Uniform|Storage)BuffersPerPipelineLayout artificially reduced .*$\n?/gm;

function quietly<T>(call: () => T): T {
  const fs = require('node:fs') as typeof import('node:fs');
  const capture = require('node:path').join(require('node:os').tmpdir(), `tessera-dawn-${process.pid}.log`);
  let saved: number;
  try {
    // Descriptors 0 and 1 must be open, so that the next descriptor opened after closing 2 is 2.
    fs.fstatSync(0);
    fs.fstatSync(1);
    saved = fs.openSync('/proc/self/fd/2', 'a');
  } catch {
    return call();
  }
  let captured = false;
  try {
    fs.closeSync(2);
    captured = fs.openSync(capture, 'w') === 2;
    return call();
  } finally {
    if (captured) fs.closeSync(2);
    fs.openSync(`/proc/self/fd/${saved}`, 'a'); // descriptor 2 again, on the same file as before
    fs.closeSync(saved);
    if (captured) {
      const other = fs.readFileSync(capture, 'utf8').replace(DAWN_NOISE, '');
      if (other.trim()) process.stderr.write(other);
    }
    fs.rmSync(capture, { force: true });
  }
}

async function candidateAdapters(gpu: GPU): Promise<GPUAdapter[]> {
  const found: GPUAdapter[] = [];
  for (const powerPreference of ['high-performance', 'low-power', undefined] as const) {
    const a = await quietly(() => gpu.requestAdapter(powerPreference ? { powerPreference } : undefined));
    if (a && !found.some((b) => b.info.description === a.info.description && b.info.device === a.info.device)) found.push(a);
  }
  const fallback = await quietly(() => gpu.requestAdapter({ forceFallbackAdapter: true })).catch(() => null);
  if (fallback && !found.some((b) => b.info.description === fallback.info.description)) found.push(fallback);
  return found;
}

async function open(nameSubstring?: string): Promise<void> {
  const { gpu } = loadBackend();
  const adapters = await candidateAdapters(gpu);
  if (adapters.length === 0) throw new TesseraError(NO_ADAPTER_HELP);
  const described = adapters.map((a) => ({ a, d: describe(a) }));
  let chosen = described.sort((x, y) => score(y.d) - score(x.d))[0];
  if (nameSubstring !== undefined) {
    const wanted = nameSubstring.toLowerCase();
    const match = described.find(({ d }) => `${d.name} ${d.vendor} ${d.device}`.toLowerCase().includes(wanted));
    if (!match) {
      throw new TesseraError(
        `selectDevice: no adapter matches "${nameSubstring}"; available: ${described.map(({ d }) => d.name).join('; ')}`,
      );
    }
    chosen = match;
  }
  const { a: adapter, d: info } = chosen;
  // Ask for the adapter's full buffer limits: the defaults (128/256 MB) are far below what images need.
  const device = await adapter.requestDevice({
    requiredFeatures: adapter.features.has('timestamp-query') ? ['timestamp-query'] : [],
    requiredLimits: {
      maxBufferSize: adapter.limits.maxBufferSize,
      maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize,
      maxComputeWorkgroupStorageSize: adapter.limits.maxComputeWorkgroupStorageSize,
      maxComputeInvocationsPerWorkgroup: adapter.limits.maxComputeInvocationsPerWorkgroup,
      maxComputeWorkgroupSizeX: adapter.limits.maxComputeWorkgroupSizeX,
      maxStorageBuffersPerShaderStage: adapter.limits.maxStorageBuffersPerShaderStage,
    },
  });
  device.lost.then((lost) => {
    if (current?.device === device) {
      current = undefined;
      generation++;
      for (const h of deviceLostHandlers) h();
      if (lost.reason !== 'destroyed') console.error(`Tessera: GPU device lost (${lost.reason}): ${lost.message}`);
    }
  });
  // Recording is synchronous, so WebGPU reports errors later; keep them for the next
  // sync/readback to throw rather than return a silently wrong result.
  device.onuncapturederror = (ev: GPUUncapturedErrorEvent) => {
    // Handled here: without preventDefault dawn.node also prints the message to stdout.
    ev.preventDefault();
    uncapturedErrors++;
    gpuErrors.push(ev.error.message);
  };
  const previous = current;
  current = { adapter, device, info };
  if (previous) {
    generation++;
    for (const h of deviceLostHandlers) h();
    previous.device.destroy();
  }
}

/** Opens the best GPU on first use; later calls return the same device. */
export async function initDevice(): Promise<void> {
  if (current) return;
  pending ??= open().finally(() => (pending = undefined));
  await pending;
}

/**
 * Chooses the GPU whose name contains `nameSubstring` (case-insensitive), like
 * `cle.select_device`. Images on the previous device become invalid.
 */
export async function selectDevice(nameSubstring: string): Promise<DeviceInfo> {
  if (typeof nameSubstring !== 'string' || nameSubstring === '') {
    throw new TesseraError(`selectDevice: nameSubstring must be part of an adapter's name (see listDevices()); got ${describeValue(nameSubstring)}`);
  }
  await open(nameSubstring);
  return current!.info;
}

/** The adapter and its limits; opens the device if needed. */
export async function info(): Promise<DeviceInfo> {
  await initDevice();
  return current!.info;
}

/** All adapters the WebGPU runtime offers, best first. */
export async function listDevices(): Promise<DeviceInfo[]> {
  const adapters = await candidateAdapters(loadBackend().gpu);
  return adapters.map(describe).sort((x, y) => score(y) - score(x));
}

/** The open device; operations are synchronous to record, so the device must be open already. */
export function gpuDevice(): GPUDevice {
  if (!current) {
    throw new TesseraError('no GPU device is open yet: call `await tessera.init()` (or any async Tessera call) first');
  }
  return current.device;
}

export function deviceInfo(): DeviceInfo {
  gpuDevice();
  return current!.info;
}

let bindingOverride: number | undefined;

/**
 * The most bytes one storage binding may hold: the adapter's maxStorageBufferBindingSize (2 GB on
 * an H200, 128 MB on lavapipe). Images larger than this live in one large buffer and run in slabs
 * (array/slabs.ts).
 */
export function bindingLimit(): number {
  const limit = deviceInfo().limits.maxStorageBufferBindingSize;
  return bindingOverride === undefined ? limit : Math.min(limit, bindingOverride);
}

/**
 * @internal Lowers the binding limit Tessera plans with (undefined restores the adapter's), so that
 * tests and benchmarks can exercise the slab paths on small images.
 */
export function limitBindingSize(bytes: number | undefined): void {
  if (bytes !== undefined && !(Number.isInteger(bytes) && bytes >= 1024 && bytes % 256 === 0)) {
    throw new TesseraError(`limitBindingSize: bytes must be a multiple of 256 of at least 1024; got ${bytes}`);
  }
  bindingOverride = bytes;
}

/** Counts device replacements: objects made for an older device must not be reused. */
export function deviceGeneration(): number {
  return generation;
}

/** Registers a callback run when the device is lost or replaced (pools drop their buffers). */
export function onDeviceReset(handler: () => void): void {
  deviceLostHandlers.push(handler);
}

/** Keeps a WebGPU error for the next readback or sync to throw. */
export function reportGpuError(message: string): void {
  gpuErrors.push(message);
}

/**
 * How many errors outside any error scope the device has reported so far. dawn.node reports a
 * validation error from inside the call that found it (test/core/gpu-errors.test.ts checks
 * this), so comparing the count before and after a call tells whether that call failed.
 */
export function uncapturedErrorCount(): number {
  return uncapturedErrors;
}

/** The WebGPU errors reported since the last call (and forgets them). */
export function takeGpuErrors(): string[] {
  return gpuErrors.splice(0);
}
