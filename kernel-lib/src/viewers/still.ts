import { TesseraError } from '../errors';
import { colorize, overlay, rgbaLut, type CodedLayer } from './colorize';
import { colormapLut } from './colormaps';
import type { RgbaImage } from './encode/png';
import type { LayerState, ViewerState } from './protocol';
import { xyztOf, type Conversion, type PlaneRequest } from './render-plane';
import type { Layer } from './source';

/**
 * The still of a viewer: the picture its view shows for a state — the same planes, colormaps,
 * display ranges, overlays (alpha, label outlines, curtain) and arrangement (side by side, the
 * shown image of a switch, the three planes of an orthogonal view) — cut on the GPU and coloured
 * with the views' own code (colorize.ts), at the view's zoom. Frontends without the Tessera
 * extension show it (the display's `image/png`), and it is the widget's first saved snapshot.
 */

/** Which view draws the state. */
export type ViewName = 'ViewerView' | 'OrthogonalView';

/** Transparent pixels between the planes of a still. */
const GAP = 4;

/** How a layer's values become codes: label codes, or its display range. */
export function conversionOf(labels: boolean, range: [number, number], what: string): Conversion {
  if (labels) return { mode: 'labels' };
  if (!Array.isArray(range) || range.length !== 2 || !range.every(Number.isFinite)) throw new TesseraError(`${what} must be two finite numbers`);
  return { mode: 'range', low: range[0], high: range[1] };
}

/** One plane of the still: the layers drawn in it (base first) and where it is cut. */
interface Panel {
  layers: number[];
  request: Omit<PlaneRequest, 'step'>;
}

/** The panels a view shows for `s`, and how they are placed: in a row, or as the orthogonal view's L. */
function panelsOf(s: ViewerState, view: ViewName): { panels: Panel[]; layout: 'row' | 'orthogonal' } {
  const { axis, index, t, cursor, arrangement, layers, active } = s;
  if (view === 'OrthogonalView') {
    const [x, y, z] = cursor;
    return {
      layout: 'orthogonal',
      panels: [
        { layers: [0], request: { axis: 0, index: z, t } }, // XY
        { layers: [0], request: { axis: 2, index: x, t, transpose: true } }, // YZ, beside XY (z across)
        { layers: [0], request: { axis: 1, index: y, t } }, // XZ, below XY (z down)
      ],
    };
  }
  const request = { axis, index, t };
  if (arrangement === 'side-by-side') return { layout: 'row', panels: layers.map((_, k) => ({ layers: [k], request })) };
  if (arrangement === 'switch') return { layout: 'row', panels: [{ layers: [active], request }] };
  if (arrangement === 'overlay' || arrangement === 'curtain') return { layout: 'row', panels: [{ layers: layers.map((_, k) => k), request }] };
  return { layout: 'row', panels: [{ layers: [0], request }] };
}

/** Width and height (image pixels) of the plane `request` cuts from `shape`. */
function planeExtent(shape: readonly number[], request: Omit<PlaneRequest, 'step'>): [number, number] {
  const [X, Y, Z] = xyztOf(shape);
  const [w, h] = ([[X, Y], [X, Z], [Y, Z]] as [number, number][])[request.axis];
  return request.transpose ? [h, w] : [w, h];
}

/** Subsampling step and integer magnification giving the view's zoom, at most `maxSide` pixels across. */
function scaleOf(extents: [number, number][], layout: 'row' | 'orthogonal', zoom: number, maxSide: number): { step: number; magnify: number } {
  const width = layout === 'orthogonal' ? extents[0][0] + extents[1][0] : extents.reduce((a, [w]) => a + w, 0);
  const height = layout === 'orthogonal' ? extents[0][1] + extents[2][1] : Math.max(...extents.map(([, h]) => h));
  const scale = Math.min(zoom > 0 ? zoom : 1, maxSide / Math.max(width, height));
  return scale >= 1 ? { step: 1, magnify: Math.floor(scale) } : { step: Math.ceil(1 / scale), magnify: 1 };
}

/** A composed plane: RGBA words (see colorize.ts), width × height. */
interface Painted {
  words: Uint32Array;
  width: number;
  height: number;
}

/** Cuts, colours and blends the layers of one panel, as the view's `compose` does. */
async function paint(layers: Layer[], s: ViewerState, panel: Panel, step: number): Promise<Painted> {
  let painted: Painted | undefined;
  for (const k of panel.layers) {
    const state: LayerState = s.layers[k];
    if (state.lookup) continue; // the kernel's selection codes: the still shows the image alone
    const labels = state.colormap === 'labels';
    const plane = await layers[k]
      .render({ ...panel.request, step }, conversionOf(labels, state.display_range, `display range of ${state.name}`))
      .catch((e: unknown) => {
        throw new TesseraError(`${state.name}: ${e instanceof Error ? e.message : String(e)}`);
      });
    const lut = rgbaLut(s.luts[state.colormap] ?? colormapLut('grey'));
    if (!painted) {
      painted = { words: new Uint32Array(plane.width * plane.height), width: plane.width, height: plane.height };
      colorize(painted.words, plane.pixels, lut);
      continue;
    }
    if (plane.width !== painted.width || plane.height !== painted.height) continue; // shapes differ: the view skips it too
    const layer: CodedLayer = { codes: plane.pixels, lut, alpha: state.alpha, labels, outline: state.outline };
    overlay(painted.words, painted.width, painted.height, layer, s.arrangement === 'curtain' ? s.curtain * painted.width : painted.width);
  }
  return painted!;
}

/**
 * Renders the still of a viewer whose view `view` shows `state` with `layers`: at most
 * `maxSide` pixels across, transparent between planes.
 */
export async function renderStill(layers: Layer[], state: ViewerState, view: ViewName, maxSide: number): Promise<RgbaImage> {
  const { panels, layout } = panelsOf(state, view);
  const extents = panels.map((p) => planeExtent(layers[p.layers[0]].shape, p.request));
  const { step, magnify } = scaleOf(extents, layout, state.zoom, maxSide);
  const painted: Painted[] = [];
  for (const panel of panels) painted.push(await paint(layers, state, panel, step));

  // Top-left corners in output pixels.
  const size = (p: Painted): [number, number] => [p.width * magnify, p.height * magnify];
  let corners: [number, number][];
  if (layout === 'orthogonal') {
    const [w0, h0] = size(painted[0]);
    corners = [[0, 0], [w0 + GAP, 0], [0, h0 + GAP]];
  } else {
    let x = 0;
    corners = painted.map((p) => {
      const at: [number, number] = [x, 0];
      x += size(p)[0] + GAP;
      return at;
    });
  }
  const width = Math.max(...painted.map((p, k) => corners[k][0] + size(p)[0]));
  const height = Math.max(...painted.map((p, k) => corners[k][1] + size(p)[1]));
  const pixels = new Uint8Array(width * height * 4); // transparent
  painted.forEach((p, k) => {
    const [x0, y0] = corners[k];
    for (let y = 0; y < p.height * magnify; y++) {
      const src = Math.floor(y / magnify) * p.width;
      let o = ((y0 + y) * width + x0) * 4;
      for (let x = 0; x < p.width * magnify; x++, o += 4) {
        const w = p.words[src + Math.floor(x / magnify)];
        pixels[o] = w & 0xff;
        pixels[o + 1] = (w >>> 8) & 0xff;
        pixels[o + 2] = (w >>> 16) & 0xff;
        pixels[o + 3] = w >>> 24;
      }
    }
  });
  return { pixels, width, height };
}
