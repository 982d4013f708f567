/// <reference types="node" />
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { MODULE_NAME, MODULE_VERSION } from '../src/version.js';

test('the registered module name and version are the package name and version', () => {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
  assert.equal(MODULE_NAME, pkg.name);
  assert.equal(MODULE_VERSION, pkg.version);
});
