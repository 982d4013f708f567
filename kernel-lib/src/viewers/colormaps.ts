import { TesseraError } from '../errors';

/**
 * Colormaps as lookup tables: 256 RGB triples (768 bytes) indexed by the 8-bit value of a
 * rendered plane. The kernel owns them: they travel once in a widget's state and the browser
 * applies them per pixel; the kernel uses them only for PNG fallbacks and exports (as palettes).
 */

/** A lookup table: 256 RGB triples, 768 bytes. */
export type Lut = Uint8Array;

/** The built-in colormaps; `labels` is for label images (0 is background, shown transparent in overlays). */
export const COLORMAPS = ['grey', 'viridis', 'magma', 'green', 'magenta', 'labels'] as const;

/** Name of a built-in colormap. */
export type ColormapName = (typeof COLORMAPS)[number];

/** Other spellings accepted for built-in colormaps (matplotlib's and stackview's names). */
const ALIASES: Record<string, ColormapName> = {
  gray: 'grey', greys_r: 'grey', grays: 'grey', pure_green: 'green', pure_magenta: 'magenta', glasbey: 'labels',
};

// Published colour stops of matplotlib's viridis and magma at 0, 0.1, ..., 1; linear
// interpolation between them stays within a few levels of the full 256-entry maps.
const VIRIDIS = ['440154', '482475', '414487', '355f8d', '2a788e', '21918c', '22a884', '44bf70', '7ad151', 'bddf26', 'fde725'];
const MAGMA = ['000004', '140e36', '3b0f70', '641a80', '8c2981', 'b73779', 'de4968', 'f7705c', 'fe9f6d', 'fecf92', 'fcfdbf'];

function fromStops(hexStops: string[]): Lut {
  const stops = hexStops.map((h) => [0, 2, 4].map((k) => parseInt(h.slice(k, k + 2), 16)));
  const lut = new Uint8Array(768);
  for (let i = 0; i < 256; i++) {
    const f = (i / 255) * (stops.length - 1);
    const k = Math.min(Math.floor(f), stops.length - 2);
    const w = f - k;
    for (let c = 0; c < 3; c++) lut[i * 3 + c] = Math.round(stops[k][c] * (1 - w) + stops[k + 1][c] * w);
  }
  return lut;
}

function ramp(r: number, g: number, b: number): Lut {
  const lut = new Uint8Array(768);
  for (let i = 0; i < 256; i++) lut.set([(r * i) / 255, (g * i) / 255, (b * i) / 255].map(Math.round), i * 3);
  return lut;
}

function hsvToRgb(h: number, s: number, v: number): number[] {
  const f = (n: number) => {
    const k = (n + h * 6) % 6;
    return Math.round(255 * (v - v * s * Math.max(0, Math.min(k, 4 - k, 1))));
  };
  return [f(5), f(3), f(1)];
}

/**
 * Distinct colours for labels: hues step by the golden ratio so neighbouring label values get
 * far-apart hues; saturation and brightness alternate to separate labels whose hues come close.
 * Entry 0 (background) is black. Label values above 255 wrap to 1..255 (see the plane renderer).
 */
function labelColors(): Lut {
  const lut = new Uint8Array(768);
  const golden = 0.618033988749895;
  for (let i = 1; i < 256; i++) {
    const hue = (0.1 + i * golden) % 1;
    const s = [0.9, 0.6, 0.75][i % 3];
    const v = [1, 0.85, 0.7][Math.floor(i / 3) % 3];
    lut.set(hsvToRgb(hue, s, v), i * 3);
  }
  return lut;
}

const BUILT_IN: Record<ColormapName, () => Lut> = {
  grey: () => ramp(255, 255, 255),
  viridis: () => fromStops(VIRIDIS),
  magma: () => fromStops(MAGMA),
  green: () => ramp(0, 255, 0),
  magenta: () => ramp(255, 0, 255),
  labels: labelColors,
};

const cache = new Map<ColormapName, Lut>();

/** The canonical name of a built-in colormap (accepting aliases such as `gray`), or undefined. */
export function colormapName(name: string): ColormapName | undefined {
  const key = name.toLowerCase();
  if ((COLORMAPS as readonly string[]).includes(key)) return key as ColormapName;
  return ALIASES[key];
}

/**
 * The lookup table of colormap `name` (a built-in name or alias), or `lut` itself when given
 * a 768-byte table. Throws a {@link TesseraError} naming the choices otherwise.
 */
export function colormapLut(colormap: string | Lut, argument = 'colormap'): Lut {
  if (colormap instanceof Uint8Array) {
    if (colormap.length !== 768) throw new TesseraError(`${argument}: a lookup table must have 768 bytes (256 RGB triples); got ${colormap.length}`);
    return colormap;
  }
  const name = typeof colormap === 'string' ? colormapName(colormap) : undefined;
  if (!name) throw new TesseraError(`${argument} must be one of ${COLORMAPS.join(', ')} or a 768-byte lookup table; got ${JSON.stringify(colormap)}`);
  let lut = cache.get(name);
  if (!lut) cache.set(name, (lut = BUILT_IN[name]()));
  return lut;
}
