import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { inspect } from 'node:util';
import { after, before, describe, test } from 'node:test';
import type { DType, TypedArray } from '../../src';
import { isImageSource, type ImageSource } from '../../src/viewers/source';
import { assertClose, assertShape } from '../support/assert';
import { ALL_DTYPES, randomPixels } from '../support/data';
import { setup } from '../support/gpu';
import { oracle } from '../support/oracle';

const REPO = resolve(__dirname, '../../../..');
const PYTHON = process.env.TESSERA_PYTHON ?? join(REPO, '.venv/bin/python');
const MAKE_ZARR = join(REPO, 'kernel-lib/test/io/make_zarr.py');

let t: Awaited<ReturnType<typeof setup>>;
let dir: string;
/** The fixtures make_zarr.py wrote: name -> shape, chunks and numpy dtype. */
let fixtures: Record<string, { shape: number[]; chunks: number[]; dtype: string }>;

before(async () => {
  t = await setup();
  dir = mkdtempSync(join(tmpdir(), 'tessera-zarr-'));
  const made = spawnSync(PYTHON, [MAKE_ZARR, join(dir, 'fx')], { encoding: 'utf8' });
  assert.equal(made.status, 0, `make_zarr.py failed:\n${made.stderr}`);
  fixtures = JSON.parse(made.stdout);
});
after(() => rmSync(dir, { recursive: true, force: true }));

const fx = (name: string) => join(dir, 'fx', name);

/** A fresh copy of a fixture, to corrupt or write into. */
let copies = 0;
function copyOf(name: string): string {
  const target = join(dir, `copy${copies++}-${name}`);
  cpSync(fx(name), target, { recursive: true });
  return target;
}

/** Tessera's dtype for a fixture's numpy dtype. */
function tesseraDtype(numpy: string): DType {
  return ({ float64: 'float32', bool: 'uint8', '>u2': 'uint16' } as Record<string, DType>)[numpy] ?? (numpy as DType);
}

/** zarr-python's reading of `path`[start:start+size, ...], as the Tessera dtype (float64 rounds to float32 as in numpy). */
function reference(path: string, start: number[], size: number[], dtype: DType) {
  const sel = start.map((s, k) => `${s}:${s + size[k]}`).join(', ');
  return oracle(`__import__('zarr').open_array(${JSON.stringify(path)}, mode='r')[${sel}].astype('${dtype}')`);
}

/** Asserts that `actual` is byte-identical to zarr-python's reading of the same box. */
async function assertMatchesPython(actual: { data: TypedArray; shape: readonly number[] }, path: string, start: number[], size: number[], dtype: DType, what: string) {
  const expected = await reference(path, start, size, dtype);
  assert.equal(actual.data.constructor.name, expected.data.constructor.name, `${what}: array type`);
  assertClose(actual.data, expected.data, { what });
}

/** Throws unless `fn` rejects with a TesseraError whose message matches every pattern. */
async function rejectsWith(fn: () => Promise<unknown>, ...patterns: RegExp[]): Promise<string> {
  let message = '';
  await assert.rejects(fn, (e: Error) => {
    assert.equal(e.name, 'TesseraError', `expected a TesseraError, got ${e.name}: ${e.message}`);
    message = e.message;
    for (const p of patterns) assert.match(e.message, p);
    return true;
  });
  return message;
}

const READABLE = () => Object.keys(fixtures).filter((n) => n.startsWith('v2_') || n.startsWith('v3_') || n.startsWith('sparse_'));

