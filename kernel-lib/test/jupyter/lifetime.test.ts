// The kernel exits when its client goes away instead of living on as an orphan that holds the
// GPU: when the process that started it dies (JPY_PARENT_PID, as ipykernel), and, for a kernel
// started without one, when the heartbeat pings stop. lifetime.py runs the real processes.
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { installKernelSpec, kernelLib, makeNotebookFolder, runPython } from './support';

let spec: { prefix: string; jupyterPath: string };
let folder: string;
let r: any;

before(async () => {
  spec = await installKernelSpec();
  folder = makeNotebookFolder();
  const script = path.join(kernelLib, 'bin/tessera-kernel.js');
  const { stdout } = await runPython([path.join(kernelLib, 'test/jupyter/lifetime.py'), script, folder], { JUPYTER_PATH: spec.jupyterPath, TESSERA_NODE: process.execPath }, 200_000);
  r = JSON.parse(stdout);
}, { timeout: 240_000 });

after(() => {
  fs.rmSync(spec.prefix, { recursive: true, force: true });
  fs.rmSync(folder, { recursive: true, force: true });
});

// lifetime.py waits 15 s for each exit (the parent is checked every second), instead of minutes.
test('the kernel exits when the client process that started it is killed', () => {
  assert.equal(r.parent.alive_before, true);
  assert.notEqual(r.parent.seconds_to_exit, null, JSON.stringify(r.parent));
});

test('a kernel without a parent to watch exits when heartbeats stop, and not while they come', () => {
  assert.equal(r.heartbeat.alive_while_client_runs, true, 'pinged: alive');
  assert.equal(r.heartbeat.beating_during_busy_cell, true, 'heartbeats are answered while a synchronous cell runs');
  assert.notEqual(r.heartbeat.seconds_to_exit, null, JSON.stringify(r.heartbeat));
  assert.equal(r.no_pings.alive_while_client_runs, true);
  assert.equal(r.no_pings.alive_without_pings, true, 'a client that never pings is never timed out');
});
