/**
 * Where Zarr keys live: a local directory (read and write) or an HTTP(S) URL (read only). Keys are
 * absolute paths as zarrita names them (`/zarr.json`, `/c/0/1/2`). A missing key reads as
 * `undefined` (for a chunk: only the fill value); every other failure is a TesseraError naming
 * the file or URL.
 */
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { TesseraError } from '../errors';

/** A byte range of a key, as zarrita asks for one (sharded arrays read their index and chunks this way). */
export type RangeQuery = { offset: number; length: number } | { suffixLength: number };

/** The store interface zarrita reads through, plus what Tessera needs for messages and writes. */
export interface Store {
  /** The directory or URL, as given (resolved for directories). */
  readonly root: string;
  /** Whether {@link set} works (local directories). */
  readonly writable: boolean;
  /** The file or URL behind a key, for messages. */
  where(key: string): string;
  get(key: string): Promise<Uint8Array | undefined>;
  getRange(key: string, range: RangeQuery): Promise<Uint8Array | undefined>;
  /** Replaces a key atomically: readers see the old or the new bytes, never part of them. */
  set(key: string, value: Uint8Array): Promise<void>;
  /** The store of a sub-path (an array inside a group). */
  child(path: string): Store;
}

/** True for `http://` and `https://` locations. */
export const isUrl = (location: string): boolean => /^https?:\/\//i.test(location);

/** The store for a local path or an HTTP(S) URL. */
export function storeFor(location: string, options: { timeoutMs?: number } = {}): Store {
  return isUrl(location) ? new HttpStore(location, options.timeoutMs) : new FsStore(resolve(location));
}

/** Where {@link FsStore} keeps temporary files (inside the array, so that rename stays on one file system). */
export const TESSERA_DIR = '.tessera';

