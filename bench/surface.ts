/**
 * The surface analysis alone (issue 17), with a breakdown: classifySurfaceLabels on the 256³ uint32
 * cells of a synthetic embryo (~2,000 labels, as the ClassifySurfaceLabels1000 row of ops.ts) for
 * 0, 100 and 1,000 directions besides the 6 axes, with and without the embryo mask; wall time
 * (call + readback, median of 10 after 3 warm-ups) and the GPU time of each kernel (timestamp
 * queries). Fails unless every classification finds the embryo's outer shell.
 * Usage: node bench/dist/surface.js
 */
import * as tessera from 'tessera';

const median = (xs: number[]) => [...xs].sort((p, q) => p - q)[Math.floor(xs.length / 2)];

async function main(): Promise<void> {
  await tessera.init();
  console.log(`device: ${(await tessera.info()).name}`);
  let t0 = performance.now();
  const e = tessera.syntheticEmbryo({ shape: [256, 256, 256] });
  await tessera.sync();
  console.log(`embryo: ${e.count} cells (${e.outer.length} outer, ${e.inner.length} inner) made in ${(performance.now() - t0).toFixed(0)} ms`);
  const rows: Array<Record<string, unknown>> = [];
  for (const directions of [0, 100, 1000]) {
    for (const mask of [undefined, e.mask]) {
      const run = async () => {
        const c = await tessera.classifySurfaceLabels(e.cells, { directions, mask });
        c.classes.release();
        return c;
      };
      for (let k = 0; k < 3; k++) await run();
      const times: number[] = [];
      let result = await run();
      for (let k = 0; k < 10; k++) {
        t0 = performance.now();
        result = await run();
        times.push(performance.now() - t0);
      }
      const exact = result.surface.length === e.outer.length && result.surface.every((l, k) => l === e.outer[k]);
      if (!exact) throw new Error(`${directions} directions${mask ? ', mask' : ''}: ${result.surface.length} surface cells, the embryo has ${e.outer.length} outer ones`);
      const profiled = tessera.startProfiling();
      await run();
      const kernels = profiled ? await tessera.stopProfiling() : [];
      const gpu: Record<string, number> = {};
      for (const k of kernels) gpu[k.label] = (gpu[k.label] ?? 0) + k.ms;
      const row = { directions: directions + 6, mask: mask !== undefined, rays: result.rays, wall_ms: median(times), gpu_ms: gpu };
      console.log(JSON.stringify(row));
      rows.push(row);
    }
  }
  console.log(JSON.stringify({ goal: 'classification, 1,006 directions, no mask: < 50 ms', rows }));
}

main().then(() => process.exit(0), (err) => { console.error(err); process.exit(1); });
