// The entropy (KL-divergence) threshold of TensorRT's int8 calibration (Migacz, "8-bit inference with
// TensorRT", GTC 2017), over a histogram of |x|:
//
//   for each candidate i (threshold t = i·width, from `levels` bins up to the last nonempty bin):
//     P = hist[0..i), with the outliers hist[i..] folded into P[i−1]       (what clipping at t keeps)
//     Q = hist[0..i) merged into `levels` groups, each group's count spread evenly over the bins of the
//         group where P is nonzero                                         (what quantizing to t keeps)
//     KL(P‖Q) = Σ p log(p / q) over the normalized P and Q, terms with p = 0 dropped
//   t = the candidate of least divergence (the first, i.e. the smallest threshold, on ties).
//
// Choices where the references differ: bin j joins group ⌊j·levels / i⌋ (pytorch-quantization's even
// split; onnxruntime puts the remainder ⌊i mod levels⌋ into the last group); a zero q under a nonzero p
// (a group with no values, whose last bin received the outliers) becomes 1e-4 of a count, as onnxruntime's
// smooth_distribution does, so such candidates get a large finite divergence instead of +∞.
import type { MagnitudeHistogram } from './histogram.js';

const EMPTY_GROUP_COUNT = 1e-4;

/** The threshold of least KL divergence; `levels` is 128 for signed 8-bit targets, 256 for unsigned. */
export function entropyThreshold(histogram: MagnitudeHistogram, levels: number): number {
  const { counts, width } = histogram;
  const used = lastNonempty(counts) + 1;
  if (used <= levels) return used * width; // no more bins than levels: nothing to gain by clipping
  let best = used;
  let bestDivergence = Infinity;
  for (let i = levels; i <= used; i++) {
    const d = klDivergenceAt(counts, i, levels);
    if (d < bestDivergence) {
      bestDivergence = d;
      best = i;
    }
  }
  return best * width;
}

/** KL(P‖Q) of candidate i (threshold i·width), as described above. */
export function klDivergenceAt(counts: Float64Array, i: number, levels: number): number {
  const p = counts.slice(0, i);
  for (let j = i; j < counts.length; j++) p[i - 1] += counts[j];

  const groupSum = new Float64Array(levels);
  const groupNonzero = new Float64Array(levels);
  for (let j = 0; j < i; j++) {
    const g = Math.floor((j * levels) / i);
    groupSum[g] += counts[j];
    if (p[j] !== 0) groupNonzero[g]++;
  }
  const q = new Float64Array(i);
  let pTotal = 0;
  let qTotal = 0;
  for (let j = 0; j < i; j++) {
    if (p[j] === 0) continue;
    const g = Math.floor((j * levels) / i);
    q[j] = groupSum[g] === 0 ? EMPTY_GROUP_COUNT : groupSum[g] / groupNonzero[g];
    pTotal += p[j];
    qTotal += q[j];
  }
  let divergence = 0;
  for (let j = 0; j < i; j++) {
    if (p[j] === 0) continue;
    const pj = p[j] / pTotal;
    divergence += pj * Math.log(pj / (q[j] / qTotal));
  }
  return divergence;
}

export function lastNonempty(counts: Float64Array): number {
  let j = counts.length - 1;
  while (j >= 0 && counts[j] === 0) j--;
  return j;
}
