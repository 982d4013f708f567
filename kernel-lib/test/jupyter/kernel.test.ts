// End-to-end: installs the kernelspec with bin/tessera-kernel.js into a temp prefix, then lets
// drive_kernel.py (jupyter_client, the project venv) run the real kernel over ZeroMQ as a frontend
// would. The driver runs all scenarios against one kernel (startup dominates the time) and
// reports observations as JSON; each test below asserts on one scenario.
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const kernelLib = path.resolve(__dirname, '../../..');
const bin = path.join(kernelLib, 'bin/tessera-kernel.js');
const driver = path.join(kernelLib, 'test/jupyter/drive_kernel.py');
const python = process.env.TESSERA_PYTHON ?? path.resolve(kernelLib, '../.venv/bin/python');
const prefix = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-kernel-test-'));
const kernelJson = path.join(prefix, 'share/jupyter/kernels/tessera/kernel.json');

let results: Record<string, any> = {};

/** One scenario's observations; fails with the driver's traceback when the scenario failed. */
function scenario(name: string): any {
  const r = results[name];
  assert.ok(r, `scenario ${name} did not run`);
  assert.equal(r.error, undefined, `${r.error}\n${r.traceback}`);
  return r;
}

before(async () => {
  assert.ok(fs.existsSync(python), `no Python at ${python}: run .ci/setup-python.sh or set TESSERA_PYTHON`);
  await run(process.execPath, [bin, 'install', `--prefix=${prefix}`, `--python=${python}`]);
  const env = { ...process.env, JUPYTER_PATH: path.join(prefix, 'share/jupyter') };
  // The kernel runs in kernel-lib so that cells can import 'tessera/dist/src/jupyter'.
  const { stdout } = await run(python, [driver, kernelLib], { env, maxBuffer: 64 << 20, timeout: 90_000 });
  results = JSON.parse(stdout);
}, { timeout: 120_000 });

after(() => fs.rmSync(prefix, { recursive: true, force: true }));

test('install writes the tessera kernelspec', () => {
  const spec = JSON.parse(fs.readFileSync(kernelJson, 'utf8'));
  assert.equal(spec.display_name, 'TypeScript (Tessera)');
  assert.equal(spec.language, 'typescript');
  assert.equal(spec.interrupt_mode, 'signal');
  assert.deepEqual(spec.argv.slice(1), [bin, 'kernel', '{connection_file}']);
  assert.match(spec.argv[0], /node/);
});

test('executes TypeScript cells with top-level await; type errors fail the cell', () => {
  const r = scenario('execute');
  assert.equal(r.status, 'ok');
  assert.equal(r.stdout, '42\n');
  assert.equal(r.comms_found, 'true', `getKernelComms() in a cell: ${r.setup_stderr}`);
  assert.equal(r.type_error_status, 'error');
  assert.match(r.type_error_stderr, /not assignable to type 'number'/);
});

test('comm_info_request lists a comm opened by the kernel, filtered by target', () => {
  const r = scenario('comm_info');
  assert.deepEqual(r.open_content, { comm_id: r.comm_id, target_name: 'tessera.test.info', data: { hello: 'world' } });
  assert.deepEqual(r.open_metadata, { meta: 1 });
  const listed = { [r.comm_id]: { target_name: 'tessera.test.info' } };
  assert.deepEqual(r.filtered, { status: 'ok', comms: listed });
  assert.deepEqual(r.other_target, { status: 'ok', comms: {} });
  assert.deepEqual(r.all.comms[r.comm_id], listed[r.comm_id]);
});

test('frontend-opened comm: messages with binary buffers are echoed byte-exact', () => {
  const r = scenario('echo');
  assert.deepEqual(r.opened_data, { opened: { x: 1 } });
  assert.equal(r.opened_parent_is_open, true, 'a reply to comm_open is parented to it');
  assert.deepEqual(r.opened_buffers, ['open']);
  assert.deepEqual(r.echo_data, { echo: { ping: [1, 2] } });
  assert.deepEqual(r.echo_metadata, { echoed: true });
  assert.deepEqual(r.echo_sizes, r.sent_sizes);
  assert.deepEqual(r.echo_sha, r.sent_sha);
  assert.equal(r.listed_while_open, true);
  assert.equal(r.listed_after_close, false, 'comm_close from the frontend closes the comm');
  assert.equal(r.unknown_target_closed, 'nobody-home', 'comm_open to an unknown target is answered with comm_close');
});

test('comm messages are handled while an async cell awaits; its comm sends are parented to the cell', () => {
  const r = scenario('async_comm');
  assert.equal(r.status, 'ok');
  assert.equal(r.stdout, '42\n', 'the cell received the comm message it awaited');
  assert.equal(r.open_parent_is_cell, true);
  assert.deepEqual(r.ticks, [0, 1, 2], 'comm_msgs sent during the cell arrive on IOPub with the cell as parent');
});

test('bursts of comm messages and output from a synchronous loop all arrive', () => {
  const r = scenario('burst');
  assert.equal(r.status, 'ok');
  assert.equal(r.comm_msgs, 10000);
  assert.equal(r.stdout_lines, 3000);
});

test('an IntSlider model has the state of ipywidgets 8 and displays as a widget view', () => {
  const r = scenario('widgets');
  assert.deepEqual(r.target_names, ['jupyter.widget']);
  assert.deepEqual(r.open_metadata, { version: '2.1.0' });
  assert.deepEqual(r.slider_keys, r.reference_keys);
  assert.deepEqual(r.slider_fields, r.reference_fields);
  assert.deepEqual(r.slider_values, { value: 5, max: 10, description: 'x' });
  assert.equal(r.layout_model, 'LayoutModel');
  assert.equal(r.style_model, 'SliderStyleModel');
  assert.equal(r.display.length, 1);
  const view = r.display[0].data['application/vnd.jupyter.widget-view+json'];
  assert.deepEqual(view, { model_id: r.control.ids.slider, version_major: 2, version_minor: 1 });
  assert.equal(r.display[0].data['text/plain'], 'IntSlider(value=5)');
});

