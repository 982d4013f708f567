/**
 * Where a notebook's imports come from. The kernel runs in the notebook's folder, which may lie
 * anywhere: `tessera` (and `tessera/...`) always resolve to the Tessera this kernel ships with,
 * through the package's own `exports`; every other package resolves from the notebook's folder
 * upwards, as in Node, so a user's own `node_modules` wins. The same rules hold for the type
 * checker (tessera's .d.ts files) and at run time (`require`).
 */
import fs from 'node:fs';
import Module from 'node:module';
import path from 'node:path';
import ts from 'typescript';

/** The folder of the `tessera` package this code belongs to (where its package.json is). */
export const PACKAGE_ROOT = ((): string => {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const manifest = path.join(dir, 'package.json');
    if (fs.existsSync(manifest) && JSON.parse(fs.readFileSync(manifest, 'utf8')).name === 'tessera') return dir;
    if (path.dirname(dir) === dir) throw new Error(`no package.json of tessera above ${__dirname}`);
  }
})();

/** Whether `specifier` names the tessera package or one of its entry points. */
export function isTesseraSpecifier(specifier: string): boolean {
  return specifier === 'tessera' || specifier.startsWith('tessera/');
}

/** A file inside the package: resolving `tessera` from there is a self-reference through `exports`. */
const SELF_REFERRER = path.join(PACKAGE_ROOT, '__tessera_self__.cts');

function isInsidePackage(file: string | undefined): boolean {
  return file !== undefined && !path.relative(PACKAGE_ROOT, file).startsWith('..');
}

let routed = false;

/**
 * Makes `require('tessera...')` anywhere in this process (cells, the user's own modules) load
 * this package. Node has no public resolve hook for CommonJS before version 22, so this wraps
 * `Module._resolveFilename`, as ts-node and tsconfig-paths do. Idempotent.
 */
export function routeTesseraRequires(): void {
  if (routed) return;
  routed = true;
  const moduleInternals = Module as unknown as { _resolveFilename: (request: string, parent: { filename?: string } | undefined, ...rest: unknown[]) => string };
  const original = moduleInternals._resolveFilename;
  const own = Module.createRequire(path.join(PACKAGE_ROOT, 'package.json'));
  moduleInternals._resolveFilename = function (request, parent, ...rest) {
    if (isTesseraSpecifier(request) && !isInsidePackage(parent?.filename)) return own.resolve(request);
    return original.call(this, request, parent, ...rest);
  };
}

let typeScriptLoader = false;

/**
 * Lets cells import the user's own `.ts` files (`import { f } from './helpers'`): Node loads
 * them transpiled to CommonJS (without type checking, which the cell's compilation did).
 */
export function registerTypeScriptLoader(): void {
  if (typeScriptLoader) return;
  typeScriptLoader = true;
  const extensions = (Module as unknown as { _extensions: Record<string, (module: { _compile(code: string, file: string): void }, file: string) => void> })._extensions;
  if (extensions['.ts']) return; // ts-node or another loader is already there
  extensions['.ts'] = (module, file) => {
    const { outputText } = ts.transpileModule(fs.readFileSync(file, 'utf8'), {
      fileName: file,
      compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true, inlineSourceMap: true },
    });
    module._compile(outputText, file);
  };
}

/**
 * Module resolution for the cell compiler's language service: Node's rules for `require` (the
 * mode of each import), with `tessera` resolved from inside the package.
 */
export function resolveModules(
  literals: readonly ts.StringLiteralLike[],
  containingFile: string,
  containingSourceFile: ts.SourceFile,
  options: ts.CompilerOptions,
  host: ts.ModuleResolutionHost,
  cache: ts.ModuleResolutionCache,
): ts.ResolvedModuleWithFailedLookupLocations[] {
  return literals.map((literal) => {
    const mode = ts.getModeForUsageLocation(containingSourceFile, literal, options);
    const from = isTesseraSpecifier(literal.text) && !isInsidePackage(containingFile) ? SELF_REFERRER : containingFile;
    const resolved = ts.resolveModuleName(literal.text, from, options, host, cache, undefined, mode);
    if (resolved.resolvedModule || mode === ts.ModuleKind.ESNext) return resolved;
    // Node 20.19 and later can require() ES modules: try the package's `import` entry too.
    const asImport = ts.resolveModuleName(literal.text, from, options, host, cache, undefined, ts.ModuleKind.ESNext);
    return asImport.resolvedModule ? asImport : resolved;
  });
}
