/**
 * Are timings stable within one process? Times a few operations in three rounds, with the
 * GPU's SM clock read between rounds (nvidia-smi). node bench/dist/stability.js
 */
import { execFileSync } from 'node:child_process';
import * as tessera from 'tessera';

const clocks = () => {
  try {
    return execFileSync('nvidia-smi', ['--query-gpu=clocks.sm,clocks.mem,power.draw,utilization.gpu', '--format=csv,noheader'], { encoding: 'utf8' }).trim();
  } catch {
    return 'no nvidia-smi';
  }
};

async function main(): Promise<void> {
  await tessera.init();
  const n = 256 ** 3;
  const data = new Float32Array(n).map((_, i) => (i * 2654435761) % 1000 / 1000);
  const a = tessera.push(data, [256, 256, 256]);
  const ops: Record<string, () => tessera.GpuImage> = {
    addScalar: () => tessera.addImageAndScalar(a, 5),
    gaussian: () => tessera.gaussianBlur(a, 2, 2, 2),
    mean: () => tessera.meanBox(a, 1, 1, 1),
    flip: () => tessera.flip(a, true, false, false),
  };
  for (let round = 0; round < 3; round++) {
    console.log(`round ${round}: clocks ${clocks()}`);
    for (const [name, fn] of Object.entries(ops)) {
      const walls: number[] = [];
      for (let k = 0; k < 20; k++) {
        const t0 = performance.now();
        const out = fn();
        await tessera.sync();
        walls.push(performance.now() - t0);
        out.release();
      }
      tessera.startProfiling();
      for (let k = 0; k < 10; k++) { const out = fn(); await tessera.sync(); out.release(); }
      const passes = await tessera.stopProfiling();
      walls.sort((x, y) => x - y);
      const gpu = passes.reduce((s, p) => s + p.ms, 0) / 10;
      console.log(`  ${name.padEnd(10)} wall median ${walls[10].toFixed(3)} min ${walls[0].toFixed(3)}  gpu ${gpu.toFixed(3)}  passes/call ${passes.length / 10}`);
    }
  }
}

main().then(() => process.exit(0), (e) => { console.error(e); process.exit(1); });
