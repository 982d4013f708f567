/**
 * The `tessera-kernel` command (bin/tessera-kernel.js):
 *   tessera-kernel install [--user | --sys-prefix | --prefix=DIR] [--python=PYTHON]
 *   tessera-kernel kernel <connection_file>
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Name of the installed kernelspec (`jupyter kernelspec list`). */
export const KERNEL_NAME = 'tessera';

/** Where and with which Python's Jupyter to install the kernelspec. */
export interface InstallOptions {
  /** Per-user kernel registry (the default when not root and no prefix is given). */
  user?: boolean;
  /** The `sys.prefix` of `python` (a virtualenv or conda env). */
  sysPrefix?: boolean;
  /** Install into PREFIX/share/jupyter/kernels/. */
  prefix?: string;
  /** The Python whose Jupyter is used; `python3` from PATH by default. */
  python?: string;
}

/**
 * glibc malloc settings the kernel starts with, so that pulling an image into a fresh array does
 * not pay the kernel's page faults on new memory each time (glibc >= 2.35; older ones ignore
 * them). `hugetlb=1`: large blocks get transparent huge pages, as numpy asks for its arrays.
 * `mmap_threshold` / `trim_threshold`: from the start, the largest values glibc's adaptive policy
 * moves to (32 MB, twice that), so blocks under 32 MB come from the heap, where freed ones are
 * reused, instead of each being a fresh mmap until the policy adapts. A 2 MB pull into a fresh
 * array in a fresh process on the H200: 1.65 ms without, 0.89 ms with, 0.38 into a reused one
 * (bench/transfer-cost.ts). See gpu/readback.ts.
 */
export const MALLOC_TUNABLES = 'glibc.malloc.hugetlb=1:glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=67108864';

/** The kernel.json that starts `script` (bin/tessera-kernel.js) with this Node. */
export function kernelSpec(script: string): object {
  return {
    // --expose-gc: after an error or interrupt the kernel collects garbage, so that GPU memory
    // of images that became unreachable returns to the pool at once.
    argv: [process.execPath, '--expose-gc', path.resolve(script), 'kernel', '{connection_file}'],
    display_name: 'TypeScript (Tessera)',
    language: 'typescript',
    // SIGINT also stops a cell's synchronous code (cells run with vm's breakOnSigint).
    interrupt_mode: 'signal',
    env: { GLIBC_TUNABLES: MALLOC_TUNABLES },
    metadata: {},
  };
}

/**
 * Installs the kernelspec with `python -m jupyter kernelspec install`, which knows the Jupyter
 * data directories for --user, --sys-prefix and --prefix. Returns the exit status.
 */
export function installKernelSpec(script: string, options: InstallOptions = {}): number {
  const python = options.python ?? (process.platform === 'win32' ? 'python' : 'python3');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-kernelspec-'));
  try {
    fs.writeFileSync(path.join(dir, 'kernel.json'), JSON.stringify(kernelSpec(script), null, 2));
    const args = ['-m', 'jupyter', 'kernelspec', 'install', dir, `--name=${KERNEL_NAME}`];
    if (options.sysPrefix) args.push('--sys-prefix');
    else if (options.prefix) args.push(`--prefix=${path.resolve(options.prefix)}`);
    else if (options.user || process.getuid?.() !== 0) args.push('--user');
    const result = spawnSync(python, args, { stdio: 'inherit' });
    if (result.error) {
      console.error(`Cannot run ${python}: ${result.error.message}. Pass --python=PYTHON (a Python with Jupyter).`);
      return 1;
    }
    return result.status ?? 1;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const USAGE = `Usage:
  tessera-kernel install [--user | --sys-prefix | --prefix=DIR] [--python=PYTHON]
  tessera-kernel kernel <connection_file>`;

function parseInstallArgs(args: string[]): InstallOptions {
  const options: InstallOptions = {};
  for (let i = 0; i < args.length; i++) {
    const [flag, inline] = args[i].split(/=(.*)/s);
    const value = () => inline ?? args[++i];
    if (flag === '--user') options.user = true;
    else if (flag === '--sys-prefix') options.sysPrefix = true;
    else if (flag === '--prefix') options.prefix = value();
    else if (flag === '--python') options.python = value();
    else throw new Error(`unknown option ${args[i]}\n${USAGE}`);
  }
  return options;
}

/**
 * Runs the command line `args` (without node and script); `script` is the path of
 * bin/tessera-kernel.js, which the kernelspec runs. Sets process.exitCode; exits on errors.
 */
export async function main(args: string[], script: string): Promise<void> {
  const [command, ...rest] = args;
  try {
    if (command === 'install') {
      process.exitCode = installKernelSpec(script, parseInstallArgs(rest));
    } else if (command === 'kernel' && rest.length === 1) {
      // Loaded lazily: zeromq and the TypeScript compiler are only needed to run the kernel.
      const { startKernel } = await import('./kernel');
      await startKernel(rest[0]);
    } else {
      console.log(USAGE);
      process.exitCode = command === undefined || command === '--help' ? 0 : 2;
    }
  } catch (e) {
    console.error(`tessera-kernel: ${e instanceof Error ? e.message : e}`);
    process.exit(2); // also when a kernel failed half-way, with sockets open
  }
}
