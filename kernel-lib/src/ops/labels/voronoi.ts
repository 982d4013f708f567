import type { GpuImage } from '../../array/gpu-image';
import { create } from '../../array/transfer';
import { runPixelProgram } from '../../codegen/program';
import { computeType } from '../../dtype';
import { checkImage, checkSameShape } from '../../validate/arguments';
import { checkFilterInput, checkSigmas } from '../../validate/filters';
import { checkDistanceExtents, checkLabels } from '../../validate/labels';
import { gaussianInto } from '../filters/gaussian-blur';
import { thresholdOtsu } from '../thresholds/automatic-thresholds';
import { defineOp, image, sigma } from '../op';
import { labelComponents } from './connected-components';
import { DISTANCE_LIMIT, nearestLabels } from './feature-transform';
import { Growth, OUTSIDE } from './growth';
import { detectMaxima } from './maxima';

/**
 * Voronoi labelings: labels extended to the nearest label (exact Euclidean, by the separable
 * feature transform of feature-transform.ts), or grown within a mask as pyclesperanto does
 * (octagonal growth steps, growth.ts), and the segmentations built on them.
 */

/**
 * Every background pixel (0) takes the label of its nearest labelled pixel (exact Euclidean
 * distance); labels keep their pixels; uint32. Returns at once: a fixed number of GPU passes (one
 * per axis), no iteration. pixels equidistant from two labels take one of them (see the tie rule
 * of the feature transform); scipy's equivalent: `labels[tuple(ndi.distance_transform_edt(labels
 * == 0, return_indices=True)[1])]`, identical except where several labels are equally near.
 * pyclesperanto: `extend_labeling_via_voronoi`, which grows labels in octagonal steps instead (its
 * borders between labels deviate from the Euclidean ones by up to a few pixels).
 */
export const extendLabelingViaVoronoi = defineOp(
  { params: [image('labels')], output: 'uint32', tiling: 'global' },
  function extendLabelingViaVoronoi(labels: GpuImage): GpuImage {
    const fn = 'extendLabelingViaVoronoi';
    const l = checkLabels(labels, fn);
    checkDistanceExtents(l, fn, 'labels', DISTANCE_LIMIT);
    return nearestLabels(fn, l);
  },
);

/**
 * Labels the connected components of `binary` (box connectivity) and extends them to the
 * nearest label everywhere (exact Euclidean Voronoi cells); uint32. Returns at once.
 * pyclesperanto: `voronoi_labeling` (octagonal growth, see {@link extendLabelingViaVoronoi}).
 */
export const voronoiLabeling = defineOp(
  { params: [image('binary')], output: 'uint32', tiling: 'global' },
  function voronoiLabeling(binary: GpuImage): GpuImage {
    const fn = 'voronoiLabeling';
    const b = checkLabels(binary, fn, 'binary');
    checkDistanceExtents(b, fn, 'binary', DISTANCE_LIMIT);
    const spots = labelComponents(fn, b, 'box');
    const out = nearestLabels(fn, spots);
    spots.release();
    return out;
  },
);

/** Non-zero test of a pixel of an image of any dtype. */
const nonZero = (img: GpuImage, name: string) => `load_${name}(i) != ${computeType(img.dtype) === 'f32' ? '0.0' : `${computeType(img.dtype)}(0)`}`;

/**
 * Grows labels inside `mask` as pyclesperanto does: the state is labels inside the mask,
 * OUTSIDE elsewhere, grown in alternating box / diamond steps until a step changes nothing;
 * the result is 0 outside the mask. @internal
 */
export async function growInMask(op: string, labels: GpuImage, mask: GpuImage): Promise<GpuImage> {
  const state = runPixelProgram({
    op: `${op}: state`,
    inputs: { l: labels, m: mask },
    output: create(labels.shape, 'uint32'),
    computeType: 'u32',
    body: `if (!(${nonZero(mask, 'm')})) { return ${OUTSIDE}u; }\n  return load_l(i);`,
  });
  const growth = new Growth(op, state);
  await growth.untilStable();
  const grown = growth.finish();
  const out = runPixelProgram({ op: `${op}: result`, inputs: { s: grown }, output: create(labels.shape, 'uint32'), computeType: 'u32', body: `let v = load_s(i);\n  return select(v, 0u, v == ${OUTSIDE}u);` });
  grown.release();
  return out;
}

/**
 * Labels the connected components of `binary` inside `mask` (box connectivity) and grows them
 * within the mask until they touch, as pyclesperanto: growth steps alternate box (8 / 26
 * neighbours) and diamond (4 / 6) neighbourhoods, so labels grow as octagons at equal speed, and
 * a background pixel reached by several labels in the same step takes the largest; growth
 * stops at the first step that changes nothing. Mask regions that no label reaches stay 0.
 * uint32. Async: growth runs until stable, read back every few steps.
 * pyclesperanto: `masked_voronoi_labeling(binary, mask)` (whose `binary` pixels outside the mask
 * leave artefacts; Tessera ignores them). Geodesic within the mask, so it is not the Euclidean
 * Voronoi tessellation cut by the mask (see the tests for how often they agree).
 */
