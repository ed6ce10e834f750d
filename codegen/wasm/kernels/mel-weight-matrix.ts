// mel_weight_matrix with its sample rate and edge frequencies read from memory (at run time, or constants where
// folding left the matrix to compute, as for a graph output): each element from its filter's edge bins, in f64
// as the reference computes them (codegen/mel-geometry.ts).
import { asType } from '../as-target.js';
import { melGeometry } from '../../mel-geometry.js';
import { at, sizeOfValue, unsupported, type KernelContext } from './kernel.js';

export function melWeightMatrixKernel(k: KernelContext): string {
  const y = k.output(0);
  const { bins, dftLength, rows, sampleRate, lowHz, highHz } = melGeometry(k, (detail) => unsupported(k.node, detail));
  if (sizeOfValue(y) === 0) return '';
  const t = asType(y.type.dtype);
  const scalar = (v: typeof sampleRate) => `<f64>load<${asType(v.type.dtype)}>(${k.ptr(v)})`;
  return [
    `const rate: f64 = ${scalar(sampleRate)};`,
    `const lowMel: f64 = 2595.0 * Math.log10(1.0 + ${scalar(lowHz)} / 700.0);`,
    `const step: f64 = (2595.0 * Math.log10(1.0 + ${scalar(highHz)} / 700.0) - lowMel) / ${bins + 2}.0;`,
    `for (let i: i32 = 0; i < ${bins}; i++) {`,
    `  const lo = Math.floor(${dftLength + 1}.0 * 700.0 * (Math.pow(10.0, (<f64>i * step + lowMel) / 2595.0) - 1.0) / rate);`,
    `  const c = Math.floor(${dftLength + 1}.0 * 700.0 * (Math.pow(10.0, (<f64>(i + 1) * step + lowMel) / 2595.0) - 1.0) / rate);`,
    `  const hi = Math.floor(${dftLength + 1}.0 * 700.0 * (Math.pow(10.0, (<f64>(i + 2) * step + lowMel) / 2595.0) - 1.0) / rate);`,
    `  for (let j: i32 = 0; j < ${rows}; j++) {`,
    '    const r = <f64>j;',
    '    let w: f64 = 0;',
    '    if (r >= c && r < hi) w = (hi - r) / (hi - c);',
    '    else if (r >= lo && r <= c) w = c == lo ? 1.0 : (r - lo) / (c - lo);',
    `    store<${t}>(${at(k.ptr(y), `j * ${bins} + i`, y.type.dtype)}, <${t}>w);`,
    '  }',
    '}',
  ].join('\n');
}
