import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { DType, TypedArray } from '../../src';
import { assertClose, assertShape } from '../support/assert';
import { setup } from '../support/gpu';
import { oracle } from '../support/oracle';

const REPO = resolve(__dirname, '../../../..');
const PYTHON = process.env.TESSERA_PYTHON ?? join(REPO, '.venv/bin/python');
const MAKE_TIFF = join(REPO, 'kernel-lib/test/io/make_tiff.py');

let t: Awaited<ReturnType<typeof setup>>;
let dir: string;
/** tifffile's reading of each fixture's series 0. */
let fixtures: Record<string, { shape: number[]; axes: string; dtype: string }>;

before(async () => {
  t = await setup();
  dir = mkdtempSync(join(tmpdir(), 'tessera-tiff-'));
  const made = spawnSync(PYTHON, [MAKE_TIFF, dir], { encoding: 'utf8' });
  assert.equal(made.status, 0, `make_tiff.py failed:\n${made.stderr}`);
  fixtures = JSON.parse(made.stdout);
});
after(() => rmSync(dir, { recursive: true, force: true }));

const fx = (name: string) => join(dir, `${name}.tif`);
const tesseraDtype = (numpy: string): DType => (numpy === 'float64' ? 'float32' : (numpy as DType));

/** tifffile's pixels of `path`[box], as the Tessera dtype. */
function reference(path: string, start: number[], size: number[], dtype: DType) {
  const sel = start.map((s, k) => `${s}:${s + size[k]}`).join(', ');
  return oracle(`__import__('tifffile').imread(${JSON.stringify(path)})[${sel}].astype('${dtype}')`);
}

async function assertMatchesTifffile(actual: { data: TypedArray }, path: string, start: number[], size: number[], dtype: DType, what: string) {
  const expected = await reference(path, start, size, dtype);
  assert.equal(actual.data.constructor.name, expected.data.constructor.name, `${what}: array type`);
  assertClose(actual.data, expected.data, { what });
}

