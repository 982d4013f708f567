#!/usr/bin/env node
// A worker process or Slurm array task of a tiled job; see kernel-lib/src/execute/task.ts.
'use strict';
const { dirname, join } = require('node:path');
const { readFileSync } = require('node:fs');
const root = join(__dirname, '..');
const tessera = require(join(root, 'dist/src/index.js'));
// A pipeline module's own `require('tessera')` must get this same instance (one GPU device, one
// operation registry). Where it resolves to another spelling of this package's path (e.g. through
// a workspace symlink that is not resolved to its target), those paths are made to name the
// modules already loaded.
try {
  const job = JSON.parse(readFileSync(process.argv[3], 'utf8'));
  if (job.pipeline && job.pipeline.module) {
    const seen = require.resolve('tessera', { paths: [dirname(job.pipeline.module)] });
    const other = seen.slice(0, -'dist/src/index.js'.length);
    const own = join(root, '/');
    if (seen.endsWith('dist/src/index.js') && other !== own) {
      for (const key of Object.keys(require.cache)) {
        if (key.startsWith(join(own, 'dist/'))) require.cache[other + key.slice(own.length)] = require.cache[key];
      }
    }
  }
} catch {
  // no pipeline module, or it does not import tessera by name
}
require(join(root, 'dist/src/execute/task.js')).main(tessera);
