#!/usr/bin/env node
// A worker process or Slurm array task of a tiled job; see kernel-lib/src/execute/task.ts.
'use strict';
require('../dist/src/execute/task.js').main(require('../dist/src/index.js'));
