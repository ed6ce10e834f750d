// Magnitude pruning (Han et al. 2015): a weight whose magnitude is below the layer's threshold becomes zero
// for good. The threshold is s·σ, σ the standard deviation of the layer's weights, with the quality parameter
// s chosen per layer from its sensitivity (compress-graph.ts), so that one s scale fits layers of any size.

export interface PrunedWeights {
  values: Float32Array;
  /** 1 where the weight survives. */
  mask: Uint8Array;
  threshold: number;
  /** The share of weights that survive. */
  density: number;
}

/** Population standard deviation of the values. */
export function standardDeviation(values: Float32Array): number {
  let sum = 0;
  let squares = 0;
  for (const v of values) {
    sum += v;
    squares += v * v;
  }
  const mean = sum / Math.max(1, values.length);
  return Math.sqrt(Math.max(0, squares / Math.max(1, values.length) - mean * mean));
}

/** Zeroes the weights with |w| < s·σ. */
export function pruneByMagnitude(values: Float32Array, s: number): PrunedWeights {
  const threshold = s * standardDeviation(values);
  const mask = new Uint8Array(values.length);
  const out = new Float32Array(values.length);
  let kept = 0;
  for (let i = 0; i < values.length; i++) {
    if (Math.abs(values[i]) >= threshold && values[i] !== 0) {
      mask[i] = 1;
      out[i] = values[i];
      kept++;
    }
  }
  return { values: out, mask, threshold, density: values.length ? kept / values.length : 1 };
}
