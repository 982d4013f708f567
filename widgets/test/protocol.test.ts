/// <reference types="node" />
/**
 * The browser and the kernel speak one protocol: the browser imports the kernel's types
 * (src/protocol.ts) and its colouring code (src/render/colorize.ts), so they cannot drift; these
 * tests keep those imports possible (the kernel files import nothing the browser cannot bundle)
 * and the module names in step.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { test } from 'node:test';
import type { RequestMessage, Unsent, ViewerState } from '../src/protocol.js';
import { MODULE_NAME, MODULE_VERSION } from '../src/version.js';

const require = createRequire(import.meta.url);
/** The kernel's protocol module, as the browser build resolves it. */
const kernelProtocol = require.resolve('tessera/dist/src/viewers/protocol');
/** Kernel modules the browser bundles (their code runs in the browser). */
const bundled = [require.resolve('tessera/dist/src/viewers/colorize')];

test('the kernel asks for the module name and version the browser registers', () => {
  const { WIDGETS_MODULE, WIDGETS_MODULE_VERSION } = require(kernelProtocol) as { WIDGETS_MODULE: string; WIDGETS_MODULE_VERSION: string };
  assert.equal(WIDGETS_MODULE, MODULE_NAME);
  assert.equal(WIDGETS_MODULE_VERSION, `^${MODULE_VERSION}`, 'bump the kernel\'s WIDGETS_MODULE_VERSION with the package version');
});

/** Relative module specifiers a compiled file imports (require calls in .js, import/export from in .d.ts). */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/(?:require\(|from\s+)['"]([^'"]+)['"]/g)].map((m) => m[1]);
}

test("the kernel's protocol is free of dependencies: no runtime import, types only from import-free files", () => {
  assert.deepEqual(importsOf(kernelProtocol), [], 'protocol.js must not require anything (the browser bundles nothing of the kernel)');
  const declarations = kernelProtocol.replace(/\.js$/, '.d.ts');
  for (const spec of importsOf(declarations)) {
    assert.ok(spec.startsWith('.'), `protocol.ts imports the package ${spec}; the browser cannot`);
    const imported = resolve(dirname(declarations), `${spec}.d.ts`);
    assert.ok(existsSync(imported), `${imported} exists`);
    assert.deepEqual(importsOf(imported), [], `${spec} (imported by protocol.ts) must itself import nothing`);
  }
});

test('kernel modules the browser bundles import nothing', () => {
  for (const file of bundled) {
    assert.deepEqual(importsOf(file), [], `${file} must not require anything`);
    assert.deepEqual(importsOf(file.replace(/\.js$/, '.d.ts')), [], `${file} must not import types`);
  }
});

test('what a view sends, with the id the channel adds, is a request the kernel reads', () => {
  // Compile-time checks: the build fails when the types disagree.
  const unsent: Unsent<RequestMessage> = { request: 'plane', layer: 0, axis: 0, index: 3, display_range: [0, 1], labels: false };
  const sent: RequestMessage = { ...unsent, id: 7 };
  const state: Pick<ViewerState, 'luts'> = { luts: { grey: new DataView(new ArrayBuffer(768)) } };
  assert.equal(sent.id, 7);
  assert.equal(Object.keys(state.luts).length, 1);
});
