/**
 * Loading zarrita (the Zarr codec pipeline and chunk decoding) from our CommonJS build.
 *
 * zarrita is ESM-only and its package.json `exports` offer only an `import` condition, so
 * `require('zarrita')` fails with ERR_PACKAGE_PATH_NOT_EXPORTED, even on Node versions that can
 * require() ES modules. Under `"module": "commonjs"` TypeScript rewrites `import('zarrita')` into a
 * require() call, so the import() is hidden from it inside a Function body: Node then performs
 * a real dynamic import (resolved from this package's location, not the working directory).
 * Types come from a type-only import, which TypeScript erases.
 */
import type * as Zarrita from 'zarrita';

export type { Zarrita };

const importEsm = new Function('specifier', 'return import(specifier)') as (specifier: string) => Promise<unknown>;

let loaded: Promise<typeof Zarrita> | undefined;

/** zarrita, loaded once; its blosc codec is adapted (see below). */
export function zarrita(): Promise<typeof Zarrita> {
  loaded ??= (importEsm('zarrita') as Promise<typeof Zarrita>).then((z) => {
    hardenBlosc(z);
    return z;
  });
  return loaded;
}

/** Blosc frame header: version, versionlz, flags, typesize, then nbytes, blocksize and cbytes (u32 LE). */
const BLOSC_HEADER = 16;

/** Zarr v3 names blosc's shuffle modes; numcodecs' blosc takes their numbers. */
const SHUFFLE: Record<string, number> = { noshuffle: 0, shuffle: 1, bitshuffle: 2 };

/**
 * Two adaptations of numcodecs' blosc, registered under both codec names zarrita uses (v3, v2):
 * - its decoder trusts the frame header: a truncated chunk decodes to the full size with garbage
 *   at the end, silently. A frame records its own length (`cbytes`), so the wrapper checks it.
 * - its encoder takes the shuffle mode as a number, but v3 metadata names it ("shuffle"):
 *   passed through, the name would silently mean no shuffle.
 */
function hardenBlosc(z: typeof Zarrita): void {
  for (const name of ['blosc', 'numcodecs.blosc']) {
    const load = z.registry.get(name);
    if (!load) continue;
    z.registry.set(name, async () => {
      const entry = await load();
      return {
        kind: entry.kind,
        fromConfig(config: unknown, meta: Parameters<typeof entry.fromConfig>[1]) {
          const c = config as { shuffle?: unknown };
          const named = typeof c?.shuffle === 'string' ? { ...c, shuffle: SHUFFLE[c.shuffle] ?? 0 } : config;
          const codec = entry.fromConfig(named, meta);
          return Object.assign(Object.create(codec) as typeof codec, {
            decode(bytes: Uint8Array, out?: Uint8Array) {
              checkBloscFrame(bytes);
              return codec.decode(bytes, out);
            },
          });
        },
      };
    });
  }
}

function checkBloscFrame(bytes: Uint8Array): void {
  if (bytes.byteLength < BLOSC_HEADER) {
    throw new Error(`blosc frame of ${bytes.byteLength} bytes is shorter than its ${BLOSC_HEADER}-byte header`);
  }
  const cbytes = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(12, true);
  if (cbytes !== bytes.byteLength) {
    throw new Error(`blosc frame header says ${cbytes} compressed bytes but the chunk has ${bytes.byteLength}`);
  }
}
