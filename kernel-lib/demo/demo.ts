/**
 * The README's demo: push a synthetic 3D stack, run a small workflow on the GPU, pull the
 * results, and print timings and the device used. Run with `npm run demo`.
 */
import * as tessera from '../src';

/** A synthetic nuclei-like stack: bright Gaussian spots on a noisy background. */
function syntheticStack(depth: number, height: number, width: number): Float32Array {
  const data = new Float32Array(depth * height * width);
  let seed = 42;
  const random = () => ((seed = (seed * 1664525 + 1013904223) >>> 0) / 4294967296);
  for (let i = 0; i < data.length; i++) data[i] = 100 + 20 * random();
  for (let s = 0; s < 60; s++) {
    const [cz, cy, cx] = [random() * depth, random() * height, random() * width];
    for (let z = Math.max(0, Math.floor(cz - 6)); z < Math.min(depth, cz + 6); z++)
      for (let y = Math.max(0, Math.floor(cy - 6)); y < Math.min(height, cy + 6); y++)
        for (let x = Math.max(0, Math.floor(cx - 6)); x < Math.min(width, cx + 6); x++) {
          const r2 = (z - cz) ** 2 + (y - cy) ** 2 + (x - cx) ** 2;
          data[(z * height + y) * width + x] += 400 * Math.exp(-r2 / 8);
        }
  }
  return data;
}

async function main(): Promise<void> {
  const t0 = performance.now();
  await tessera.init();
  const info = await tessera.info();
  console.log(`Tessera on ${info.name} (${info.backend}${info.isSoftware ? ', software' : ''}); opened in ${(performance.now() - t0).toFixed(0)} ms`);

  const shape = [64, 256, 256];
  const stack = syntheticStack(shape[0], shape[1], shape[2]);
  const timed = async <T>(label: string, fn: () => T | Promise<T>): Promise<T> => {
    const start = performance.now();
    const result = await fn();
    await tessera.sync();
    console.log(`  ${label.padEnd(52)} ${(performance.now() - start).toFixed(2).padStart(8)} ms`);
    return result;
  };

  console.log(`Workflow on a ${shape.join('x')} float32 stack (${(stack.byteLength / 1024 ** 2).toFixed(0)} MB):`);
  const image = await timed('push', () => tessera.push(stack, shape));
  const background = await timed('background = 0.9 * image (multiplyImageAndScalar)', () => tessera.multiplyImageAndScalar(image, 0.9));
  const corrected = await timed('corrected = image - background (addImagesWeighted)', () => tessera.addImagesWeighted(image, background, 1, -1));
  const mask = await timed('mask = corrected > 40 (greaterConstant)', () => tessera.greaterConstant(corrected, 40));
  const projection = await timed('maximumZProjection(mask)', () => tessera.maximumZProjection(mask));
  const voxels = await timed('sumOfAllPixels(mask)', () => tessera.sumOfAllPixels(mask));
  const pulled = await timed('pull(projection)', () => tessera.pull(projection));
  console.log(await tessera.describe(corrected));
  console.log(`${voxels} foreground voxels; projection ${pulled.shape.join('x')} ${pulled.dtype}`);
  console.log(`GPU memory in use: ${(tessera.memoryStats().bytesInUse / 1024 ** 2).toFixed(1)} MB`);
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e instanceof tessera.TesseraError ? `Error: ${e.message}` : e);
    process.exit(1);
  },
);
