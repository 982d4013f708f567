import { bytesPerPixel, type DType } from '../dtype';
import { GpuImage } from '../array/gpu-image';
import { create, push } from '../array/transfer';
import { TesseraError } from '../errors';
import { bindingLimit } from '../gpu/device';
import { dispatch, kernelFor, type KernelSpec } from '../gpu/kernel';
import { set } from '../ops/arithmetic';
import { maximumOfAllPixels } from '../ops/reductions';
import { crop, paste } from '../ops/transforms';
import type { PaintRequestMessage, RequestMessage } from './protocol';
import { xyztOf, type Vec4 } from './render-plane';
import { isHostArray, type HostArray, type ImageInput } from './source';
import { ImageWidget, type ViewerOptions } from './viewer';

/**
 * `annotate`: paint and erase labels with a round brush on any slice. Strokes are drawn into the
 * label image on the GPU (in place: the image is usable in the next cell), each stroke's box is
 * saved first (a GPU crop) so that it can be undone.
 */

const GROUP = 64;
/** Strokes kept for undo. */
const UNDO_LIMIT = 32;
/** Points per paint request (the view sends strokes in pieces while the mouse moves). */
const MAX_POINTS = 4096;

/**
 * The brush kernel: one thread per pixel of the stroke's bounding box on the plane; pixels within
 * `radius` of the polyline get `value`. Packed 8/16-bit pixels share 32-bit words, so the write is
 * two atomics on the word (clear the pixel's bits, then set them): threads of one word touch
 * disjoint bits, so the result is the same in any order.
 */
function brushSpec({ dtype }: { dtype: DType }): KernelSpec {
  const bits = bytesPerPixel(dtype) * 8;
  const store = bits === 32
    ? 'atomicStore(&labels[index], P.value);'
    : `let word = index / ${32 / bits}u;
    let shift = (index % ${32 / bits}u) * ${bits}u;
    atomicAnd(&labels[word], ~(${(2 ** bits - 1) >>> 0}u << shift));
    atomicOr(&labels[word], (P.value & ${(2 ** bits - 1) >>> 0}u) << shift);`;
  return {
    label: 'annotateBrush',
    bindings: [
      { name: 'labels', type: 'array<atomic<u32>>', access: 'read_write' },
      { name: 'points', type: 'array<f32>' },
    ],
    uniforms: [
      { name: 'start', type: 'u32' }, { name: 'du', type: 'u32' }, { name: 'dv', type: 'u32' }, { name: 'bw', type: 'u32' },
      { name: 'bh', type: 'u32' }, { name: 'count', type: 'u32' }, { name: 'value', type: 'u32' }, { name: 'base', type: 'u32' },
      { name: 'x0', type: 'i32' }, { name: 'y0', type: 'i32' }, { name: 'r2', type: 'f32' },
    ],
    workgroupSize: GROUP,
    declarations: '',
    body: `if (gid >= P.bw * P.bh) { return; }
  let bx = gid % P.bw;
  let by = gid / P.bw;
  let p = vec2<f32>(f32(P.x0 + i32(bx)), f32(P.y0 + i32(by)));
  var d2 = 1e30;
  for (var k = 0u; k < P.count; k++) {
    let a = vec2<f32>(points[2u * k], points[2u * k + 1u]);
    let b = vec2<f32>(points[2u * min(k + 1u, P.count - 1u)], points[2u * min(k + 1u, P.count - 1u) + 1u]);
    let ab = b - a;
    let len2 = dot(ab, ab);
    let s = select(clamp(dot(p - a, ab) / len2, 0.0, 1.0), 0.0, len2 == 0.0);
    let q = a + s * ab - p;
    d2 = min(d2, dot(q, q));
  }
  if (d2 <= P.r2) {
    let index = P.start + bx * P.du + by * P.dv - P.base;
    ${store}
  }`,
  };
}

/** The bits of `label` as the label image stores it. */
function labelBits(label: number, dtype: DType): number {
  if (dtype === 'float32') return new Uint32Array(new Float32Array([label]).buffer)[0];
  return label >>> 0;
}

