import type { GpuImage } from '../../array/gpu-image';
import { pull, push } from '../../array/transfer';
import { checkImage, checkSameShape } from '../../validate/arguments';
import { checkFilterInput } from '../../validate/filters';
import { checkLabelConnectivity, checkLabels } from '../../validate/labels';
import { choice, defineOp, image } from '../op';

/**
 * Marker-controlled watershed as a documented hybrid: the images are read back, the flooding runs
 * on the host (a priority flood is inherently sequential: each pixel's label depends on the order
 * in which the flood reaches it), and the labels are pushed back.
 *
 * The flood is scikit-image's (Soille's ordering): a binary min-heap of (value, age, pixel),
 * seeded with every marker pixel (raster order, age 0); a popped pixel labels each unlabelled
 * neighbour inside the mask with its own label at once and pushes it with value
 * max(neighbour's value, its own value) and the next age. Neighbours are visited nearest first,
 * then in raster order; the heap sifts with strict comparisons (a pushed item rises past strictly
 * greater parents; a sinking item swaps with its left child if strictly smaller, then with the
 * right one if strictly smaller still). With the same conventions as skimage.segmentation.watershed,
 * the result is identical to it, ties (plateaus, equal marker values) included.
 */
class Heap {
  private value = new Float64Array(1024);
  private age = new Uint32Array(1024);
  private pixel = new Uint32Array(1024);
  size = 0;

  private smaller(a: number, b: number): boolean {
    return this.value[a] !== this.value[b] ? this.value[a] < this.value[b] : this.age[a] < this.age[b];
  }

  private swap(a: number, b: number): void {
    const v = this.value[a];
    this.value[a] = this.value[b];
    this.value[b] = v;
    const g = this.age[a];
    this.age[a] = this.age[b];
    this.age[b] = g;
    const p = this.pixel[a];
    this.pixel[a] = this.pixel[b];
    this.pixel[b] = p;
  }

  push(value: number, age: number, pixel: number): void {
    if (this.size === this.value.length) {
      const grow = <T extends Float64Array | Uint32Array>(a: T): T => {
        const b = new (a.constructor as new (n: number) => T)(2 * a.length);
        b.set(a);
        return b;
      };
      this.value = grow(this.value);
      this.age = grow(this.age);
      this.pixel = grow(this.pixel);
    }
    let child = this.size++;
    this.value[child] = value;
    this.age[child] = age;
    this.pixel[child] = pixel;
    while (child > 0) {
      const parent = ((child + 1) >> 1) - 1;
      if (!this.smaller(child, parent)) break;
      this.swap(parent, child);
      child = parent;
    }
  }

  /** Removes the smallest item; returns its slot's contents as [value, pixel]. */
  pop(): [number, number] {
    const top: [number, number] = [this.value[0], this.pixel[0]];
    this.size--;
    if (this.size === 0) return top;
    this.swap(0, this.size);
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      if (l >= this.size) break;
      let smallest = i;
      if (this.smaller(l, i)) smallest = l;
      if (r < this.size && this.smaller(r, smallest)) smallest = r;
      if (smallest === i) break;
      this.swap(i, smallest);
      i = smallest;
    }
    return top;
  }
}

/** Neighbour offsets (dx, dy, dz): nearest first, then in raster order (skimage's order). */
function neighbourOffsets(nd: number, box: boolean): Array<[number, number, number]> {
  const out: Array<[number, number, number, number]> = [];
  const r = (k: number) => (nd > k ? [-1, 0, 1] : [0]);
  for (const dz of r(2)) for (const dy of r(1)) for (const dx of r(0)) {
    const d = dx * dx + dy * dy + dz * dz;
    if (d > 0 && (box || d === 1)) out.push([d, dz, dy, dx]);
  }
  out.sort((a, b) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2] || a[3] - b[3]);
  return out.map(([, dz, dy, dx]) => [dx, dy, dz]);
}

/** The flood on host arrays; `labels` holds the markers and receives the result. @internal */
export function flood(shape: readonly number[], values: ArrayLike<number>, labels: Uint32Array, mask: Uint8Array, box: boolean): void {
  const [nx, ny, nz] = [shape[shape.length - 1], shape.length > 1 ? shape[shape.length - 2] : 1, shape.length > 2 ? shape[shape.length - 3] : 1];
  const offsets = neighbourOffsets(shape.length, box);
  const heap = new Heap();
  for (let i = 0; i < labels.length; i++) if (labels[i] !== 0) heap.push(values[i], 0, i);
  let age = 1;
  while (heap.size > 0) {
    const [value, i] = heap.pop();
    const x = i % nx;
    const y = Math.floor(i / nx) % ny;
    const z = Math.floor(i / (nx * ny));
    for (const [dx, dy, dz] of offsets) {
      const qx = x + dx;
      const qy = y + dy;
      const qz = z + dz;
      if (qx < 0 || qy < 0 || qz < 0 || qx >= nx || qy >= ny || qz >= nz) continue;
      const j = (qz * ny + qy) * nx + qx;
      if (!mask[j] || labels[j] !== 0) continue;
      age++;
      labels[j] = labels[i];
      heap.push(Math.max(values[j], value), age, j);
    }
  }
}

/**
 * Marker-controlled watershed: floods `image` from the non-zero pixels of `markers` (each keeps
 * its value as label), lowest values first, within `mask` (non-zero pixels; default everywhere);
 * pixels no marker reaches stay 0. `connectivity` 'diamond' (default, skimage's connectivity=1:
 * 4 / 6 neighbours) or 'box' (8 / 26). uint32; negative markers count as background. Async.
 * skimage: `segmentation.watershed(image, markers, connectivity=1 or ndim, mask=mask)`, which it
 * reproduces exactly (see the module note). A hybrid: the flood runs on the host (about a million
 * pixels per second), the images travel both ways.
 */
export const watershed = defineOp(
  { params: [image('image'), image('markers'), image('mask', true), choice('connectivity', ['box', 'diamond', 'sphere'], 'diamond')], output: 'uint32', tiling: 'global' },
  async function watershed(image: GpuImage, markers: GpuImage, mask?: GpuImage, connectivity = 'diamond'): Promise<GpuImage> {
    const fn = 'watershed';
    const img = checkFilterInput(image, fn, 'image');
    const m = checkLabels(markers, fn, 'markers');
    checkSameShape(img, m, [`${fn}: image`, 'markers']);
    const k = mask === undefined ? undefined : checkImage(mask, `${fn}: mask`);
    if (k) checkSameShape(img, k, [`${fn}: image`, 'mask']);
    const box = checkLabelConnectivity(connectivity, fn) === 'box';
    const [v, l, w] = await Promise.all([pull(img), pull(m), k ? pull(k) : undefined]);
    const inside = new Uint8Array(img.size);
    for (let i = 0; i < inside.length; i++) inside[i] = w === undefined || Number(w.data[i]) !== 0 ? 1 : 0;
    const labels = new Uint32Array(img.size);
    for (let i = 0; i < labels.length; i++) labels[i] = inside[i] && Number(l.data[i]) > 0 ? Number(l.data[i]) : 0;
    flood(img.shape, v.data, labels, inside, box);
    return push(labels, img.shape);
  },
);
