/**
 * What earlier cells declared, as TypeScript declarations that a new cell is checked against.
 *
 * After each cell, the compiler emits the cell's declaration file (`declaration: true`) and this
 * store keeps its statements by the top-level name they declare. A new cell is compiled after a
 * *prelude* made of the kept statements whose names the cell does not declare again, so a cell
 * can redeclare any name (re-running a cell is the common case) and later declarations replace
 * earlier ones, as in a Python notebook.
 */
import ts from 'typescript';

/** The names a statement declares at the top level of a cell (values, types and imports). */
export function declaredNames(statement: ts.Statement): string[] {
  const names: string[] = [];
  const bindingNames = (name: ts.BindingName): void => {
    if (ts.isIdentifier(name)) names.push(name.text);
    else for (const element of name.elements) if (!ts.isOmittedExpression(element)) bindingNames(element.name);
  };
  if (ts.isVariableStatement(statement)) {
    for (const declaration of statement.declarationList.declarations) bindingNames(declaration.name);
  } else if (
    ts.isFunctionDeclaration(statement) ||
    ts.isClassDeclaration(statement) ||
    ts.isInterfaceDeclaration(statement) ||
    ts.isTypeAliasDeclaration(statement) ||
    ts.isEnumDeclaration(statement) ||
    ts.isModuleDeclaration(statement) ||
    ts.isImportEqualsDeclaration(statement)
  ) {
    if (statement.name && ts.isIdentifier(statement.name)) names.push(statement.name.text);
  } else if (ts.isImportDeclaration(statement) && statement.importClause) {
    const { name, namedBindings } = statement.importClause;
    if (name) names.push(name.text);
    if (namedBindings && ts.isNamespaceImport(namedBindings)) names.push(namedBindings.name.text);
    else if (namedBindings) for (const element of namedBindings.elements) names.push(element.name.text);
  }
  return names;
}

/** All top-level names declared by the statements of `file`, in order of first declaration. */
export function topLevelNames(file: ts.SourceFile): string[] {
  return [...new Set(file.statements.flatMap(declaredNames))];
}

/** Whether a statement has an `export` modifier (`export const x = 1` in a cell). */
export function isExported(statement: ts.Statement): boolean {
  return ts.canHaveModifiers(statement) && (ts.getModifiers(statement) ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
}

/**
 * The statements of an emitted declaration file split by name: one entry per top-level name
 * of `names`, with the statement texts that declare it (a function's overloads, a class and its
 * namespace). Imports become one import per name, so that each can be dropped on its own.
 */
export function declarationsByName(dts: string, names: ReadonlySet<string>): Map<string, string[]> {
  const file = ts.createSourceFile('cell.d.ts', dts, ts.ScriptTarget.Latest, true);
  const printer = ts.createPrinter({ newLine: ts.NewLineKind.LineFeed, removeComments: false });
  const byName = new Map<string, string[]>();
  const add = (name: string, text: string) => {
    if (!names.has(name)) return; // a prelude statement repeated by the emitter
    byName.set(name, [...(byName.get(name) ?? []), text]);
  };
  for (const statement of file.statements) {
    if (ts.isExportDeclaration(statement)) continue;
    if (ts.isImportDeclaration(statement)) {
      for (const text of splitImport(statement, file)) add(text.name, text.text);
    } else if (ts.isVariableStatement(statement)) {
      // `declare const a: A, b: B;` becomes one statement per name.
      const keyword = statement.declarationList.flags & ts.NodeFlags.Const ? 'const' : statement.declarationList.flags & ts.NodeFlags.Let ? 'let' : 'var';
      for (const declaration of statement.declarationList.declarations) {
        for (const name of declaredNames(ts.factory.createVariableStatement(undefined, [declaration]))) {
          add(name, `declare ${keyword} ${printer.printNode(ts.EmitHint.Unspecified, declaration, file)};`);
        }
      }
    } else {
      // A cell's own `export` has no meaning in a prelude (the cell exports all it declares).
      const text = statement.getText(file).replace(/^export\s+(?!default\b)/, '');
      for (const name of declaredNames(statement)) add(name, text);
    }
  }
  return byName;
}

/** One import statement per imported name of `statement` (type-only imports stay type-only). */
function splitImport(statement: ts.ImportDeclaration, file: ts.SourceFile): Array<{ name: string; text: string }> {
  const clause = statement.importClause;
  if (!clause) return [];
  const from = statement.moduleSpecifier.getText(file);
  const typeOnly = clause.isTypeOnly ? 'type ' : '';
  const out: Array<{ name: string; text: string }> = [];
  if (clause.name) out.push({ name: clause.name.text, text: `import ${typeOnly}${clause.name.text} from ${from};` });
  const bindings = clause.namedBindings;
  if (bindings && ts.isNamespaceImport(bindings)) {
    out.push({ name: bindings.name.text, text: `import ${typeOnly}* as ${bindings.name.text} from ${from};` });
  } else if (bindings) {
    for (const element of bindings.elements) {
      const imported = (element.propertyName ?? element.name).getText(file);
      const type = typeOnly || (element.isTypeOnly ? 'type ' : '');
      out.push({ name: element.name.text, text: `import ${type}{ ${imported} as ${element.name.text} } from ${from};` });
    }
  }
  return out;
}

/** The declarations of all cells run so far, by top-level name. */
export class DeclarationStore {
  private readonly byName = new Map<string, string[]>();

  /** Records the declarations of a cell: its names replace earlier declarations of the same names. */
  commit(declared: readonly string[], declarations: Map<string, string[]>): void {
    for (const name of declared) {
      this.byName.delete(name);
      const texts = declarations.get(name);
      // Re-inserted at the end: a later prelude keeps declarations in the order cells ran.
      if (texts) this.byName.set(name, texts);
    }
  }

  /** The prelude for a cell that declares `shadowed`: every other earlier declaration, imports first. */
  prelude(shadowed: ReadonlySet<string>): string {
    const imports: string[] = [];
    const others: string[] = [];
    for (const [name, texts] of this.byName) {
      if (shadowed.has(name)) continue;
      for (const text of texts) (/^import\s/.test(text) ? imports : others).push(text);
    }
    return [...imports, ...others].map((text) => `${text}\n`).join('');
  }

  /** Whether `name` was declared by an earlier cell. */
  has(name: string): boolean {
    return this.byName.has(name);
  }
}
