// Shared by the kernel tests: the kernelspec in a temp prefix, a notebook folder outside the
// repository, and the project venv's Python (jupyter_client, nbclient, jupyter_kernel_test).
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const exec = promisify(execFile);

/** The kernel-lib folder (tests run from dist/test/jupyter). */
export const kernelLib = path.resolve(__dirname, '../../..');
export const python = process.env.TESSERA_PYTHON ?? path.resolve(kernelLib, '../.venv/bin/python');
const bin = path.join(kernelLib, 'bin/tessera-kernel.js');

/** Installs the kernelspec with `tessera-kernel install --prefix` into a fresh temp folder. */
export async function installKernelSpec(): Promise<{ prefix: string; jupyterPath: string; kernelJson: string }> {
  if (!fs.existsSync(python)) throw new Error(`no Python at ${python}: run .ci/setup-python.sh or set TESSERA_PYTHON`);
  const prefix = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-kernelspec-'));
  await exec(process.execPath, [bin, 'install', `--prefix=${prefix}`, `--python=${python}`]);
  const jupyterPath = path.join(prefix, 'share/jupyter');
  return { prefix, jupyterPath, kernelJson: path.join(jupyterPath, 'kernels/tessera/kernel.json') };
}

/**
 * A user's notebook folder outside the repository: a package of its own (`user-helper`), a
 * decoy `tessera` package that throws when loaded (the kernel must use its own), and a local
 * TypeScript module (`helpers.ts`).
 */
export function makeNotebookFolder(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-notebook-'));
  const write = (file: string, text: string) => {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), text);
  };
  write('node_modules/user-helper/package.json', JSON.stringify({ name: 'user-helper', version: '1.0.0', main: 'index.js', types: 'index.d.ts' }));
  write('node_modules/user-helper/index.js', "exports.greet = (name) => `hello, ${name}`;\n");
  write('node_modules/user-helper/index.d.ts', 'export declare function greet(name: string): string;\n');
  write('node_modules/tessera/package.json', JSON.stringify({ name: 'tessera', version: '0.0.0-decoy', main: 'index.js', types: 'index.d.ts' }));
  write('node_modules/tessera/index.js', "throw new Error('the decoy tessera of the notebook folder was loaded');\n");
  write('node_modules/tessera/index.d.ts', 'export declare const decoy: true;\n');
  write('helpers.ts', 'export function twice(x: number): number {\n  return 2 * x;\n}\n');
  return dir;
}

/** Runs the venv's Python with `args`; `env` is added to this process's environment. */
export async function runPython(args: string[], env: Record<string, string> = {}, timeout = 120_000, cwd?: string): Promise<{ stdout: string; stderr: string }> {
  return exec(python, args, { env: { ...process.env, ...env }, maxBuffer: 64 << 20, timeout, cwd });
}
