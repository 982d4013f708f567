/**
 * The TypeScript side of notebook cells, on the project's own TypeScript: type checking against
 * what earlier cells declared, compilation to runnable code, completions, inspection (signature
 * and TSDoc) and `is_complete`.
 *
 * A cell is checked and compiled as one virtual CommonJS file in the notebook's folder:
 *   <prelude: declarations of earlier cells, see declarations.ts>
 *   <the cell's code>
 *   export { <every top-level name of the cell> };
 * Top-level `await` is allowed (the cell runs inside an async function). The language service
 * keeps the parsed library and package declarations between cells, so a cell is checked in
 * tens of milliseconds after the first.
 */
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { DeclarationStore, declarationsByName, declaredNames, isExported, topLevelNames } from './declarations';
import { PACKAGE_ROOT, resolveModules } from './resolution';
import { cellTransformer, keepEarlierValues, type CellLayout } from './transform';

/** A problem the type checker found in a cell, located in the cell's own lines. */
export interface CellDiagnostic {
  /** 1-based line and column in the cell. */
  line: number;
  column: number;
  /** Characters the problem spans on its line (at least 1). */
  length: number;
  message: string;
  /** TypeScript's error code (TS2322 is 2322). */
  code: number;
}

/** A cell ready to run: CommonJS code, its source map into the virtual file, and what it declares. */
export interface CompiledCell {
  code: string;
  /** Source map (JSON) from `code` to the virtual file; cell line = file line - preludeLines. */
  sourceMap: string;
  /** Lines of the prelude before the cell's first line. */
  preludeLines: number;
  /** The cell's top-level names, and their declarations for the cells that follow. */
  declared: string[];
  declarations: Map<string, string[]>;
}

/** The outcome of {@link CellCompiler.compile}. */
export type CompileResult = { ok: true; cell: CompiledCell } | { ok: false; diagnostics: CellDiagnostic[] };

// Top-level `await` in a CommonJS file: fine here, since the cell body runs in an async function.
const TOP_LEVEL_AWAIT_CODES = new Set([1309, 1375, 1378, 1431, 1432]);

/** Compiler options of cells: the Node this kernel runs on, CommonJS, Node's module resolution. */
export function cellCompilerOptions(): ts.CompilerOptions {
  return {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.Node20, // CommonJS output for .cts files, require() of ES modules allowed
    moduleResolution: ts.ModuleResolutionKind.Node16,
    moduleDetection: ts.ModuleDetectionKind.Force,
    lib: ['lib.es2023.d.ts', 'lib.esnext.disposable.d.ts'],
    types: [], // @types/node is a root file of its own (the kernel's copy); no global @types
    esModuleInterop: true,
    resolveJsonModule: true,
    skipLibCheck: true,
    declaration: true,
    sourceMap: true,
    // As in most notebooks: untyped parameters and possibly-null values are allowed.
    strict: false,
    newLine: ts.NewLineKind.LineFeed,
  };
}

/** The TypeScript version that compiles cells (the project's, not a fork). */
export const TYPESCRIPT_VERSION = ts.version;

export class CellCompiler {
  /** The virtual file of the cell being compiled; a .cts file is CommonJS whatever package.json says. */
  readonly fileName: string;
  private readonly options = cellCompilerOptions();
  private readonly store = new DeclarationStore();
  private readonly service: ts.LanguageService;
  private readonly rootFiles: string[];
  private text = '';
  private version = 0;
  private layout: CellLayout & { preludeLines: number } = { cellStart: 0, cellEnd: 0, preludeLines: 0 };

  constructor(readonly cwd: string) {
    this.fileName = path.join(cwd, '__tessera_cell__.cts').split(path.sep).join('/');
    const nodeTypes = path.join(path.dirname(require.resolve('@types/node/package.json', { paths: [PACKAGE_ROOT] })), 'index.d.ts');
    this.rootFiles = [nodeTypes, this.fileName];
    const cache = ts.createModuleResolutionCache(cwd, (f) => f, this.options);
    const isCell = (f: string) => f === this.fileName;
    const host: ts.LanguageServiceHost = {
      getScriptFileNames: () => this.rootFiles,
      getScriptVersion: (f) => (isCell(f) ? String(this.version) : String(mtime(f))),
      getScriptSnapshot: (f) => {
        const content = isCell(f) ? this.text : ts.sys.readFile(f);
        return content === undefined ? undefined : ts.ScriptSnapshot.fromString(content);
      },
      getCurrentDirectory: () => cwd,
      getCompilationSettings: () => this.options,
      getDefaultLibFileName: (o) => ts.getDefaultLibFilePath(o),
      fileExists: (f) => isCell(f) || ts.sys.fileExists(f),
      readFile: (f) => (isCell(f) ? this.text : ts.sys.readFile(f)),
      directoryExists: (d) => ts.sys.directoryExists(d),
      getDirectories: (d) => ts.sys.getDirectories(d),
      realpath: (f) => (isCell(f) ? f : (ts.sys.realpath?.(f) ?? f)),
      resolveModuleNameLiterals: (literals, containingFile, _redirect, options, containingSourceFile) =>
        resolveModules(literals, containingFile, containingSourceFile, options, host, cache),
    };
    this.service = ts.createLanguageService(host, ts.createDocumentRegistry());
  }

