/**
 * Reading and checking Zarr metadata (v2 `.zarray`, v3 `zarr.json`) before zarrita sees it, so
 * that every problem is reported as a TesseraError naming the file and the field at fault.
 */
import { readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { DType } from '../dtype';
import { TesseraError } from '../errors';
import { FsStore, type Store } from './store';

/** What Tessera needs to know about a Zarr array, whichever format stores it. */
export interface ArrayInfo {
  format: 2 | 3;
  /** The metadata file (zarr.json or .zarray). */
  metadataFile: string;
  shape: number[];
  /** The chunks zarrita decodes one at a time (for a sharded array, the chunks inside a shard). */
  chunks: number[];
  /** Shard shape of a sharded v3 array: one file holds the chunks of a shard. */
  shards?: number[];
  /** The dtype as Zarr names it (uint16, float64, bool, ...). */
  storedDtype: string;
  /** The Tessera dtype pixels are read as. */
  dtype: DType;
  /** Codec names in the order they encode (zarrita's names: v2 codecs are `numcodecs.<id>`). */
  codecs: string[];
  /** The key (file, relative to the array directory) of a chunk, or of a shard for sharded arrays, from its grid coordinates. */
  chunkKey: (coords: number[]) => string;
}

/** Zarr dtypes Tessera reads, with the Tessera dtype each becomes. */
const READABLE: Record<string, DType> = {
  uint8: 'uint8', uint16: 'uint16', uint32: 'uint32',
  int8: 'int8', int16: 'int16', int32: 'int32',
  float32: 'float32',
  // Converted on read: float64 to the nearest float32 (|x| > 3.4e38 becomes ±Infinity,
  // NaN stays NaN); bool to 0 / 1 (binary images are uint8, as in pyclesperanto).
  float64: 'float32', bool: 'uint8',
};

const READABLE_TEXT = 'uint8/16/32, int8/16/32, float32, float64 (read as float32) and bool (read as uint8)';

/** Reads a JSON metadata key; undefined when it does not exist. Errors name the file or URL. */
export async function readJson(store: Store, key: string): Promise<Record<string, unknown> | undefined> {
  const bytes = await store.get(key);
  if (!bytes) return undefined;
  const file = store.where(key);
  let doc: unknown;
  try {
    doc = JSON.parse(new TextDecoder().decode(bytes));
  } catch (e) {
    throw new TesseraError(`${file} is not valid JSON (${(e as Error).message}); the Zarr metadata is corrupt`);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    throw new TesseraError(`${file} must hold a JSON object; the Zarr metadata is corrupt`);
  }
  return doc as Record<string, unknown>;
}

const isExtents = (x: unknown, min: number): x is number[] =>
  Array.isArray(x) && x.every((e) => Number.isInteger(e) && e >= min);

/** Throws a TesseraError naming the metadata file and field unless `ok`. */
function need(ok: boolean, file: string, field: string, what: string): asserts ok {
  if (!ok) throw new TesseraError(`${file}: "${field}" is missing or invalid (expected ${what}); the Zarr metadata is corrupt`);
}

/** Numpy's v2 dtype codes (e.g. '<u2', '|b1') as Zarr v3 names, for messages and the READABLE table. */
function v2DtypeName(code: string): string {
  const m = /^[<>|=]?([biufc])(\d+)$/.exec(code);
  if (!m) return code;
  const [, kind, size] = m;
  if (kind === 'b') return size === '1' ? 'bool' : code;
  const name = { i: 'int', u: 'uint', f: 'float', c: 'complex' }[kind]!;
  return `${name}${Number(size) * 8}`;
}

function dtypeFor(stored: string, file: string): DType {
  const dtype = READABLE[stored];
  if (!dtype) throw new TesseraError(`${file}: Zarr dtype ${stored} is not supported; Tessera reads ${READABLE_TEXT}`);
  return dtype;
}

/** Metadata of a v3 array (zarr.json with node_type "array"). */
export function parseV3(meta: Record<string, unknown>, file: string): ArrayInfo {
  need(isExtents(meta.shape, 0), file, 'shape', 'a list of non-negative integers');
  const shape = meta.shape as number[];
  need(typeof meta.data_type === 'string' || (typeof meta.data_type === 'object' && meta.data_type !== null), file, 'data_type', 'a data type name');
  const storedDtype = typeof meta.data_type === 'string' ? meta.data_type : JSON.stringify(meta.data_type);
  const grid = meta.chunk_grid as { name?: unknown; configuration?: { chunk_shape?: unknown } } | undefined;
  need(grid?.name === 'regular', file, 'chunk_grid', 'a regular chunk grid');
  const gridChunks = grid.configuration?.chunk_shape;
  need(isExtents(gridChunks, 1) && gridChunks.length === shape.length, file, 'chunk_grid.configuration.chunk_shape', `${shape.length} positive integers`);
  need(Array.isArray(meta.codecs) && meta.codecs.every((c) => typeof c?.name === 'string'), file, 'codecs', 'a list of codecs with names');
  need('fill_value' in meta, file, 'fill_value', 'a fill value (null for none)');
  const encoding = (meta.chunk_key_encoding ?? { name: 'default' }) as { name?: unknown; configuration?: { separator?: unknown } };
  need(encoding.name === 'default' || encoding.name === 'v2', file, 'chunk_key_encoding', '"default" or "v2"');
  const separator = String(encoding.configuration?.separator ?? (encoding.name === 'default' ? '/' : '.'));
  const codecs = meta.codecs as Array<{ name: string; configuration?: { chunk_shape?: unknown; codecs?: unknown } }>;

  let chunks = gridChunks;
  let shards: number[] | undefined;
  const names: string[] = [];
  for (const codec of codecs) {
    names.push(codec.name);
    if (codec.name !== 'sharding_indexed') continue;
    const inner = codec.configuration?.chunk_shape;
    need(
      isExtents(inner, 1) && inner.length === shape.length && inner.every((e, k) => gridChunks[k] % e === 0),
      file, 'codecs[sharding_indexed].configuration.chunk_shape', 'inner chunks that divide the shard shape',
    );
    [chunks, shards] = [inner, gridChunks];
    const innerCodecs = codec.configuration?.codecs;
    need(Array.isArray(innerCodecs) && innerCodecs.every((c) => typeof c?.name === 'string'), file, 'codecs[sharding_indexed].configuration.codecs', 'a list of codecs');
    names.push(...innerCodecs.map((c: { name: string }) => c.name));
  }
  const chunkKey =
    encoding.name === 'default'
      ? (coords: number[]) => ['c', ...coords].join(separator)
      : (coords: number[]) => coords.join(separator) || '0';
  return { format: 3, metadataFile: file, shape, chunks, shards, storedDtype, dtype: dtypeFor(storedDtype, file), codecs: names, chunkKey };
}

/** Metadata of a v2 array (.zarray). */
export function parseV2(meta: Record<string, unknown>, file: string): ArrayInfo {
  need(isExtents(meta.shape, 0), file, 'shape', 'a list of non-negative integers');
  const shape = meta.shape as number[];
  need(isExtents(meta.chunks, 1) && meta.chunks.length === shape.length, file, 'chunks', `${shape.length} positive integers`);
  need(typeof meta.dtype === 'string', file, 'dtype', 'a dtype string such as "<u2"');
  const isCodec = (c: unknown) => typeof c === 'object' && c !== null && typeof (c as { id?: unknown }).id === 'string';
  need(meta.compressor === null || meta.compressor === undefined || isCodec(meta.compressor), file, 'compressor', 'null or a codec with an "id"');
  need(meta.filters === null || meta.filters === undefined || (Array.isArray(meta.filters) && meta.filters.every(isCodec)), file, 'filters', 'null or a list of codecs');
  need(meta.order === undefined || meta.order === 'C' || meta.order === 'F', file, 'order', '"C" or "F"');
  const ids = [...((meta.filters as Array<{ id: string }> | null) ?? []), ...(meta.compressor ? [meta.compressor as { id: string }] : [])].map((c) => c.id);
  // zarrita translates fixedscaleoffset into its own codecs; every other v2 codec becomes numcodecs.<id>.
  const codecs = ids.map((id) => (id === 'fixedscaleoffset' ? 'scale_offset' : `numcodecs.${id}`));
  const separator = String(meta.dimension_separator ?? '.');
  const storedDtype = v2DtypeName(meta.dtype as string);
  return {
    format: 2, metadataFile: file, shape, chunks: meta.chunks as number[],
    storedDtype, dtype: dtypeFor(storedDtype, file), codecs, chunkKey: (coords) => coords.join(separator) || '0',
  };
}

/** The node at a store's root: a v3 or v2 array or group (with its attributes), or nothing Zarr. */
export type ZarrNode =
  | { kind: 'array'; format: 2 | 3; meta: Record<string, unknown>; file: string; attributes: Record<string, unknown> }
  | { kind: 'group'; format: 2 | 3; file: string; attributes: Record<string, unknown> }
  | { kind: 'none' };

const objectOr = (x: unknown): Record<string, unknown> => (typeof x === 'object' && x !== null && !Array.isArray(x) ? (x as Record<string, unknown>) : {});

export async function readNode(store: Store): Promise<ZarrNode> {
  const meta3 = await readJson(store, '/zarr.json');
  if (meta3) {
    const file = store.where('/zarr.json');
    const attributes = objectOr(meta3.attributes);
    if (meta3.node_type === 'group') return { kind: 'group', format: 3, file, attributes };
    need(meta3.node_type === 'array', file, 'node_type', '"array" or "group"');
    need(meta3.zarr_format === 3, file, 'zarr_format', '3');
    return { kind: 'array', format: 3, meta: meta3, file, attributes };
  }
  const meta2 = await readJson(store, '/.zarray');
  if (meta2) {
    const file = store.where('/.zarray');
    need(meta2.zarr_format === 2, file, 'zarr_format', '2');
    return { kind: 'array', format: 2, meta: meta2, file, attributes: objectOr(await readJson(store, '/.zattrs')) };
  }
  if (await readJson(store, '/.zgroup')) {
    return { kind: 'group', format: 2, file: store.where('/.zgroup'), attributes: objectOr(await readJson(store, '/.zattrs')) };
  }
  return { kind: 'none' };
}

/**
 * Paths (relative to `dir`) of the arrays below `dir`, found by walking at most `depth` levels
 * of directories; used to say what a group holds. Unreadable entries are skipped.
 */
export async function listArrays(dir: string, depth = 4, limit = 50): Promise<string[]> {
  const found: string[] = [];
  const walk = async (d: string, level: number): Promise<void> => {
    if (found.length >= limit || level > depth) return;
    let entries;
    try {
      entries = await readdir(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      if (!e.isDirectory() || found.length >= limit) continue;
      const sub = join(d, e.name);
      let node: ZarrNode;
      try {
        node = await readNode(new FsStore(sub));
      } catch {
        continue;
      }
      if (node.kind === 'array') found.push(relative(dir, sub));
      else await walk(sub, level + 1);
    }
  };
  await walk(dir, 1);
  return found;
}