/** True for errors meaning "no such file" (also when a path component is a file). */
function isMissing(e: unknown): boolean {
  const code = (e as NodeJS.ErrnoException)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

/** Unique per process and host, for temporary file names on shared file systems. */
const PROCESS_TAG = `${hostname()}-${process.pid}`;
let tempCounter = 0;

/**
 * A store over a local directory. Writes go to a temporary file in `<root>/.tessera/tmp/` that is
 * then renamed over the target, so a concurrent reader (another task, zarr-python) sees either
 * the old or the new chunk, never half of one; a writer killed mid-write leaves only a stray
 * temporary file there, never a torn chunk.
 */
export class FsStore implements Store {
  readonly writable = true;
  /** Directories known to exist (saves a mkdir per chunk write). */
  readonly #made = new Set<string>();

  constructor(readonly root: string) {}

  where(key: string): string {
    return join(this.root, key.replace(/^\/+/, ''));
  }

  child(path: string): FsStore {
    return new FsStore(join(this.root, path));
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    const file = this.where(key);
    try {
      const bytes = await readFile(file);
      return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    } catch (e) {
      if (isMissing(e)) return undefined;
      throw new TesseraError(`cannot read ${file}: ${(e as Error).message}`);
    }
  }

  async getRange(key: string, range: RangeQuery): Promise<Uint8Array | undefined> {
    const file = this.where(key);
    let handle;
    try {
      handle = await open(file, 'r');
    } catch (e) {
      if (isMissing(e)) return undefined;
      throw new TesseraError(`cannot read ${file}: ${(e as Error).message}`);
    }
    try {
      const { size } = await handle.stat();
      const [offset, length] = 'suffixLength' in range ? [size - range.suffixLength, range.suffixLength] : [range.offset, range.length];
      if (!(offset >= 0 && length >= 0 && offset + length <= size)) {
        throw new TesseraError(`${file} is truncated or corrupt: bytes ${offset} to ${offset + length} were asked for but the file has ${size}`);
      }
      const out = new Uint8Array(length);
      for (let done = 0; done < length; ) {
        const { bytesRead } = await handle.read(out, done, length - done, offset + done);
        if (bytesRead === 0) throw new TesseraError(`${file} ended early (read ${done} of ${length} bytes at offset ${offset})`);
        done += bytesRead;
      }
      return out;
    } finally {
      await handle.close();
    }
  }

  async set(key: string, value: Uint8Array): Promise<void> {
    const file = this.where(key);
    const tmpDir = join(this.root, TESSERA_DIR, 'tmp');
    const temp = join(tmpDir, `${PROCESS_TAG}-${tempCounter++}`);
    try {
      await this.mkdirOnce(tmpDir);
      await this.mkdirOnce(dirname(file));
      const handle = await open(temp, 'w');
      try {
        await handle.writeFile(value);
      } finally {
        await handle.close();
      }
      await rename(temp, file);
    } catch (e) {
      await rm(temp, { force: true });
      throw new TesseraError(`cannot write ${file}: ${(e as Error).message}`);
    }
  }

  private async mkdirOnce(dir: string): Promise<void> {
    if (this.#made.has(dir)) return;
    await mkdir(dir, { recursive: true });
    this.#made.add(dir);
  }
}

/** Default time an HTTP request may take before it is abandoned with an error. */
const DEFAULT_TIMEOUT_MS = 30_000;

/**
 * A read-only store over HTTP(S): GET for keys, Range requests for byte ranges. 404 means a
 * missing key; any other failure (a refused connection, a 403 or 500, no answer within
 * `timeoutMs`) is a TesseraError naming the URL. Servers that ignore Range headers (Python's
 * http.server) are handled by cutting the range out of the whole answer.
 */
export class HttpStore implements Store {
  readonly writable = false;
  readonly root: string;

  constructor(url: string, readonly timeoutMs = DEFAULT_TIMEOUT_MS) {
    this.root = url.replace(/\/+$/, '');
  }

  where(key: string): string {
    return `${this.root}/${key.replace(/^\/+/, '')}`;
  }

  child(path: string): HttpStore {
    return new HttpStore(this.where(path), this.timeoutMs);
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    const response = await this.request(key);
    return response && new Uint8Array(await this.body(key, response));
  }

  async getRange(key: string, range: RangeQuery): Promise<Uint8Array | undefined> {
    const header = 'suffixLength' in range ? `bytes=-${range.suffixLength}` : `bytes=${range.offset}-${range.offset + range.length - 1}`;
    const response = await this.request(key, { Range: header });
    if (!response) return undefined;
    const body = new Uint8Array(await this.body(key, response));
    if (response.status === 206) return body;
    // 200: the server sent the whole object; cut the range out of it.
    const [offset, length] = 'suffixLength' in range ? [body.byteLength - range.suffixLength, range.suffixLength] : [range.offset, range.length];
    if (!(offset >= 0 && offset + length <= body.byteLength)) {
      throw new TesseraError(`${this.where(key)} is truncated or corrupt: bytes ${offset} to ${offset + length} were asked for but it has ${body.byteLength}`);
    }
    return body.subarray(offset, offset + length);
  }

  async set(key: string): Promise<void> {
    throw new TesseraError(`cannot write ${this.where(key)}: Zarr over HTTP is read-only in Tessera; write to a local path`);
  }

  /** The answer to a GET, or undefined for 404. */
  private async request(key: string, headers: Record<string, string> = {}): Promise<Response | undefined> {
    const url = this.where(key);
    let response: Response;
    try {
      response = await fetch(url, { headers, signal: AbortSignal.timeout(this.timeoutMs) });
    } catch (e) {
      throw new TesseraError(this.failure(url, e));
    }
    if (response.status === 404) {
      await response.body?.cancel();
      return undefined;
    }
    if (response.status !== 200 && response.status !== 206) {
      await response.body?.cancel();
      throw new TesseraError(`reading ${url} failed: HTTP ${response.status} ${response.statusText}`);
    }
    return response;
  }

  private async body(key: string, response: Response): Promise<ArrayBuffer> {
    try {
      return await response.arrayBuffer();
    } catch (e) {
      throw new TesseraError(this.failure(this.where(key), e));
    }
  }

  private failure(url: string, e: unknown): string {
    const err = e as Error & { cause?: Error };
    if (err?.name === 'TimeoutError') return `no answer from ${url} within ${this.timeoutMs} ms`;
    return `cannot read ${url}: ${err?.cause?.message ?? err?.message ?? String(e)}`;
  }
}
