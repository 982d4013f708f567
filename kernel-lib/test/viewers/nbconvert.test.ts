// A notebook of every viewer, executed and exported by nbconvert (`jupyter nbconvert --to html
// --execute`) with the Tessera kernel: frontends without the Tessera extension show each viewer's
// still (`image/png`), so the HTML holds one picture per viewer.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const kernelLib = path.resolve(__dirname, '../../..');
const python = process.env.TESSERA_PYTHON ?? path.resolve(kernelLib, '../.venv/bin/python');
const prefix = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-nbconvert-'));
// The notebook lives under kernel-lib (in the ignored dist/) so that its kernel resolves `tessera`.
const dir = fs.mkdtempSync(path.join(kernelLib, 'dist', 'nbconvert-'));
after(() => {
  fs.rmSync(prefix, { recursive: true, force: true });
  fs.rmSync(dir, { recursive: true, force: true });
});

const SETUP = `import * as tessera from 'tessera';
await tessera.init();
const { widgets } = tessera;
const [Z, Y, X] = [6, 32, 48];
const data = new Uint16Array(Z * Y * X).map((_, i) => (i % X) * 20 + Math.floor(i / (X * Y)) * 100);
const stack = tessera.push(data, [Z, Y, X]);
const labels = tessera.push(new Uint32Array(data.length).map((_, i) => (data[i] >= 500 ? 1 + ((i % X) >> 3) : 0)), [Z, Y, X]);`;

const VIEWERS = [
  'await widgets.insight(stack);',
  "await widgets.slice(stack, { colormap: 'viridis' });",
  'await widgets.orthogonal(stack);',
  "await widgets.curtain(stack, labels, { curtainColormap: 'labels', alpha: 0.5 });",
  'await widgets.labelOverlay(stack, labels);',
  "await widgets.sideBySide(stack, labels, { colormaps: ['magma', 'labels'] });",
  'await widgets.switchImages({ raw: stack, labels: labels });',
  'await widgets.picker(stack);',
  'await widgets.histogram(stack);',
  'await widgets.animate(stack);',
];

function notebook(cells: string[]): string {
  return JSON.stringify({
    cells: cells.map((source) => ({ cell_type: 'code', execution_count: null, metadata: {}, outputs: [], source })),
    metadata: { kernelspec: { name: 'tessera', display_name: 'TypeScript (Tessera)', language: 'typescript' } },
    nbformat: 4,
    nbformat_minor: 5,
  });
}

test('the HTML export of an executed notebook of viewers shows a picture for each', { timeout: 240_000 }, async () => {
  assert.ok(fs.existsSync(python), `no Python at ${python}: run .ci/setup-python.sh or set TESSERA_PYTHON`);
  await run(process.execPath, [path.join(kernelLib, 'bin/tessera-kernel.js'), 'install', `--prefix=${prefix}`, `--python=${python}`]);
  const input = path.join(dir, 'viewers.ipynb');
  fs.writeFileSync(input, notebook([SETUP, ...VIEWERS]));
  const env = { ...process.env, JUPYTER_PATH: path.join(prefix, 'share/jupyter') };
  await run(python, ['-m', 'nbconvert', '--to', 'html', '--execute', input], { env, timeout: 200_000 });
  const html = fs.readFileSync(path.join(dir, 'viewers.html'), 'utf8');

  const pictures = [...html.matchAll(/<img [^>]*src="data:image\/png;base64,([A-Za-z0-9+/=]+)"/g)].map((m) => Buffer.from(m[1], 'base64'));
  assert.equal(pictures.length, VIEWERS.length, 'one picture per viewer');
  for (const png of pictures) {
    assert.equal(png.subarray(1, 4).toString('latin1'), 'PNG');
    const [width, height] = [png.readUInt32BE(16), png.readUInt32BE(20)];
    assert.ok(width >= 48 && width <= 512 && height >= 32 && height <= 512, `a picture of ${width} x ${height}`);
  }
  // nbclient saved the widget state with the notebook; the outputs' own mime type keeps nbconvert
  // from choosing an interactive view there (it would need @tessera/widgets from a CDN).
  assert.ok(html.includes('application/vnd.jupyter.widget-state+json'), 'the widget state is in the page');
  assert.ok(!html.includes('<script type="application/vnd.jupyter.widget-view+json">'), 'no interactive views that would need the extension');
});
