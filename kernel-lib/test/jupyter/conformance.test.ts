// The kernel against Jupyter's own clients: jupyter_kernel_test's suite (every applicable test,
// see kernel_suite.py for the two that are not) and nbclient executing a notebook with
// allow_errors=True, as nbconvert --execute --allow-errors and papermill do. Both run the
// installed kernelspec in a notebook folder outside the repository.
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { installKernelSpec, kernelLib, makeNotebookFolder, runPython } from './support';

let spec: { prefix: string; jupyterPath: string };
let folder: string;

before(async () => {
  spec = await installKernelSpec();
  folder = makeNotebookFolder();
});

after(() => {
  fs.rmSync(spec.prefix, { recursive: true, force: true });
  fs.rmSync(folder, { recursive: true, force: true });
});

test("jupyter_kernel_test's suite passes; only the pager and iopub_welcome tests are skipped (not applicable)", { timeout: 300_000 }, async () => {
  const env = { JUPYTER_PATH: spec.jupyterPath, PYTHONPATH: path.join(kernelLib, 'test/jupyter') };
  // unittest reports on stderr and exits non-zero when a test fails.
  const { stderr } = await runPython(['-m', 'unittest', '-v', 'kernel_suite'], env, 280_000, folder).catch((e: { stderr?: string; message: string }) => {
    assert.fail(`the suite failed:\n${e.stderr ?? e.message}`);
  });
  const outcomes = new Map([...stderr.matchAll(/^(test_\w+) \([\w.]+\)(?:\n.*?)? \.\.\. (ok|skipped.*|FAIL|ERROR)$/gm)].map((m) => [m[1], m[2]]));
  const skipped = [...outcomes].filter(([, o]) => o.startsWith('skipped')).map(([name]) => name).sort();
  assert.deepEqual(skipped, ['test_pager', 'test_recv_iopub_welcome_msg'], stderr);
  const passed = [...outcomes].filter(([, o]) => o === 'ok').map(([name]) => name).sort();
  assert.deepEqual(passed, ['clear_output', 'completion', 'display_data', 'error', 'execute_result', 'execute_stderr', 'execute_stdout', 'history', 'inspect', 'is_complete', 'kernel_info'].map((n) => `test_${n}`), stderr);
  assert.ok([...outcomes.values()].every((o) => o === 'ok' || o.startsWith('skipped')), stderr);
  assert.match(stderr, /^OK \(skipped=2\)$/m);
});

test('nbclient with allow_errors=True keeps every cell\'s output and execution count', { timeout: 200_000 }, async () => {
  const { stdout } = await runPython([path.join(kernelLib, 'test/jupyter/run_notebook.py'), folder], { JUPYTER_PATH: spec.jupyterPath }, 180_000);
  const cells = JSON.parse(stdout) as Array<{ execution_count: number; outputs: Array<Record<string, any>> }>;
  assert.deepEqual(cells.map((c) => c.execution_count), [1, 2, 3, 4, 5, 6], 'every cell ran, none was aborted');
  assert.deepEqual(cells[0].outputs, [{ output_type: 'stream', text: 'ready\n' }]);
  assert.deepEqual(cells[1].outputs, [{ output_type: 'execute_result', 'text/plain': '[ 2, 2 ]', execution_count: 2 }]);
  assert.deepEqual(cells[2].outputs, [{ output_type: 'error', ename: 'TesseraError', evalue: 'gaussianBlur: sigmaX must be >= 0; got -1' }]);
  assert.deepEqual(cells[3].outputs, [{ output_type: 'execute_result', 'text/plain': '14', execution_count: 4 }], 'cells after an error run');
  assert.equal(cells[4].outputs[0].ename, 'TSError');
  assert.match(cells[4].outputs[0].evalue, /Cannot find name 'undefinedName'/);
  assert.deepEqual(cells[5].outputs, [
    { output_type: 'stream', text: 'after two errors\n' },
    { output_type: 'execute_result', 'text/plain': "'done'", execution_count: 6 },
  ]);
});
