// Seeded data for the quantize/ tests: Gaussian samples and a few huge outliers.
import { seededRandom } from '../../compiler/random.js';

/** n samples of N(0, sigma²) (Box–Muller over the seeded uniform generator). */
export function gaussian(n: number, seed: number, sigma = 1): Float32Array {
  const uniform = seededRandom(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i += 2) {
    const u1 = (uniform() + 1) / 2 || Number.MIN_VALUE;
    const u2 = (uniform() + 1) / 2;
    const r = sigma * Math.sqrt(-2 * Math.log(u1));
    out[i] = r * Math.cos(2 * Math.PI * u2);
    if (i + 1 < n) out[i + 1] = r * Math.sin(2 * Math.PI * u2);
  }
  return out;
}

/** Concatenates batches into one array. */
export function concat(batches: ArrayLike<number>[]): Float32Array {
  const out = new Float32Array(batches.reduce((n, b) => n + b.length, 0));
  let at = 0;
  for (const b of batches) {
    out.set(Array.from(b), at);
    at += b.length;
  }
  return out;
}
