/**
 * What the panel's server extension reports (`GET <base>/tessera/gpu-panel`, tessera_jupyter/server.py)
 * and the pure functions that turn it into what the panel shows. No DOM here: unit-tested in Node.
 */

/** One NVIDIA GPU, from nvidia-smi (memory in bytes, power in W, temperature in °C). */
export interface GpuReading {
  index: number;
  uuid: string;
  name: string;
  memoryUsed: number | null;
  memoryTotal: number | null;
  utilization: number | null;
  temperature: number | null;
  powerDraw: number | null;
  powerLimit: number | null;
}

export interface WebGpuAdapter {
  name: string;
  vendor: string;
  architecture: string;
  description: string;
  backend: string;
  isSoftware: boolean;
}

/** A running Tessera kernel's status file (kernel-lib/src/jupyter/status-file.ts), with the server's view. */
export interface KernelReport {
  kernelId?: string | null;
  pid?: number;
  device?: WebGpuAdapter | null;
  memory?: { bytesInUse: number; bytesPooled: number; peakBytesInUse: number; budget: number } | null;
  work?: { label: string; since: string } | null;
  stale?: boolean;
  executionState?: string | null;
  path?: string | null;
  error?: string;
}

/** One field of the Hub's options form (tessera_jupyter/hub.py parse_options_form). */
export interface ChoiceField {
  name: string;
  label: string;
  kind: 'select' | 'number' | 'text' | 'checkbox';
  default: string | boolean | null;
  options?: { value: string; label: string }[];
  multiple?: boolean;
  min?: string;
  max?: string;
  step?: string;
}

export interface SlurmResources {
  jobId: string;
  partition: string | null;
  node: string | null;
  cpus: number | null;
  memoryBytes: number | null;
  gpus: string[];
  gpuCount: number;
}

export interface HubInfo {
  underHub: boolean;
  user?: string;
  serverName?: string;
  hubPrefix?: string;
  serverPrefix?: string;
  slurm: SlurmResources | null;
  limits?: Record<string, string>;
  /** null: the Hub does not tell (no panel_environment in its config). */
  userOptions?: Record<string, unknown> | null;
  /** null: the Hub does not tell; []: the Hub offers no choices. */
  choices?: ChoiceField[] | null;
  errors?: string[];
}

export interface TaskView {
  task: number;
  state: 'pending' | 'running' | 'completed' | 'failed' | 'cancelled';
  slurmState: string | null;
  reason: string | null;
  node: string | null;
  tilesDone: number;
  tilesTotal: number | null;
  error: string | null;
}

export interface JobView {
  jobId: string;
  label: string;
  slurmArrayJobId: string | null;
  state: TaskView['state'];
  tasks: TaskView[];
  tilesDone: number;
  tilesTotal: number;
  bytesRead: number;
  bytesWritten: number;
  throughput: number | null;
  etaSeconds: number | null;
  slurmError: string | null;
}

export interface PanelState {
  version: number;
  host: string;
  gpus: { nvidia: boolean; reason: string | null; gpus: GpuReading[]; source: string | null; value: string | null; nodeCount: number };
  webgpu: { adapters: WebGpuAdapter[]; error?: string };
  kernels: KernelReport[];
  hub: HubInfo;
  jobs: { directory: string; jobs: JobView[]; errors: string[]; slurm: boolean };
}

/** A resource profile offered by the site's settings when the Hub offers no choices. */
export interface ResourceProfile {
  name: string;
  description?: string;
  userOptions: Record<string, unknown>;
}

/** The panel's settings (schema/gpu-panel.json). */
export interface PanelSettings {
  refreshInterval: number;
  memoryUnits: 'binary' | 'decimal';
  temperatureUnit: 'celsius' | 'fahrenheit';
  profiles: ResourceProfile[];
}

export const DEFAULT_SETTINGS: PanelSettings = { refreshInterval: 2, memoryUnits: 'binary', temperatureUnit: 'celsius', profiles: [] };

