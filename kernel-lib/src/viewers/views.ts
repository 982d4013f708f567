import { writeFileSync } from 'node:fs';
import type { GpuImage } from '../array/gpu-image';
import { TesseraError } from '../errors';
import { LazyArray } from '../io/lazy-array';
import { displayMimeBundle } from '../jupyter/display';
import { WidgetModel, controlsModelFields, layoutModel } from '../jupyter/ipywidgets';
import { crop as cropImage } from '../ops/transforms';
import { encodeAnimation, formatOfFilename, quantize } from './animation';
import type { Lut } from './colormaps';
import { createModel, showModel } from './model';
import type { ImageInput } from './source';
import { ImageWidget, type ViewerOptions } from './viewer';

/**
 * The stackview-style viewers. Each creates a widget in the kernel, shows it in the cell's
 * output and resolves to its {@link ImageWidget} once displayed, so call them with `await`.
 * Images may be GPU images, `{ data, shape }` host pixels or lazy {@link ImageSource}s; only
 * the planes the view shows are cut (on the GPU) and sent.
 */

/**
 * A slice viewer: the image with a slider through z (and time for 4D images), display range
 * and colormap controls, zoom (mouse wheel) and pan (drag). stackview: `slice`.
 *
 * @example
 * const widget = await slice(stack, { colormap: 'viridis', displayRange: [100, 4000] });
 */
export function slice(image: ImageInput, options: ViewerOptions = {}): Promise<ImageWidget> {
  return ImageWidget.create({ kind: 'slice', layers: [{ image, name: 'image' }], arrangement: 'single', options });
}

/**
 * Three orthogonal planes (XY, YZ, XZ) with a linked cursor: clicking or dragging in one plane
 * moves the other two. stackview: `orthogonal`.
 */
export function orthogonal(image: ImageInput, options: Omit<ViewerOptions, 'axis' | 'index'> = {}): Promise<ImageWidget> {
  return ImageWidget.create({ kind: 'orthogonal', layers: [{ image, name: 'image' }], arrangement: 'single', view: 'OrthogonalView', options });
}

/** Options of {@link curtain}. */
export interface CurtainOptions extends ViewerOptions {
  /** Opacity of the overlay (default 1). */
  alpha?: number;
  /** Colormap of the overlay (default magma); `labels` shows a label image. */
  curtainColormap?: string | Lut;
  /** Display range of the overlay. */
  curtainDisplayRange?: [number, number];
  /** Initial curtain position as a fraction of the width (default 0.5). */
  position?: number;
}

/**
 * `overlay` (a second image or labels) drawn over `image` left of a draggable curtain, with an
 * alpha slider. The images must have the same shape. stackview: `curtain`.
 */
export function curtain(image: ImageInput, overlay: ImageInput, options: CurtainOptions = {}): Promise<ImageWidget> {
  return ImageWidget.create({
    kind: 'curtain',
    layers: [
      { image, name: 'image' },
      { image: overlay, name: 'overlay', colormap: options.curtainColormap ?? 'magma', displayRange: options.curtainDisplayRange, alpha: options.alpha ?? 1 },
    ],
    arrangement: 'curtain',
    options: { ...options, curtain: options.position },
  });
}

/** Options of {@link labelOverlay}. */
export interface LabelOverlayOptions extends ViewerOptions {
  /** Opacity of the labels (default 0.6). */
  alpha?: number;
  /** Draw only the outlines of the labels (default true). */
  outline?: boolean;
}

/**
 * A label image drawn over `image` in distinct colours, as outlines by default (toggle in the
 * view). The images must have the same shape. stackview: `imshow(labels=True)` over an image.
 */
export function labelOverlay(image: ImageInput, labels: ImageInput, options: LabelOverlayOptions = {}): Promise<ImageWidget> {
  return ImageWidget.create({
    kind: 'labelOverlay',
    layers: [
      { image, name: 'image' },
      { image: labels, name: 'labels', colormap: 'labels', alpha: options.alpha ?? 0.6, outline: options.outline ?? true },
    ],
    arrangement: 'overlay',
    options,
  });
}

/** Options of {@link sideBySide}. */
export interface SideBySideOptions extends ViewerOptions {
  /** Colormaps of the two images (default: `colormap`, or grey). */
  colormaps?: [string | Lut, string | Lut];
  /** Names shown above the images. */
  names?: [string, string];
}

