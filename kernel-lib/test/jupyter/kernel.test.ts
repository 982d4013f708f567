// End-to-end: installs the kernelspec with bin/tessera-kernel.js into a temp prefix, then lets
// drive_kernel.py (jupyter_client, the project venv) run the real kernel over ZeroMQ as a frontend
// would, in a notebook folder outside the repository. The driver runs all scenarios against one
// kernel (startup dominates the time) and reports observations as JSON; each test below asserts
// on one scenario.
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { installKernelSpec, kernelLib, makeNotebookFolder, python, runPython } from './support';

const driver = path.join(kernelLib, 'test/jupyter/drive_kernel.py');
let spec: { prefix: string; jupyterPath: string; kernelJson: string };
let folder: string;
let results: Record<string, any> = {};

/** One scenario's observations; fails with the driver's traceback when the scenario failed. */
function scenario(name: string): any {
  const r = results[name];
  assert.ok(r, `scenario ${name} did not run`);
  assert.equal(r.error, undefined, `${r.error}\n${r.traceback}`);
  return r;
}

before(async () => {
  spec = await installKernelSpec();
  folder = makeNotebookFolder();
  const file = path.join(spec.prefix, 'results.json');
  await runPython([driver, folder, file], { JUPYTER_PATH: spec.jupyterPath }, 180_000);
  results = JSON.parse(fs.readFileSync(file, 'utf8'));
}, { timeout: 240_000 });

after(() => {
  fs.rmSync(spec.prefix, { recursive: true, force: true });
  fs.rmSync(folder, { recursive: true, force: true });
});

test('install writes the tessera kernelspec (Node with --expose-gc, malloc tunables for fresh pulls, interrupts by signal)', () => {
  const kernel = JSON.parse(fs.readFileSync(spec.kernelJson, 'utf8'));
  assert.equal(kernel.display_name, 'TypeScript (Tessera)');
  assert.equal(kernel.language, 'typescript');
  assert.equal(kernel.interrupt_mode, 'signal');
  assert.equal(kernel.env.GLIBC_TUNABLES, 'glibc.malloc.hugetlb=1:glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=67108864');
  assert.deepEqual(kernel.argv.slice(1), ['--expose-gc', path.join(kernelLib, 'bin/tessera-kernel.js'), 'kernel', '{connection_file}']);
  assert.match(kernel.argv[0], /node/);
  assert.ok(fs.existsSync(python));
});

