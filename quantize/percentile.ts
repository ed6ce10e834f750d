// Percentile thresholds over a histogram (onnxruntime's HistogramCollector.compute_percentile).
//
// onnxruntime returns the left edge of the bin where the cumulative share reaches the percentile, which
// can keep less than the asked share (and with percentile 100 clips the top bin). Here the edge is the
// one past that bin: the smallest edge below which at least `percentile`% of the values lie, so 100
// gives the histogram's top and, after the caller clamps to the observed extremes, minmax.
import type { MagnitudeHistogram } from './histogram.js';

/** The smallest bin edge t with at least `percentile`% of the |x| values in [0, t). */
export function magnitudePercentile(histogram: MagnitudeHistogram, percentile: number): number {
  const { counts, width } = histogram;
  const total = counts.reduce((a, b) => a + b, 0);
  let below = 0;
  for (let j = 0; j < counts.length; j++) {
    below += counts[j];
    // Compared as count·100 ≥ percentile·total: exact for integer counts, no division rounding.
    if (below * 100 >= percentile * total) return (j + 1) * width;
  }
  return counts.length * width;
}

/**
 * Both tails: the largest edge with at most (100 − percentile)/2 % of the values below it, and the smallest
 * edge with at most that share above it. `counts` is the signed histogram, bin k covering
 * [(k − half)·width, (k − half + 1)·width).
 */
export function twoTailedPercentile(counts: Float64Array, width: number, half: number, percentile: number): { min: number; max: number } {
  const total = counts.reduce((a, b) => a + b, 0);
  const cutTimes100 = ((100 - percentile) / 2) * total; // the share cut off each side, times 100
  let lo = 0;
  let below = 0;
  while (lo < counts.length && (below + counts[lo]) * 100 <= cutTimes100) below += counts[lo++];
  let hi = counts.length;
  let above = 0;
  while (hi > 0 && (above + counts[hi - 1]) * 100 <= cutTimes100) above += counts[--hi];
  return { min: (lo - half) * width, max: (hi - half) * width };
}