test('widget updates both ways: frontend update is echoed and seen by the kernel; set() sends update', () => {
  const r = scenario('widgets');
  assert.deepEqual(r.echo, { method: 'echo_update', state: { value: 7 }, buffer_paths: [] });
  assert.deepEqual(r.after_update, { value: 7, seen: [['frontend', 7]] });
  assert.deepEqual(r.kernel_set, [{ method: 'update', state: { value: 3 }, buffer_paths: [] }]);
});

test('binary widget state: buffer_paths on open and request_state, DataView in the kernel, custom messages', () => {
  const r = scenario('widgets');
  const paths = [['data'], ['nested', 'parts', 0]];
  const float15 = [0, 0, 192, 63]; // 1.5 as little-endian float32
  assert.deepEqual(r.blob_open_paths, paths);
  assert.deepEqual(r.blob_open_buffers, [[1, 2, 3, 4, 5, 250], float15]);
  assert.deepEqual(r.blob_open_state.nested, { parts: [null, 7] });
  assert.equal('data' in r.blob_open_state, false);
  assert.equal(r.request_state.data.method, 'update');
  assert.deepEqual(r.request_state.data.state, r.blob_open_state);
  assert.deepEqual(r.request_state.data.buffer_paths, paths);
  assert.deepEqual(r.request_state.buffers, r.blob_open_buffers);
  assert.deepEqual(r.binary_echo, { data: { method: 'echo_update', state: {}, buffer_paths: [['data']] }, buffers: [[9, 8, 7]] });
  assert.deepEqual(r.binary_seen, { isDataView: true, bytes: [9, 8, 7] });
  assert.deepEqual(r.custom, { data: { method: 'custom', content: { got: { ping: 1 }, sizes: [3] } }, buffers: ['xyz'] });
});

test('jupyter.widget.control answers request_states with all widget states', () => {
  const r = scenario('widgets').control;
  assert.equal(r.method, 'update_states');
  assert.deepEqual(r.has_models, [true, true]);
  assert.deepEqual(r.slider_entry, { model_name: 'IntSliderModel', model_module: '@jupyter-widgets/controls', model_module_version: '2.0.0' });
  assert.equal(r.slider_value, 3);
  assert.deepEqual(r.buffer_paths, [
    [r.ids.blob, 'state', 'data'],
    [r.ids.blob, 'state', 'nested', 'parts', 0],
  ]);
  assert.deepEqual(r.buffers, [[9, 8, 7], [0, 0, 192, 63]]);
});

test('displayMimeBundle sends display_data (binary as base64) and updates; tslab.display still works', () => {
  const r = scenario('display');
  assert.equal(r.status, 'ok', r.stderr);
  assert.deepEqual(r.outputs, [
    ['display_data', { data: { 'image/png': 'iVBORw==', 'text/plain': 'a png' }, metadata: { 'image/png': { width: 1 } }, transient: { display_id: 'img' } }],
    ['update_display_data', { data: { 'text/plain': 'replaced' }, metadata: {}, transient: { display_id: 'img' } }],
    ['display_data', { data: { 'text/html': '<b>tslab</b>' }, metadata: {}, transient: {} }],
  ]);
});

test('a GPU image as the last expression of a cell shows an insight widget with a PNG fallback', () => {
  const r = scenario('rich_display');
  assert.equal(r.status, 'ok', r.stderr);
  assert.equal(r.mimes.length, 1, JSON.stringify(r));
  assert.ok(r.mimes[0].includes('application/vnd.tessera.view+json'), JSON.stringify(r.mimes));
  assert.ok(r.mimes[0].includes('image/png'), JSON.stringify(r.mimes));
  assert.doesNotMatch(r.stdout, /GpuImage/, 'the image is not printed as text as well');
});

test('a Bland–Altman result as the last expression of a cell shows its interpretation and a Vega-Lite plot', () => {
  const r = scenario('comparison_display');
  assert.equal(r.status, 'ok', r.stderr);
  assert.deepEqual(r.mimes, [['text/markdown', 'text/plain'], ['application/vnd.vegalite.v5+json', 'text/plain']], JSON.stringify(r));
  assert.match(r.markdown, /^- No systematic offset/);
  assert.match(r.schema, /vega-lite\/v5\.json$/);
  assert.doesNotMatch(r.stdout, /MethodComparison/, 'the result is not printed as text as well');
});

test('interrupt (SIGINT) stops an awaiting cell and a synchronous loop', () => {
  const r = scenario('interrupt');
  assert.equal(r.async.status, 'error');
  assert.match(r.async.stderr, /Interrupted/);
  assert.equal(r.sync.status, 'error');
  assert.match(r.sync.stderr, /interrupted by `SIGINT`/);
  assert.equal(r.after, '42\n', 'the kernel runs cells after interrupts');
});

test('restart gives a fresh kernel; shutdown exits promptly', () => {
  const r = scenario('restart');
  assert.equal(r.status, 'ok');
  assert.equal(r.stdout, 'undefined\n', 'state from before the restart is gone');
  assert.deepEqual(r.comms_after, {});
  const s = scenario('shutdown');
  assert.equal(s.alive, false);
  assert.ok(s.seconds < 3, `shutdown took ${s.seconds}s (jupyter_client kills after 5 s)`);
});
