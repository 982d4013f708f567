import { ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';

/**
 * The test oracle: numpy / scipy.ndimage / scikit-image in a long-lived Python process
 * from the project venv (.venv, made by .ci/setup-python.sh). Inputs travel as raw files.
 */
export interface Pixels {
  data: ArrayLike<number> & { buffer: ArrayBufferLike; byteOffset: number; byteLength: number };
  shape: readonly number[];
  dtype: string;
}

export interface OracleResult {
  data: Float64Array | Float32Array | Uint8Array | Int8Array | Uint16Array | Int16Array | Uint32Array | Int32Array | BigInt64Array | BigUint64Array;
  shape: number[];
  dtype: string;
}

const REPO = resolve(__dirname, '../../../..');
const PYTHON = process.env.TESSERA_PYTHON ?? join(REPO, '.venv/bin/python');
const SERVER = join(REPO, 'kernel-lib/test/support/oracle_server.py');

interface Ref { ref(): void; unref(): void }
let proc: ChildProcessWithoutNullStreams | undefined;
let lines: AsyncIterator<string> | undefined;
let dir: string | undefined;
let counter = 0;
let queue: Promise<unknown> = Promise.resolve();

function start() {
  dir = mkdtempSync(join(tmpdir(), 'tessera-oracle-'));
  proc = spawn(PYTHON, [SERVER], { stdio: ['pipe', 'pipe', 'pipe'] });
  proc.stderr.on('data', (d) => process.stderr.write(d));
  lines = createInterface({ input: proc.stdout })[Symbol.asyncIterator]();
  // The server must not keep the test process alive: its pipes are referenced only while a request waits.
  proc.unref();
  for (const s of [proc.stdout, proc.stderr, proc.stdin]) (s as unknown as Ref).unref();
  process.on('exit', () => {
    proc?.kill();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
}

const ARRAYS: Record<string, new (b: ArrayBuffer) => OracleResult['data']> = {
  float64: Float64Array, float32: Float32Array, uint8: Uint8Array, int8: Int8Array, uint16: Uint16Array,
  int16: Int16Array, uint32: Uint32Array, int32: Int32Array, int64: BigInt64Array, uint64: BigUint64Array,
};

/**
 * Evaluates a Python expression over named inputs, e.g.
 * `await oracle("ndi.gaussian_filter(a, 2, mode='nearest')", { a: pixels })`.
 */
export function oracle(expr: string, inputs: Record<string, Pixels> = {}): Promise<OracleResult> {
  const run = async (): Promise<OracleResult> => {
    if (!proc) start();
    const spec: Record<string, { path: string; dtype: string; shape: readonly number[] }> = {};
    for (const [name, px] of Object.entries(inputs)) {
      const path = join(dir!, `in${counter++}.raw`);
      writeFileSync(path, new Uint8Array(px.data.buffer as ArrayBuffer, px.data.byteOffset, px.data.byteLength));
      spec[name] = { path, dtype: px.dtype, shape: px.shape };
    }
    const out = join(dir!, `out${counter++}.raw`);
    (proc!.stdout as unknown as Ref).ref();
    proc!.stdin.write(JSON.stringify({ expr, inputs: spec, out }) + '\n');
    const { value } = await lines!.next();
    (proc!.stdout as unknown as Ref).unref();
    const reply = JSON.parse(value as string);
    if (!reply.ok) throw new Error(`oracle failed for ${expr}:\n${reply.error}`);
    const bytes = readFileSync(out);
    const buf = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
    const Ctor = ARRAYS[reply.dtype];
    if (!Ctor) throw new Error(`oracle returned unsupported dtype ${reply.dtype}`);
    return { data: new Ctor(buf as ArrayBuffer), shape: reply.shape, dtype: reply.dtype };
  };
  const result = queue.then(run, run);
  queue = result.catch(() => undefined);
  return result;
}

/** A number computed by the oracle (a 0-d result). */
export async function oracleNumber(expr: string, inputs: Record<string, Pixels> = {}): Promise<number> {
  const r = await oracle(`float(${expr})`, inputs);
  return Number(r.data[0]);
}