export const maskedVoronoiLabeling = defineOp(
  { params: [image('binary'), image('mask')], output: 'uint32', tiling: 'global' },
  async function maskedVoronoiLabeling(binary: GpuImage, mask: GpuImage): Promise<GpuImage> {
    const fn = 'maskedVoronoiLabeling';
    const b = checkLabels(binary, fn, 'binary');
    const m = checkImage(mask, `${fn}: mask`);
    checkSameShape(b, m, [`${fn}: binary`, 'mask']);
    const inside = runPixelProgram({
      op: `${fn}: spots`,
      inputs: { b, m },
      output: create(b.shape, 'uint8'),
      computeType: 'u32',
      body: `return select(0u, 1u, ${nonZero(b, 'b')} && ${nonZero(m, 'm')});`,
    });
    const spots = labelComponents(fn, inside, 'box');
    inside.release();
    try {
      return await growInMask(fn, spots, m);
    } finally {
      spots.release();
    }
  },
);

/**
 * Segments blob-like objects (nuclei) as pyclesperanto's `voronoi_otsu_labeling`: a Gaussian blur
 * of `spotSigma` (all axes) and its local maxima (3×3(×3), {@link detectMaxima}) give one seed per
 * object; a Gaussian blur of `outlineSigma` thresholded with Otsu's method gives the objects'
 * mask; the seeds inside the mask are labeled and grown within it ({@link maskedVoronoiLabeling}).
 * uint32. Async (Otsu's threshold and the growth read back). Otsu's threshold is scikit-image's
 * (pyclesperanto's own histogram differs slightly), and the blurs are scipy's (kernel radius
 * int(4σ + 0.5)), so borders can differ from pyclesperanto's by a pixel where values are close.
 */
export const voronoiOtsuLabeling = defineOp(
  { params: [image(), sigma('spotSigma', 2), sigma('outlineSigma', 2)], output: 'uint32', tiling: 'global' },
  async function voronoiOtsuLabeling(input: GpuImage, spotSigma = 2, outlineSigma = 2): Promise<GpuImage> {
    const fn = 'voronoiOtsuLabeling';
    const img = checkFilterInput(input, fn);
    const [s] = checkSigmas(img, fn, ['spotSigma', 'spotSigma', 'spotSigma'], spotSigma, spotSigma, spotSigma);
    const [o] = checkSigmas(img, fn, ['outlineSigma', 'outlineSigma', 'outlineSigma'], outlineSigma, outlineSigma, outlineSigma);
    const nd = img.ndim;
    const sigmas = (x: number) => [x, nd > 1 ? x : 0, nd > 2 ? x : 0];
    const boundary = { mode: 'nearest' as const, cval: 0 };
    const blurred = gaussianInto(fn, img, sigmas(s), boundary);
    const spots = detectMaxima(blurred);
    blurred.release();
    const outline = gaussianInto(fn, img, sigmas(o), boundary);
    let mask: GpuImage;
    try {
      mask = await thresholdOtsu(outline);
    } finally {
      outline.release();
    }
    try {
      return await maskedVoronoiLabeling(spots, mask);
    } finally {
      spots.release();
      mask.release();
    }
  },
);

/**
 * Labels objects as the connected components (box connectivity) of a Gaussian blur of
 * `outlineSigma` thresholded with Otsu's method; uint32. Async (the threshold is read back).
 * pyclesperanto: `gauss_otsu_labeling`; skimage: `measure.label(a > filters.threshold_otsu(a))`
 * of the blurred image.
 */
export const gaussOtsuLabeling = defineOp(
  { params: [image(), sigma('outlineSigma', 0)], output: 'uint32', tiling: 'global' },
  async function gaussOtsuLabeling(input: GpuImage, outlineSigma = 0): Promise<GpuImage> {
    const fn = 'gaussOtsuLabeling';
    const img = checkFilterInput(input, fn);
    const [o] = checkSigmas(img, fn, ['outlineSigma', 'outlineSigma', 'outlineSigma'], outlineSigma, outlineSigma, outlineSigma);
    const nd = img.ndim;
    const blurred = gaussianInto(fn, img, [o, nd > 1 ? o : 0, nd > 2 ? o : 0], { mode: 'nearest', cval: 0 });
    let mask: GpuImage;
    try {
      mask = await thresholdOtsu(blurred);
    } finally {
      blurred.release();
    }
    const out = labelComponents(fn, mask, 'box');
    mask.release();
    return out;
  },
);
