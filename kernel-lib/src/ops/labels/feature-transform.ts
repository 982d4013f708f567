import type { GpuImage } from '../../array/gpu-image';
import { create } from '../../array/transfer';
import { xyzt } from '../../codegen/program';
import { computeType, DType } from '../../dtype';
import { loader, storageElement } from '../../codegen/wgsl';
import { acquireBuffer, releaseBuffer } from '../../gpu/buffer-pool';
import { KernelSpec, dispatch, kernelFor } from '../../gpu/kernel';

/**
 * The exact Euclidean feature transform of a label image on the GPU: for every pixel, a nearest
 * labelled pixel (Euclidean distance, exact in integers), and so its label — the nearest-label
 * ("Voronoi") extension of the labels.
 *
 * Separable, after Meijster, Roerdink & Hesselink (2000): one pass per axis (x, then y, then z),
 * one invocation per line along the axis. A pass combines, for each pixel, the nearest features
 * found so far within the perpendicular lines: the squared distance to the feature of line
 * position i is G(i) + (u − i)², a parabola in u, and the lower envelope of the parabolas of a
 * line (built in one sweep with integer separators, stored per line in a scratch buffer laid out
 * so that neighbouring lines are neighbouring words) gives each position its minimum in a second
 * sweep. All arithmetic is in 32-bit integers (squared distances stay below 2^28: images with
 * Σ (extent − 1)² < 2^28), so the distances are exact. Ties: of equally near parabolas, the one
 * from the smaller position along the pass's axis wins, so equidistant labels are decided by the
 * pass order; another exact transform (scipy's) may pick the other label of a tie.
 *
 * The first pass reads the labels (non-zero = feature), the last writes the label of each
 * pixel's feature; one (2D) or two (3D) feature images of u32 indices pass between them.
 * @internal
 */
export const DISTANCE_LIMIT = 2 ** 28;
const INF = 2 ** 30;
const NONE = 0xffffffff;
const WORKGROUP = 64;

interface PassKey {
  axis: 0 | 1 | 2;
  first: boolean;
  last: boolean;
  labels: DType;
}

