/**
 * The rewrite that turns a type-checked cell into code that runs against the notebook's state.
 *
 * A compiled cell is a CommonJS module whose `exports` object is shared by all cells: the
 * TypeScript emitter already assigns each top-level declaration to `exports.name` (the compiler
 * appends `export { ...names }`), and this transformer, run before TypeScript's own, makes the
 * rest work:
 * - the prelude (earlier cells' declarations, see declarations.ts) is dropped: it is only there
 *   for the type checker;
 * - every reference to a name an earlier cell declared becomes `exports.name`, also in shorthand
 *   properties (`{ labels }` becomes `{ labels: exports.labels }`);
 * - every `await x` becomes `await <interruptible>(x)`, so that an interrupt stops the cell at
 *   its next await (and any async function it declared, also when it runs later);
 * - a last expression statement becomes `return [<expression>]`: the value of the cell, boxed so
 *   that a promise is shown as a promise, not awaited.
 * After TypeScript's transforms, {@link keepEarlierValues} drops the emitter's
 * `exports.a = exports.b = void 0;`, so that a cell that fails before it assigns a name leaves
 * the name's earlier value, as a Python cell does.
 */
import ts from 'typescript';

/** Name of the runtime helper that makes awaits interruptible (a parameter of the cell function). */
export const INTERRUPTIBLE = '__tesseraInterruptible';
/** Name of the shared state object (a parameter of the cell function). */
const SCOPE = 'exports';

/** Where the parts of a compiled cell file are. */
export interface CellLayout {
  /** Offset where the cell's own source starts (after the prelude). */
  cellStart: number;
  /** Offset where it ends (before the appended export). */
  cellEnd: number;
}

/** Whether `node` is an identifier in a position where it is read or written as a value. */
function isValueReference(node: ts.Identifier): boolean {
  const parent = node.parent;
  if (!parent) return false;
  if (ts.isPropertyAccessExpression(parent) && parent.name === node) return false;
  if (ts.isQualifiedName(parent)) return false;
  if ((ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent) || ts.isMethodDeclaration(parent)) && parent.name === node) return false;
  if ((ts.isGetAccessor(parent) || ts.isSetAccessor(parent) || ts.isEnumMember(parent) || ts.isPropertySignature(parent)) && parent.name === node) return false;
  if (ts.isBindingElement(parent) && parent.propertyName === node) return false;
  if (ts.isLabeledStatement(parent) || ts.isBreakOrContinueStatement(parent)) return false;
  if (ts.isImportSpecifier(parent) || ts.isExportSpecifier(parent) || ts.isImportClause(parent) || ts.isNamespaceImport(parent)) return false;
  if (ts.isMetaProperty(parent)) return false;
  if (ts.isJsxAttribute(parent)) return false;
  return true;
}

/**
 * The transformer for one cell. `earlier` holds the symbols the prelude declares: references to
 * them are rewritten.
 */
export function cellTransformer(checker: ts.TypeChecker, layout: CellLayout, earlier: ReadonlySet<ts.Symbol>): ts.TransformerFactory<ts.SourceFile> {
  return (context) => {
    const f = context.factory;
    const scoped = (name: string) => f.createPropertyAccessExpression(f.createIdentifier(SCOPE), name);
    const isEarlier = (symbol: ts.Symbol | undefined) => symbol !== undefined && earlier.has(symbol);

    const visit = (node: ts.Node): ts.Node => {
      // `class B extends A`: A is a value, although TypeScript's syntax calls it a type node.
      const isClassBase = ts.isExpressionWithTypeArguments(node) && ts.isHeritageClause(node.parent) && node.parent.token === ts.SyntaxKind.ExtendsKeyword && ts.isClassLike(node.parent.parent);
      if (isClassBase) return f.updateExpressionWithTypeArguments(node, ts.visitNode(node.expression, visit) as ts.Expression, node.typeArguments);
      if (ts.isTypeNode(node) || ts.isInterfaceDeclaration(node) || ts.isTypeAliasDeclaration(node)) return node;
      if (ts.isIdentifier(node)) {
        return isValueReference(node) && isEarlier(checker.getSymbolAtLocation(node)) ? scoped(node.text) : node;
      }
      if (ts.isShorthandPropertyAssignment(node) && isEarlier(checker.getShorthandAssignmentValueSymbol(node))) {
        const value = node.objectAssignmentInitializer
          ? f.createBinaryExpression(scoped(node.name.text), ts.SyntaxKind.EqualsToken, ts.visitNode(node.objectAssignmentInitializer, visit) as ts.Expression)
          : scoped(node.name.text);
        return f.createPropertyAssignment(node.name.text, value);
      }
      if (ts.isAwaitExpression(node)) {
        const operand = ts.visitNode(node.expression, visit) as ts.Expression;
        return f.updateAwaitExpression(node, f.createCallExpression(f.createIdentifier(INTERRUPTIBLE), undefined, [operand]));
      }
      return ts.visitEachChild(node, visit, context);
    };

    return (file) => {
      const statements: ts.Statement[] = [];
      const own = file.statements.filter((s) => s.end > layout.cellStart);
      const lastOfCell = [...own].reverse().find((s) => s.getStart(file) < layout.cellEnd);
      for (const statement of own) {
        const visited = ts.visitNode(statement, visit) as ts.Statement;
        if (statement === lastOfCell && ts.isExpressionStatement(statement)) {
          // Boxed, so that the cell's async function does not adopt a promise it ends with.
          const value = f.createArrayLiteralExpression([(visited as ts.ExpressionStatement).expression]);
          statements.push(ts.setTextRange(f.createReturnStatement(value), statement));
        } else {
          statements.push(visited);
        }
      }
      return f.updateSourceFile(file, statements);
    };
  };
}

/** Whether `statement` is the CommonJS emitter's `exports.a = exports.b = ... = void 0;`. */
function isExportsReset(statement: ts.Statement): boolean {
  if (!ts.isExpressionStatement(statement)) return false;
  let e: ts.Expression = statement.expression;
  while (ts.isBinaryExpression(e) && e.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
    const target = e.left;
    if (!ts.isPropertyAccessExpression(target) || !ts.isIdentifier(target.expression) || target.expression.text !== SCOPE) return false;
    e = e.right;
  }
  return ts.isVoidExpression(e) && e !== statement.expression;
}

/** The `after` transformer that keeps earlier values of names a cell declares again (see above). */
export const keepEarlierValues: ts.TransformerFactory<ts.SourceFile> = (context) => (file) =>
  context.factory.updateSourceFile(
    file,
    file.statements.filter((s) => !isExportsReset(s)),
  );