describe('reading fixtures written by zarr-python', () => {
  test('every readable fixture: whole array, an odd box across chunk borders, and planes', async () => {
    for (const name of READABLE()) {
      const meta = fixtures[name];
      const z = await t.openZarr(fx(name));
      const dtype = tesseraDtype(meta.dtype);
      assertShape(z.shape, meta.shape, `${name} shape`);
      assert.equal(z.dtype, dtype, `${name} dtype`);
      if (!name.includes('sharded')) assertShape(z.chunks, meta.chunks, `${name} chunks`);

      const zero = z.shape.map(() => 0);
      await assertMatchesPython(await z.readRegion(zero), fx(name), zero, z.shape, dtype, `${name} whole`);
      const start = z.shape.map((e) => Math.floor(e / 3));
      const size = z.shape.map((e, k) => Math.max(1, Math.ceil(e / 2) - (k % 2)));
      const box = await z.readRegion(start, size);
      assertShape(box.shape, size, `${name} box shape`);
      await assertMatchesPython(box, fx(name), start, size, dtype, `${name} box`);
    }
  });

  test('getSlice cuts z, y and x planes (the widgets ImageSource)', async () => {
    for (const name of ['v3_uint16_zstd', 'v2_int16_forder', 'v3_float32_blosc', 'v3_float64_zstd']) {
      const z = await t.openZarr(fx(name));
      for (const axis of [0, 1, 2]) {
        const index = Math.floor(z.shape[axis] / 2);
        const plane = await z.getSlice(axis, index);
        const start = [0, 0, 0];
        const size = [...z.shape];
        [start[axis], size[axis]] = [index, 1];
        assertShape(plane.shape, size.filter((_, k) => k !== axis), `${name} axis ${axis}`);
        await assertMatchesPython(plane, fx(name), start, size, z.dtype, `${name} plane axis ${axis}`);
      }
    }
    const flat = await t.openZarr(fx('v3_uint16_2d'));
    const whole = await flat.getSlice(0, 0);
    assertShape(whole.shape, [33, 47]);
    await assertMatchesPython(whole, fx('v3_uint16_2d'), [0, 0], [33, 47], 'uint16', '2D plane');
    const four = await t.openZarr(fx('v3_float32_4d'));
    const plane = await four.getSlice(1, 4, 1);
    assertShape(plane.shape, [3, 12]);
    await assertMatchesPython(plane, fx('v3_float32_4d'), [1, 0, 4, 0], [1, 3, 1, 12], 'float32', '4D t=1 plane y=4');
  });

  test('a ZarrArray is an ImageSource', async () => {
    const z = await t.openZarr(fx('v3_uint16_zstd'));
    const source: ImageSource = z; // structural: shape, dtype, getSlice
    assert.ok(isImageSource(source));
  });

  test('missing chunks read as the fill value', async () => {
    for (const name of ['sparse_v2', 'sparse_v3']) {
      const z = await t.openZarr(fx(name));
      const { data } = await z.readRegion([2, 8, 0], [2, 8, 8]); // a chunk never written
      assert.ok(data.every((v) => v === -7), `${name}: unwritten chunk is fill_value`);
    }
  });

  test('only the chunks intersecting a box are read', async () => {
    // Every chunk file but the ones under the box [1..2] x [12..27] x [20..30] is garbage.
    const path = copyOf('v3_uint16_zstd');
    const wanted = new Set<string>();
    for (const c of [0, 1]) for (const y of [1, 2]) for (const x of [1]) wanted.add(`c/${c}/${y}/${x}`);
    for (let c = 0; c < 3; c++) for (let y = 0; y < 4; y++) for (let x = 0; x < 3; x++) {
      if (!wanted.has(`c/${c}/${y}/${x}`)) writeFileSync(join(path, `c/${c}/${y}/${x}`), 'garbage');
    }
    const z = await t.openZarr(path);
    const box = await z.readRegion([1, 12, 20], [2, 16, 11]);
    await assertMatchesPython(box, fx('v3_uint16_zstd'), [1, 12, 20], [2, 16, 11], 'uint16', 'box among corrupt chunks');
    await rejectsWith(() => z.readRegion([0, 0, 0], [1, 1, 1]), /c\/0\/0\/0/);
  });

  test('float64 is read as float32 (nearest), bool as uint8 0/1', async () => {
    const f = await t.openZarr(fx('v3_float64_zstd'));
    assert.equal(f.dtype, 'float32');
    assert.equal(f.storedDtype, 'float64');
    const b = await t.openZarr(fx('v3_bool_gzip'));
    assert.equal(b.dtype, 'uint8');
    const { data } = await b.readRegion([0, 0, 0]);
    assert.ok(data.every((v) => v === 0 || v === 1) && data.some((v) => v === 1));
  });

  test('toGpu pushes the whole array or a box', async () => {
    for (const name of ['v3_uint16_zstd', 'v2_int8_gzip', 'v3_float64_zstd', 'v3_uint32_blosc', 'v3_float32_4d']) {
      const z = await t.openZarr(fx(name));
      const img = await z.toGpu();
      assertShape(img.shape, z.shape, `${name} toGpu shape`);
      assert.equal(img.dtype, z.dtype);
      const zero = z.shape.map(() => 0);
      await assertMatchesPython(await t.pull(img), fx(name), zero, z.shape, z.dtype, `${name} toGpu`);
      const start = z.shape.map((e) => Math.floor(e / 4));
      const size = z.shape.map((e) => Math.ceil(e / 2));
      const part = await z.toGpu(start, size);
      await assertMatchesPython(await t.pull(part), fx(name), start, size, z.dtype, `${name} toGpu box`);
      img.release();
      part.release();
    }
  });

  test('toGpu refuses what does not fit the GPU budget and says to tile', async () => {
    const z = await t.openZarr(fx('v3_uint16_zstd'));
    const { budget, bytesInUse } = t.memoryStats();
    t.setMemoryBudget(bytesInUse + 1024);
    try {
      await rejectsWith(() => z.toGpu(), /needs 14\.8 KB on the GPU/, /tiles/);
      const small = await z.toGpu([0, 0, 0], [1, 8, 8]); // 128 bytes fit
      small.release();
    } finally {
      t.setMemoryBudget(budget);
    }
  });

  test('toString and the inspect hook summarise like a dask / cle repr', async () => {
    const z = await t.openZarr(fx('v3_uint16_zstd'));
    const text = String(z);
    assert.match(text, /^tessera\.ZarrArray .*v3_uint16_zstd \(Zarr v3, read-only\)/);
    assert.match(text, /shape +\(5, 37, 41\)/);
    assert.match(text, /dtype +uint16/);
    assert.match(text, /chunks +\(2, 10, 16\) +36 chunks \(3 × 4 × 3\)/);
    assert.match(text, /size +14\.8 KB/);
    assert.match(text, /codecs +bytes, zstd/);
    assert.equal(inspect(z), text);
    assert.match(String(await t.openZarr(fx('v3_float64_zstd'))), /dtype +float32 \(stored as float64\)/);
    assert.match(String(await t.openZarr(fx('v2_float32_blosc'))), /Zarr v2.*\n[^]*codecs +blosc/);
  });
});

