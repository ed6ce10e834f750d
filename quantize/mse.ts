// The mean-squared-error threshold: the clipping threshold t that minimizes the expected squared error of
// quantizing the histogram's values to the grid {k·Δ : |k| ≤ qmax}, Δ = t / qmax (qmax = 127 for signed
// 8-bit targets, 255 for unsigned).
//
// Each bin's values are taken as uniform over the bin (pytorch-quantization's MSE calibrator instead
// fake-quantizes each bin's centre, which scores a centre that happens to sit on a grid point as error
// free). Candidates are the bin edges t = i·width, so a bin lies wholly inside or outside [0, t]:
//   inside:  E[(x − round(x/Δ)·Δ)²] over the bin, exact (the grid needs no clamp below t = qmax·Δ)
//   outside: E[(x − t)²] over the bin (the value saturates to t)
// The smallest threshold wins ties.
import type { MagnitudeHistogram } from './histogram.js';
import { lastNonempty } from './entropy.js';

/** The threshold of least expected squared error. */
export function mseThreshold(histogram: MagnitudeHistogram, qmax: number): number {
  const { counts, width } = histogram;
  const used = lastNonempty(counts) + 1;
  if (used === 0) return 0;
  let best = used;
  let bestError = Infinity;
  for (let i = 1; i <= used; i++) {
    const error = expectedSquaredError(histogram, i * width, qmax);
    if (error < bestError) {
      bestError = error;
      best = i;
    }
  }
  return best * width;
}

/** Σ count · expected squared error, for threshold t (a bin edge) and grid step t / qmax. */
export function expectedSquaredError(histogram: MagnitudeHistogram, t: number, qmax: number): number {
  const { counts, width } = histogram;
  const step = t / qmax;
  let error = 0;
  for (let j = 0; j < counts.length; j++) {
    if (counts[j] === 0) continue;
    const a = j * width;
    const b = a + width;
    error += counts[j] * (b <= t ? roundingError(a, b, step) : clippingError(a, b, t));
  }
  return error;
}

/** E[(x − round(x/Δ)·Δ)²] for x uniform on [a, b], 0 ≤ a < b. */
export function roundingError(a: number, b: number, step: number): number {
  // With u = x/Δ the error is Δ²·(u − round u)²; its integral from 0 is S(u) = ⌊u⌋/12 + s(u − ⌊u⌋),
  // s(r) = r³/3 for r ≤ ½ and 1/12 + (r − 1)³/3 above (the sawtooth squared integrates to 1/12 a period).
  const ua = a / step;
  const ub = b / step;
  return (step * step * (sawtoothIntegral(ub) - sawtoothIntegral(ua))) / (ub - ua);
}

function sawtoothIntegral(u: number): number {
  const whole = Math.floor(u);
  const r = u - whole;
  return whole / 12 + (r <= 0.5 ? r ** 3 / 3 : 1 / 12 + (r - 1) ** 3 / 3);
}

/** E[(x − t)²] for x uniform on [a, b], t ≤ a. */
export function clippingError(a: number, b: number, t: number): number {
  return ((b - t) ** 3 - (a - t) ** 3) / (3 * (b - a));
}
