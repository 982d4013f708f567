// The README's set-up (.ci/setup.sh) leaves the project venv ready for JupyterLab: the
// "TypeScript (Tessera)" kernelspec of this checkout and the Tessera labextension are installed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { kernelLib, python } from './support';

const exec = promisify(execFile);
const jupyter = path.join(path.dirname(python), 'jupyter');
const HINT = 'run `bash .ci/setup.sh` (or `bash ui-tests/scripts/prepare.sh`)';

test('jupyter kernelspec list shows the Tessera kernelspec of this checkout', async () => {
  const { stdout } = await exec(jupyter, ['kernelspec', 'list', '--json']);
  const spec = JSON.parse(stdout).kernelspecs.tessera?.spec;
  assert.ok(spec, `no tessera kernelspec in the project venv: ${HINT}`);
  assert.equal(spec.display_name, 'TypeScript (Tessera)');
  assert.equal(spec.argv[2], path.join(kernelLib, 'bin/tessera-kernel.js'), `the kernelspec runs another checkout: ${HINT}`);
});

test('jupyter labextension list shows the Tessera extension enabled', async () => {
  const { stdout, stderr } = await exec(jupyter, ['labextension', 'list']);
  assert.match(stdout + stderr, /@tessera\/jupyterlab-tessera.*enabled.*OK/, `the extension is missing: ${HINT}`);
});