/** Largest label a dtype holds. */
function maxLabel(dtype: DType): number {
  return { uint8: 255, uint16: 65535, uint32: 4294967295, int8: 127, int16: 32767, int32: 2147483647, float32: 16777216 }[dtype];
}

/** Options of {@link annotate}. */
export interface AnnotateOptions extends ViewerOptions {
  /** Opacity of the labels over the image (default 0.5). */
  alpha?: number;
  /** First brush radius in pixels (default 3). */
  radius?: number;
  /** First label painted (default: one more than the largest label, at least 1). */
  label?: number;
}

/** An undo entry: the boxes a stroke changed, as they were before. */
interface Saved {
  stroke: number;
  boxes: Array<{ pixels: GpuImage; at: [number, number, number] }>;
}

/** The widget `annotate` returns. */
export class AnnotateWidget {
  private readonly undo: Saved[] = [];

  private constructor(
    /** The viewer: image and labels overlaid; its view paints. */
    readonly viewer: ImageWidget,
    /** The label image painted into (the caller's GPU image, or one made for host or missing labels). */
    readonly labels: GpuImage,
    private readonly ownsLabels: boolean,
  ) {
    viewer.handle('paint', (m: RequestMessage) => this.onPaint(m as PaintRequestMessage));
    viewer.handle('undo', async (m: RequestMessage) => {
      await this.undoStroke();
      viewer.reply({ response: 'done', id: m.id, kernel_ms: 0 });
    });
    viewer.model.comm.onClose(() => {
      this.undo.splice(0).forEach((s) => s.boxes.forEach((b) => b.pixels.release()));
      if (this.ownsLabels) this.labels.release();
    });
  }

  /** @internal */
  static async create(image: ImageInput, labels: GpuImage | HostArray | undefined, options: AnnotateOptions): Promise<AnnotateWidget> {
    const fn = 'annotate';
    const shape = (image as { shape?: readonly number[] }).shape;
    if (!Array.isArray(shape) && !(image instanceof GpuImage)) throw new TesseraError(`${fn}: image must be a GPU image, host pixels or a lazy array with a shape`);
    let target: GpuImage;
    let owned = false;
    if (labels === undefined) {
      target = set(create([...(shape as number[])], 'uint32'), 0);
      owned = true;
    } else if (labels instanceof GpuImage) {
      if (labels.released) throw new TesseraError(`${fn}: labels was released`);
      target = labels;
    } else if (isHostArray(labels)) {
      target = push(labels.data, labels.shape);
      owned = true;
    } else {
      throw new TesseraError(`${fn}: labels must be a GpuImage (painted in place) or { data, shape } host pixels; got ${Object.prototype.toString.call(labels)}`);
    }
    try {
      if (target.ndim < 2 || target.ndim > 3) throw new TesseraError(`${fn}: labels must be 2D or 3D; got shape [${target.shape}]`);
      if ((shape as number[]).join() !== target.shape.join()) throw new TesseraError(`${fn}: labels (shape [${target.shape}]) must have the shape of image ([${shape}])`);
      const largest = await maximumOfAllPixels(target);
      const label = options.label ?? Math.max(1, Math.min(maxLabel(target.dtype), Math.floor(largest) + 1));
      const radius = options.radius ?? 3;
      checkBrush(label, radius, target.dtype);
      const viewer = await ImageWidget.create({
        kind: 'annotate',
        layers: [
          { image, name: 'image' },
          { image: target, name: 'labels', colormap: 'labels', alpha: options.alpha ?? 0.5, outline: false },
        ],
        arrangement: 'overlay',
        view: 'AnnotateView',
        options,
        extra: { brush: { label, radius } },
      });
      return new AnnotateWidget(viewer, target, owned);
    } catch (e) {
      if (owned) target.release();
      throw e;
    }
  }

  /** The label the brush paints (0 erases), as set in the view. */
  get label(): number {
    return this.viewer.model.state.brush.label;
  }

