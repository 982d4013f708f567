import type { GpuImage } from '../../array/gpu-image';
import { createLike } from '../../array/transfer';
import { dispatch, kernelFor } from '../../gpu/kernel';
import { checkImage } from '../../validate/arguments';
import { defineOp, image } from '../op';

// A vec4 copy kernel: Dawn's copyBufferToBuffer measured 0.8 TB/s on an H100, a u32-per-thread kernel
// 2.1 TB/s; 16-byte loads and stores are the lever on the H200 (pool buffers are whole multiples of 16 bytes).
const copyKernel = () =>
  kernelFor('copyWords', '', () => ({
    label: 'copy',
    bindings: [
      { name: 'src', type: 'array<vec4<u32>>' },
      { name: 'dst', type: 'array<vec4<u32>>', access: 'read_write' },
    ],
    uniforms: [{ name: 'n', type: 'u32' }],
    workgroupSize: 256,
    body: 'if (gid < P.n) { dst[gid] = src[gid]; }',
  }));

/** A copy of `input` in new GPU memory. pyclesperanto: `copy`; numpy: `a.copy()`. */
export const copy = defineOp(
  { params: [image()], output: 'same', tiling: 'pointwise' },
  function copy(input: GpuImage): GpuImage {
    checkImage(input, 'copy: input');
    const out = createLike(input);
    const vectors = Math.ceil(input.storageBytes / 16);
    dispatch(copyKernel(), [input.buffer, out.buffer], { n: vectors }, Math.ceil(vectors / 256));
    return out;
  },
);
