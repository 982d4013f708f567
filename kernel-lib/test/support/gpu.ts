import * as tessera from '../../src';
import type { Pixels } from './oracle';

/** Opens the device once per test file. */
export async function setup(): Promise<typeof tessera> {
  await tessera.init();
  return tessera;
}

/** Pulls an image as oracle-ready pixels. */
export async function pulled(img: tessera.GpuImage): Promise<Pixels & { data: tessera.TypedArray }> {
  const { data, shape, dtype } = await tessera.pull(img);
  return { data, shape, dtype };
}

/** Pushes test pixels. */
export function pushed(p: Pixels): tessera.GpuImage {
  return tessera.push(p.data as tessera.TypedArray, p.shape);
}
