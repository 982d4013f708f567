// Runs every test suite of the repository in turn and prints one summary line
// ("N passed, N failed"). Suites: kernel-lib (node:test, real WebGPU on the machine's
// Vulkan driver, numpy/scipy oracles from .venv) and the UI tests (Galata in JupyterLab).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';

const root = new URL('..', import.meta.url).pathname;
process.env.XDG_RUNTIME_DIR ??= '/tmp/xdg-runtime';

function testFiles(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? testFiles(join(dir, e.name)) : e.name.endsWith('.test.js') ? [join(dir, e.name)] : [],
  );
}

let passed = 0;
let failed = 0;
const only = process.argv[2]; // optional filter: a substring of the test file paths

const files = testFiles(join(root, 'kernel-lib/dist/test')).filter((f) => !only || f.includes(only)).sort();
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

const ui = join(root, 'ui-tests/package.json');
if (!only && existsSync(ui) && JSON.parse(readFileSync(ui, 'utf8')).scripts?.['test:ui']) {
  const r = spawnSync('npm', ['run', 'test:ui', '-w', 'ui-tests'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  process.stdout.write(r.stdout ?? '');
  const p = Number(r.stdout?.match(/(\d+) passed/)?.[1] ?? 0);
  const f = Number(r.stdout?.match(/(\d+) failed/)?.[1] ?? 0);
  passed += p;
  failed += f + (r.status !== 0 && f === 0 ? 1 : 0);
}

console.log(`\n${passed} passed, ${failed} failed`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);
