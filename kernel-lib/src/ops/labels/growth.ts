import type { GpuImage } from '../../array/gpu-image';
import { create } from '../../array/transfer';
import { xyzt } from '../../codegen/program';
import { acquireBuffer, releaseBuffer } from '../../gpu/buffer-pool';
import { recordClear } from '../../gpu/commands';
import { KernelSpec, dispatch, kernelFor } from '../../gpu/kernel';
import { readBuffer } from '../../gpu/readback';
import type { LabelConnectivity } from '../../validate/labels';

/**
 * Label growth as pyclesperanto does it (`onlyzero_overwrite_maximum_box` / `_diamond`): in one
 * step every pixel of value 0 takes the largest label among its neighbours (8 / 26 in a 'box'
 * step, 4 / 6 in a 'diamond' step; pixels outside the image are not neighbours); labelled pixels
 * keep their label. Steps alternate box (even steps) and diamond (odd steps), so labels grow as
 * octagons, and growth stops at the first step that changes nothing — as pyclesperanto's loops
 * do, also when a diagonal step could still grow. Pixels holding OUTSIDE (outside a mask) are
 * never written and never spread.
 *
 * The state is a uint32 image; each step reads one buffer and writes the other. A stop flag on
 * the GPU makes every step after the first unchanged one return at once (the unchanged step wrote
 * its input unchanged, so both buffers then hold the result), so a batch of steps can be recorded
 * without reading back after each one. A step raises the change flag once per workgroup (a
 * workgroup atomic first), not once per grown pixel. @internal
 */
export const OUTSIDE = 0xffffffff;
const WORKGROUP = 256;

function offsets(nd: number, c: LabelConnectivity): Array<[number, number, number]> {
  const out: Array<[number, number, number]> = [];
  const r = (k: number) => (nd > k ? [-1, 0, 1] : [0]);
  for (const dz of r(2)) for (const dy of r(1)) for (const dx of r(0)) {
    const n = Math.abs(dx) + Math.abs(dy) + Math.abs(dz);
    if (n > 0 && (c === 'box' || n === 1)) out.push([dx, dy, dz]);
  }
  return out;
}

function stepSpec({ nd, connectivity }: { nd: number; connectivity: LabelConnectivity }): KernelSpec {
  const taps = offsets(nd, connectivity)
    .map(([dx, dy, dz]) => {
      const conds = [dx < 0 ? 'p.x > 0u' : dx > 0 ? 'p.x + 1u < P.shape.x' : '', dy < 0 ? 'p.y > 0u' : dy > 0 ? 'p.y + 1u < P.shape.y' : '', dz < 0 ? 'p.z > 0u' : dz > 0 ? 'p.z + 1u < P.shape.z' : ''].filter(Boolean);
      const off = `${dx} + ${dy} * i32(P.shape.x) + ${dz} * i32(P.shape.x * P.shape.y)`;
      return `if (${conds.join(' && ')}) { let v = src[u32(i32(i) + ${off})]; if (v != ${OUTSIDE}u) { m = max(m, v); } }`;
    })
    .join('\n      ');
  return {
    label: `label growth (${connectivity})`,
    bindings: [
      { name: 'src', type: 'array<u32>' },
      { name: 'dst', type: 'array<u32>', access: 'read_write' },
      { name: 'changed', type: 'array<atomic<u32>>', access: 'read_write' },
      { name: 'stopped', type: 'array<u32>' },
    ],
    uniforms: [{ name: 'shape', type: 'vec4<u32>' }],
    workgroupSize: WORKGROUP,
    declarations: 'var<workgroup> grew: atomic<u32>;',
    body: `if (stopped[0] != 0u) { return; }
  let i = gid;
  var m = 0u;
  if (i < P.shape.w) {
    let c = src[i];
    if (c != 0u) {
      dst[i] = c;
    } else {
      let p = vec3<u32>(i % P.shape.x, (i / P.shape.x) % P.shape.y, i / (P.shape.x * P.shape.y));
      ${taps}
      dst[i] = m;
    }
  }
  if (m != 0u) { atomicStore(&grew, 1u); }
  workgroupBarrier();
  if (lid == 0u && atomicLoad(&grew) != 0u) { atomicStore(&changed[0], 1u); }`,
  };
}

/** After a step: an unchanged step stops the growth; the change flag is cleared for the next one. */
const settleSpec = (): KernelSpec => ({
  label: 'label growth: settle',
  bindings: [
    { name: 'changed', type: 'array<u32>', access: 'read_write' },
    { name: 'stopped', type: 'array<u32>', access: 'read_write' },
  ],
  workgroupSize: 1,
  body: 'if (changed[0] == 0u) { stopped[0] = 1u; }\n  changed[0] = 0u;',
});

/** A growth in progress: the state images (ping-pong), the flags and the step count. */
export class Growth {
  private readonly images: [GpuImage, GpuImage];
  private readonly changed: GPUBuffer;
  private readonly stop: GPUBuffer;
  private current = 0;
  steps = 0;

  /** Starts from `state` (a uint32 image, taken over). */
  constructor(private readonly op: string, state: GpuImage) {
    this.images = [state, create(state.shape, 'uint32')];
    this.changed = acquireBuffer(4, `${op} growth flag`);
    this.stop = acquireBuffer(4, `${op} growth stop flag`);
    recordClear(this.changed, 0, 4);
    recordClear(this.stop, 0, 4);
  }

  /** Records one step (box on even steps, diamond on odd ones). */
  step(): void {
    const src = this.images[this.current];
    const dst = this.images[1 - this.current];
    const nd = src.ndim;
    const [nx, ny, nz] = xyzt(src.shape);
    const connectivity: LabelConnectivity = this.steps % 2 === 0 ? 'box' : 'diamond';
    dispatch(kernelFor('labelGrowth', { nd, connectivity }, stepSpec), [src.buffer, dst.buffer, this.changed, this.stop], { shape: [nx, ny, nz, src.size] }, Math.ceil(src.size / WORKGROUP), `${this.op}: grow`);
    dispatch(kernelFor('labelGrowthSettle', '', settleSpec), [this.changed, this.stop], undefined, [1, 1, 1], `${this.op}: settle`);
    this.current = 1 - this.current;
    this.steps++;
  }

  /** Whether growth has stopped (reads the stop flag back). */
  async stopped(): Promise<boolean> {
    return new Uint32Array(await readBuffer(this.stop, 4))[0] !== 0;
  }

  /** Records steps in growing batches (4, 8, … 64) until a step changes nothing. */
  async untilStable(maxSteps = 1 << 20): Promise<void> {
    for (let batch = 4; this.steps < maxSteps; batch = Math.min(2 * batch, 64)) {
      for (let k = 0; k < batch; k++) this.step();
      if (await this.stopped()) return;
    }
  }

  /** The final state (the other image and the flags are released). */
  finish(): GpuImage {
    releaseBuffer(this.changed);
    releaseBuffer(this.stop);
    this.images[1 - this.current].release();
    return this.images[this.current];
  }
}