async function rejectsWith(fn: () => Promise<unknown>, ...patterns: RegExp[]): Promise<void> {
  await assert.rejects(fn, (e: Error) => {
    assert.equal(e.name, 'TesseraError', `expected a TesseraError, got ${e.name}: ${e.message}`);
    for (const p of patterns) assert.match(e.message, p);
    return true;
  });
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

describe('TIFF stacks read like tifffile', () => {
  test('every fixture: shape, axes, dtype, the whole stack and an odd box', async () => {
    for (const [name, meta] of Object.entries(fixtures)) {
      if (name.includes('planar')) continue;
      const a = await t.openTiff(fx(name));
      const dtype = tesseraDtype(meta.dtype);
      assertShape(a.shape, meta.shape, `${name} shape`);
      assert.equal(a.axes, meta.axes, `${name} axes`);
      assert.equal(a.dtype, dtype, `${name} dtype`);
      const zero = a.shape.map(() => 0);
      await assertMatchesTifffile(await a.compute(), fx(name), zero, a.shape, dtype, `${name} whole`);
      const start = a.shape.map((e) => Math.floor(e / 3));
      const size = a.shape.map((e, k) => Math.max(1, Math.ceil(e / 2) - (k % 2)));
      const box = await a.readRegion(start, size);
      assertShape(box.shape, size, `${name} box shape`);
      await assertMatchesTifffile(box, fx(name), start, size, dtype, `${name} box`);
      await a.close();
    }
  });

  test('chunks are the strips or tiles; BigTIFF, compression and layout are reported', async () => {
    const strips = await t.openTiff(fx('u16_deflate_strips'));
    assertShape(strips.chunks, [1, 7, 50]);
    assert.equal(strips.compression, 'deflate');
    const tiled = await t.openTiff(fx('u16_tiled'));
    assertShape(tiled.chunks, [1, 32, 48]);
    const big = await t.openTiff(fx('u16_bigtiff'));
    assert.ok(big.bigTiff);
    assert.match(String(big), /^tessera\.TiffArray .*u16_bigtiff\.tif \(BigTIFF, 6 pages/);
    const ij = await t.openTiff(fx('u16_imagej_tzcyx'));
    assert.equal(ij.layoutSource, 'ImageJ metadata');
    assert.equal(ij.pageCount, 24);
    assert.match(String(ij), /shape +\(3, 4, 2, 24, 26\) +tzcyx/);
    assert.equal((await t.openTiff(fx('u16_ome'))).layoutSource, 'OME-XML metadata');
    const plain = await t.openTiff(fx('u16_imagej_tzcyx'), { ignoreMetadata: true });
    assertShape(plain.shape, [24, 24, 26]);
    assert.equal(plain.axes, 'iyx');
  });

  test('slicing is lazy; slices and regions go to the GPU', async () => {
    const a = await t.openTiff(fx('u16_imagej_tzcyx'));
    const view = a.slice(1, [1, 3], 0); // t = 1, z 1..2, c = 0
    assertShape(view.shape, [2, 24, 26]);
    assert.equal(view.axes, 'zyx');
    const img = await view.toGpu();
    const expected = await oracle(`__import__('tifffile').imread(${JSON.stringify(fx('u16_imagej_tzcyx'))})[1, 1:3, 0]`);
    assertClose((await t.pull(img)).data, expected.data, { what: 'view on the GPU' });
    img.release();
  });

  test('ImageJ files with one directory and contiguous pixels (as ImageJ writes files over 4 GB)', async () => {
    // Cut the directory chain after the first page: ImageJ's layout for files larger than 4 GB.
    const path = join(dir, 'contiguous.tif');
    copyFileSync(fx('u16_imagej_tzcyx'), path);
    const bytes = readFileSync(path);
    assert.equal(bytes.toString('latin1', 0, 2), 'II');
    const ifd = bytes.readUInt32LE(4);
    const entries = bytes.readUInt16LE(ifd);
    bytes.writeUInt32LE(0, ifd + 2 + entries * 12);
    writeFileSync(path, bytes);
    const a = await t.openTiff(path);
    assertShape(a.shape, [3, 4, 2, 24, 26]);
    assertShape(a.chunks, [1, 1, 1, 24, 26]);
    const start = [1, 1, 0, 5, 7];
    const size = [2, 2, 2, 10, 11];
    await assertMatchesTifffile(await a.readRegion(start, size), fx('u16_imagej_tzcyx'), start, size, 'uint16', 'contiguous box');
    const end = Number(spawnSync(PYTHON, ['-c', `import tifffile; p = tifffile.TiffFile(${JSON.stringify(fx('u16_imagej_tzcyx'))}).pages[23]; print(p.dataoffsets[0] + p.databytecounts[0])`], { encoding: 'utf8' }).stdout);
    truncateSync(path, end - 100); // inside the last page's pixels
    const cut = await t.openTiff(path);
    await rejectsWith(() => cut.readRegion([2, 3, 1, 0, 0], [1, 1, 1, 24, 26]), /page 23 of .*contiguous\.tif/, /truncated/);
  });
});

describe('bad TIFF input gives a TesseraError naming the file, page and strip', () => {
  test('missing, not a TIFF, empty', async () => {
    await rejectsWith(() => t.openTiff(join(dir, 'nope.tif')), /no such file: .*nope\.tif/);
    writeFileSync(join(dir, 'text.tif'), 'this is not a TIFF file at all');
    await rejectsWith(() => t.openTiff(join(dir, 'text.tif')), /text\.tif is not a TIFF file/);
    writeFileSync(join(dir, 'empty.tif'), '');
    await rejectsWith(() => t.openTiff(join(dir, 'empty.tif')), /empty\.tif is not a TIFF file/);
    await rejectsWith(() => t.openTiff(dir), /is not a file/);
  });

  test('truncated files: in the pixels of the last page, in the directories', async () => {
    /** Copies fixture `from` to `name`, cuts it to `keep(size)` bytes, and expects its read to fail naming `named`, truncated or corrupt. */
    const cutFails = async (from: string, name: string, keep: (size: number) => number, named: RegExp) => {
      const path = join(dir, name);
      copyFileSync(fx(from), path);
      truncateSync(path, keep(statSync(path).size));
      await assert.rejects(async () => {
        const a = await t.openTiff(path);
        await a.compute();
      }, (e: Error) => e.name === 'TesseraError' && named.test(e.message) && /truncated|corrupt/.test(e.message));
    };
    // tifffile writes pixels first and the directories at the end: cutting the end loses directories.
    await cutFails('u16_pages', 'cut.tif', (size) => Math.floor(size * 0.6), new RegExp(escape(join(dir, 'cut.tif'))));
    // Pages without shaped metadata: a directory cut off reads as an empty page, reported as truncation.
    await cutFails('u16_plain', 'cut-plain.tif', (size) => Math.floor(size * 0.5), /cut-plain\.tif/);
    // A BigTIFF cut at its end (the last directory or the last page's pixels).
    await cutFails('u16_bigtiff', 'cut-big.tif', (size) => size - 500, /cut-big\.tif/);
  });

  test('a corrupt compressed strip names its page and strip; other pages still read', async () => {
    const path = join(dir, 'corrupt-strip.tif');
    copyFileSync(fx('u16_deflate_strips'), path);
    const a = await t.openTiff(path);
    // Find strip 2 of page 3 through tifffile and overwrite its bytes.
    const info = spawnSync(PYTHON, ['-c', `import tifffile; p = tifffile.TiffFile(${JSON.stringify(path)}).pages[3]; print(p.dataoffsets[2], p.databytecounts[2])`], { encoding: 'utf8' });
    const [offset, count] = info.stdout.trim().split(' ').map(Number);
    const bytes = readFileSync(path);
    bytes.fill(0x5a, offset, offset + count);
    writeFileSync(path, bytes);
    const b = await t.openTiff(path);
    await assertMatchesTifffile(await b.readRegion([0, 0, 0], [3, 64, 50]), fx('u16_deflate_strips'), [0, 0, 0], [3, 64, 50], 'uint16', 'pages before the corrupt one');
    await assertMatchesTifffile(await b.readRegion([3, 0, 0], [1, 14, 50]), fx('u16_deflate_strips'), [3, 0, 0], [1, 14, 50], 'uint16', 'strips before the corrupt one');
    await rejectsWith(() => b.readRegion([3, 14, 0], [1, 1, 50]), /strip 2 of page 3 of .*corrupt-strip\.tif/, /corrupt/);
    await a.close();
  });

  test('planar-separate colour samples are refused', async () => {
    await rejectsWith(() => t.openTiff(fx('u8_planar_rgb')), /separate planes \(PlanarConfiguration 2\)/);
  });
});
