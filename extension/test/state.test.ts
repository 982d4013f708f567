/// <reference types="node" />
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { serverApiUrl, hubPageUrl, serverStopped, startBody, xsrfFromPage } from '../src/gpu-panel/hub-restart.js';
import {
  choicesChanged,
  DEFAULT_SETTINGS,
  formatBytes,
  formatDuration,
  formatTemperature,
  formData,
  gpuHeadline,
  hubMode,
  initialChoice,
  jobProgressLine,
  taskCounts,
  webgpuHeadline,
  type ChoiceField,
  type JobView,
  type PanelState,
} from '../src/gpu-panel/state.js';

const lavapipe = { name: 'llvmpipe (LLVM 19.1.7, 256 bits)', vendor: 'mesa', architecture: '', description: 'Mesa lavapipe', backend: 'vulkan', isSoftware: true };
const h200 = { ...lavapipe, name: 'NVIDIA H200', vendor: 'nvidia', isSoftware: false };

function state(over: Partial<PanelState> = {}): PanelState {
  return {
    version: 1,
    host: 'n1',
    gpus: { nvidia: false, reason: 'nvidia-smi is not installed: no NVIDIA driver on this machine', gpus: [], source: null, value: null, nodeCount: 0 },
    webgpu: { adapters: [lavapipe] },
    kernels: [],
    hub: { underHub: false, slurm: null },
    jobs: { directory: '/r', jobs: [], errors: [], slurm: true },
    ...over,
  };
}

test('units: binary and decimal bytes, temperatures, durations', () => {
  assert.equal(formatBytes(11264 * 2 ** 20), '11 GiB');
  assert.equal(formatBytes(1.5 * 2 ** 30), '1.5 GiB');
  assert.equal(formatBytes(1.5e9, 'decimal'), '1.5 GB');
  assert.equal(formatBytes(512), '512 B');
  assert.equal(formatBytes(null), '–');
  assert.equal(formatTemperature(77, 'celsius'), '77 °C');
  assert.equal(formatTemperature(100, 'fahrenheit'), '212 °F');
  assert.equal(formatDuration(42), '42 s');
  assert.equal(formatDuration(125), '2 min 5 s');
  assert.equal(formatDuration(3 * 3600 + 60), '3 h 1 min');
});

test('no NVIDIA GPU and a software WebGPU adapter are said plainly', () => {
  const s = state();
  assert.match(gpuHeadline(s), /^No NVIDIA GPU for this server: nvidia-smi is not installed/);
  const w = webgpuHeadline(s);
  assert.equal(w.software, true);
  assert.match(w.text, /a new Tessera kernel opens\): llvmpipe .* a software \(CPU\) fallback, not a GPU\./);
  const withKernel = webgpuHeadline(state({ kernels: [{ kernelId: 'k', device: h200 }] }));
  assert.match(withKernel.text, /in use by the Tessera kernel\): NVIDIA H200 \(vulkan\)\.$/);
  assert.match(webgpuHeadline(state({ webgpu: { adapters: [], error: 'no Vulkan driver' } })).text, /No WebGPU adapter: no Vulkan driver/);
});

test('GPU headline names the variable that narrowed the node', () => {
  const gpu = { index: 2, uuid: 'GPU-3', name: 'Tesla V100', memoryUsed: 0, memoryTotal: 1, utilization: 0, temperature: 30, powerDraw: 20, powerLimit: 300 };
  const s = state({ gpus: { nvidia: true, reason: null, gpus: [gpu], source: 'CUDA_VISIBLE_DEVICES', value: '2', nodeCount: 4 } });
  assert.equal(gpuHeadline(s), "1 NVIDIA GPU usable of the node's 4 (CUDA_VISIBLE_DEVICES=2)");
});

const fields: ChoiceField[] = [
  { name: 'partition', label: 'Partition', kind: 'select', default: 'cpu', options: [{ value: 'cpu', label: 'cpu' }, { value: 'gpu', label: 'gpu' }] },
  { name: 'gpu', label: 'GPU', kind: 'select', default: 'none', options: [{ value: 'none', label: 'No GPU' }, { value: 'v100', label: 'Tesla V100' }] },
  { name: 'memory', label: 'Memory', kind: 'number', default: '8' },
  { name: 'exclusive', label: 'Exclusive', kind: 'checkbox', default: false },
];

