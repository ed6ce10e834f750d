// The geometry of mel_weight_matrix as every target's kernel reads it: num_mel_bins and dft_length (constant
// operands: they set the output's shape) and the three operands the kernel reads at run time where they are
// not constants (sample_rate, lower_edge_hertz, upper_edge_hertz). Each output element (row j, filter i) is
// computed alone from the filter's three edge bins, as compiler/ops/tensor-generate.ts's melWeightMatrix
// fills them:
//   p(m) = ⌊(dft_length + 1) · 700 · (10^((m·step + mel(low)) / 2595) − 1) / sample_rate⌋,
//   mel(f) = 2595 · log10(1 + f/700), step = (mel(high) − mel(low)) / (num_mel_bins + 2);
//   with lo, c, hi = p(i), p(i + 1), p(i + 2): w = (hi − j)/(hi − c) for c ≤ j < hi, else (j − lo)/(c − lo)
//   for lo ≤ j ≤ c (1 where c = lo), else 0.
import type { Value } from '../compiler/ir/graph.js';
import type { ConstantOperands } from './movement-geometry.js';
import type { Refuse } from './window-geometry.js';

export interface MelGeometry {
  bins: number;
  dftLength: number;
  rows: number;
  sampleRate: Value;
  lowHz: Value;
  highHz: Value;
}

export function melGeometry(k: ConstantOperands, refuse: Refuse): MelGeometry {
  const [binsV, dftV, sampleRate, lowHz, highHz] = [0, 1, 2, 3, 4].map((i) => k.node.inputs[i]);
  if (!binsV || !dftV || !sampleRate || !lowHz || !highHz) refuse('all five operands are required');
  const [binsT, dftT] = [k.constantOf(binsV), k.constantOf(dftV)];
  if (!binsT || !dftT) refuse('num_mel_bins or dft_length known only at run time');
  const [bins, dftLength] = [binsT.data[0], dftT.data[0]];
  return { bins, dftLength, rows: Math.floor(dftLength / 2) + 1, sampleRate, lowHz, highHz };
}
