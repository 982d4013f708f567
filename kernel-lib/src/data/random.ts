/**
 * Seeded random numbers (and shared shell geometry) for the synthetic data generators: the same seed gives the same image on
 * every machine and GPU (numbers are drawn on the host, never on the GPU).
 */

/** Uniform numbers in [0, 1) from a 32-bit seed (mulberry32). */
export function uniform(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), s | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Adds Gaussian noise of standard deviation `sd` to every value (Box–Muller, two values per draw). */
export function addGaussianNoise(values: Float32Array, sd: number, rand: () => number): void {
  if (sd === 0) return;
  for (let i = 0; i < values.length; i += 2) {
    const r = Math.sqrt(-2 * Math.log(1 - rand())) * sd;
    const a = 2 * Math.PI * rand();
    values[i] += r * Math.cos(a);
    if (i + 1 < values.length) values[i + 1] += r * Math.sin(a);
  }
}

/** Approximate surface area of an ellipsoid with semi-axes a, b, c (Knud Thomsen's formula, within about 1 %): spreads points evenly over shells. */
export const ellipsoidArea = (a: number, b: number, c: number) => 4 * Math.PI * (((a * b) ** 1.6 + (a * c) ** 1.6 + (b * c) ** 1.6) / 3) ** (1 / 1.6);
