// How much a lossy transformation changed a layer's weights: 10·log10(Σw² / Σ(w − ŵ)²) in dB (∞ when unchanged).
export function weightSqnrDb(original: ArrayLike<number>, changed: ArrayLike<number>): number {
  let signal = 0;
  let noise = 0;
  for (let i = 0; i < original.length; i++) {
    signal += original[i] * original[i];
    noise += (original[i] - changed[i]) ** 2;
  }
  if (noise === 0) return Infinity;
  return 10 * Math.log10(signal / noise);
}
