import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { test } from 'node:test';

/**
 * The layers of docs/architecture.md, enforced over kernel-lib/src's runtime imports (type-only
 * imports vanish at compile time and are not counted): each file imports only files of its own
 * layer or of lower ones, and no files import each other in a cycle.
 */
const SRC = resolve(__dirname, '../../src');

/** Layers from the bottom; a folder (or a top-level file) belongs to exactly one. */
const LAYERS: ReadonlyArray<readonly string[]> = [
  ['errors.ts', 'dtype.ts', 'abort.ts', 'progress'],
  ['validate'],
  ['plan'],
  ['gpu'],
  ['array'],
  ['codegen'],
  ['ops'],
  ['io', 'data'],
  ['execute'],
  ['jupyter'],
  ['viewers', 'widgets.ts'],
  ['index.ts'],
];

function layerOf(file: string): number {
  const top = relative(SRC, file).split('/')[0];
  const k = LAYERS.findIndex((l) => l.includes(top));
  assert.ok(k >= 0, `${relative(SRC, file)} is in no layer: add its folder to LAYERS here and to docs/architecture.md`);
  return k;
}

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((e) => {
    const p = join(dir, e);
    return statSync(p).isDirectory() ? sources(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** The relative modules a file loads at run time. */
function runtimeImports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specs: string[] = [];
  const statement = /^\s*(import|export)\s+(type\s+)?([^'"]*?)\s*from\s+'([^']+)';/gms;
  for (const m of text.matchAll(statement)) {
    if (m[2]) continue; // import type / export type
    const names = m[3].trim();
    const braces = /^\{([^}]*)\}$/.exec(names);
    if (braces && braces[1].split(',').map((s) => s.trim()).filter(Boolean).every((s) => s.startsWith('type '))) continue;
    specs.push(m[4]);
  }
  for (const m of text.matchAll(/^\s*import\s+'([^']+)';/gm)) specs.push(m[1]);
  for (const m of text.matchAll(/\b(?:require|import)\(\s*'([^']+)'\s*\)/g)) specs.push(m[1]);
  return specs
    .filter((s) => s.startsWith('.'))
    .map((s) => {
      const base = resolve(dirname(file), s);
      for (const candidate of [`${base}.ts`, join(base, 'index.ts')]) {
        try {
          if (statSync(candidate).isFile()) return candidate;
        } catch {
          // not this one
        }
      }
      throw new Error(`${relative(SRC, file)} imports ${s}, which does not exist`);
    });
}

const files = sources(SRC);
const graph = new Map(files.map((f) => [f, runtimeImports(f)]));

test('every file imports only its own layer or lower ones', () => {
  const wrong: string[] = [];
  for (const [file, deps] of graph) {
    for (const dep of deps) {
      if (layerOf(dep) > layerOf(file)) wrong.push(`${relative(SRC, file)} -> ${relative(SRC, dep)}`);
    }
  }
  assert.deepEqual(wrong, [], `imports against the layer order (docs/architecture.md):\n${wrong.join('\n')}`);
});

test('no files import each other in a cycle', () => {
  const state = new Map<string, 'open' | 'done'>();
  const cycles: string[] = [];
  const visit = (f: string, path: string[]) => {
    if (state.get(f) === 'done') return;
    if (state.get(f) === 'open') {
      cycles.push([...path.slice(path.indexOf(f)), f].map((x) => relative(SRC, x)).join(' -> '));
      return;
    }
    state.set(f, 'open');
    for (const d of graph.get(f) ?? []) visit(d, [...path, f]);
    state.set(f, 'done');
  };
  for (const f of files) visit(f, []);
  assert.deepEqual(cycles, [], `import cycles:\n${cycles.join('\n')}`);
});