/** Two images next to each other with one shared slider. stackview: `side_by_side`. */
export function sideBySide(a: ImageInput, b: ImageInput, options: SideBySideOptions = {}): Promise<ImageWidget> {
  const [na, nb] = options.names ?? ['image 1', 'image 2'];
  return ImageWidget.create({
    kind: 'sideBySide',
    layers: [
      { image: a, name: na, colormap: options.colormaps?.[0] },
      { image: b, name: nb, colormap: options.colormaps?.[1] },
    ],
    arrangement: 'side-by-side',
    options,
  });
}

/**
 * One of several images at a time, chosen with buttons; pass an object to name them. Named
 * `switchImages` because `switch` is a reserved word in TypeScript. stackview: `switch`.
 *
 * @example
 * await switchImages({ raw, blurred, labels });
 */
export function switchImages(images: ImageInput[] | Record<string, ImageInput>, options: ViewerOptions = {}): Promise<ImageWidget> {
  const entries = Array.isArray(images) ? images.map((image, k) => [`image ${k + 1}`, image] as const) : Object.entries(images);
  return ImageWidget.create({ kind: 'switchImages', layers: entries.map(([name, image]) => ({ image, name })), arrangement: 'switch', options });
}

/** A slice viewer that shows the position and value of the pixel under the mouse. stackview: `picker`. */
export function picker(image: ImageInput, options: ViewerOptions = {}): Promise<ImageWidget> {
  return ImageWidget.create({ kind: 'picker', layers: [{ image, name: 'image' }], arrangement: 'single', tools: ['picker'], options });
}

/**
 * A slice viewer with the histogram of the shown plane (over the image's value range) and
 * the display range marked on it. stackview: `histogram`.
 */
export function histogram(image: ImageInput, options: ViewerOptions = {}): Promise<ImageWidget> {
  return ImageWidget.create({ kind: 'histogram', layers: [{ image, name: 'image' }], arrangement: 'single', tools: ['histogram'], options });
}

/** Options of {@link animate}. */
export interface AnimateOptions extends ViewerOptions {
  /** Frames per second (default 10). */
  fps?: number;
  /** Also write the animation to this file: APNG for `.png`, GIF for `.gif`. */
  filename?: string;
  /** How often a written file loops; 0 (default) forever. */
  loops?: number;
}

/**
 * Plays through z (or time for 4D images) with play/pause and speed controls, and exports
 * the animation as APNG or GIF from the view or to `filename`. stackview: `animate`.
 */
export async function animate(image: ImageInput, options: AnimateOptions = {}): Promise<ImageWidget> {
  const widget = await ImageWidget.create({ kind: 'animate', layers: [{ image, name: 'image' }], arrangement: 'single', tools: ['play'], options });
  if (options.filename) await widget.saveAnimation(options.filename, 1000 / (options.fps ?? 10), options.loops ?? 0);
  return widget;
}

/** Options of {@link blend}. */
export interface BlendOptions extends ViewerOptions {
  /** Weight of the second image, 0..1 (default 0.5): colour = (1 - f) · first + f · second. */
  blendFactor?: number;
  /** Colormaps of the two images (default grey and magma). */
  colormaps?: [string | Lut, string | Lut];
  /** Display ranges of the two images. */
  displayRanges?: [[number, number]?, [number, number]?];
}

/** Two images blended with a slider for the blend factor. stackview: `blend`. */
export function blend(a: ImageInput, b: ImageInput, options: BlendOptions = {}): Promise<ImageWidget> {
  const f = options.blendFactor ?? 0.5;
  if (!(f >= 0 && f <= 1)) throw new TesseraError(`blend: blendFactor must be 0..1; got ${f}`);
  return ImageWidget.create({
    kind: 'blend',
    layers: [
      { image: a, name: 'image 1', colormap: options.colormaps?.[0], displayRange: options.displayRanges?.[0] },
      { image: b, name: 'image 2', colormap: options.colormaps?.[1] ?? 'magma', displayRange: options.displayRanges?.[1], alpha: f },
    ],
    arrangement: 'overlay',
    options,
  });
}

/** Options of {@link zoom}. */
export interface ZoomOptions extends ViewerOptions {
  /** First magnification of the view (default 2; the slider goes from 1 to 16). */
  magnification?: number;
}

