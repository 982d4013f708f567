#!/usr/bin/env node
// Jupyter kernel for TypeScript with comms and widgets; see kernel-lib/src/jupyter/cli.ts.
// Needs the compiled library: `npx tsc -b kernel-lib`.
'use strict';
require('../dist/src/jupyter/cli.js').main(process.argv.slice(2), __filename);