  /** Loads TypeScript's libraries and Node's types, so that the first cell is not slow. */
  warmUp(): void {
    this.load('');
    this.service.getSemanticDiagnostics(this.fileName);
  }

  /** Type-checks `code` against the earlier cells and compiles it; nothing is recorded yet. */
  compile(code: string): CompileResult {
    const declared = this.load(code);
    const diagnostics = this.diagnostics();
    if (diagnostics.length > 0) return { ok: false, diagnostics };
    const program = this.service.getProgram()!;
    const file = program.getSourceFile(this.fileName)!;
    const out: Record<string, string> = {};
    const emitted = program.emit(file, (name, data) => (out[name.replace(/^.*(\.d\.cts|\.cjs\.map|\.cjs)$/, '$1')] = data), undefined, false, {
      before: [cellTransformer(program.getTypeChecker(), this.layout, this.earlierSymbols(program, file))],
      after: [keepEarlierValues],
    });
    if (emitted.emitSkipped || out['.cjs'] === undefined) throw new Error('the cell compiler emitted nothing');
    return {
      ok: true,
      cell: {
        code: out['.cjs'].replace(/\n\/\/# sourceMappingURL=.*\s*$/, '\n'),
        sourceMap: out['.cjs.map'],
        preludeLines: this.layout.preludeLines,
        declared,
        declarations: declarationsByName(out['.d.cts'] ?? '', new Set(declared)),
      },
    };
  }

  /** Records what a cell declared, for the cells after it (also after it failed at run time). */
  commit(cell: CompiledCell): void {
    this.store.commit(cell.declared, cell.declarations);
  }

  /** Completions at UTF-16 `offset` of `code`: the replaced range and the candidate names. */
  complete(code: string, offset: number): { start: number; end: number; matches: string[] } {
    this.load(code);
    const { cellStart } = this.layout;
    const word = /[\p{ID_Continue}$]*$/u.exec(code.slice(0, offset))![0];
    const start = offset - word.length;
    const info = this.service.getCompletionsAtPosition(this.fileName, cellStart + offset, { includeCompletionsWithInsertText: false });
    const entries = (info?.entries ?? []).filter((e) => e.name.toLowerCase().startsWith(word.toLowerCase()));
    entries.sort((a, b) => a.sortText.localeCompare(b.sortText) || a.name.localeCompare(b.name));
    return { start, end: offset, matches: [...new Set(entries.map((e) => e.name))] };
  }

  /**
   * What to show for the code at `offset`: inside a call's parentheses the called function
   * (as IPython does), otherwise the name under the cursor. Signature and TSDoc, or undefined.
   */
  inspect(code: string, offset: number): { signature: string; documentation: string } | undefined {
    this.load(code);
    const position = this.layout.cellStart + offset;
    const help = this.service.getSignatureHelpItems(this.fileName, position, undefined);
    if (help && help.items.length > 0) {
      const item = help.items[help.selectedItemIndex] ?? help.items[0];
      const text = (parts: ts.SymbolDisplayPart[]) => ts.displayPartsToString(parts);
      const signature =
        text(item.prefixDisplayParts) + item.parameters.map((p) => text(p.displayParts)).join(text(item.separatorDisplayParts)) + text(item.suffixDisplayParts);
      let doc = documentation(item.documentation, item.tags);
      if (!doc) {
        // Operations are consts (`export const gaussianBlur = defineOp(...)`): their TSDoc sits on
        // the const, which the callee's quick info shows (the last character before the '(').
        const callee = this.service.getQuickInfoAtPosition(this.fileName, help.applicableSpan.start - 2);
        if (callee) doc = documentation(callee.documentation ?? [], callee.tags ?? []);
      }
      return { signature, documentation: doc };
    }
    // At the end of a name (`tessera.push|`) the name is the one before the cursor.
    const info = this.service.getQuickInfoAtPosition(this.fileName, position) ?? (offset > 0 ? this.service.getQuickInfoAtPosition(this.fileName, position - 1) : undefined);
    if (!info) return undefined;
    return { signature: ts.displayPartsToString(info.displayParts), documentation: documentation(info.documentation ?? [], info.tags ?? []) };
  }

  /** Puts `code` into the virtual file after the prelude of the names it does not declare; returns its names. */
  private load(code: string): string[] {
    const parsed = ts.createSourceFile(this.fileName, code, ts.ScriptTarget.ES2022, false, ts.ScriptKind.TS);
    const declared = topLevelNames(parsed);
    const alreadyExported = new Set(parsed.statements.filter(isExported).flatMap(declaredNames));
    const prelude = this.store.prelude(new Set(declared));
    const exported = declared.filter((n) => !alreadyExported.has(n));
    this.text = `${prelude}${code}\nexport { ${exported.join(', ')} };\n`;
    this.layout = { cellStart: prelude.length, cellEnd: prelude.length + code.length, preludeLines: prelude.split('\n').length - 1 };
    this.version++;
    return declared;
  }

  /** Errors in the cell's own lines (the prelude's are not the cell's fault, and hidden). */
  private diagnostics(): CellDiagnostic[] {
    const all = [...this.service.getSyntacticDiagnostics(this.fileName), ...this.service.getSemanticDiagnostics(this.fileName)];
    const program = this.service.getProgram()!;
    const file = program.getSourceFile(this.fileName)!;
    const { cellStart, cellEnd, preludeLines } = this.layout;
    const out: CellDiagnostic[] = [];
    for (const d of all) {
      if (d.category !== ts.DiagnosticCategory.Error || TOP_LEVEL_AWAIT_CODES.has(d.code)) continue;
      if (d.start === undefined || d.start < cellStart || d.start > cellEnd) continue;
      const { line, character } = file.getLineAndCharacterOfPosition(d.start);
      const lineEnd = file.getLineEndOfPosition(d.start);
      out.push({
        line: line - preludeLines + 1,
        column: character + 1,
        length: Math.max(1, Math.min(d.length ?? 1, lineEnd - d.start)),
        message: ts.flattenDiagnosticMessageText(d.messageText, '\n'),
        code: d.code,
      });
    }
    return out;
  }

  /** The symbols the prelude declares at the top level: references to them read the shared state. */
  private earlierSymbols(program: ts.Program, file: ts.SourceFile): Set<ts.Symbol> {
    const checker = program.getTypeChecker();
    const symbols = new Set<ts.Symbol>();
    const addName = (name: ts.Node | undefined) => {
      const symbol = name && checker.getSymbolAtLocation(name);
      if (symbol) symbols.add(symbol);
    };
    for (const statement of file.statements) {
      if (statement.end > this.layout.cellStart) break;
      if (ts.isVariableStatement(statement)) for (const d of statement.declarationList.declarations) addName(d.name);
      else if (ts.isImportDeclaration(statement)) {
        const clause = statement.importClause;
        addName(clause?.name);
        const bindings = clause?.namedBindings;
        if (bindings && ts.isNamespaceImport(bindings)) addName(bindings.name);
        else if (bindings) for (const e of bindings.elements) addName(e.name);
      } else if ('name' in statement) addName((statement as ts.DeclarationStatement).name);
    }
    return symbols;
  }
}

/** A file's modification time, so that edits to the user's own .ts files are seen. */
function mtime(file: string): number {
  try {
    return fs.statSync(file).mtimeMs;
  } catch {
    return 0;
  }
}

/** TSDoc as text: the description, then `@param` and other tags. */
function documentation(parts: ts.SymbolDisplayPart[], tags: ts.JSDocTagInfo[]): string {
  const lines = [ts.displayPartsToString(parts)];
  for (const tag of tags) {
    const text = ts.displayPartsToString(tag.text ?? []);
    lines.push(`@${tag.name}${text ? ` ${text}` : ''}`);
  }
  return lines.filter((l) => l.length > 0).join('\n');
}

/**
 * Whether `code` is a complete cell (`complete`), needs more lines (`incomplete`, with the
 * indentation of the next line) or can never be valid (`invalid`, e.g. `1 +* 2`), from the
 * parser alone.
 */
export function isComplete(code: string): { status: 'complete' } | { status: 'incomplete'; indent: string } | { status: 'invalid' } {
  const { diagnostics = [] } = ts.transpileModule(code, { reportDiagnostics: true, compilerOptions: { ...cellCompilerOptions(), declaration: false, sourceMap: false } });
  const errors = diagnostics.filter((d) => d.category === ts.DiagnosticCategory.Error && !TOP_LEVEL_AWAIT_CODES.has(d.code) && d.start !== undefined);
  if (errors.length === 0) return { status: 'complete' };
  const end = code.trimEnd().length;
  // Unclosed brackets, blocks, template literals and comments are reported at the end of input.
  if (errors.every((d) => d.start! >= end)) return { status: 'incomplete', indent: nextIndent(code) };
  return { status: 'invalid' };
}

/** The indentation of the line after the last one: one level more when that line opens a bracket. */
function nextIndent(code: string): string {
  const last = /[^\n]*$/.exec(code)![0];
  const current = /^\s*/.exec(last)![0];
  const opened = (last.match(/[{([]/g) ?? []).length - (last.match(/[})\]]/g) ?? []).length;
  return opened > 0 ? `${current}  ` : current;
}
