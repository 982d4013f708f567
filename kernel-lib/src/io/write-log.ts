/**
 * The record of the regions of an array that a job has finished writing, so that a re-run of an
 * interrupted job (a killed worker, a cancelled Slurm task) skips them and writes only the rest.
 *
 * Layout: `<array>/.tessera/done/<writer>.jsonl`, one file per writer (a process or a Slurm task),
 * one line `{"start":[...],"size":[...]}` per finished box. Writers never share a file, so no
 * locking is needed, also on network file systems. A line is appended only after the box's
 * chunks are all in place; a writer killed while appending leaves a torn last line, which is
 * ignored (that box is simply done again). Zarr readers ignore the `.tessera` folder.
 */
import { appendFile, mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { TesseraError } from '../errors';
import { TESSERA_DIR } from './store';
import { Box, boxText, checkBox } from '../plan/box';

const WRITER_NAME = /^[A-Za-z0-9._-]{1,200}$/;

/** Box a minus box b: the up to 2n disjoint pieces of a outside b. */
function subtract(a: Box, b: Box): Box[] {
  const pieces: Box[] = [];
  const start = [...a.start];
  const size = [...a.size];
  for (let k = 0; k < start.length; k++) {
    const lo = Math.max(start[k], b.start[k]);
    const hi = Math.min(start[k] + size[k], b.start[k] + b.size[k]);
    if (lo >= hi) return [a]; // disjoint
    if (start[k] < lo) pieces.push({ start: [...start], size: size.map((s, j) => (j === k ? lo - start[k] : s)) });
    if (hi < start[k] + size[k]) pieces.push({ start: start.map((s, j) => (j === k ? hi : s)), size: size.map((s, j) => (j === k ? start[k] + size[k] - hi : s)) });
    [start[k], size[k]] = [lo, hi - lo];
  }
  return pieces;
}

const keyOf = (b: Box) => `${b.start.join(',')}|${b.size.join(',')}`;

/**
 * Finished regions of one array, from every writer. Get it with `ZarrArray.writeLog()`.
 *
 * @example
 * const log = await out.writeLog({ writer: `task-${taskId}` });
 * for (const tile of myTiles) {
 *   if (log.has(tile)) continue;                 // finished by an earlier run
 *   await out.write(tile.start, result(tile), { partialChunks: 'refuse' });
 *   await log.record(tile);                      // only after the write resolved
 * }
 */
export class WriteLog {
  readonly #boxes: Box[] = [];
  readonly #exact = new Set<string>();
  /** Coarse spatial index: cell key -> indices into #boxes of the boxes that touch the cell. */
  readonly #cells = new Map<string, number[]>();
  #cell: number[] | undefined;

  private constructor(
    /** The folder of record files. */
    readonly folder: string,
    /** This process's record file. */
    readonly file: string,
    /** This process's name among the writers. */
    readonly writer: string,
    private readonly shape: readonly number[],
  ) {}

  /** @internal Use `ZarrArray.writeLog()`. */
  static async open(arrayDir: string, shape: readonly number[], writer = `${hostname()}-${process.pid}`): Promise<WriteLog> {
    if (typeof writer !== 'string' || !WRITER_NAME.test(writer)) {
      throw new TesseraError(`writeLog: writer must be 1 to 200 letters, digits, '.', '_' or '-'; got ${JSON.stringify(writer)}`);
    }
    const folder = join(arrayDir, TESSERA_DIR, 'done');
    const log = new WriteLog(folder, join(folder, `${writer}.jsonl`), writer, shape);
    await log.refresh();
    // A torn last line of an earlier run of this writer must not swallow the next record.
    const own = await readFile(log.file, 'utf8').catch(() => '');
    if (own.length > 0 && !own.endsWith('\n')) await appendFile(log.file, '\n');
    return log;
  }

  /** Every finished box known to this object (read at open or `refresh`, plus this writer's records since). */
  get boxes(): readonly Box[] {
    return this.#boxes;
  }

  /** Whether the whole of `box` lies in finished boxes (one or several). */
  has(box: Box): boolean {
    const b = checkBox(this.shape, box?.start, box?.size, 'WriteLog.has');
    if (this.#exact.has(keyOf(b))) return true;
    let remaining = [b];
    for (const i of this.candidates(b)) {
      remaining = remaining.flatMap((piece) => subtract(piece, this.#boxes[i]));
      if (remaining.length === 0) return true;
    }
    return false;
  }

  /** The boxes of `boxes` that are not finished yet (a re-run's work list). */
  pending(boxes: Iterable<Box>): Box[] {
    return [...boxes].filter((b) => !this.has(b));
  }

  /**
   * Records `box` as finished. Call it after the `write` (or writes) of the whole box resolved:
   * the record promises that every chunk of the box is in place.
   */
  async record(box: Box): Promise<void> {
    const b = checkBox(this.shape, box?.start, box?.size, 'WriteLog.record');
    try {
      await mkdir(this.folder, { recursive: true });
      await appendFile(this.file, `${JSON.stringify({ start: b.start, size: b.size })}\n`);
    } catch (e) {
      throw new TesseraError(`WriteLog.record: cannot append to ${this.file}: ${(e as Error).message}`);
    }
    this.add(b);
  }

  /** Reads the records of every writer again (to see what other tasks finished meanwhile). */
  async refresh(): Promise<void> {
    this.#boxes.length = 0;
    this.#exact.clear();
    this.#cells.clear();
    const files = await readdir(this.folder).catch(() => [] as string[]);
    for (const name of files.filter((f) => f.endsWith('.jsonl')).sort()) {
      const text = await readFile(join(this.folder, name), 'utf8').catch((e) => {
        throw new TesseraError(`writeLog: cannot read ${join(this.folder, name)}: ${(e as Error).message}`);
      });
      for (const line of text.split('\n')) {
        const box = this.parse(line);
        if (box) this.add(box);
      }
    }
  }

  /** Forgets every record of every writer (to redo the whole job). */
  async clear(): Promise<void> {
    await rm(this.folder, { recursive: true, force: true });
    await this.refresh();
  }

  toString(): string {
    return `tessera.WriteLog ${this.folder} (${this.#boxes.length} finished boxes${this.#boxes.length ? `, e.g. ${boxText(this.#boxes[0])}` : ''})`;
  }

  /** A box from a record line, or undefined for a torn or foreign line. */
  private parse(line: string): Box | undefined {
    if (!line.trim()) return undefined;
    try {
      const doc = JSON.parse(line) as Box;
      return checkBox(this.shape, doc.start, doc.size, 'record');
    } catch {
      return undefined;
    }
  }

  private add(box: Box): void {
    const i = this.#boxes.push(box) - 1;
    this.#exact.add(keyOf(box));
    this.#cell ??= box.size.map((s) => Math.max(1, s));
    for (const key of this.cellsOf(box)) {
      const list = this.#cells.get(key);
      if (list) list.push(i);
      else this.#cells.set(key, [i]);
    }
  }

  /** Keys of the index cells `box` touches. */
  private cellsOf(box: Box): string[] {
    const cell = this.#cell!;
    const first = box.start.map((s, k) => Math.floor(s / cell[k]));
    const last = box.start.map((s, k) => Math.floor((s + box.size[k] - 1) / cell[k]));
    const keys: string[] = [];
    const c = [...first];
    for (;;) {
      keys.push(c.join(','));
      let k = c.length - 1;
      for (; k >= 0; k--) {
        if (++c[k] <= last[k]) break;
        c[k] = first[k];
      }
      if (k < 0) return keys;
    }
  }

  /** Indices of the recorded boxes that may intersect `box`. */
  private candidates(box: Box): number[] {
    if (!this.#cell) return [];
    const found = new Set<number>();
    for (const key of this.cellsOf(box)) for (const i of this.#cells.get(key) ?? []) found.add(i);
    return [...found];
  }
}