  /** Strokes that can be undone. */
  get undoDepth(): number {
    return this.undo.length;
  }

  /**
   * Paints a stroke from the kernel, as the view does: `points` ([x0, y0, x1, y1, ...] in pixels
   * of the plane at `index` along `axis`), `label` (0 erases) and `radius`.
   */
  async paint(points: number[], options: { axis?: number; index?: number; t?: number; label?: number; radius?: number } = {}): Promise<void> {
    const s = this.viewer.model.state;
    await this.paintStroke({
      request: 'paint', id: -1, axis: options.axis ?? s.axis, index: options.index ?? s.index, t: 0, points,
      label: options.label ?? s.brush.label, radius: options.radius ?? s.brush.radius,
    }, nextStroke());
  }

  /** Undoes the last stroke. */
  async undoStroke(): Promise<void> {
    const last = this.undo.pop();
    if (!last) return;
    for (const box of last.boxes.reverse()) {
      paste(box.pixels, this.labels, ...box.at);
      box.pixels.release();
    }
    this.changed();
  }

  close(): void {
    this.viewer.close();
  }

  toString(): string {
    return `tessera annotate: labels [${this.labels.shape}] ${this.labels.dtype}, brush label ${this.label}`;
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }

  private async onPaint(msg: PaintRequestMessage): Promise<void> {
    const start = performance.now();
    const stroke = Number.isInteger(msg.stroke) ? msg.stroke! : nextStroke();
    await this.paintStroke(msg, stroke);
    this.viewer.reply({ response: 'done', id: msg.id, kernel_ms: Math.round((performance.now() - start) * 10) / 10 });
  }

