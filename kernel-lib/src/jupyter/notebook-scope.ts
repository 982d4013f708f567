/**
 * The notebook's variables, for code that cells call: the Tessera kernel's cell runner
 * (cells/runner.ts) registers its scope here, and `widgets.interact` offers the GPU images
 * among them. A global symbol, so that it holds whichever copy of this module is loaded.
 */
const NOTEBOOK_SCOPE = Symbol.for('tessera.notebook.scope');

/** Called by the cell runner with the object that holds every top-level name of the cells. */
export function registerNotebookScope(scope: Record<string, unknown>): void {
  (globalThis as Record<symbol, unknown>)[NOTEBOOK_SCOPE] = scope;
}

/** The notebook's variables by name; empty outside the Tessera kernel. */
export function notebookVariables(): Readonly<Record<string, unknown>> {
  return ((globalThis as Record<symbol, unknown>)[NOTEBOOK_SCOPE] ?? {}) as Record<string, unknown>;
}
