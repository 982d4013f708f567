/**
 * How a pipeline reaches the processes that run it. In the notebook's own process it is the
 * function itself. A worker process or a Slurm task gets a {@link PipelineSpec}:
 *
 * - `{ module, export }`: the path of a JavaScript module and the name of the pipeline it exports
 *   (what a script or a package provides; anything the module imports works);
 * - `{ source }`: the function's own text (`String(pipeline)`), evaluated in the task with
 *   `tessera` in scope. This is what a notebook cell's `(img) => tessera.gaussianBlur(img, 2)`
 *   becomes. Limits: the function must be self-contained: it may use `tessera.*`, its own
 *   parameters, literals and `require`, but no variables of the notebook (they do not exist in
 *   the task: the task's probe run then fails with a ReferenceError, reported by the driver).
 */
import { resolve } from 'node:path';
import { TesseraError } from '../errors';
import type { Pipeline } from './analyse';

/** A pipeline given by module path and export name (for workers and Slurm tasks). */
export interface PipelineModule {
  module: string;
  /** The export's name (default: `default`, or the module itself when it is a function). */
  export?: string;
}

/** A pipeline function, or where to find one. */
export type PipelineLike = Pipeline | PipelineModule;

/** What a task needs to rebuild the pipeline. */
export type PipelineSpec = { source: string } | { module: string; export?: string };

const isModule = (p: unknown): p is PipelineModule => typeof p === 'object' && p !== null && typeof (p as PipelineModule).module === 'string';

function fromModule(m: PipelineModule, what: string): Pipeline {
  const path = resolve(m.module);
  let mod: Record<string, unknown>;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    mod = require(path);
  } catch (e) {
    throw new TesseraError(`${what}: cannot load the pipeline module ${path}: ${(e as Error).message}`);
  }
  const name = m.export ?? 'default';
  const fn = typeof mod === 'function' && m.export === undefined ? mod : mod[name];
  if (typeof fn !== 'function') throw new TesseraError(`${what}: ${path} exports no function named ${JSON.stringify(name)} (it exports ${Object.keys(mod).join(', ') || 'nothing'})`);
  return fn as Pipeline;
}

/** The function and the spec of a pipeline given either way. */
export function resolvePipeline(p: PipelineLike, what: string): { fn: Pipeline; spec: PipelineSpec } {
  if (typeof p === 'function') return { fn: p, spec: { source: String(p) } };
  if (isModule(p)) return { fn: fromModule(p, what), spec: { module: resolve(p.module), export: p.export } };
  throw new TesseraError(`${what}: the pipeline must be a function (image) => image of Tessera operations, or { module, export } naming one`);
}

/** Rebuilds a pipeline in a task; `tessera` is the package's namespace (the task's entry point passes it). */
export function loadPipeline(spec: PipelineSpec, tessera: unknown, what: string): Pipeline {
  if ('module' in spec) return fromModule(spec, what);
  try {
    const make = new Function('tessera', 'require', `"use strict"; return (${spec.source});`) as (t: unknown, r: NodeRequire) => unknown;
    const fn = make(tessera, require);
    if (typeof fn !== 'function') throw new Error('the source is not a function');
    return fn as Pipeline;
  } catch (e) {
    throw new TesseraError(`${what}: the pipeline's source does not compile in a worker (${(e as Error).message}); pass { module, export } instead`);
  }
}
