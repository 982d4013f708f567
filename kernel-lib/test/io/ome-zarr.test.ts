import assert from 'node:assert/strict';
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, truncateSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { assertClose, assertShape } from '../support/assert';
import { setup } from '../support/gpu';
import { oracle } from '../support/oracle';

const REPO = resolve(__dirname, '../../../..');
const PYTHON = process.env.TESSERA_PYTHON ?? join(REPO, '.venv/bin/python');
const MAKE_OME = join(REPO, 'kernel-lib/test/io/make_ome_zarr.py');
const MAKE_ZARR = join(REPO, 'kernel-lib/test/io/make_zarr.py');

let t: Awaited<ReturnType<typeof setup>>;
let dir: string;
let fixtures: Record<string, { levels: number[][]; paths: string[]; scales: number[][]; axes: string; version: string }>;
/** Python's http.server over `dir` (it ignores Range headers: Tessera cuts ranges itself). */
let server: ChildProcess;
let base: string;

before(async () => {
  t = await setup();
  dir = mkdtempSync(join(tmpdir(), 'tessera-ome-'));
  const made = spawnSync(PYTHON, [MAKE_OME, join(dir, 'ome')], { encoding: 'utf8' });
  assert.equal(made.status, 0, `make_ome_zarr.py failed:\n${made.stderr}`);
  fixtures = JSON.parse(made.stdout.trim().split('\n').pop()!);
  const zarrs = spawnSync(PYTHON, [MAKE_ZARR, join(dir, 'zarr')], { encoding: 'utf8' });
  assert.equal(zarrs.status, 0, `make_zarr.py failed:\n${zarrs.stderr}`);
  server = spawn(PYTHON, ['-m', 'http.server', '0', '--bind', '127.0.0.1', '--directory', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
  base = await new Promise<string>((resolveUrl, reject) => {
    const onData = (d: Buffer) => {
      const m = /Serving HTTP on \S+ port (\d+)/.exec(String(d));
      if (m) resolveUrl(`http://127.0.0.1:${m[1]}`);
    };
    server.stdout!.on('data', onData);
    server.stderr!.on('data', onData);
    server.on('exit', (code) => reject(new Error(`http.server exited (${code})`)));
  });
});
after(() => {
  server?.kill();
  rmSync(dir, { recursive: true, force: true });
});

const fx = (name: string) => join(dir, 'ome', name);

async function rejectsWith(fn: () => Promise<unknown>, ...patterns: RegExp[]): Promise<void> {
  await assert.rejects(fn, (e: Error) => {
    assert.equal(e.name, 'TesseraError', `expected a TesseraError, got ${e.name}: ${e.message}`);
    for (const p of patterns) assert.match(e.message, p);
    return true;
  });
}

/** ome-zarr-py / zarr-python's pixels of level `path` of an image. */
const levelPixels = (image: string, path: string, dtype: string) =>
  oracle(`__import__('zarr').open_array(${JSON.stringify(join(image, path))}, mode='r')[...].astype('${dtype}')`);

describe('OME-Zarr images written by ome-zarr-py', () => {
  test('NGFF 0.4 and 0.5: axes, units, levels, scales, pixels of every level', async () => {
    for (const name of ['v04_czyx', 'v05_czyx', 'v05_tyx_float']) {
      const meta = fixtures[name];
      const image = await t.openOmeZarr(fx(name));
      assert.equal(image.version, meta.version, name);
      assert.equal(image.axisNames, meta.axes, name);
      assert.equal(image.levels.length, meta.levels.length, name);
      if (name.includes('czyx')) assert.deepEqual(image.axes.map((a) => a.unit), [undefined, 'micrometer', 'micrometer', 'micrometer']);
      for (const [k, level] of image.levels.entries()) {
        assert.equal(level.path, meta.paths[k]);
        assertShape(level.array.shape, meta.levels[k], `${name} level ${k}`);
        assert.deepEqual(level.scale, meta.scales[k], `${name} level ${k} scale`);
        assert.equal(level.array.axes, meta.axes);
        const expected = await levelPixels(fx(name), level.path, level.array.dtype);
        assertClose((await level.array.compute()).data, expected.data, { what: `${name} level ${k}` });
      }
      assert.match(String(image), new RegExp(`^tessera\\.OmeZarrImage .*${name} \\(NGFF ${meta.version.replace('.', '\\.')}`));
    }
  });

  test('a level is a lazy array: slices go to the GPU', async () => {
    const image = await t.openOmeZarr(fx('v05_czyx'));
    const img = await image.level(0).slice(1, [2, 4]).toGpu(); // c = 1, z 2..3
    assertShape(img.shape, [2, 40, 48]);
    const expected = await oracle(`__import__('zarr').open_array(${JSON.stringify(join(fx('v05_czyx'), 's0'))}, mode='r')[1, 2:4]`);
    assertClose((await t.pull(img)).data, expected.data, { what: 'level 0 slice' });
    img.release();
    assert.throws(() => image.level(3), /index must be 0 to 2/);
  });
});

describe('writeOmeZarr and createOmeZarr, read back by ome-zarr-py', () => {
  /** ome-zarr-py's reading of an image: axes, shapes and transformations of every level, checked by ome-zarr-models. */
  function readByPython(path: string) {
    const script = `
import json, sys, zarr
from ome_zarr.io import parse_url
from ome_zarr.reader import Reader
from ome_zarr_models import open_ome_zarr
node = list(Reader(parse_url(sys.argv[1]))())[0]
model = open_ome_zarr(zarr.open_group(sys.argv[1], mode='r'))
print(json.dumps({'axes': node.metadata['axes'], 'shapes': [list(d.shape) for d in node.data],
  'transforms': node.metadata['coordinateTransformations'], 'model': type(model).__module__}))`;
    const r = spawnSync(PYTHON, ['-c', script, path], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    return JSON.parse(r.stdout.trim().split('\n').pop()!);
  }

  const halveYX = (p: { data: ArrayLike<number>; shape: readonly number[] }) => {
    const [c, z, y, x] = p.shape;
    const [h, w] = [Math.floor(y / 2), Math.floor(x / 2)];
    const out = new Uint16Array(c * z * h * w);
    let i = 0;
    for (let a = 0; a < c * z; a++) for (let j = 0; j < h; j++) for (let k = 0; k < w; k++) out[i++] = p.data[(a * y + 2 * j) * x + 2 * k];
    return { data: out, shape: [c, z, h, w] };
  };

  test('NGFF 0.4 (Zarr v2) and 0.5 (Zarr v3) with a downsampling callback', async () => {
    const shape = [2, 5, 37, 42];
    const data = new Uint16Array(2 * 5 * 37 * 42).map((_, i) => (i * 7) % 5000);
    for (const version of ['0.4', '0.5'] as const) {
      const path = join(dir, `written-${version}.ome.zarr`);
      const image = await t.writeOmeZarr(path, { data, shape }, {
        version, axes: 'czyx', scale: [1, 2, 0.5, 0.5], units: { z: 'micrometer', y: 'micrometer', x: 'micrometer' }, name: 'cells',
        chunks: [1, 2, 16, 16], pyramid: { levels: 2, downsample: halveYX },
      });
      assert.equal(image.version, version);
      assertShape(image.level(2).shape, [2, 5, 9, 10]);
      assert.equal(image.level(0).zarrFormat, version === '0.4' ? 2 : 3);
      const py = readByPython(path);
      assert.match(py.model, version === '0.4' ? /v04/ : /v05/);
      assert.deepEqual(py.axes, [{ name: 'c', type: 'channel' }, { name: 'z', type: 'space', unit: 'micrometer' }, { name: 'y', type: 'space', unit: 'micrometer' }, { name: 'x', type: 'space', unit: 'micrometer' }]);
      assert.deepEqual(py.shapes, [[2, 5, 37, 42], [2, 5, 18, 21], [2, 5, 9, 10]]);
      assert.deepEqual(py.transforms[0], [{ type: 'scale', scale: [1, 2, 0.5, 0.5] }]);
      assert.deepEqual(py.transforms[2], [{ type: 'scale', scale: [1, 2, 2, 2] }, { type: 'translation', translation: [0, 0, 0.75, 0.75] }]);
      const level1 = halveYX({ data, shape });
      const expected = await levelPixels(path, '1', 'uint16');
      assertClose(level1.data, expected.data, { what: `${version} level 1 by zarr-python` });
      const reopened = await t.openOmeZarr(path);
      assertClose((await reopened.level(0).compute()).data, data, { what: `${version} level 0 read back` });
    }
  });

  test('levels given as arrays and as lazy arrays (copied chunk by chunk); createOmeZarr for tiled writing', async () => {
    const src = await t.openOmeZarr(fx('v05_czyx'));
    const path = join(dir, 'copied.ome.zarr');
    const copy = await t.writeOmeZarr(path, src.level(0), { axes: 'czyx', pyramid: [src.level(1), await src.level(2).compute()], codec: 'zstd' });
    for (let k = 0; k < 3; k++) {
      assertClose((await copy.level(k).compute()).data, (await src.level(k).compute()).data, { what: `copied level ${k}` });
    }
    const tiled = await t.createOmeZarr(join(dir, 'tiled.ome.zarr'), [[1, 30, 40], [1, 15, 20]], 'float32', { axes: 'tyx', version: '0.4', chunks: [1, 10, 20] });
    const level0 = tiled.level(0);
    assert.ok(level0.writable);
    for (const tile of level0.grid.tiles([1, 1, 1])) {
      await level0.write(tile.start, new Float32Array(tile.size[1] * tile.size[2]).fill(tile.start[1] + tile.start[2]), tile.size, { partialChunks: 'refuse' });
    }
    const py = readByPython(join(dir, 'tiled.ome.zarr'));
    assert.deepEqual(py.shapes, [[1, 30, 40], [1, 15, 20]]);
  });

  test('bad arguments', async () => {
    const data = { data: new Uint16Array(4 * 5), shape: [4, 5] };
    await rejectsWith(() => t.writeOmeZarr(join(dir, 'b1'), data, { axes: 'zyx' }), /axes must be 2 distinct letters/);
    await rejectsWith(() => t.writeOmeZarr(join(dir, 'b2'), data, { axes: 'cx' }), /2 or 3 space axes/);
    await rejectsWith(() => t.writeOmeZarr(join(dir, 'b3'), data, { version: '0.3' as '0.4' }), /version must be '0.4' or '0.5'/);
    await rejectsWith(() => t.writeOmeZarr(join(dir, 'b4'), data, { units: { q: 'meter' } }), /names axis 'q'/);
    await rejectsWith(() => t.writeOmeZarr(join(dir, 'b5'), { data: new Float64Array(20), shape: [4, 5] }), /Float64Array; convert them/);
    await rejectsWith(() => t.writeOmeZarr(join(dir, 'b6'), data, { pyramid: [{ data: new Uint16Array(30), shape: [5, 6] }] }), /larger than level 0/);
    await rejectsWith(() => t.createOmeZarr(join(dir, 'b7'), [[1, 2, 3, 4, 5, 6]], 'uint8'), /2 to 5 dimensions/);
  });
});

describe('bad OME-Zarr input gives a TesseraError naming the file', () => {
  test('not an image: a missing path, an array, a plate, no multiscales, bioformats2raw', async () => {
    await rejectsWith(() => t.openOmeZarr(join(dir, 'nope.zarr')), /no such file or directory: .*nope\.zarr/);
    await rejectsWith(() => t.openOmeZarr(join(dir, 'zarr', 'v3_uint16_zstd')), /is a Zarr array, not an OME-Zarr image/, /openZarr/);
    await rejectsWith(() => t.openOmeZarr(fx('bad_plate')), /is an OME-Zarr plate/, /A\/1\/0/);
    await rejectsWith(() => t.openOmeZarr(fx('bad_nomultiscales')), /\.zattrs has no "multiscales" metadata/);
    await rejectsWith(() => t.openOmeZarr(fx('bad_b2r')), /no "ome" attributes/);
  });

  test('wrong NGFF versions', async () => {
    await rejectsWith(() => t.openOmeZarr(fx('bad_version')), /is OME-Zarr \(NGFF\) version 0\.3; Tessera reads 0\.4 \(Zarr v2\) and 0\.5 \(Zarr v3\)/);
    await rejectsWith(() => t.openOmeZarr(fx('bad_v04_in_v3')), /NGFF 0\.4 metadata in a Zarr v3 group/);
  });

  test('a missing or truncated level names the level and the chunk', async () => {
    await rejectsWith(() => t.openOmeZarr(fx('bad_missing_level')), /level 1 \('s1'\)/, /no such file or directory: .*bad_missing_level\/s1/);
    const copy = join(dir, 'truncated.ome.zarr');
    cpSync(fx('v05_czyx'), copy, { recursive: true });
    const chunk = join(copy, 's0', 'c', '0', '0', '0', '0');
    truncateSync(chunk, Math.floor(statSync(chunk).size / 2));
    const image = await t.openOmeZarr(copy);
    await rejectsWith(() => image.level(0).compute(), new RegExp(chunk.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')), /truncated or corrupt/);
  });
});

describe('reading over HTTP (a real local http.server)', () => {
  test('Zarr v2, v3 and sharded arrays and OME-Zarr images, as from the disk', async () => {
    for (const name of ['v3_uint16_zstd', 'v2_float32_blosc', 'v3_uint16_sharded', 'v2_int16_forder']) {
      const local = await t.openZarr(join(dir, 'zarr', name));
      const remote = await t.openZarr(`${base}/zarr/${name}`);
      assert.ok(!remote.writable);
      assert.match(String(remote), new RegExp(`^tessera\\.ZarrArray http://127\\.0\\.0\\.1:\\d+/zarr/${name} `));
      assertClose((await remote.compute()).data, (await local.compute()).data, { what: `${name} over HTTP` });
    }
    const group = await t.openZarr(`${base}/zarr/group`, { arrayPath: 'labels/cells' });
    assertShape(group.shape, [2, 8, 8]);
    for (const name of ['v04_czyx', 'v05_czyx']) {
      const image = await t.openOmeZarr(`${base}/ome/${name}`);
      const local = await t.openOmeZarr(fx(name));
      assert.equal(image.levels.length, 3);
      assertClose((await image.level(1).compute()).data, (await local.level(1).compute()).data, { what: `${name} level 1 over HTTP` });
    }
  });

  test('errors name the URL: missing, not Zarr, read-only, refused connection, no answer', async () => {
    await rejectsWith(() => t.openZarr(`${base}/zarr/nothing-here`), /nothing-here is not a Zarr array \(no zarr\.json or \.zarray at that URL\)/);
    await rejectsWith(() => t.openZarr(`${base}/zarr/group`), /is a Zarr v3 group, not an array; name one with \{ arrayPath \}/);
    await rejectsWith(() => t.openZarr(`${base}/zarr/v3_uint16_zstd`, { mode: 'r+' }), /is a URL; Zarr over HTTP is read-only/);
    await rejectsWith(() => t.openOmeZarr(`${base}/ome/nothing`), /is not a Zarr group/);
    // A port nobody listens on.
    const closed = await new Promise<number>((res) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const port = (s.address() as { port: number }).port;
        s.close(() => res(port));
      });
    });
    await rejectsWith(() => t.openZarr(`http://127.0.0.1:${closed}/a.zarr`), /cannot read http:\/\/127\.0\.0\.1:\d+\/a\.zarr\/zarr\.json/);
    // A server that accepts connections and never answers.
    const silent: Server = createServer(() => undefined);
    await new Promise<void>((res) => silent.listen(0, '127.0.0.1', () => res()));
    try {
      const port = (silent.address() as { port: number }).port;
      await rejectsWith(() => t.openZarr(`http://127.0.0.1:${port}/a.zarr`, { timeoutMs: 300 }), /no answer from http:\/\/127\.0\.0\.1:\d+\/a\.zarr\/zarr\.json within 300 ms/);
    } finally {
      silent.close();
    }
  });
});
