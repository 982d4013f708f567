// Runs every test suite of the repository in turn and prints one summary line
// ("N passed, N failed"). Suites: kernel-lib (node:test, real WebGPU on the machine's
// Vulkan driver, numpy/scipy oracles from .venv) and the UI tests (Galata in JupyterLab).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';

const root = new URL('..', import.meta.url).pathname;
process.env.XDG_RUNTIME_DIR ??= '/tmp/xdg-runtime';
// Every kernel call regenerates its code and proves that its cache key never maps to two sources (gpu/kernel.ts).
process.env.TESSERA_CHECK_KERNELS ??= '1';

function testFiles(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? testFiles(join(dir, e.name)) : e.name.endsWith('.test.js') ? [join(dir, e.name)] : [],
  );
}

let passed = 0;
let failed = 0;
const only = process.argv[2]; // optional filter: a substring of the test file paths

/** Runs node:test files, echoing a readable report and counting from a TAP copy. */
function nodeTests(files) {
  if (files.length === 0) return;
  const tap = join(mkdtempSync(join(tmpdir(), 'tessera-tests-')), 'results.tap');
  const run = spawnSync(
    process.execPath,
    ['--test', '--test-concurrency=1', '--test-reporter=spec', '--test-reporter-destination=stdout',
      '--test-reporter=tap', `--test-reporter-destination=${tap}`, ...files],
    { stdio: 'inherit', cwd: root },
  );
  const summary = existsSync(tap) ? readFileSync(tap, 'utf8') : '';
  const count = (key) => Number(summary.match(new RegExp(`^# ${key} (\\d+)$`, 'm'))?.[1] ?? 0);
  passed += count('pass');
  failed += count('fail') + count('cancelled');
  if (run.status !== 0 && count('fail') + count('cancelled') === 0) failed += 1;
}

// kernel-lib: operations against numpy/scipy oracles, engine, kernel protocol, widgets' kernel side, io.
nodeTests(testFiles(join(root, 'kernel-lib/dist/test')).filter((f) => !only || f.includes(only)).sort());

if (!only) {
  // The widgets' browser-side logic (request channel, colouring), compiled by their own tsconfig.
  const build = spawnSync('npm', ['run', 'build', '-w', '@tessera/widgets'], { cwd: root, stdio: 'inherit' });
  if (build.status !== 0) failed += 1;
  else nodeTests(testFiles(join(root, 'widgets/lib/test')).sort());

  // The JupyterLab extension: the GPU panel's logic (node:test) and its Python server extension
  // (pytest: nvidia-smi/Slurm/Hub parsing, progress records from kernel-lib's writer, a real Slurm
  // array on the test cluster of .ci/slurm.sh, the wheel of `python -m build`).
  const ext = spawnSync('npm', ['run', 'build', '-w', '@tessera/jupyterlab-tessera'], { cwd: root, stdio: 'inherit' });
  if (ext.status !== 0) failed += 1;
  else {
    nodeTests(testFiles(join(root, 'extension/lib/test')).sort());
    const py = spawnSync(join(root, '.venv/bin/python'), ['-m', 'pytest', '-p', 'no:cacheprovider', '-q', 'tests'], {
      cwd: join(root, 'extension'), encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'],
    });
    process.stdout.write(py.stdout ?? '');
    const pyCount = (word) => Number(py.stdout?.match(new RegExp(`(\\d+) ${word}`))?.[1] ?? 0);
    passed += pyCount('passed');
    failed += pyCount('failed') + pyCount('error');
    if (py.status !== 0 && pyCount('failed') + pyCount('error') === 0) failed += 1;
  }

  // UI tests: Galata in a real JupyterLab with the Tessera kernel and Debian's Chromium.
  const r = spawnSync('npm', ['run', 'test:ui', '-w', 'ui-tests'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  process.stdout.write(r.stdout ?? '');
  const p = Number(r.stdout?.match(/(\d+) passed/)?.[1] ?? 0);
  const f = Number(r.stdout?.match(/(\d+) failed/)?.[1] ?? 0);
  passed += p;
  failed += f + (r.status !== 0 && f === 0 ? 1 : 0);
}

console.log(`\n${passed} passed, ${failed} failed`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);
