// The histogram the histogram calibrators (percentile, entropy, mse) keep of one tensor's values over
// many calibration batches.
//
// Bins share one width and lie symmetrically about zero: with `half` bins a side, bin k covers
// [(k − half)·width, (k − half + 1)·width), so zero is a bin edge and folding the two halves gives the
// histogram of |x| exactly. One signed histogram therefore serves both the |x| calibrators (symmetric
// percentile, entropy, mse) and the two-tailed percentile.
//
// Growth (onnxruntime's HistogramCollector.merge_histogram): the first batch with a nonzero value fixes
// the width to max|x| / bins; a later batch past the covered range adds bins of the same width at both
// ends, so old counts move without re-binning. Where onnxruntime lets the bin count grow without bound
// (a first batch of tiny values followed by large ones can ask for millions of bins), a side that would
// pass 2·bins bins merges neighbouring pairs instead (the width doubles). Merging pairs is exact too:
// every new edge is an old edge, and zero stays an edge.

/** |x| counts: bin j covers [j·width, (j + 1)·width). */
export interface MagnitudeHistogram {
  counts: Float64Array;
  width: number;
}

export class GrowingHistogram {
  /** Number of finite values seen, and their extremes (+∞ / −∞ before any). */
  count = 0;
  min = Infinity;
  max = -Infinity;

  private counts = new Float64Array(0);
  private half = 0;
  private width = 0;
  /** Zeros seen while every value so far was zero, so that no width could be chosen yet. */
  private pendingZeros = 0;

  /** `bins`: bins a side at the first nonzero batch (the resolution of |x| over [0, max|x|]). */
  constructor(private readonly bins: number) {}

  /** Adds the finite values of one batch (NaN and ±∞ are skipped). */
  observe(values: ArrayLike<number>): void {
    let lo = Infinity;
    let hi = -Infinity;
    let n = 0;
    for (let i = 0; i < values.length; i++) {
      const x = values[i];
      if (!Number.isFinite(x)) continue;
      if (x < lo) lo = x;
      if (x > hi) hi = x;
      n++;
    }
    if (n === 0) return;
    this.count += n;
    this.min = Math.min(this.min, lo);
    this.max = Math.max(this.max, hi);
    const magnitude = Math.max(-lo, hi);
    if (magnitude === 0 && this.width === 0) {
      this.pendingZeros += n;
      return;
    }
    this.cover(magnitude);
    const last = this.counts.length - 1;
    for (let i = 0; i < values.length; i++) {
      const x = values[i];
      if (!Number.isFinite(x)) continue;
      // Clamping puts x = max|x| (which may sit exactly on the top edge) into the last bin, as np.histogram does.
      const k = Math.min(last, Math.max(0, Math.floor(x / this.width) + this.half));
      this.counts[k]++;
    }
  }

  /** The folded histogram of |x|; null while no nonzero value has been seen. */
  magnitudes(): MagnitudeHistogram | null {
    if (this.width === 0) return null;
    const counts = new Float64Array(this.half);
    for (let j = 0; j < this.half; j++) counts[j] = this.counts[this.half + j] + this.counts[this.half - 1 - j];
    return { counts, width: this.width };
  }

  /** The signed counts: bin k covers [(k − half)·width, (k − half + 1)·width); null while no nonzero value has been seen. */
  signed(): { counts: Float64Array; width: number; half: number } | null {
    if (this.width === 0) return null;
    return { counts: this.counts.slice(), width: this.width, half: this.half };
  }

  /** Grows the bins until they cover [−magnitude, magnitude]. */
  private cover(magnitude: number): void {
    if (this.width === 0) {
      this.width = magnitude / this.bins;
      this.half = this.bins;
      this.counts = new Float64Array(2 * this.bins);
      this.counts[this.half] += this.pendingZeros; // zero falls in bin [0, width)
      this.pendingZeros = 0;
      return;
    }
    if (magnitude <= this.half * this.width) return;
    while (Math.ceil(magnitude / this.width) > 2 * this.bins) this.mergePairs();
    const half = Math.max(this.half, Math.ceil(magnitude / this.width));
    const counts = new Float64Array(2 * half);
    counts.set(this.counts, half - this.half);
    this.counts = counts;
    this.half = half;
  }

  /** Doubles the width: bins (2r, 2r + 1) counted from zero become bin r (an odd side first gets an empty bin). */
  private mergePairs(): void {
    const half = Math.ceil(this.half / 2);
    const counts = new Float64Array(2 * half);
    for (let k = 0; k < this.counts.length; k++) counts[Math.floor((k - this.half) / 2) + half] += this.counts[k];
    this.counts = counts;
    this.half = half;
    this.width *= 2;
  }
}
