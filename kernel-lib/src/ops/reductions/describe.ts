import { formatBytes } from '../../errors';
import { moments } from './moments';
import { checkImage } from '../../validate/arguments';
import type { GpuImage } from '../../array/gpu-image';
import { defineOp, image } from '../op';

/**
 * The cle-style summary of an image (shape, dtype, size, min, max), as text.
 * Async because min and max are computed on the GPU (one pass) and read back.
 */
export const describe = defineOp({ params: [image('image')], output: 'none', tiling: 'global' }, async function describe(image: GpuImage): Promise<string> {
  checkImage(image, 'describe: image');
  const { minimum: min, maximum: max } = await moments('describe', image);
  const rows: Array<[string, string]> = [
    ['shape', `(${image.shape.join(', ')})`],
    ['dtype', image.dtype],
    ['size', formatBytes(image.nbytes)],
    ['min', String(min)],
    ['max', String(max)],
  ];
  return ['tessera.GpuImage', ...rows.map(([k, v]) => `${k.padEnd(6)}${v}`)].join('\n');
});
