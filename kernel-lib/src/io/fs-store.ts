import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { TesseraError } from '../errors';

/** A byte range of a file, as zarrita asks for one (sharded arrays read their index and chunks this way). */
export type RangeQuery = { offset: number; length: number } | { suffixLength: number };

/** True for errors meaning "no such file" (also when a path component is a file). */
function isMissing(e: unknown): boolean {
  const code = (e as NodeJS.ErrnoException)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

let tempCounter = 0;

/**
 * A Zarr store over a local directory, in the shape zarrita expects (`get`, `getRange`, `set`;
 * keys are absolute paths such as `/zarr.json` or `/c/0/1/2`). A missing file reads as
 * `undefined`, which Zarr treats as a chunk holding only the fill value. Every other failure
 * (permissions, a short file) is a TesseraError naming the file.
 *
 * Writes go to a temporary file that is then renamed over the chunk, so a concurrent reader
 * sees either the old or the new chunk, never half of one.
 */
export class FsStore {
  constructor(readonly root: string) {}

  /** The file behind a store key. */
  file(key: string): string {
    return join(this.root, key.replace(/^\/+/, ''));
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    const file = this.file(key);
    try {
      const bytes = await readFile(file);
      return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    } catch (e) {
      if (isMissing(e)) return undefined;
      throw new TesseraError(`cannot read ${file}: ${(e as Error).message}`);
    }
  }

  async getRange(key: string, range: RangeQuery): Promise<Uint8Array | undefined> {
    const file = this.file(key);
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
        throw new TesseraError(
          `${file} is truncated or corrupt: bytes ${offset} to ${offset + length} were asked for but the file has ${size}`,
        );
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
    const file = this.file(key);
    const temp = `${file}.${process.pid}.${tempCounter++}.partial`;
    try {
      await mkdir(dirname(file), { recursive: true });
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
}
