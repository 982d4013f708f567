import { RICH_DISPLAY } from '../jupyter/display';
import { bytesPerPixel } from '../dtype';
import { GpuImage } from '../array/gpu-image';
import { push } from '../array/transfer';
import type { WidgetModel, WidgetState } from '../jupyter/ipywidgets';
import { maximumZProjection } from '../ops/projections';
import { maximumOfAllPixels, minimumOfAllPixels } from '../ops/reductions';
import { checkImage } from '../validate/arguments';
import { colormapLut, type Lut } from './colormaps';
import { encodePng, pngDataUrl } from './encode/png';
import { createModel, showModel } from './model';
import type { InsightState } from './protocol';
import { planeOf, renderPlane, type Conversion, type RenderedPlane } from './render-plane';
import { describeInput, isHostArray, toLayer, type ImageInput } from './source';

/** Options of {@link insight}. */
export interface InsightOptions {
  /** Heading above the picture (default "tessera.GpuImage" or the kind of input). */
  title?: string;
  /** Colormap of the picture (default grey; `labels` for label images). */
  colormap?: string | Lut;
  /** Values shown as the first and last colour (default: minimum and maximum). */
  displayRange?: [number, number];
}

/** Longest side of the insight picture. */
const PICTURE_SIZE = 256;

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function formatNumber(v: number): string {
  return Number.isInteger(v) ? String(v) : v.toPrecision(6).replace(/\.?0+$/, '');
}

/** The picture and the numbers of the table. */
interface Picture {
  plane: RenderedPlane;
  min: number;
  max: number;
  /** What the picture shows, when it is not simply the image. */
  what: string;
}

/**
 * Renders the picture at most PICTURE_SIZE pixels across: the maximum projection along z of a
 * 3D image (of time point 0 for 4D), a 2D image as it is, the middle z-slice of a lazy source
 * (whose min and max are unknown: NaN).
 */
async function picture(image: ImageInput, conversion: (low: number, high: number) => Conversion, range?: [number, number]): Promise<Picture> {
  const stepFor = (shape: readonly number[]) => Math.max(1, Math.ceil(Math.max(...shape.slice(-2)) / PICTURE_SIZE));
  if (!(image instanceof GpuImage) && !isHostArray(image)) {
    const layer = toLayer(image);
    try {
      const shape = layer.shape;
      const z = shape.length >= 3 ? Math.floor(shape[shape.length - 3] / 2) : 0;
      const request = { axis: 0, index: z, step: stepFor(shape) };
      const probe = range ? undefined : await layer.render(request, { mode: 'labels' });
      const plane = await layer.render(request, conversion(range?.[0] ?? probe!.min, range?.[1] ?? probe!.max));
      return { plane, min: NaN, max: NaN, what: shape.length >= 3 ? `slice z=${z}` : '' };
    } finally {
      layer.dispose();
    }
  }
  const gpu = image instanceof GpuImage ? checkImage(image, 'insight: image') : push(image.data, image.shape);
  try {
    const [min, max] = [await minimumOfAllPixels(gpu), await maximumOfAllPixels(gpu)];
    const projected = gpu.ndim >= 3 ? maximumZProjection(gpu) : undefined;
    try {
      const target = projected ?? gpu;
      const spec = planeOf(target.shape, { axis: 0, index: 0, step: stepFor(target.shape) });
      const plane = await renderPlane(target, spec, conversion(range?.[0] ?? min, range?.[1] ?? max));
      return { plane, min, max, what: projected ? 'maximum projection along z' : '' };
    } finally {
      projected?.release();
    }
  } finally {
    if (gpu !== image) gpu.release();
  }
}

/** The insight widget in the kernel; its view needs nothing more from the kernel once shown. */
export class InsightWidget {
  /** As a cell's last expression: nothing more to show, the view is on screen already. */
  [RICH_DISPLAY](): void {}

  constructor(
    /** The widget model (state: InsightState in protocol.ts). */
    readonly model: WidgetModel<InsightState & WidgetState>,
  ) {}

  /** Closes the widget: its view disappears. */
  close(): void {
    this.model.close();
  }

  toString(): string {
    return this.model.state.stats.map(([k, v]) => `${k} ${v}`).join(', ');
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `tessera insight: ${this.toString()}`;
  }
}

/**
 * The cle / stackview picture of an image: a small picture (maximum projection along z for 3D
 * images) next to a table of shape, dtype, size, min and max. The view needs no kernel once
 * shown; other frontends get HTML or a PNG. stackview: `insight`.
 */
export async function insight(image: ImageInput, options: InsightOptions = {}): Promise<InsightWidget> {
  const lut = colormapLut(options.colormap ?? 'grey');
  const labels = options.colormap === 'labels';
  const conversion = (lo: number, hi: number): Conversion => (labels ? { mode: 'labels' } : { mode: 'range', low: lo, high: hi });
  const { shape, dtype } = describeInput(image);
  const { plane, min, max, what } = await picture(image, conversion, options.displayRange);
  const size = shape.reduce((a, b) => a * b, 1) * bytesPerPixel(dtype);
  const stats: [string, string][] = [
    ['shape', `(${shape.join(', ')})`],
    ['dtype', dtype],
    ['size', size >= 1024 ** 2 ? `${(size / 1024 ** 2).toFixed(1)} MB` : `${(size / 1024).toFixed(1)} kB`],
    ['min', Number.isNaN(min) ? 'n/a (lazy)' : formatNumber(min)],
    ['max', Number.isNaN(max) ? 'n/a (lazy)' : formatNumber(max)],
  ];
  const title = options.title ?? (image instanceof GpuImage ? 'tessera.GpuImage' : 'image');
  const side = Math.max(plane.width, plane.height);
  const zoom = side < PICTURE_SIZE ? Math.min(8, Math.floor(PICTURE_SIZE / side)) : 1;
  const state: InsightState = { title: what ? `${title} (${what})` : title, image: plane.pixels, width: plane.width, height: plane.height, lut, zoom, stats };
  const model = createModel<InsightState & WidgetState>('InsightModel', 'InsightView', state as InsightState & WidgetState);
  const png = encodePng(plane, lut);
  const rows = stats.map(([k, v]) => `<tr><td style="text-align:left"><b>${k}</b></td><td style="text-align:left">${escapeHtml(v)}</td></tr>`).join('');
  const html = `<div style="display:flex;gap:1em;align-items:flex-start"><img src="${pngDataUrl(png)}" width="${plane.width * zoom}" style="image-rendering:pixelated"/><table>${rows}</table></div>`;
  showModel(model, [state.title, ...stats.map(([k, v]) => `${k.padEnd(6)}${v}`)].join('\n'), { 'text/html': html, 'image/png': png });
  return new InsightWidget(model);
}
