/**
 * Runs compiled cells (compiler.ts) in this process, against one shared state object that holds
 * every top-level name of every cell (the `exports` of the compiled code, see transform.ts).
 */
import { SourceMap } from 'node:module';
import Module from 'node:module';
import path from 'node:path';
import vm from 'node:vm';
import { InterruptedError, interruptSignal, interruptible } from '../../abort';
import type { CompiledCell } from './compiler';
import { CellFiles, reportError, type ErrorReport } from './traceback';

/** The outcome of a cell: its value (that of its last expression statement, if any), or its error. */
export type RunResult = { ok: true; value: unknown } | { ok: false; error: ErrorReport };

const ARGUMENTS = Symbol.for('tessera.cell.arguments');
/** How long an interrupted cell may take to unwind before its outcome is reported. */
const SETTLE_MS = 1000;
const PARAMETERS = ['exports', 'require', 'module', '__filename', '__dirname', '__tesseraInterruptible'];
// The wrapper's own line, before the compiled code: source-map lookups skip it.
const PREFIX = `(async function (${PARAMETERS.join(', ')}) {\n`;
const SUFFIX = `\n}).apply(undefined, globalThis[Symbol.for('tessera.cell.arguments')])`;

/**
 * The shared state: a plain object, except that the emitter's `Object.defineProperty(exports,
 * name, { get })` (for re-exported imports) stores the current value, so that a later cell can
 * declare the name again.
 */
function createScope(): Record<string, unknown> {
  const target: Record<string, unknown> = {};
  return new Proxy(target, {
    defineProperty(t, name, descriptor) {
      if (name === '__esModule') return true;
      t[name as string] = descriptor.get ? descriptor.get() : descriptor.value;
      return true;
    },
  });
}

/**
 * `await x` in a cell: like `interruptible(x)` (abort.ts), with the stack of the await, so that
 * the traceback of an interrupt shows where the cell was.
 */
function interruptibleAwait<T>(value: T | PromiseLike<T>): Promise<T> {
  const site: { stack?: string } = {};
  Error.captureStackTrace(site, interruptibleAwait);
  return interruptible(value).catch((e: unknown) => {
    if (e instanceof InterruptedError && site.stack) {
      const located = new InterruptedError(e.message);
      located.stack = `${located.name}: ${located.message}\n${site.stack.split('\n').slice(1).join('\n')}`;
      throw located;
    }
    throw e;
  });
}

/** The rejection reason of `promise` if it settles within `ms`, else undefined. */
function settled(promise: Promise<unknown>, ms: number): Promise<unknown> {
  const timeout = new Promise<void>((resolve) => setTimeout(resolve, ms).unref());
  return Promise.race([promise.then(() => undefined, (e: unknown) => e), timeout]);
}

export class CellRunner {
  /** Every top-level name of the cells run so far. */
  readonly scope = createScope();
  readonly files = new CellFiles();
  private readonly require: NodeJS.Require;
  private serial = 0;

  constructor(readonly cwd: string) {
    this.require = Module.createRequire(path.join(cwd, '__tessera_cell__.cjs'));
  }

  /** Runs `cell` (labelled "Cell In[3]" in tracebacks, `source` is its TypeScript) to its end. */
  async run(cell: CompiledCell, label: string, source: string): Promise<RunResult> {
    const file = path.join(this.cwd, `__tessera_cell_${++this.serial}__.cjs`);
    this.files.register(file, { label, source, sourceMap: new SourceMap(JSON.parse(cell.sourceMap)), preludeLines: cell.preludeLines, wrapperLines: 1, codeLines: cell.code.split('\n').length });
    const signal = interruptSignal();
    const module = { exports: this.scope, filename: file, id: file, require: this.require };
    const globals = globalThis as Record<symbol, unknown>;
    globals[ARGUMENTS] = [this.scope, this.require, module, file, this.cwd, interruptibleAwait];
    let done: Promise<unknown> | undefined;
    try {
      // breakOnSigint: SIGINT stops the synchronous part of the cell (until its first await).
      done = vm.runInThisContext(PREFIX + cell.code + SUFFIX, {
        filename: file,
        breakOnSigint: true,
        displayErrors: false,
        importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
      }) as Promise<unknown>;
      // Also ends on an interrupt when the cell waits on something it did not `await` itself.
      const boxed = (await interruptible(done, signal)) as [unknown] | undefined;
      return { ok: true, value: boxed?.[0] };
    } catch (e) {
      // After an interrupt, give the cell a moment to unwind (its awaits throw), so that what it
      // held becomes garbage before the kernel reclaims GPU memory, and report the error of the
      // await it stopped at, which knows the cell's line.
      const stopped = done && signal.aborted ? await settled(done, SETTLE_MS) : undefined;
      return { ok: false, error: reportError(stopped instanceof InterruptedError ? stopped : e, this.files) };
    } finally {
      delete globals[ARGUMENTS];
    }
  }
}
