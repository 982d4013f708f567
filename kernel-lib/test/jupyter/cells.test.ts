// The TypeScript side of cells without a kernel process: a NotebookSession in a folder outside
// the repository compiles and runs cells as the kernel does.
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { interrupt } from '../../src/abort';
import { NotebookSession, type RunResult } from '../../src/jupyter/cells/session';
import { makeNotebookFolder } from './support';

let folder: string;
let session: NotebookSession;
let count = 0;

const plain = (text: string) => text.replace(/\x1b\[[0-9;]*m/g, '');

async function run(code: string): Promise<RunResult> {
  return session.run(code, `Cell In[${++count}]`);
}

/** The value of a cell that must succeed. */
async function value(code: string): Promise<unknown> {
  const r = await run(code);
  if (!r.ok) assert.fail(`cell failed: ${plain(r.error.traceback.join('\n'))}\n${code}`);
  return r.value;
}

before(() => {
  folder = makeNotebookFolder();
  session = new NotebookSession(fs.realpathSync(folder));
});

after(() => fs.rmSync(folder, { recursive: true, force: true }));

test('top-level names live on across cells; a later cell may declare any of them again', async () => {
  assert.equal(await value('const a: number = 20;\nawait new Promise((r) => setTimeout(r, 5));\na + 1'), 21);
  assert.equal(await value('let b = a * 2;\nb'), 40);
  assert.equal(await value('b = b + 1;\nb'), 41, 'assignments reach the earlier let');
  assert.equal(await value('const a = "now a string";\na.toUpperCase()'), 'NOW A STRING');
  const r = await run('const c: number = a;');
  assert.equal(r.ok, false, 'the type checker sees the latest declaration');
});

test('shorthand properties, destructuring and class bases that name earlier cells\' values', async () => {
  await value('const labels = [1, 2];\nclass Base { base = 1 }');
  assert.deepEqual(await value('({ labels })'), { labels: [1, 2] });
  assert.equal(await value('class Derived extends Base { own = 2 }\nnew Derived().base'), 1);
  assert.equal(await value('let x = 0, y = 0;\n[x, y] = [3, 4];\n({ x } = { x: 5 });\nx + y'), 9);
});

test('interfaces, types, enums and functions declared in one cell are known in the next', async () => {
  await value('interface Point { x: number; y: number }\ntype Pair = [Point, Point];\nenum Axis { Z, Y, X }\nfunction norm(p: Point) { return Math.hypot(p.x, p.y); }');
  assert.equal(await value('const pair: Pair = [{ x: 3, y: 4 }, { x: 0, y: 0 }];\nnorm(pair[0]) + Axis.X'), 7);
});

test('a cell that throws keeps what it assigned before, and earlier values of names it did not reach', async () => {
  await value('const kept = "old";');
  const r = await run('const early = 1;\nthrow new RangeError("stop");\nconst kept = "new";');
  assert.equal(r.ok, false);
  assert.deepEqual(await value('[early, kept]'), [1, 'old']);
});

test('the value of a cell is its last expression statement; declarations have none', async () => {
  assert.equal(await value('const v = 1;'), undefined);
  assert.equal(await value('if (true) { 5; }'), undefined);
  assert.equal(await value('6 * 7;'), 42, 'a trailing semicolon does not hide it (TypeScript style)');
  const pending = await run('new Promise(() => {})');
  assert.ok(pending.ok && pending.value instanceof Promise, 'a promise is the value, not awaited');
});

test('a promise as the value shows its state and the missing await, not the kernel\'s async context', async () => {
  const { resultBundle } = await import('../../src/jupyter/display');
  const text = async (p: Promise<unknown>) => (await resultBundle(p))?.data['text/plain'];
  const hint = '(not awaited: write `await` before the expression to wait for its result)';
  assert.equal(await text(new Promise(() => {})), `Promise { <pending> } ${hint}`);
  assert.equal(await text(Promise.resolve([1, 2])), `Promise { [ 1, 2 ] } ${hint}`);
  assert.equal(await text(Promise.reject(new RangeError('no'))), `Promise { <rejected> RangeError: no } ${hint}`);
});

test('imports: the kernel\'s tessera, the folder\'s own package and TypeScript files', async () => {
  assert.deepEqual(await value('import * as tessera from "tessera";\nimport { greet } from "user-helper";\nimport { twice } from "./helpers";\n[typeof tessera.gaussianBlur, greet("x"), twice(2)]'), ['function', 'hello, x', 4]);
  const r = await run('import { nothing } from "no-such-package";');
  assert.equal(r.ok, false);
  if (!r.ok) assert.match(r.error.evalue, /Cannot find module 'no-such-package'/);
});

test('the API type-checks in cells (strict off) as the notebooks call it: host results of tiled / mapTimepoints, plots of label tables', async () => {
  // Compiled, not called: the functions only have to type-check as notebooks 04 and 05 write them.
  await value([
    'import * as tessera from "tessera";',
    'const inHost = async (img) => (await tessera.tiled((x) => x, img, undefined, { margin: 0 })).data.length;',
    'const inZarr = async (img) => (await tessera.tiled((x) => x, img, "out.zarr")).chunks;',
    'const perTimepoint = async (img) => (await tessera.mapTimepoints((x) => x, img, undefined)).shape;',
    'const plot = async (img, labels) => tessera.widgets.clusterplot(img, labels, await tessera.statisticsOfLabelledPixels(img, labels), { x: "area" });',
  ].join('\n'));
});

test('errors name their class and the cell lines; type errors are TSErrors with the span underlined', async () => {
  const r = await run('function inner() {\n  throw new TypeError("bad");\n}\ninner();');
  assert.equal(r.ok, false);
  if (r.ok) return;
  assert.equal(r.error.ename, 'TypeError');
  const tb = plain(r.error.traceback.join('\n'));
  assert.match(tb, new RegExp(`Cell In\\[${count}\\], line 4\\n[\\s\\S]*----> 4 inner\\(\\);[\\s\\S]*Cell In\\[${count}\\], line 2\\n[\\s\\S]*----> 2   throw new TypeError`));
  const t = await run('const n: number = "s";');
  assert.equal(t.ok, false);
  if (t.ok) return;
  assert.equal(t.error.ename, 'TSError');
  assert.match(plain(t.error.traceback.join('\n')), /line 1, column 7: Type 'string' is not assignable to type 'number'\. \(TS2322\)\n----> 1 const n: number = "s";\n {14}\^$/m);
  const thrown = await run('throw "just a string";');
  assert.deepEqual(thrown.ok ? undefined : [thrown.error.ename, thrown.error.evalue], ['Error', "'just a string'"]);
});

test('an interrupt stops the cell at its await, with the line in the traceback', async () => {
  const running = run('let spins = 0;\nwhile (true) {\n  spins++;\n  await new Promise((r) => setTimeout(r, 5));\n}');
  await new Promise((r) => setTimeout(r, 50));
  interrupt();
  const r = await running;
  assert.equal(r.ok, false);
  if (r.ok) return;
  assert.equal(r.error.ename, 'InterruptedError');
  assert.match(plain(r.error.traceback.join('\n')), /----> 4 {3}await new Promise/);
  const spins = await value('spins');
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(await value('spins'), spins, 'the loop does not go on');
});

test('an interrupt also stops async functions a cell declared, running in the background', async () => {
  await value('let ticks = 0;\nasync function tick() {\n  for (;;) {\n    ticks++;\n    await new Promise((r) => setTimeout(r, 5));\n  }\n}\nvoid tick().catch(() => {}); // the kernel does not report interrupted background work');
  await new Promise((r) => setTimeout(r, 50));
  interrupt();
  await new Promise((r) => setTimeout(r, 20));
  const stopped = await value('ticks');
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(await value('ticks'), stopped);
  await new Promise((r) => setTimeout(r, 0));
});

test('is_complete, completions and inspection (positions in code points)', () => {
  assert.deepEqual(session.isComplete('1 +* 2'), { status: 'invalid' });
  assert.deepEqual(session.isComplete('const x = [1,'), { status: 'incomplete', indent: '  ' });
  assert.deepEqual(session.isComplete('for (const i of [1]) {\n  console.log(i);\n}'), { status: 'complete' });
  const code = '"\u{1F600}"; Math.fl';
  const cursor = [...code].length;
  assert.deepEqual(session.complete(code, cursor), { cursor_start: cursor - 2, cursor_end: cursor, matches: ['floor'] });
  const help = session.inspect('Math.max(1, ', 12);
  assert.ok(help, 'found');
  assert.match(help!['text/plain'], /^max\(\.\.\.values: number\[\]\): number\n\nReturns the larger of a set of supplied numeric expressions\./);
});