describe('createZarr and write, read back by zarr-python', () => {
  test('every dtype, zstd and uncompressed, written whole', async () => {
    for (const dtype of ALL_DTYPES) {
      for (const codec of ['zstd', 'none'] as const) {
        const path = join(dir, `created-${dtype}-${codec}`);
        const px = randomPixels([3, 11, 13], dtype, 5);
        const z = await t.createZarr(path, [3, 11, 13], dtype, { chunks: [2, 4, 5], codec });
        assert.ok(z.writable);
        await z.write([0, 0, 0], px.data);
        await assertMatchesPython({ data: px.data, shape: px.shape }, path, [0, 0, 0], [3, 11, 13], dtype, `${dtype} ${codec}`);
        assertClose((await z.readRegion([0, 0, 0])).data, px.data, { what: `${dtype} ${codec} read back by Tessera` });
      }
    }
  });

  test('tiles not aligned with chunks, written concurrently, plus GPU images and planes', async () => {
    const path = join(dir, 'created-tiles');
    const shape = [5, 37, 41];
    const px = randomPixels(shape, 'uint16', 9);
    const z = await t.createZarr(path, shape, 'uint16', { chunks: [2, 10, 16] });
    // Tiles of 3 x 15 x 20: every chunk border is crossed, most chunks get two or more writers.
    const writes: Promise<void>[] = [];
    for (let z0 = 0; z0 < 5; z0 += 3) {
      for (let y0 = 0; y0 < 37; y0 += 15) {
        for (let x0 = 0; x0 < 41; x0 += 20) {
          const size = [Math.min(3, 5 - z0), Math.min(15, 37 - y0), Math.min(20, 41 - x0)];
          const tile = new Uint16Array(size[0] * size[1] * size[2]);
          for (let k = 0, i = 0; k < size[0]; k++) {
            for (let j = 0; j < size[1]; j++) {
              const from = ((z0 + k) * 37 + y0 + j) * 41 + x0;
              tile.set(px.data.subarray(from, from + size[2]) as Uint16Array, i);
              i += size[2];
            }
          }
          writes.push(z.write([z0, y0, x0], { data: tile, shape: size }));
        }
      }
    }
    await Promise.all(writes);
    await assertMatchesPython({ data: px.data, shape }, path, [0, 0, 0], shape, 'uint16', 'tiled write');

    // A GPU image, and a 2D plane into a 3D array (leading extent 1 left out).
    const gpu = t.push(new Uint16Array(2 * 3 * 4).fill(4242), [2, 3, 4]);
    await z.write([1, 30, 35], gpu);
    await z.write([4, 0, 0], new Uint16Array(2 * 41).fill(7), [2, 41]);
    const expected = new Uint16Array(px.data);
    for (let k = 1; k < 3; k++) for (let j = 30; j < 33; j++) expected.fill(4242, (k * 37 + j) * 41 + 35, (k * 37 + j) * 41 + 39);
    expected.fill(7, 4 * 37 * 41, 4 * 37 * 41 + 2 * 41);
    await assertMatchesPython({ data: expected, shape }, path, [0, 0, 0], shape, 'uint16', 'after GPU and plane writes');
  });

  test('unwritten chunks are the fill value for zarr-python too', async () => {
    const path = join(dir, 'created-sparse');
    const z = await t.createZarr(path, [4, 20, 20], 'int16', { chunks: [2, 8, 8], fillValue: -3 });
    await z.write([1, 5, 5], new Int16Array(2 * 4 * 4).fill(11), [2, 4, 4]);
    const expected = new Int16Array(4 * 20 * 20).fill(-3);
    for (let k = 1; k < 3; k++) for (let j = 5; j < 9; j++) expected.fill(11, (k * 20 + j) * 20 + 5, (k * 20 + j) * 20 + 9);
    await assertMatchesPython({ data: expected, shape: [4, 20, 20] }, path, [0, 0, 0], [4, 20, 20], 'int16', 'sparse write');
    assert.throws(() => statSync(join(path, 'c/1/2/2')), /ENOENT/, 'chunks outside the writes are not stored');
  });

  test("a v2 array opened with mode 'r+' is updated in place", async () => {
    const path = copyOf('v2_uint16_zstd');
    const before = await reference(path, [0, 0, 0], [5, 37, 41], 'uint16');
    const z = await t.openZarr(path, { mode: 'r+' });
    await assertMatchesPython(await z.readRegion([0, 0, 0]), path, [0, 0, 0], [5, 37, 41], 'uint16', 'v2 before the write'); // fills the chunk cache
    await z.write([1, 8, 14], new Uint16Array(3 * 5 * 6).fill(123), [3, 5, 6]);
    const expected = new Uint16Array(before.data as Uint16Array);
    for (let k = 1; k < 4; k++) for (let j = 8; j < 13; j++) expected.fill(123, (k * 37 + j) * 41 + 14, (k * 37 + j) * 41 + 20);
    await assertMatchesPython({ data: expected, shape: [5, 37, 41] }, path, [0, 0, 0], [5, 37, 41], 'uint16', 'v2 r+ write');
    assertClose((await z.readRegion([0, 0, 0])).data, expected, { what: 'read back through the (invalidated) chunk cache' });
    const uncached = await t.openZarr(path, { cacheBytes: 0 });
    assertClose((await uncached.readRegion([0, 0, 0])).data, expected, { what: 'read back without a cache' });
  });
});

