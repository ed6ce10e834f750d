// mel_weight_matrix with its sample rate and edge frequencies read from memory (at run time, or constants where
// folding left the matrix to compute, as for a graph output): one invocation per element computes its filter's
// edge bins in f32 (codegen/mel-geometry.ts; WGSL has no log10: ln(x)/ln(10)).
import { sizeOfValue } from '../../shapes.js';
import { melGeometry } from '../../mel-geometry.js';
import { storageType } from '../wgsl-target.js';
import type { WgslDispatch, WgslKernelContext } from './kernel.js';
import { Bindings, perInvocation, unsupported } from './shader.js';

export function melWeightMatrixKernel(k: WgslKernelContext): WgslDispatch[] {
  const y = k.output(0);
  if (storageType(y.type.dtype) !== 'f32') unsupported(k.node, `${y.type.dtype} output (floats only)`);
  const { bins, dftLength, sampleRate, lowHz, highHz } = melGeometry(k, (detail) => unsupported(k.node, detail));
  const count = sizeOfValue(y);
  if (count === 0) return [];
  const b = new Bindings([y]);
  const [yb, rb, lb, hb] = [b.of(y), b.of(sampleRate), b.of(lowHz), b.of(highHz)];
  const body = [
    `  let rate = f32(${rb}[0]);`,
    `  let lowMel = 2595.0f * log(1.0f + f32(${lb}[0]) / 700.0f) / log(10.0f);`,
    `  let step = (2595.0f * log(1.0f + f32(${hb}[0]) / 700.0f) / log(10.0f) - lowMel) / ${bins + 2}.0f;`,
    `  let f = i % ${bins}u;`,
    `  let r = f32(i / ${bins}u);`,
    '  var p: array<f32, 3>;',
    '  for (var m = 0u; m < 3u; m++) {',
    `    p[m] = floor(${dftLength + 1}.0f * 700.0f * (pow(10.0f, (f32(f + m) * step + lowMel) / 2595.0f) - 1.0f) / rate);`,
    '  }',
    '  let lo = p[0];',
    '  let c = p[1];',
    '  let hi = p[2];',
    '  var w = 0.0f;',
    '  if (r >= c && r < hi) { w = (hi - r) / (hi - c); }',
    '  else if (r >= lo && r <= c) { w = select((r - lo) / (c - lo), 1.0f, c == lo); }',
    `  ${yb}[i] = w;`,
  ].join('\n');
  return [perInvocation({ bindings: b.list, count, body })];
}