/**
 * A slice viewer with a magnification slider; the view pans by dragging and asks only for the
 * visible region, at the resolution it is shown (so a zoomed-in view of a large image or of a
 * pyramid reads only the chunks it shows). stackview: `zoom`.
 */
export function zoom(image: ImageInput, options: ZoomOptions = {}): Promise<ImageWidget> {
  return ImageWidget.create({ kind: 'zoom', layers: [{ image, name: 'image' }], arrangement: 'single', tools: ['zoom'], options, extra: { magnification: options.magnification ?? 2 } });
}

/**
 * A slice viewer with sliders for the display range's minimum and maximum; read them back with
 * `widget.displayRanges[0]`. stackview: `display_range`.
 */
export function displayRange(image: ImageInput, options: ViewerOptions = {}): Promise<ImageWidget> {
  return ImageWidget.create({ kind: 'displayRange', layers: [{ image, name: 'image' }], arrangement: 'single', tools: ['range'], options });
}

/** The widget of {@link crop}: the region chosen in the view and the image cut to it. */
export class CropWidget {
  constructor(
    readonly viewer: ImageWidget,
    private readonly image: ImageInput,
  ) {}

  /** The chosen box: start and size in (z, y, x) order for 3D images ((y, x) for 2D). */
  get region(): { start: number[]; size: number[] } {
    const [x, y, z, w, h, d] = this.viewer.model.state.crop_box;
    const nd = this.viewer.model.state.layers[0].shape.length;
    return nd >= 3 ? { start: [z, y, x], size: [d, h, w] } : { start: [y, x], size: [h, w] };
  }

  /**
   * The image cut to the region: a new GPU image (cut on the GPU) for GPU images and host pixels,
   * a lazy view (nothing read) for lazy arrays.
   */
  crop(): GpuImage | LazyArray {
    const { start, size } = this.region;
    if (this.image instanceof LazyArray) {
      const lead = this.image.ndim - start.length;
      return this.image.slice(...new Array(lead).fill(null), ...start.map((s, k): [number, number] => [s, s + size[k]]));
    }
    const gpu = this.viewer.layer(0).gpu;
    if (!gpu) throw new TesseraError('crop: this image kind can only be cropped through its region (widget.region)');
    const [x, y, z, w, h, d] = this.viewer.model.state.crop_box;
    return cropImage(gpu, x, y, z, w, h, d);
  }

  close(): void {
    this.viewer.close();
  }