describe('bad input gives a TesseraError naming the file or argument', () => {
  test('missing path, a file, an empty directory, a non-string path', async () => {
    await rejectsWith(() => t.openZarr(join(dir, 'nope.zarr')), /no such file or directory: .*nope\.zarr/);
    writeFileSync(join(dir, 'plain.txt'), 'x');
    await rejectsWith(() => t.openZarr(join(dir, 'plain.txt')), /plain\.txt is a file/);
    mkdirSync(join(dir, 'empty'));
    await rejectsWith(() => t.openZarr(join(dir, 'empty')), /empty is not a Zarr array \(no zarr\.json or \.zarray\)/);
    await rejectsWith(() => t.openZarr(undefined as unknown as string), /path must be a non-empty string/);
    await rejectsWith(() => t.openZarr(fx('v3_uint8_raw'), { mode: 'w' as 'r' }), /mode must be 'r' or 'r\+'/);
  });

  test('a group lists its arrays; arrayPath opens one', async () => {
    await rejectsWith(() => t.openZarr(fx('group')), /is a Zarr v3 group, not an array/, /'labels\/cells', 'raw'/, /arrayPath/);
    const cells = await t.openZarr(fx('group'), { arrayPath: 'labels/cells' });
    assert.equal(cells.dtype, 'uint32');
    assertShape(cells.shape, [2, 8, 8]);
    await rejectsWith(() => t.openZarr(fx('group'), { arrayPath: 'labels' }), /group, not an array/, /'cells'/);
    // The fixtures directory itself is no Zarr node, but holds arrays.
    await rejectsWith(() => t.openZarr(join(dir, 'fx')), /not a Zarr array/, /below it are .*'group\/labels\/cells'/);
  });

  test('corrupt metadata: invalid JSON, missing or wrong fields', async () => {
    const broken = copyOf('v3_uint16_zstd');
    writeFileSync(join(broken, 'zarr.json'), '{"zarr_format": 3, "node_type": "array", ');
    await rejectsWith(() => t.openZarr(broken), /zarr\.json is not valid JSON/);
    writeFileSync(join(broken, 'zarr.json'), '[1, 2]');
    await rejectsWith(() => t.openZarr(broken), /zarr\.json must hold a JSON object/);

    const meta = JSON.parse(readFileSync(fx('v3_uint16_zstd/zarr.json'), 'utf8'));
    const variants: Array<[string, (m: Record<string, unknown>) => void, RegExp]> = [
      ['no shape', (m) => delete m.shape, /"shape" is missing or invalid/],
      ['negative shape', (m) => (m.shape = [5, -1, 41]), /"shape" is missing or invalid/],
      ['no chunk grid', (m) => delete m.chunk_grid, /"chunk_grid" is missing or invalid/],
      ['chunk rank', (m) => (m.chunk_grid = { name: 'regular', configuration: { chunk_shape: [2, 10] } }), /chunk_shape" is missing or invalid \(expected 3 positive integers\)/],
      ['no data_type', (m) => delete m.data_type, /"data_type" is missing/],
      ['no codecs', (m) => delete m.codecs, /"codecs" is missing/],
      ['node_type', (m) => (m.node_type = 'table'), /"node_type" is missing or invalid/],
    ];
    for (const [what, edit, pattern] of variants) {
      const m = structuredClone(meta);
      edit(m);
      writeFileSync(join(broken, 'zarr.json'), JSON.stringify(m));
      const message = await rejectsWith(() => t.openZarr(broken), pattern);
      assert.match(message, /^openZarr: .*zarr\.json/, what);
    }

    const v2 = copyOf('v2_uint8_raw');
    const zarray = JSON.parse(readFileSync(join(v2, '.zarray'), 'utf8'));
    delete zarray.dtype;
    writeFileSync(join(v2, '.zarray'), JSON.stringify(zarray));
    await rejectsWith(() => t.openZarr(v2), /\.zarray: "dtype" is missing or invalid/);
    zarray.dtype = '|u1';
    zarray.chunks = [4, 0, 8];
    writeFileSync(join(v2, '.zarray'), JSON.stringify(zarray));
    await rejectsWith(() => t.openZarr(v2), /\.zarray: "chunks" is missing or invalid/);
  });

  test('unsupported codecs and dtypes are named', async () => {
    await rejectsWith(() => t.openZarr(fx('unsupported_v2_bz2')), /uses the codec "bz2", which Tessera cannot decode/, /zstd/);
    await rejectsWith(() => t.openZarr(fx('unsupported_v2_lzma')), /uses the codec "lzma"/);
    await rejectsWith(() => t.openZarr(fx('unsupported_int64')), /Zarr dtype int64 is not supported/);
    await rejectsWith(() => t.openZarr(fx('unsupported_complex64')), /Zarr dtype complex64 is not supported/);
  });

  test('truncated or corrupt chunks name the chunk and its file', async () => {
    const cases: Array<[string, string, 'truncate' | 'garbage']> = [
      ['v3_uint16_zstd', 'c/0/1/2', 'truncate'],
      ['v3_uint16_zstd', 'c/0/1/2', 'garbage'],
      ['v3_int16_gzip', 'c/1/0/1', 'truncate'],
      ['v3_float32_blosc', 'c/0/0/0', 'truncate'], // blosc itself would decode garbage: caught by the frame check
      ['v2_float32_blosc', '0.0.0', 'garbage'],
      ['v3_uint8_raw', 'c/0/0/0', 'truncate'], // uncompressed: caught by the decoded size
      ['v2_int32_zlib', '1.0.0', 'truncate'],
      ['v3_uint16_sharded', 'c/0/0/0', 'truncate'], // the shard index points past the end
    ];
    for (const [name, key, how] of cases) {
      const path = copyOf(name);
      const file = join(path, key);
      if (how === 'truncate') truncateSync(file, Math.floor(statSync(file).size / 2));
      else writeFileSync(file, 'these bytes are not a chunk of any codec at all');
      const z = await t.openZarr(path);
      const escaped = file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
      await rejectsWith(() => z.readRegion(z.shape.map(() => 0)), new RegExp(escaped), /truncated or corrupt/);
    }
  });

  test('bad boxes, planes and writes', async () => {
    const z = await t.openZarr(fx('v3_uint16_zstd'));
    await rejectsWith(() => z.readRegion([0, 0]), /start must be 3 integers/);
    await rejectsWith(() => z.readRegion([0, 0, 0], [6, 1, 1]), /not inside the array of shape \[5,37,41\]/, /dimension 0/);
    await rejectsWith(() => z.readRegion([0, 0, 40], [1, 1, 0]), /sizes must be at least 1/);
    await rejectsWith(() => z.getSlice(3, 0), /axis must be 0 \(z\), 1 \(y\) or 2 \(x\)/);
    await rejectsWith(() => z.getSlice(0, 5), /index 5 is outside 0\.\.4 along axis 0/);
    await rejectsWith(() => z.write([0, 0, 0], new Uint16Array(1), [1, 1, 1]), /is read-only; open it with \{ mode: 'r\+' \}/);

    const w = await t.createZarr(join(dir, 'bad-writes'), [4, 6, 8], 'uint16', { chunks: [2, 3, 4] });
    await rejectsWith(() => w.write([0, 0, 0], new Float32Array(4), [1, 2, 2]), /data is Float32Array but the array holds uint16/);
    await rejectsWith(() => w.write([0, 0, 0], new Uint16Array(5), [1, 2, 2]), /holds 4 pixels but data has 5/);
    await rejectsWith(() => w.write([0, 0, 0], new Uint16Array(5)), /pass the shape of the data/);
    await rejectsWith(() => w.write([3, 0, 0], new Uint16Array(8), [2, 2, 2]), /not inside the array/);
    const f64 = await t.openZarr(copyOf('v3_float64_zstd'), { mode: 'r+' });
    await rejectsWith(() => f64.write([0, 0, 0], new Float32Array(1), [1, 1, 1]), /stores float64.*cannot write/);
  });

  test('createZarr checks its arguments and does not overwrite by accident', async () => {
    const path = join(dir, 'created-twice');
    await t.createZarr(path, [2, 3], 'uint8');
    await rejectsWith(() => t.createZarr(path, [2, 3], 'uint8'), /already exists/, /overwrite: true/);
    const again = await t.createZarr(path, [4, 4], 'int32', { overwrite: true });
    assertShape(again.shape, [4, 4]);
    await rejectsWith(() => t.createZarr(join(dir, 'fx'), [2, 3], 'uint8', { overwrite: true }), /not a Zarr array or group; refusing to overwrite/);
    await rejectsWith(() => t.createZarr(join(dir, 'c1'), [2, 0], 'uint8'), /shape must be a list of positive integers/);
    await rejectsWith(() => t.createZarr(join(dir, 'c2'), [2, 3], 'float64' as DType), /dtype must be one of/);
    await rejectsWith(() => t.createZarr(join(dir, 'c3'), [2, 3], 'uint8', { chunks: [2] }), /chunks must be 2 positive integers/);
    await rejectsWith(() => t.createZarr(join(dir, 'c4'), [2, 3], 'uint8', { codec: 'gzip' as 'zstd' }), /codec must be one of 'blosc', 'zstd', 'none'/);
    await rejectsWith(() => t.createZarr(join(dir, 'c5'), [2, 3], 'uint8', { codec: 'zstd', level: 30 }), /level for zstd must be an integer from 1 to 22/);
    await rejectsWith(() => t.createZarr(join(dir, 'c6'), [2, 3], 'uint8', { format: 4 as 3 }), /format must be 2 or 3/);
  });
});