  private async paintStroke(msg: PaintRequestMessage, stroke: number): Promise<void> {
    const fn = 'annotate: paint';
    const img = this.labels;
    const { axis, index } = msg;
    const label = Number(msg.label);
    const radius = Number(msg.radius);
    checkBrush(label, radius, img.dtype);
    const pts = msg.points;
    if (!Array.isArray(pts) || pts.length < 2 || pts.length % 2 !== 0 || pts.length > 2 * MAX_POINTS || !pts.every(Number.isFinite)) {
      throw new TesseraError(`${fn}: points must be [x0, y0, x1, y1, ...] (1 to ${MAX_POINTS} finite points)`);
    }
    const [X, Y, Z] = xyztOf(img.shape);
    if (![0, 1, 2].includes(axis) || (img.ndim === 2 && axis !== 0)) throw new TesseraError(`${fn}: axis must be 0${img.ndim === 3 ? ', 1 or 2' : ''}; got ${axis}`);
    const depth = [Z, Y, X][axis];
    if (!Number.isInteger(index) || index < 0 || index >= depth) throw new TesseraError(`${fn}: index ${index} is outside 0..${depth - 1}`);
    // Plane axes as (x, y, z) dimensions: columns, rows; and the plane's extent.
    const [cols, rows] = ([[0, 1], [0, 2], [1, 2]] as [number, number][])[axis];
    const ext = [X, Y, Z];
    const r = Math.ceil(radius);
    const xs = pts.filter((_, k) => k % 2 === 0);
    const ys = pts.filter((_, k) => k % 2 === 1);
    const x0 = Math.max(0, Math.floor(Math.min(...xs)) - r);
    const y0 = Math.max(0, Math.floor(Math.min(...ys)) - r);
    const x1 = Math.min(ext[cols] - 1, Math.ceil(Math.max(...xs)) + r);
    const y1 = Math.min(ext[rows] - 1, Math.ceil(Math.max(...ys)) + r);
    if (x1 < x0 || y1 < y0) return; // the stroke lies outside the plane

    // The box the stroke can change, saved for undo (in x, y, z order).
    const at: Vec4 = [0, 0, 0, 0];
    const size = [1, 1, 1];
    at[2 - axis] = index;
    [at[cols], size[cols]] = [x0, x1 - x0 + 1];
    [at[rows], size[rows]] = [y0, y1 - y0 + 1];
    const saved = crop(img, at[0], at[1], at[2], size[0], size[1], size[2]);
    let entry = this.undo.at(-1);
    if (!entry || entry.stroke !== stroke) {
      entry = { stroke, boxes: [] };
      this.undo.push(entry);
      while (this.undo.length > UNDO_LIMIT) this.undo.shift()!.boxes.forEach((b) => b.pixels.release());
    }
    entry.boxes.push({ pixels: saved, at: [at[0], at[1], at[2]] });

    const linear = (c: number[]) => c[0] + X * (c[1] + Y * c[2]);
    const unit = (k: number) => [0, 1, 2].map((j) => (j === k ? 1 : 0));
    const startIndex = linear(at);
    const du = linear(unit(cols));
    const dv = linear(unit(rows));
    const bw = x1 - x0 + 1;
    const bh = y1 - y0 + 1;
    const bpp = bytesPerPixel(img.dtype);
    // Bind only the words the box spans when the image is beyond one binding.
    let binding: GPUBuffer | { buffer: GPUBuffer; offset: number; size: number } = img.buffer;
    let base = 0;
    if (img.large) {
      const lo = startIndex;
      const hi = startIndex + (bw - 1) * du + (bh - 1) * dv + 1;
      const offset = Math.floor((lo * bpp) / 256) * 256;
      const bytes = Math.min(img.storageBytes, Math.ceil((hi * bpp) / 4) * 4) - offset;
      if (bytes > bindingLimit()) throw new TesseraError(`${fn}: this stroke spans ${bytes} bytes of a label image larger than one GPU binding; paint on axis 0 (z planes) or in smaller strokes`);
      binding = { buffer: img.buffer, offset, size: bytes };
      base = offset / bpp;
    }
    const points = push(new Float32Array(pts), [pts.length]);
    try {
      const kernel = kernelFor('annotateBrush', { dtype: img.dtype }, brushSpec);
      const groups = Math.ceil((bw * bh) / GROUP);
      dispatch(kernel, [binding, points.buffer], {
        start: startIndex, du, dv, bw, bh, count: pts.length / 2, value: labelBits(label, img.dtype), base, x0, y0, r2: radius * radius,
      }, [Math.min(groups, 65535), Math.ceil(groups / 65535), 1]);
    } finally {
      points.release();
    }
    this.changed();
  }

  /** The labels changed: views ask for them again; the undo depth follows. */
  private changed(): void {
    this.viewer.model.set({ undo_depth: this.undo.length });
    this.viewer.touch(1);
  }
}

let strokes = 0;
function nextStroke(): number {
  return --strokes; // negative: never one of a view's stroke ids
}

function checkBrush(label: number, radius: number, dtype: DType): void {
  if (!Number.isInteger(label) || label < 0 || label > maxLabel(dtype)) throw new TesseraError(`annotate: label must be a whole number 0..${maxLabel(dtype)} (0 erases) for ${dtype} labels; got ${label}`);
  if (!Number.isFinite(radius) || radius < 0 || radius > 1000) throw new TesseraError(`annotate: radius must be 0..1000 pixels; got ${radius}`);
}

/**
 * Paint and erase labels on any slice of `image` with a round brush of chosen radius; pick the
 * label (or a new one), undo strokes. The strokes are drawn into `labels` on the GPU, in place:
 * use it in the next cell. Without `labels` a uint32 image of zeros is made (`widget.labels`).
 * stackview: `annotate`.
 *
 * @example
 * const labels = tessera.set(tessera.create(stack.shape, 'uint32'), 0);
 * const w = await widgets.annotate(stack, labels);
 * // ...paint in the view, then:
 * tessera.statisticsOfLabelledPixels(stack, labels);
 */
export function annotate(image: ImageInput, labels?: GpuImage | HostArray, options: AnnotateOptions = {}): Promise<AnnotateWidget> {
  return AnnotateWidget.create(image, labels, options);
}
