/**
 * Compares the npm TIFF decoders `tiff`, `geotiff` and `utif2` on 16-bit multi-page stacks (classic TIFF,
 * BigTIFF, deflate-compressed, ImageJ hyperstack) written by tifffile: correctness against tifffile's
 * pixels, time to open, time per page read in order, and the cost of one page in the middle (lazy access).
 * The results are in docs/io.md. Tessera reads TIFF with geotiff (its first row); tiff and utif2 are installed
 * for the comparison only:
 *
 *   npm install --no-save tiff@7.1.3 utif2@4.1.0 && npm run build
 *   .venv/bin/python bench/make_tiffs.py /tmp/tiffs && node bench/dist/tiff-decoders.js /tmp/tiffs
 */
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tessera from 'tessera';

const importEsm = new Function('specifier', 'return import(specifier)') as (specifier: string) => Promise<any>;

/** A decoder: `open` a file, then read page `i` as a Uint16Array. */
interface Decoder {
  name: string;
  open(file: string): Promise<{ pages: number; page(i: number): Promise<Uint16Array>; close(): Promise<void> }>;
}

const decoders: Decoder[] = [
  {
    // Tessera: geotiff parses the file and decodes strips; rows are placed with typed-array copies.
    name: 'tessera.openTiff (geotiff 3.0.5 strips)',
    async open(file) {
      const a = await tessera.openTiff(file);
      const plane = a.shape.slice(-2);
      const pages = a.pageCount;
      return {
        pages,
        async page(i) {
          const lead = a.shape.slice(0, -2);
          const at = lead.map((_, k) => Math.floor(i / lead.slice(k + 1).reduce((x, y) => x * y, 1)) % lead[k]);
          return (await a.readRegion([...at, 0, 0], [...lead.map(() => 1), ...plane])).data as Uint16Array;
        },
        close: () => a.close(),
      };
    },
  },
  {
    // image-js' tiff: decodes from a buffer holding the whole file.
    name: 'tiff 7.1.3',
    async open(file) {
      const tiff = await importEsm('tiff');
      const buffer = await readFile(file);
      const pages = tiff.pageCount(buffer);
      return {
        pages,
        page: async (i) => tiff.decode(buffer, { pages: [i] })[0].data as Uint16Array,
        close: async () => undefined,
      };
    },
  },
  {
    // utif2: parses every IFD from a buffer holding the whole file, decodes one image on request.
    name: 'utif2 4.1.0',
    async open(file) {
      const UTIF = require('utif2');
      const buffer = await readFile(file);
      const ifds = UTIF.decode(buffer);
      return {
        pages: ifds.length,
        async page(i) {
          UTIF.decodeImage(buffer, ifds[i], ifds);
          const bytes = ifds[i].data as Uint8Array;
          return new Uint16Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 2);
        },
        close: async () => undefined,
      };
    },
  },
  {
    // geotiff: reads the file through positioned reads of the bytes a call needs (lazy).
    name: 'geotiff 3.0.5',
    async open(file) {
      const GeoTIFF = require('geotiff');
      const tif = await GeoTIFF.fromFile(file);
      const pages = await tif.getImageCount();
      return {
        pages,
        async page(i) {
          const image = await tif.getImage(i);
          return (await image.readRasters({ interleave: true })) as Uint16Array;
        },
        close: async () => tif.close?.(),
      };
    },
  },
];

/** Reads a .npy file of uint16 (tifffile's reference pixels). */
function readNpy(file: string): Uint16Array {
  const bytes = readFileSync(file);
  const headerLength = bytes.readUInt16LE(8);
  const body = bytes.subarray(10 + headerLength);
  return new Uint16Array(body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength));
}

async function main(): Promise<void> {
  const dir = process.argv[2] ?? '/tmp/tiffs';
  const reference = readNpy(join(dir, 'u16.npy'));
  const files = ['u16.tif', 'u16_bigtiff.tif', 'u16_deflate.tif', 'u16_imagej.tif'];
  console.log(`| decoder | file | opens | correct | open ms | ms/page (all ${64} pages, in order) | MB/s | page 32 alone ms (open + read) |`);
  console.log('|---|---|---|---|---|---|---|---|');
  for (const d of decoders) {
    for (const f of files) {
      const file = join(dir, f);
      const row = [d.name, f];
      try {
        const t0 = performance.now();
        const tif = await d.open(file);
        const openMs = performance.now() - t0;
        let correct = tif.pages === 64;
        const pageSize = reference.length / 64;
        const t1 = performance.now();
        const pages: Uint16Array[] = [];
        for (let i = 0; i < tif.pages; i++) pages.push(await tif.page(i));
        const allMs = performance.now() - t1;
        pages.forEach((px, i) => {
          const want = reference.subarray(i * pageSize, (i + 1) * pageSize);
          if (px.length !== want.length || Buffer.compare(Buffer.from(px.buffer, px.byteOffset, px.byteLength), Buffer.from(want.buffer, want.byteOffset, want.byteLength)) !== 0) correct = false;
        });
        await tif.close();
        // One page from a fresh open: what a tile that needs page 32 costs.
        const t2 = performance.now();
        const again = await d.open(file);
        await again.page(32);
        const oneMs = performance.now() - t2;
        await again.close();
        const mbps = (reference.byteLength / 1e6) / (allMs / 1e3);
        row.push('yes', correct ? 'yes' : 'NO', openMs.toFixed(0), (allMs / 64).toFixed(1), mbps.toFixed(0), oneMs.toFixed(0));
      } catch (e) {
        row.push(`no: ${(e as Error).message.slice(0, 60)}`, '', '', '', '', '');
      }
      console.log(`| ${row.join(' | ')} |`);
    }
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