test('kernel_info: protocol 5.3, the TypeScript that compiles cells (the project\'s), pygments lexer, help links', () => {
  const r = scenario('kernel_info');
  assert.equal(r.status, 'ok');
  assert.equal(r.protocol_version, '5.3');
  assert.equal(r.implementation, 'tessera');
  assert.equal(r.implementation_version, JSON.parse(fs.readFileSync(path.join(kernelLib, 'package.json'), 'utf8')).version);
  assert.equal(r.language_info.name, 'typescript');
  assert.equal(r.language_info.version, ts.version);
  assert.equal(r.language_info.pygments_lexer, 'typescript');
  assert.equal(r.language_info.file_extension, '.ts');
  assert.equal(r.debugger, false);
  assert.ok(r.help_links.length >= 2 && r.help_links.every((l: any) => /^https:\/\//.test(l.url) && l.text), JSON.stringify(r.help_links));
  assert.match(r.banner, new RegExp(`TypeScript ${ts.version.replace(/\./g, '\\.')}`));
});

test('executes TypeScript cells with top-level await; type errors fail the cell with a TSError', () => {
  const r = scenario('execute');
  assert.equal(r.status, 'ok');
  assert.equal(r.value, '42');
  assert.equal(r.comms_found, 'true', `getKernelComms() in a cell: ${r.setup_error}`);
  assert.equal(r.type_error_status, 'error');
  assert.equal(r.type_error.ename, 'TSError');
  assert.match(r.type_error.evalue, /not assignable to type 'number'/);
  assert.match(r.type_error_traceback, /Cell In\[\d+\], line 1, column 7/);
});

test('a notebook outside the repository imports its own packages and files, and the kernel\'s tessera', () => {
  const r = scenario('resolution');
  assert.equal(r.status, 'ok', r.failure);
  // The folder's node_modules has a decoy `tessera` that throws when loaded: the kernel's wins.
  assert.equal(r.value, "[ 'hello, notebook', 42, 'function', 'function' ]");
});

test('execute_input and execute_result carry the execution count; rich MIME bundles; nothing for undefined', () => {
  const r = scenario('results');
  assert.equal(r.value, '3');
  assert.equal(r.inputs.length, 1);
  assert.equal(r.inputs[0].code, '1 + 2');
  assert.equal(r.results.length, 1);
  assert.equal(r.results[0].execution_count, r.inputs[0].execution_count);
  assert.equal(r.reply_count, r.inputs[0].execution_count);
  assert.deepEqual(r.undefined_results, []);
  assert.equal(r.string_value, "'abc'");
  assert.equal(r.rich_error, null);
  assert.equal(r.rich[0].data['text/html'], '<div style="background:teal">teal</div>');
  assert.match(r.rich[0].data['text/plain'], /Swatch/);
  // silent: no execute_input, no result, and the counter does not move.
  assert.deepEqual(r.silent.inputs, []);
  assert.deepEqual(r.silent.results, []);
  assert.equal(r.silent.count, r.silent.before);
});

test('errors: an error message and reply with the class name, the message and the cells\' lines only', () => {
  const r = scenario('errors');
  assert.deepEqual(r.tessera.reply, { status: 'error', ename: 'TesseraError', evalue: 'gaussianBlur: sigmaX must be >= 0; got -1' });
  assert.equal(r.tessera.errors.length, 1);
  assert.equal(r.tessera.errors[0].ename, 'TesseraError');
  assert.equal(r.tessera.stderr, '', 'nothing on stderr: the error message carries it');
  const tb: string = r.tessera.traceback;
  assert.match(tb, new RegExp(`Cell In\\[${r.tessera.count}\\], line 3\\n`));
  assert.match(tb, /----> 3 tessera\.gaussianBlur\(image, -1\);/);
  assert.match(tb, /TesseraError: gaussianBlur: sigmaX must be >= 0; got -1$/);
  assert.doesNotMatch(tb, /node:|kernel-lib|dist\/src|\.cjs|\bat /, 'no frames of Node, the kernel or the library');
  // A function from an earlier cell: both cells' lines, the outermost call first.
  assert.equal(r.nested.ename, 'TypeError');
  const frames = [...r.nested.traceback.matchAll(/Cell In\[(\d+)\], line (\d+)/g)].map((m: RegExpMatchArray) => [Number(m[1]), Number(m[2])]);
  assert.deepEqual(frames, [[r.nested.count, 2], [r.nested.count - 1, 2]], r.nested.traceback);
  assert.equal(r.typed.ename, 'TSError');
  assert.match(r.typed.traceback, /----> 1 const wrong: number = "text";\n\s+\^{5}/);
  assert.equal(r.kept_after_error, '2', 'what a failing cell assigned before it threw is kept');
});

test('stop_on_error as ipykernel: queued cells are aborted after an error, unless stop_on_error is false', () => {
  const r = scenario('stop_on_error');
  assert.deepEqual(r.default, ['error', 'aborted', 'aborted']);
  assert.deepEqual(r.allowed, ['error', 'ok', 'ok']);
  assert.deepEqual(r.blocked, ['error', 'aborted'], 'a request sent while a synchronous cell blocked the kernel');
  assert.equal(r.later, 'ok', 'a cell sent after the error ran');
});

test('history of executed cells: tail, range and search, with outputs', () => {
  const r = scenario('history');
  assert.equal(r.tail.length, 2);
  const [session, line, input] = r.tail[1];
  assert.equal(typeof session, 'number');
  assert.equal(line, r.tail[0][1] + 1);
  assert.equal(typeof input, 'string');
  assert.deepEqual(r.range, [r.tail[0]]);
  assert.equal(r.search.length, 1);
  assert.match(r.search[0][2], /gaussianBlur\(image, -1\)/);
  assert.deepEqual(r.last[0][2], ['"last cell"', "'last cell'"]);
});

test('is_complete, inspect (signature and TSDoc of the called function) and completions', () => {
  const r = scenario('introspection');
  assert.deepEqual(r.is_complete['1 +* 2'], { status: 'invalid' });
  assert.deepEqual(r.is_complete['function f() {'], { status: 'incomplete', indent: '  ' });
  assert.deepEqual(r.is_complete['1 + 2'], { status: 'complete' });
  assert.equal(r.is_complete['const s = `open'].status, 'incomplete');
  assert.equal(r.inside.found, true);
  assert.match(r.inside.data['text/plain'], /^gaussianBlur\(input: (tessera\.)?GpuImage, sigmaX\?: number/);
  assert.match(r.inside.data['text/plain'], /Gaussian blur with a sigma per axis/);
  assert.match(r.inside.data['text/markdown'], /^```ts\ngaussianBlur\(/);
  assert.equal(r.name.found, true);
  assert.match(r.name.data['text/plain'], /function push\(data/);
  assert.equal(r.nothing.found, false);
  assert.deepEqual(r.complete.matches, ['gaussianBlur']);
  assert.equal(r.complete.cursor_end, r.code_points);
  assert.equal(r.complete.cursor_start, r.code_points - 'gaussianB'.length);
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
  assert.equal(r.value, '42', 'the cell received the comm message it awaited');
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

test('displayMimeBundle sends display_data (binary as base64) and updates; clearOutput sends clear_output', () => {
  const r = scenario('display');
  assert.equal(r.status, 'ok', r.failure);
  assert.deepEqual(r.outputs, [
    ['display_data', { data: { 'image/png': 'iVBORw==', 'text/plain': 'a png' }, metadata: { 'image/png': { width: 1 } }, transient: { display_id: 'img' } }],
    ['update_display_data', { data: { 'text/plain': 'replaced' }, metadata: {}, transient: { display_id: 'img' } }],
    ['display_data', { data: { 'text/html': '<b>html</b>' }, metadata: {}, transient: {} }],
  ]);
  assert.deepEqual(r.results, [], '`void displayMimeBundle(...)` has no result');
  assert.deepEqual(r.clear, [['stream', { name: 'stdout', text: 'before\n' }], ['clear_output', { wait: true }]]);
});

test('a GPU image as the last expression of a cell shows an insight widget with a PNG fallback', () => {
  const r = scenario('rich_display');
  assert.equal(r.status, 'ok', r.failure);
  assert.equal(r.mimes.length, 1, JSON.stringify(r));
  assert.ok(r.mimes[0].includes('application/vnd.tessera.view+json'), JSON.stringify(r.mimes));
  assert.ok(r.mimes[0].includes('image/png'), JSON.stringify(r.mimes));
  assert.doesNotMatch(r.stdout, /GpuImage/, 'the image is not printed as text as well');
  assert.deepEqual(r.results, [], 'its display is the output: no execute_result besides');
});

test('a Bland–Altman result as the last expression of a cell shows its interpretation and a Vega-Lite plot', () => {
  const r = scenario('comparison_display');
  assert.equal(r.status, 'ok', r.stderr);
  assert.deepEqual(r.mimes, [['text/markdown', 'text/plain'], ['application/vnd.vegalite.v5+json', 'text/plain']], JSON.stringify(r));
  assert.match(r.markdown, /^- No systematic offset/);
  assert.match(r.schema, /vega-lite\/v5\.json$/);
  assert.doesNotMatch(r.stdout, /MethodComparison/, 'the result is not printed as text as well');
});

test('interrupt (SIGINT) stops an awaiting cell for good, a synchronous loop, and work that checks the interrupt signal', () => {
  const r = scenario('interrupt');
  for (const key of ['async', 'sync', 'signal', 'gpu']) {
    assert.equal(r[key].status, 'error', key);
    assert.equal(r[key].reported.ename, 'InterruptedError', key);
  }
  assert.match(r.async.shown, /----> \d+ +await sleep\(10\);/, 'the traceback shows the await it stopped at');
  assert.equal(r.turns[0], r.turns[1], 'the interrupted loop does not go on in the background');
  assert.ok(r.turns[0] > 0);
  assert.equal(r.timer_turns[0], r.timer_turns[1], 'the timer checking interruptSignal() stopped');
  assert.equal(r.after, '42', 'the kernel runs cells after interrupts');
});

test('interrupting a GPU loop reclaims the GPU memory of the images it left unreachable (memoryStats)', () => {
  const r = scenario('interrupt').memory;
  assert.ok(r.gpuTurns >= 30, JSON.stringify(r));
  // Each turn left a 256 KB image behind: after the interrupt, less than one such image more is
  // in use than before the loop (the blur's first call keeps a small buffer of its own).
  assert.ok(r.inUse < r.inUseBefore + r.keep, `bytes in use ${r.inUse} after the interrupt, ${r.inUseBefore} before the loop (${JSON.stringify(r)})`);
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