  toString(): string {
    const { start, size } = this.region;
    return `tessera crop: start [${start}], size [${size}]`;
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
}

/**
 * Choose a box interactively: drag a rectangle on the image (and set the z range with the
 * sliders of a 3D image); `widget.region` is the box, `widget.crop()` the image cut to it.
 * stackview: `crop`.
 */
export async function crop(image: ImageInput, options: ViewerOptions = {}): Promise<CropWidget> {
  const viewer = await ImageWidget.create({ kind: 'crop', layers: [{ image, name: 'image' }], arrangement: 'single', tools: ['crop'], options });
  return new CropWidget(viewer, image);
}

/** A tile of {@link grid}: an image (shown as a slice viewer) or a widget. */
export type GridTile = ImageInput | ImageWidget | { viewer: ImageWidget } | { model: WidgetModel<any> };

/**
 * Several views in a grid: rows of tiles, each an image (shown with `slice` and `options`) or a
 * widget made with `{ show: false }` (any Tessera widget). The grid is an ipywidgets GridBox.
 * stackview: `grid`.
 *
 * @example
 * await widgets.grid([[raw, blurred], [await widgets.histogram(raw, { show: false }), labels]]);
 */
export async function grid(tiles: GridTile[][], options: ViewerOptions = {}): Promise<WidgetModel<any>> {
  if (!Array.isArray(tiles) || tiles.length === 0 || !tiles.every((r) => Array.isArray(r) && r.length > 0)) throw new TesseraError('grid: tiles must be a non-empty list of non-empty rows');
  const columns = Math.max(...tiles.map((r) => r.length));
  const models: WidgetModel<any>[] = [];
  const stills: Uint8Array[] = [];
  for (const row of tiles) {
    for (let c = 0; c < columns; c++) {
      const tile = row[c];
      if (tile === undefined) {
        models.push(createModel('ViewerModel', 'EmptyView', {})); // keeps the columns aligned
        continue;
      }
      const widget = tile instanceof ImageWidget ? tile : 'viewer' in (tile as object) && (tile as { viewer: unknown }).viewer instanceof ImageWidget ? (tile as { viewer: ImageWidget }).viewer : undefined;
      if (widget) models.push(widget.model);
      else if ('model' in (tile as object) && !(tile instanceof LazyArray)) models.push((tile as { model: WidgetModel<any> }).model);
      else {
        const made = await slice(tile as ImageInput, { ...options, show: false });
        models.push(made.model);
        stills.push(await made.png());
      }
    }
  }
  const layout = layoutModel({ grid_template_columns: `repeat(${columns}, max-content)`, grid_gap: '8px' });
  const box = new WidgetModel({
    ...controlsModelFields('GridBox'),
    box_style: '',
    children: models,
    layout,
    tabbable: null,
    tooltip: null,
    _dom_classes: [],
  });
  showModel(box, `tessera grid: ${tiles.length} x ${columns}`, stills[0] ? { 'image/png': stills[0] } : {});
  return box;
}

/** Options of {@link animateCurtain} and {@link animateBlend}. */
export interface AnimateTransitionOptions extends ViewerOptions {
  /** Frames from one image to the other (default 20); the animation goes there and back. */
  numSteps?: number;
  /** Also write the animation: APNG for `.png`, GIF for `.gif`. */
  filename?: string;
  frameDelayMs?: number;
  /** How often it plays; 0 (default) forever. */
  loops?: number;
  /** Colormaps of the two images (default grey and magma; `labels` for label images). */
  colormaps?: [string | Lut, string | Lut];
  /** Opacity of the second image (animateCurtain, default 1). */
  alpha?: number;
}

async function animateTransition(kind: 'curtain' | 'blend', a: ImageInput, b: ImageInput, options: AnimateTransitionOptions): Promise<Uint8Array> {
  const fn = kind === 'curtain' ? 'animateCurtain' : 'animateBlend';
  const steps = options.numSteps ?? 20;
  if (!Number.isInteger(steps) || steps < 2 || steps > 1000) throw new TesseraError(`${fn}: numSteps must be a whole number 2..1000; got ${steps}`);
  const widget = await ImageWidget.create({
    kind: fn,
    layers: [
      { image: a, name: 'image 1', colormap: options.colormaps?.[0] },
      { image: b, name: 'image 2', colormap: options.colormaps?.[1] ?? 'magma', alpha: kind === 'curtain' ? options.alpha ?? 1 : 0 },
    ],
    arrangement: kind === 'curtain' ? 'curtain' : 'overlay',
    options: { ...options, show: false },
  });
  try {
    const fractions = [...Array(steps).keys()].map((k) => k / (steps - 1));
    const there = [...fractions, ...fractions.slice(1, -1).reverse()];
    const frames = [];
    for (const f of there) {
      const layers = widget.model.state.layers.map((l, k) => (k === 1 && kind === 'blend' ? { ...l, alpha: f } : l));
      frames.push(await widget.stillOf(kind === 'curtain' ? { curtain: f } : { layers }));
    }
    const format = options.filename ? formatOfFilename(options.filename) : 'apng';
    const { frames: indexed, lut } = quantize(frames);
    const timing = { frameDelayMs: options.frameDelayMs ?? 150, loops: options.loops ?? 0 };
    const bytes = encodeAnimation(indexed, lut, format, timing);
    if (options.filename) writeFileSync(options.filename, bytes);
    const shown = format === 'apng' ? bytes : encodeAnimation(indexed, lut, 'apng', timing);
    if (options.show !== false) displayMimeBundle({ 'image/png': shown, 'text/plain': `tessera ${fn}: ${there.length} frames${options.filename ? `, written to ${options.filename}` : ''}` });
    return bytes;
  } finally {
    widget.close();
  }
}

/**
 * An animation of a curtain moving across the plane from one image to the other and back,
 * shown in the output (APNG) and written to `filename` (APNG or GIF). stackview: `animate_curtain`.
 */
export function animateCurtain(image: ImageInput, curtainImage: ImageInput, options: AnimateTransitionOptions = {}): Promise<Uint8Array> {
  return animateTransition('curtain', image, curtainImage, options);
}

/** An animation blending from one image to the other and back. stackview: `animate_blend`. */
export function animateBlend(a: ImageInput, b: ImageInput, options: AnimateTransitionOptions = {}): Promise<Uint8Array> {
  return animateTransition('blend', a, b, options);
}
