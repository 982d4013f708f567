/**
 * The notebook's TypeScript session: what the kernel asks of cells, in the terms of the Jupyter
 * protocol (cursor positions in Unicode code points, as protocol 5.2 defines them; JavaScript
 * strings count UTF-16 units).
 */
import { CellCompiler, isComplete } from './compiler';
import { registerTypeScriptLoader, routeTesseraRequires } from './resolution';
import { CellRunner, type RunResult } from './runner';
import { reportDiagnostics } from './traceback';

export type { RunResult } from './runner';
export type { ErrorReport } from './traceback';

/** UTF-16 offset of code point `cursor` of `text`. */
function toUtf16(text: string, cursor: number): number {
  let offset = 0;
  for (let i = 0; i < cursor && offset < text.length; i++) offset += text.codePointAt(offset)! > 0xffff ? 2 : 1;
  return offset;
}

/** Code point index of UTF-16 `offset` of `text`. */
function toCodePoints(text: string, offset: number): number {
  return [...text.slice(0, offset)].length;
}

export class NotebookSession {
  private readonly compiler: CellCompiler;
  private readonly runner: CellRunner;

  /** A session whose cells run in `cwd` (the notebook's folder): relative imports start there. */
  constructor(readonly cwd: string) {
    routeTesseraRequires();
    registerTypeScriptLoader();
    this.compiler = new CellCompiler(cwd);
    this.runner = new CellRunner(cwd);
  }

  /** Prepares the type checker, so that the first cell does not wait for it. */
  warmUp(): void {
    this.compiler.warmUp();
  }

  /**
   * Compiles and runs a cell, `label` ("Cell In[3]") naming it in tracebacks. What it declares
   * is kept for later cells also when it throws, as a Python cell's assignments are.
   */
  async run(code: string, label: string): Promise<RunResult> {
    const compiled = this.compiler.compile(code);
    if (!compiled.ok) return { ok: false, error: reportDiagnostics(compiled.diagnostics, label, code) };
    try {
      return await this.runner.run(compiled.cell, label, code);
    } finally {
      this.compiler.commit(compiled.cell);
    }
  }

  /** The `complete_reply` fields for `cursor` (code points) in `code`. */
  complete(code: string, cursor: number): { cursor_start: number; cursor_end: number; matches: string[] } {
    const { start, end, matches } = this.compiler.complete(code, toUtf16(code, cursor));
    return { cursor_start: toCodePoints(code, start), cursor_end: toCodePoints(code, end), matches };
  }

  /** The `inspect_reply` data for `cursor` (code points) in `code`: signature and TSDoc, as text and Markdown. */
  inspect(code: string, cursor: number): Record<string, string> | undefined {
    const found = this.compiler.inspect(code, toUtf16(code, cursor));
    if (!found) return undefined;
    const { signature, documentation } = found;
    return {
      'text/plain': documentation ? `${signature}\n\n${documentation}` : signature,
      'text/markdown': `\`\`\`ts\n${signature}\n\`\`\`\n${documentation ? `\n${documentation}\n` : ''}`,
    };
  }

  /** The `is_complete_reply` for `code`. */
  isComplete(code: string): { status: string; indent?: string } {
    return isComplete(code);
  }
}
