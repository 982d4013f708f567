import type { GpuImage } from '../../array/gpu-image';
import { create } from '../../array/transfer';
import { runNeighbourhood } from '../../codegen/neighbourhood';
import { TesseraError } from '../../errors';
import { checkNumber } from '../../validate/arguments';
import { checkConnectivity, checkFilterInput, checkRadii } from '../../validate/filters';
import { meanFilterOf } from '../filters/mean';
import { connectivity, defineOp, image, radius } from '../op';

export interface DetectMaximaOptions {
  /** Maxima must also be greater than this value (default: no threshold). */
  threshold?: number;
}

/**
 * Local maxima (uint8 0/1): pixels strictly greater than every neighbour in their 3×3(×3) box
 * (neighbours outside the image are ignored; axes of extent 1 have none), after an optional mean
 * filter of radii (radiusX, radiusY, radiusZ) over a 'box' or 'sphere' (all radii 0: no
 * smoothing). Plateaus give no maxima. With `options.threshold`, maxima must also exceed it.
 * pyclesperanto: `detect_maxima(input, radius_x, radius_y, radius_z, connectivity)` and
 * `detect_maxima_box` (the same with 'box'); pyclesperanto has no threshold. scipy:
 * `a > ndi.maximum_filter(a, footprint=box without its centre, mode='constant', cval=-inf)`.
 * Deviation: for integer images with a radius > 0 pyclesperanto rounds the mean to the input's
 * dtype; Tessera keeps it float32.
 */
export const detectMaxima = defineOp(
  {
    params: [
      image(), radius('radiusX', 0), radius('radiusY', 0), radius('radiusZ', 0), connectivity,
      { name: 'options', kind: 'options', fields: [{ name: 'threshold', kind: 'number', optional: true, doc: 'maxima must exceed it' }] },
    ],
    output: 'uint8',
    tiling: {
      halo: (p, shape) => {
        const r = (k: string, dim: number) => (shape.length > dim ? Number(p[k] ?? 0) + 1 : 0);
        return [r('radiusZ', 2), r('radiusY', 1), r('radiusX', 0)];
      },
    },
  },
  function detectMaxima(input: GpuImage, radiusX = 0, radiusY = 0, radiusZ = 0, connectivity = 'box', options: DetectMaximaOptions = {}): GpuImage {
    const fn = 'detectMaxima';
    const img = checkFilterInput(input, fn);
    const radii = checkRadii(img, fn, radiusX, radiusY, radiusZ);
    const shape = checkConnectivity(connectivity, fn);
    if (options === null || typeof options !== 'object') throw new TesseraError(`${fn}: options must be an object like { threshold: 10 }`);
    const threshold = options.threshold === undefined ? undefined : checkNumber(options.threshold, `${fn}: options.threshold`);
    const smoothed = radii.some((r) => r > 0) ? meanFilterOf(fn, shape, img, radii, { mode: 'nearest', cval: 0 }) : img;
    const unit: [number, number, number] = [1, img.ndim > 1 ? 1 : 0, img.ndim > 2 ? 1 : 0];
    const out = runNeighbourhood({
      op: fn,
      input: smoothed,
      output: create(img.shape, 'uint8'),
      footprint: { shape: 'box', radius: unit },
      // Neighbours outside the image are skipped (outside()), whatever the boundary mode reads there.
      mode: 'constant',
      cval: 0,
      computeType: 'u32',
      pre: `let centre = load_a(i);\n  var is_max = true;`,
      found: 'if ((dx != 0 || dy != 0 || dz != 0) && v >= centre && !outside(c, dx, dy, dz)) { is_max = false; }',
      post: `return select(0u, 1u, is_max && (P.use_threshold == 0u || f32(centre) > P.threshold));`,
      helpers: `fn outside(c: vec4<i32>, dx: i32, dy: i32, dz: i32) -> bool {
  let q = vec3<i32>(c.x + dx, c.y + dy, c.z + dz);
  return any(q < vec3<i32>(0)) || any(q >= vec3<i32>(P.a_shape.xyz));
}`,
      scalars: { use_threshold: { type: 'u32', value: threshold === undefined ? 0 : 1 }, threshold: { type: 'f32', value: threshold ?? 0 } },
    });
    if (smoothed !== img) smoothed.release();
    return out;
  },
);
