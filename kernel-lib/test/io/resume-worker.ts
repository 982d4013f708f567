/**
 * A tiled writer for writes.test.ts, run as its own process: writes the tiles of an array that
 * its WriteLog does not list as done, recording each, and can kill itself (SIGKILL) in the middle
 * of a tile, as a crashed worker or a cancelled Slurm task would stop.
 *
 * Usage: node resume-worker.js ARRAY WRITER SHARE COUNT [KILL_AFTER]
 *   SHARE/COUNT: this writer takes tiles i with i % COUNT === SHARE.
 * Prints one line of JSON: {"written": n, "skipped": n}.
 */
import { openZarr, setIoThreads } from '../../src/io';

/** The value every writer puts at (z, y, x): the test computes the same. */
export const valueAt = (z: number, y: number, x: number): number => (z * 7919 + y * 31 + x) % 65536;

async function main(): Promise<void> {
  const [path, writer, share, count, killAfter] = process.argv.slice(2);
  setIoThreads(1, { minChunkBytes: 0 }); // the codec worker threads take part too
  const array = await openZarr(path, { mode: 'r+' });
  const log = await array.writeLog({ writer });
  let written = 0;
  let skipped = 0;
  let i = -1;
  for (const tile of array.grid.tiles([1, 1, 2])) {
    if (++i % Number(count) !== Number(share)) continue;
    if (log.has(tile)) {
      skipped++;
      continue;
    }
    const data = new Uint16Array(tile.size.reduce((a, b) => a * b, 1));
    let k = 0;
    for (let z = 0; z < tile.size[0]; z++) for (let y = 0; y < tile.size[1]; y++) for (let x = 0; x < tile.size[2]; x++) {
      data[k++] = valueAt(tile.start[0] + z, tile.start[1] + y, tile.start[2] + x);
    }
    const writing = array.write(tile.start, data, tile.size, { partialChunks: 'refuse' });
    if (killAfter !== undefined && written === Number(killAfter)) {
      // Die while the tile's chunks are being written: some may be on disk, none recorded.
      setImmediate(() => process.kill(process.pid, 'SIGKILL'));
    }
    await writing;
    await log.record(tile);
    written++;
  }
  console.log(JSON.stringify({ written, skipped }));
}

if (require.main === module) {
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