function passSpec({ axis, first, last, labels }: PassKey): KernelSpec {
  const signed = computeType(labels) === 'i32';
  const labelOf = signed ? 'fn label_of(i: u32) -> u32 { return u32(max(load_l(i), 0i)); }' : 'fn label_of(i: u32) -> u32 { return load_l(i); }';
  // The feature of position u of this line (NONE if none), and its squared distance G(u).
  const feature = first ? 'select(NONE, at(u), label_of(at(u)) != 0u)' : 'feat_in[at(u)]';
  return {
    label: `feature transform ${'xyz'[axis]}`,
    bindings: [
      ...(first || last ? [{ name: 'l_buf', type: `array<${storageElement(labels)}>` }] : []),
      ...(first ? [] : [{ name: 'feat_in', type: 'array<u32>' }]),
      { name: 'scratch', type: 'array<vec2<u32>>', access: 'read_write' },
      { name: 'out', type: 'array<u32>', access: 'read_write' },
    ],
    uniforms: [{ name: 'shape', type: 'vec4<u32>' }, { name: 'lines', type: 'u32' }, { name: 'len', type: 'u32' }, { name: 'stride', type: 'u32' }],
    workgroupSize: WORKGROUP,
    declarations: `${first || last ? `${loader('l', labels)}\n${labelOf}` : ''}
const NONE = ${NONE}u;
const INF = ${INF}i;
var<private> base: u32;
fn at(u: u32) -> u32 { return base + u * P.stride; }
fn coords(i: u32) -> vec3<i32> { return vec3<i32>(i32(i % P.shape.x), i32((i / P.shape.x) % P.shape.y), i32(i / (P.shape.x * P.shape.y))); }
fn feature_of(u: u32) -> u32 { return ${feature}; }
fn g_of(u: u32) -> i32 {
  let f = feature_of(u);
  if (f == NONE) { return INF; }
  let d = coords(at(u)) - coords(f);
  return d.x * d.x + d.y * d.y + d.z * d.z;
}
fn entry(k: u32) -> u32 { return k * P.lines + line; }
var<private> line: u32;`,
    body: `line = gid;
  if (line >= P.lines) { return; }
  ${axis === 0 ? 'base = line * P.shape.x;' : axis === 1 ? 'base = (line / P.shape.x) * P.shape.x * P.shape.y + line % P.shape.x;' : 'base = line;'}
  let m = P.len;
  // Sweep 1: the lower envelope. Entry k: (position s | start t << 16, G(s)).
  var q = 0i;
  scratch[entry(0u)] = vec2<u32>(0u, bitcast<u32>(g_of(0u)));
  for (var u = 1u; u < m; u++) {
    let gu = g_of(u);
    let ui = i32(u);
    loop {
      if (q < 0i) { break; }
      let e = scratch[entry(u32(q))];
      let s = i32(e.x & 0xffffu);
      let t = i32(e.x >> 16u);
      let gs = bitcast<i32>(e.y);
      if ((t - s) * (t - s) + gs <= (t - ui) * (t - ui) + gu) { break; }
      q--;
    }
    if (q < 0i) {
      q = 0i;
      scratch[entry(0u)] = vec2<u32>(u, bitcast<u32>(gu));
    } else {
      let e = scratch[entry(u32(q))];
      let s = i32(e.x & 0xffffu);
      let gs = bitcast<i32>(e.y);
      let w = 1i + (ui * ui - s * s + gu - gs) / (2i * (ui - s));
      if (w < i32(m)) {
        q++;
        scratch[entry(u32(q))] = vec2<u32>(u | (u32(w) << 16u), bitcast<u32>(gu));
      }
    }
  }
  // Sweep 2: each position takes the parabola of the envelope segment it lies in.
  var e = scratch[entry(u32(q))];
  for (var k = 0u; k < m; k++) {
    let u = m - 1u - k;
    let s = e.x & 0xffffu;
    let f = select(feature_of(s), NONE, bitcast<i32>(e.y) >= INF);
    ${last ? 'out[at(u)] = select(label_of(f), 0u, f == NONE);' : 'out[at(u)] = f;'}
    if (u == (e.x >> 16u) && q > 0i) { q--; e = scratch[entry(u32(q))]; }
  }`,
  };
}

/**
 * The nearest-label extension of `labels` (non-zero pixels keep their label; each other pixel
 * takes the label of a nearest labelled pixel; no labels at all: all 0), as a new uint32 image.
 * The caller checks Σ (extent − 1)² < DISTANCE_LIMIT. @internal
 */
export function nearestLabels(op: string, labels: GpuImage): GpuImage {
  const [nx, ny, nz] = xyzt(labels.shape);
  const extents = [nx, ny, nz];
  const axes = ([0, 1, 2] as const).slice(0, labels.ndim);
  const n = labels.size;
  const out = create(labels.shape, 'uint32');
  const scratch = acquireBuffer(n * 8, `${op} feature-transform envelopes`);
  const features = axes.length > 1 ? [acquireBuffer(n * 4, `${op} features`), ...(axes.length > 2 ? [acquireBuffer(n * 4, `${op} features`)] : [])] : [];
  let input: GPUBuffer | undefined;
  axes.forEach((axis, k) => {
    const first = k === 0;
    const last = k === axes.length - 1;
    const lines = n / extents[axis];
    const stride = axis === 0 ? 1 : axis === 1 ? nx : nx * ny;
    const target = last ? out.buffer : features[k];
    const key: PassKey = { axis, first, last, labels: labels.dtype };
    dispatch(
      kernelFor('featureTransform', key, passSpec),
      [...(first || last ? [labels.buffer] : []), ...(first ? [] : [input!]), scratch, target],
      { shape: [nx, ny, nz, n], lines, len: extents[axis], stride },
      Math.ceil(lines / WORKGROUP),
      `${op}: nearest labels along ${'xyz'[axis]}`,
    );
    input = target;
  });
  releaseBuffer(scratch);
  for (const f of features) releaseBuffer(f);
  return out;
}
