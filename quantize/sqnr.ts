// Signal-to-quantization-noise ratio: how faithfully a quantized (then dequantized) tensor follows its
// float reference. Each bit of a well-used uniform quantizer adds about 6.02 dB.
import { DlcError } from '../compiler/errors.js';

/** 10·log10(Σ r² / Σ (r − a)²) in decibels; +∞ when the two are equal. */
export function sqnrDb(reference: ArrayLike<number>, approx: ArrayLike<number>): number {
  if (reference.length !== approx.length) throw new DlcError(`SQNR of ${reference.length} reference values against ${approx.length} approximations`);
  let signal = 0;
  let noise = 0;
  for (let i = 0; i < reference.length; i++) {
    signal += reference[i] * reference[i];
    noise += (reference[i] - approx[i]) ** 2;
  }
  if (noise === 0) return Infinity;
  return 10 * Math.log10(signal / noise);
}
