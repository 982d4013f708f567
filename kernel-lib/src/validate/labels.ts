import type { GpuImage } from '../array/gpu-image';
import { TesseraError } from '../errors';
import { checkChoice, checkDims, checkImage, checkSameShape } from './arguments';

/** Argument checks of the labeling, segmentation and measurement operations. */

/**
 * A label image (or a mask): an integer image of 1 to 3 dimensions. Float images are refused,
 * as their values need not be whole numbers (convert them first, e.g. with `convert(x, 'uint32')`
 * or threshold them with `greaterConstant(x, 0)`).
 */
export function checkLabels(x: unknown, fn: string, argument = 'labels'): GpuImage {
  const img = checkImage(x, `${fn}: ${argument}`);
  checkDims(img, [1, 2, 3], `${fn}: ${argument}`);
  if (img.dtype === 'float32') {
    throw new TesseraError(
      `${fn}: ${argument} must be an integer label image or mask (uint8/uint16/uint32/int8/int16/int32); got float32 ` +
        `(convert it with convert(image, 'uint32'), or threshold it, e.g. greaterConstant(image, 0))`,
    );
  }
  return img;
}

/** An intensity image (any dtype) of the shape of `labels`. */
export function checkIntensity(x: unknown, labels: GpuImage, fn: string, argument = 'intensity', labelsArgument = 'labels'): GpuImage {
  const img = checkImage(x, `${fn}: ${argument}`);
  checkDims(img, [1, 2, 3], `${fn}: ${argument}`);
  checkSameShape(img, labels, [`${fn}: ${argument}`, labelsArgument]);
  return img;
}

/** Neighbourhood of labeling: 'box' (8 / 26 neighbours) or 'diamond' (4 / 6; pyclesperanto calls it 'sphere'). */
export type LabelConnectivity = 'box' | 'diamond';

/** 'box', 'diamond' or pyclesperanto's 'sphere' (= 'diamond'). */
export function checkLabelConnectivity(x: unknown, fn: string, argument = 'connectivity'): LabelConnectivity {
  const c = checkChoice(x, ['box', 'diamond', 'sphere'] as const, `${fn}: ${argument}`);
  return c === 'box' ? 'box' : 'diamond';
}

/** Per-axis extents must allow exact integer squared distances (feature transforms, distances). */
export function checkDistanceExtents(img: GpuImage, fn: string, argument: string, limit: number): void {
  const sum = img.shape.reduce((s, n) => s + (n - 1) * (n - 1), 0);
  if (sum >= limit) {
    throw new TesseraError(`${fn}: ${argument} (shape [${img.shape}]) is too large for exact integer distances (Σ (extent-1)² must stay below ${limit})`);
  }
}