/** Bytes as "3.2 GiB" (binary) or "3.4 GB" (decimal). */
export function formatBytes(bytes: number | null | undefined, units: PanelSettings['memoryUnits'] = 'binary'): string {
  if (bytes == null || !Number.isFinite(bytes)) return '–';
  const base = units === 'binary' ? 1024 : 1000;
  const names = units === 'binary' ? ['B', 'KiB', 'MiB', 'GiB', 'TiB'] : ['B', 'kB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let i = 0;
  while (value >= base && i < names.length - 1) {
    value /= base;
    i++;
  }
  return `${i === 0 ? value : value.toFixed(value < 10 ? 1 : 0)} ${names[i]}`;
}

export function formatTemperature(celsius: number | null, unit: PanelSettings['temperatureUnit']): string {
  if (celsius == null) return '–';
  return unit === 'fahrenheit' ? `${Math.round((celsius * 9) / 5 + 32)} °F` : `${Math.round(celsius)} °C`;
}

export function formatDuration(seconds: number | null): string {
  if (seconds == null || !Number.isFinite(seconds)) return '–';
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}

/** The sentence the GPU section starts with. */
export function gpuHeadline(state: PanelState): string {
  const g = state.gpus;
  if (g.nvidia) {
    const of = g.source ? ` of the node's ${g.nodeCount} (${g.source}=${g.value})` : '';
    return `${g.gpus.length} NVIDIA GPU${g.gpus.length === 1 ? '' : 's'} usable${of}`;
  }
  return `No NVIDIA GPU for this server: ${g.reason ?? 'none found'}.`;
}

/** The WebGPU adapter a Tessera kernel uses (its own report, else the probe's best adapter) and how to say it. */
export function webgpuHeadline(state: PanelState): { adapter: WebGpuAdapter | null; text: string; software: boolean } {
  const fromKernel = state.kernels.find((k) => k.device)?.device ?? null;
  const adapter = fromKernel ?? state.webgpu.adapters[0] ?? null;
  if (!adapter) return { adapter: null, text: `No WebGPU adapter: ${state.webgpu.error ?? 'Dawn found none'}.`, software: false };
  const where = fromKernel ? 'in use by the Tessera kernel' : 'a new Tessera kernel opens';
  const text = adapter.isSoftware
    ? `WebGPU adapter (${where}): ${adapter.name} — a software (CPU) fallback, not a GPU.`
    : `WebGPU adapter (${where}): ${adapter.name} (${adapter.backend}).`;
  return { adapter, text, software: adapter.isSoftware };
}

/** The Hub section's state, one of the clear states the panel names. */
export type HubMode = 'no-hub' | 'hub-silent' | 'hub-no-choices' | 'hub-profiles' | 'hub-form';

export function hubMode(hub: HubInfo, settings: PanelSettings): HubMode {
  if (!hub.underHub) return 'no-hub';
  if (hub.choices && hub.choices.length > 0) return 'hub-form';
  if (settings.profiles.length > 0) return 'hub-profiles';
  return hub.choices === null || hub.choices === undefined ? 'hub-silent' : 'hub-no-choices';
}

/** The value a choice field starts with: this server's user_options where they name it, else the form's default. */
export function initialChoice(field: ChoiceField, userOptions: Record<string, unknown> | null | undefined): string | boolean {
  let v = userOptions?.[field.name];
  if (Array.isArray(v)) v = v[0]; // options_from_form left as form data: lists of strings
  if (v !== undefined && v !== null) return field.kind === 'checkbox' ? v === true || v === 'on' : String(v);
  return field.default ?? (field.kind === 'checkbox' ? false : '');
}

/** Form data for the Hub's spawn form (what its own form would submit: unchecked boxes are omitted). */
export function formData(fields: ChoiceField[], values: Record<string, string | boolean>): [string, string][] {
  const out: [string, string][] = [];
  for (const f of fields) {
    const v = values[f.name];
    if (f.kind === 'checkbox') {
      if (v === true) out.push([f.name, 'on']);
    } else if (v !== undefined) out.push([f.name, String(v)]);
  }
  return out;
}

/** Whether the chosen values differ from what this server runs with. */
export function choicesChanged(fields: ChoiceField[], values: Record<string, string | boolean>, userOptions: Record<string, unknown> | null | undefined): boolean {
  return fields.some((f) => values[f.name] !== initialChoice(f, userOptions));
}

/** "12 / 40 tiles · 3.1 tiles/s · ETA 9 s" */
export function jobProgressLine(job: JobView): string {
  const parts = [`${job.tilesDone} / ${job.tilesTotal} tiles`];
  if (job.throughput) parts.push(`${job.throughput.toFixed(job.throughput < 10 ? 1 : 0)} tiles/s`);
  if (job.etaSeconds != null) parts.push(`ETA ${formatDuration(job.etaSeconds)}`);
  return parts.join(' · ');
}

/** Counts of tasks per state, in a fixed order: "2 running · 3 pending · 1 completed". */
export function taskCounts(job: JobView): string {
  const order: TaskView['state'][] = ['running', 'pending', 'completed', 'failed', 'cancelled'];
  return order
    .map((s) => [s, job.tasks.filter((t) => t.state === s).length] as const)
    .filter(([, n]) => n > 0)
    .map(([s, n]) => `${n} ${s}`)
    .join(' · ');
}
