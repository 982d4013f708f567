/**
 * Histogram-based threshold algorithms on the host, written to give scikit-image's results
 * bit for bit: the same histogram (see automatic-thresholds.ts), and the same floating-point
 * types and operation order as skimage.filters (its counts are float32, so its cumulative
 * sums round in float32; `Math.fround` after each operation reproduces that).
 *
 * `centers` are the bin centres (float32 values for float images, integers for integer
 * images); `floatCenters` tells which, because numpy then promotes differently
 * (float32 × float32 stays float32; float32 × int64 becomes float64).
 */
const f = Math.fround;

/** numpy's float32 `sum` (pairwise summation, blocks of 128 unrolled by 8), rounded as numpy rounds. */
export function pairwiseSum32(a: ArrayLike<number>, start = 0, n = a.length): number {
  if (n < 8) {
    let r = -0;
    for (let i = 0; i < n; i++) r = f(r + a[start + i]);
    return r;
  }
  if (n <= 128) {
    const r = [a[start], a[start + 1], a[start + 2], a[start + 3], a[start + 4], a[start + 5], a[start + 6], a[start + 7]].map(f);
    let i = 8;
    for (; i < n - (n % 8); i += 8) for (let j = 0; j < 8; j++) r[j] = f(r[j] + a[start + i + j]);
    let res = f(f(f(r[0] + r[1]) + f(r[2] + r[3])) + f(f(r[4] + r[5]) + f(r[6] + r[7])));
    for (; i < n; i++) res = f(res + a[start + i]);
    return res;
  }
  let n2 = Math.floor(n / 2);
  n2 -= n2 % 8;
  return f(pairwiseSum32(a, start, n2) + pairwiseSum32(a, start + n2, n - n2));
}

/** numpy's argmax: the first maximum; a NaN wins (numpy propagates NaN). */
function argmax(a: ArrayLike<number>): number {
  let best = 0;
  for (let i = 0; i < a.length; i++) {
    if (Number.isNaN(a[i])) return i;
    if (a[i] > a[best]) best = i;
  }
  return best;
}

/** skimage.filters.threshold_otsu(hist=(counts, centers)) for a histogram with more than one bin. */
export function otsu(counts: ArrayLike<number>, centers: ArrayLike<number>, floatCenters: boolean): number {
  const n = counts.length;
  const c = Float64Array.from(counts, f); // skimage: counts.astype('float32')
  const w1 = new Float64Array(n);
  const w2 = new Float64Array(n);
  for (let k = 0, s = 0; k < n; k++) w1[k] = s = f(s + c[k]);
  for (let k = n - 1, s = 0; k >= 0; k--) w2[k] = s = f(s + c[k]);
  // counts * bin_centers: float32 for float images, float64 (exact) for integer images.
  const cb = Float64Array.from(c, (x, k) => (floatCenters ? f(x * centers[k]) : x * centers[k]));
  const m1 = new Float64Array(n);
  const m2 = new Float64Array(n);
  const add = (a: number, b: number) => (floatCenters ? f(a + b) : a + b);
  const div = (a: number, b: number) => (floatCenters ? f(a / b) : a / b);
  for (let k = 0, s = 0; k < n; k++) m1[k] = div((s = add(s, cb[k])), w1[k]);
  for (let k = n - 1, s = 0; k >= 0; k--) m2[k] = div((s = add(s, cb[k])), w2[k]);
  const v = new Float64Array(n - 1);
  for (let k = 0; k < n - 1; k++) {
    const w = f(w1[k] * w2[k + 1]);
    if (floatCenters) {
      const d = f(m1[k] - m2[k + 1]);
      v[k] = f(w * f(d * d));
    } else {
      const d = m1[k] - m2[k + 1];
      v[k] = w * (d * d);
    }
  }
  return centers[argmax(v)];
}

