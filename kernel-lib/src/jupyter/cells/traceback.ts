/**
 * Errors of cells as Jupyter shows them: `ename` (the class name: TesseraError, TypeError...),
 * `evalue` (the message) and a traceback like IPython's, trimmed to the lines of the user's
 * cells (`Cell In[3], line 2` with the line itself), without the frames of Node, the kernel or
 * libraries. Stack positions are mapped back from the compiled code to the cell's TypeScript
 * with the source maps of the compiled cells.
 */
import { SourceMap } from 'node:module';
import { format } from 'node:util';
import { InterruptedError } from '../../abort';
import type { CellDiagnostic } from './compiler';

/** The `ename`, `evalue` and `traceback` of an `error` message and an error reply. */
export interface ErrorReport {
  ename: string;
  evalue: string;
  traceback: string[];
}

/** A cell that ran: where its compiled code came from, to map stack frames back to its lines. */
export interface CellRecord {
  /** "Cell In[3]". */
  label: string;
  source: string;
  sourceMap: SourceMap;
  /** Lines of the compiled file before the cell's code (the prelude). */
  preludeLines: number;
  /** Lines of the script before the compiled code (the function wrapper). */
  wrapperLines: number;
  /** Lines of the compiled code (frames after it are the wrapper's call). */
  codeLines: number;
}

const RED = '\x1b[0;31m';
const GREEN = '\x1b[0;32m';
const CYAN = '\x1b[0;36m';
const RESET = '\x1b[0m';
const RULE = `${RED}${'-'.repeat(75)}${RESET}`;

/** The compiled cells by script file name. */
export class CellFiles {
  private readonly byFile = new Map<string, CellRecord>();

  register(file: string, record: CellRecord): void {
    this.byFile.set(file, record);
  }

  /** The cell and its 1-based line for a stack position (1-based line and column of the script). */
  locate(file: string, line: number, column: number): { cell: CellRecord; line: number } | undefined {
    const cell = this.byFile.get(file);
    if (!cell) return undefined;
    const codeLine = line - 1 - cell.wrapperLines;
    if (codeLine < 0 || codeLine >= cell.codeLines) return undefined;
    const entry = cell.sourceMap.findEntry(codeLine, column - 1) as { originalLine?: number };
    if (entry.originalLine === undefined) return undefined;
    const cellLine = entry.originalLine - cell.preludeLines + 1;
    return cellLine >= 1 ? { cell, line: cellLine } : undefined;
  }
}

/** `Cell In[3], line 2` and the lines around it, the line itself marked, as IPython prints a frame. */
function frame(label: string, source: string, line: number, detail = ''): string {
  const lines = source.split('\n');
  const first = Math.max(1, line - 2);
  const last = Math.min(lines.length, line + 2);
  const width = String(last).length;
  const out = [`${CYAN}${label}, line ${line}${RESET}${detail}`];
  for (let n = first; n <= last; n++) {
    const number = String(n).padStart(width);
    out.push(n === line ? `${GREEN}----> ${number}${RESET} ${lines[n - 1]}` : `      ${number} ${lines[n - 1]}`);
  }
  return out.join('\n');
}

function header(ename: string): string {
  return `${RULE}\n${RED}${ename}${RESET}${' '.repeat(Math.max(1, 42 - ename.length))}Traceback (most recent call last)`;
}

/** The class name Jupyter shows for a thrown value. */
function errorName(e: Error): string {
  const ctor = e.constructor?.name;
  return e.name === 'Error' && ctor && ctor !== 'Error' ? ctor : e.name || ctor || 'Error';
}

const FRAME = /^\s*at (?:.*? \()?(.+?):(\d+):(\d+)\)?$/;

/**
 * The report of an error thrown by a cell. Frames outside the cells are left out; a value that
 * is not an Error is shown as Node prints it.
 */
export function reportError(thrown: unknown, files: CellFiles): ErrorReport {
  // vm's breakOnSigint interrupts synchronous code with an error of its own.
  const interrupted = (thrown as { code?: string } | null)?.code === 'ERR_SCRIPT_EXECUTION_INTERRUPTED';
  const error = interrupted ? new InterruptedError() : thrown;
  if (!(error instanceof Error)) {
    const evalue = format('%o', error);
    return { ename: 'Error', evalue, traceback: [`${RED}Uncaught${RESET}: ${evalue}`] };
  }
  const ename = errorName(error);
  const evalue = error.message;
  const frames: string[] = [];
  const stack = (interrupted ? (thrown as Error).stack : error.stack) ?? '';
  for (const line of stack.split('\n')) {
    const m = FRAME.exec(line);
    const located = m ? files.locate(m[1], Number(m[2]), Number(m[3])) : undefined;
    if (located) frames.push(frame(located.cell.label, located.cell.source, located.line));
  }
  frames.reverse(); // outermost call first, as Python prints it
  const cause = error.cause instanceof Error ? [`\n${RED}Caused by${RESET}: ${errorName(error.cause)}: ${error.cause.message}`] : [];
  return { ename, evalue, traceback: [header(ename), ...frames, `${RED}${ename}${RESET}: ${evalue}`, ...cause] };
}

/** The report of a cell that does not compile: every diagnostic with its line, the span underlined. */
export function reportDiagnostics(diagnostics: CellDiagnostic[], label: string, source: string): ErrorReport {
  const ename = 'TSError';
  const first = diagnostics[0];
  const evalue = `${first.message} (TS${first.code})${diagnostics.length > 1 ? ` and ${diagnostics.length - 1} more` : ''}`;
  const lines = source.split('\n');
  const frames = diagnostics.map((d) => {
    const width = String(d.line).length;
    const marker = `${' '.repeat(6 + width + d.column)}${RED}${'^'.repeat(d.length)}${RESET}`;
    return [`${CYAN}${label}, line ${d.line}, column ${d.column}${RESET}: ${d.message} ${RED}(TS${d.code})${RESET}`, `${GREEN}----> ${d.line}${RESET} ${lines[d.line - 1] ?? ''}`, marker].join('\n');
  });
  return { ename, evalue, traceback: [...frames, `${RED}${ename}${RESET}: ${evalue}`] };
}
