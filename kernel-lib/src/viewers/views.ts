import type { Lut } from './colormaps';
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