test('the Hub states: none, silent, no choices, profiles, form', () => {
  const hub = { underHub: true, slurm: null, user: 'ada' };
  assert.equal(hubMode({ underHub: false, slurm: null }, DEFAULT_SETTINGS), 'no-hub');
  assert.equal(hubMode({ ...hub, choices: null }, DEFAULT_SETTINGS), 'hub-silent');
  assert.equal(hubMode({ ...hub, choices: [] }, DEFAULT_SETTINGS), 'hub-no-choices');
  assert.equal(hubMode({ ...hub, choices: [] }, { ...DEFAULT_SETTINGS, profiles: [{ name: 'V100', userOptions: { gpu: 'v100' } }] }), 'hub-profiles');
  assert.equal(hubMode({ ...hub, choices: fields }, DEFAULT_SETTINGS), 'hub-form');
});

test('choices start from the current user_options and become the spawn form data', () => {
  const current = { partition: 'gpu', gpu: ['v100'], memory: 16 };
  const values = Object.fromEntries(fields.map((f) => [f.name, initialChoice(f, current)]));
  assert.deepEqual(values, { partition: 'gpu', gpu: 'v100', memory: '16', exclusive: false });
  assert.equal(choicesChanged(fields, values, current), false);
  values.memory = '32';
  values.exclusive = true;
  assert.equal(choicesChanged(fields, values, current), true);
  assert.deepEqual(formData(fields, values), [['partition', 'gpu'], ['gpu', 'v100'], ['memory', '32'], ['exclusive', 'on']]);
  values.exclusive = false;
  assert.deepEqual(formData(fields, values).map(([k]) => k), ['partition', 'gpu', 'memory'], 'an unchecked box is left out, as by a browser');
});

test('JupyterHub 6 wants {"user_options": …} as the start body, 4 and 5 the options themselves', () => {
  const o = { gpu: 'v100' };
  assert.deepEqual(startBody('4.1.6', o), o);
  assert.deepEqual(startBody('5.5.4', o), o);
  assert.deepEqual(startBody('6.1.1', o), { user_options: o });
  assert.deepEqual(startBody('6.0.0b2', o), { user_options: o });
});

test('Hub URLs for default and named servers; XSRF token and stopped state', () => {
  const t = { hubPrefix: '/hub/', user: 'ada lovelace', serverName: '' };
  assert.equal(serverApiUrl(t), '/hub/api/users/ada%20lovelace/server');
  assert.equal(serverApiUrl({ ...t, serverName: 'big' }), '/hub/api/users/ada%20lovelace/servers/big');
  assert.equal(hubPageUrl({ ...t, serverName: 'big' }, 'spawn', '/user/a/big/lab?x=1'), '/hub/spawn/ada%20lovelace/big?next=%2Fuser%2Fa%2Fbig%2Flab%3Fx%3D1');
  assert.equal(xsrfFromPage('window.jhdata = {\n  base_url: "/hub/",\n  xsrf_token: "2|ab|cd|ef",\n};'), '2|ab|cd|ef');
  assert.equal(xsrfFromPage('<html></html>'), null);
  assert.equal(serverStopped({ servers: {} }, ''), true);
  assert.equal(serverStopped({ servers: { '': { ready: true, pending: null } } }, ''), false);
  assert.equal(serverStopped({ servers: { '': { ready: false, pending: 'stop' } } }, ''), false);
  assert.equal(serverStopped({ servers: { '': { ready: false, pending: null } } }, ''), true);
});

test('job lines: tiles, throughput, ETA and task counts', () => {
  const job: JobView = {
    jobId: 'j', label: 'blur', slurmArrayJobId: '9', state: 'running', tilesDone: 12, tilesTotal: 40, bytesRead: 0, bytesWritten: 0,
    throughput: 3.14, etaSeconds: 9, slurmError: null,
    tasks: (['running', 'pending', 'pending', 'completed'] as const).map((state, task) => ({ task, state, slurmState: null, reason: null, node: null, tilesDone: 0, tilesTotal: 10, error: null })),
  };
  assert.equal(jobProgressLine(job), '12 / 40 tiles · 3.1 tiles/s · ETA 9 s');
  assert.equal(taskCounts(job), '1 running · 2 pending · 1 completed');
});