/** skimage.filters.threshold_yen(hist=(counts, centers)). */
export function yen(counts: ArrayLike<number>, centers: ArrayLike<number>): number {
  const n = counts.length;
  if (n === 1) return centers[0];
  const c = Float32Array.from(counts);
  const total = pairwiseSum32(c);
  const pmf = Float64Array.from(c, (x) => f(x / total));
  const p1 = new Float64Array(n);
  const p1sq = new Float64Array(n);
  const p2sq = new Float64Array(n);
  for (let k = 0, s = 0, q = 0; k < n; k++) {
    p1[k] = s = f(s + pmf[k]);
    p1sq[k] = q = f(q + f(pmf[k] * pmf[k]));
  }
  for (let k = n - 1, q = 0; k >= 0; k--) p2sq[k] = q = f(q + f(pmf[k] * pmf[k]));
  const crit = new Float64Array(n - 1);
  for (let k = 0; k < n - 1; k++) {
    const inv = f(1 / f(p1sq[k] * p2sq[k + 1]));
    const b = f(p1[k] * f(1 - p1[k]));
    crit[k] = f(Math.log(f(inv * f(b * b))));
  }
  return centers[argmax(crit)];
}

/** skimage.filters.threshold_triangle from its histogram (integer counts, float64 arithmetic). */
export function triangle(counts: ArrayLike<number>, centers: ArrayLike<number>): number {
  const nbins = counts.length;
  let hist = Array.from(counts);
  let peak = argmax(hist);
  const peakHeight = hist[peak];
  let low = hist.findIndex((x) => x > 0);
  let high = nbins - 1 - [...hist].reverse().findIndex((x) => x > 0);
  if (low === high) return centers[low];
  const flip = peak - low < high - peak;
  if (flip) {
    hist = hist.reverse();
    low = nbins - high - 1;
    peak = nbins - peak - 1;
  }
  const width = peak - low;
  // np.sqrt(peak_height**2 + width**2) with int64 arithmetic inside the sqrt.
  const norm = Math.sqrt(Number(BigInt(peakHeight) * BigInt(peakHeight) + BigInt(width) * BigInt(width)));
  const h = peakHeight / norm;
  const w = width / norm;
  let best = 0;
  let bestLength = -Infinity;
  for (let x = 0; x < width; x++) {
    const length = h * x - w * hist[x + low];
    if (length > bestLength) {
      bestLength = length;
      best = x;
    }
  }
  let level = best + low;
  if (flip) level = nbins - level - 1;
  return centers[level];
}

/**
 * skimage.filters.threshold_li for an integer image, from its bincount histogram over
 * [min, max] (`counts[k]` pixels of value min + k), tolerance 0.5 as skimage.
 */
export function liInteger(counts: ArrayLike<number>, min: number): number {
  const n = counts.length;
  const hist = Float32Array.from(counts); // skimage: hist.astype('float32')
  if (n === 1) return min;
  // t_next = np.mean(image - min): exact float64 sum of integers, divided once.
  let total = 0;
  let pixels = 0;
  for (let k = 0; k < n; k++) {
    total += k * counts[k];
    pixels += counts[k];
  }
  let tNext = total / pixels;
  const tolerance = 0.5;
  let tCurr = -2 * tolerance;
  while (Math.abs(tNext - tCurr) > tolerance) {
    tCurr = tNext;
    // np.average(bin_centers[fg], weights=hist[fg]): sum(a * w) in float64 / sum(w) in float32.
    const fgW: number[] = [];
    const bgW: number[] = [];
    let fgS = 0;
    let bgS = 0;
    for (let k = 0; k < n; k++) {
      if (k > tCurr) {
        fgW.push(hist[k]);
        fgS += k * hist[k];
      } else {
        bgW.push(hist[k]);
        bgS += k * hist[k];
      }
    }
    const meanFore = fgS / pairwiseSum32(fgW);
    const meanBack = bgS / pairwiseSum32(bgW);
    if (meanBack === 0) break;
    tNext = (meanBack - meanFore) / (Math.log(meanBack) - Math.log(meanFore));
  }
  return tNext + min;
}
