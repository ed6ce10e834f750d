// Ternary weight networks (Li et al. 2016, TWN): each layer's weights become {−α, 0, +α}. The threshold
// Δ = 0.7·mean|w| approximately minimizes ‖w − α·t‖² for Gaussian-like weights, and given Δ the optimal scale
// α is the mean magnitude of the weights above it.

export interface TernaryWeights {
  values: Float32Array;
  delta: number;
  alpha: number;
  /** The share of weights that are ±α. */
  density: number;
}

export function ternarize(values: Float32Array): TernaryWeights {
  let sumAbs = 0;
  for (const v of values) sumAbs += Math.abs(v);
  const delta = (0.7 * sumAbs) / Math.max(1, values.length);
  let above = 0;
  let sumAbove = 0;
  for (const v of values) {
    if (Math.abs(v) > delta) {
      above++;
      sumAbove += Math.abs(v);
    }
  }
  const alpha = Math.fround(above ? sumAbove / above : 0);
  const out = new Float32Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = Math.abs(values[i]) > delta ? Math.sign(values[i]) * alpha : 0;
  return { values: out, delta, alpha, density: values.length ? above / values.length : 0 };
}
