/**
 * How a viewer's 8-bit codes become colours: through 256-entry lookup tables, with overlay layers
 * blended on top (alpha, label outlines, curtain). One implementation for both sides: the browser
 * views draw with it (@tessera/widgets bundles this file, so it imports nothing; see
 * widgets/test/protocol.test.ts) and the kernel paints the static pictures of its viewers.
 * Pixels are 32-bit words in the byte order of ImageData on little-endian machines (all
 * browsers' hosts): 0xAABBGGRR.
 */

/** A colormap ready for drawing: 256 RGBA words. */
export type RgbaLut = Uint32Array;

/** Packs r, g, b, a (0..255) into an ImageData word. */
export function rgba(r: number, g: number, b: number, a = 255): number {
  return ((a << 24) | (b << 16) | (g << 8) | r) >>> 0;
}

/** Turns a 768-byte RGB lookup table into RGBA words. */
export function rgbaLut(rgb: Uint8Array): RgbaLut {
  const out = new Uint32Array(256);
  for (let i = 0; i < 256; i++) out[i] = rgba(rgb[i * 3], rgb[i * 3 + 1], rgb[i * 3 + 2]);
  return out;
}

/** One plane to draw: 8-bit codes and how to colour them. */
export interface CodedLayer {
  codes: Uint8Array;
  lut: RgbaLut;
  /** Opacity over the layers below (overlays only). */
  alpha: number;
  /** Label codes: 0 is background and stays transparent in overlays. */
  labels: boolean;
  /** Draw only label boundaries. */
  outline: boolean;
}

/** Colours `codes` into `out` (opaque). */
export function colorize(out: Uint32Array, codes: Uint8Array, lut: RgbaLut): void {
  const n = Math.min(out.length, codes.length);
  for (let i = 0; i < n; i++) out[i] = lut[codes[i]];
}

/** Whether pixel (x, y) of a label plane is on its label's boundary: at the plane's edge or next to another label. */
function onBoundary(codes: Uint8Array, width: number, height: number, x: number, y: number): boolean {
  if (x === 0 || y === 0 || x === width - 1 || y === height - 1) return true;
  const i = y * width + x;
  const c = codes[i];
  return codes[i - 1] !== c || codes[i + 1] !== c || codes[i - width] !== c || codes[i + width] !== c;
}

/** Mixes word `over` into `under` with weight w256/256 per channel; the result is opaque. */
function blend(under: number, over: number, w256: number): number {
  const v = 256 - w256;
  const r = ((under & 0xff) * v + (over & 0xff) * w256) >> 8;
  const g = (((under >>> 8) & 0xff) * v + ((over >>> 8) & 0xff) * w256) >> 8;
  const b = (((under >>> 16) & 0xff) * v + ((over >>> 16) & 0xff) * w256) >> 8;
  return rgba(r, g, b);
}

/**
 * Draws `layer` over `out` (width × height): labels skip background, outlines keep only
 * boundary pixels, and with `curtainX` only columns left of it are drawn.
 */
export function overlay(out: Uint32Array, width: number, height: number, layer: CodedLayer, curtainX = width): void {
  const { codes, lut, labels, outline } = layer;
  const w256 = Math.round(Math.max(0, Math.min(1, layer.alpha)) * 256);
  if (w256 === 0) return;
  const xEnd = Math.max(0, Math.min(width, Math.round(curtainX)));
  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (let x = 0; x < xEnd; x++) {
      const i = row + x;
      const c = codes[i];
      if (labels && c === 0) continue;
      if (outline && !onBoundary(codes, width, height, x, y)) continue;
      out[i] = w256 === 256 ? lut[c] : blend(out[i], lut[c], w256);
    }
  }
}
