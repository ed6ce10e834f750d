// Losses over class scores [N, C, d…] and integer targets [N, d…]: negative_log_likelihood_loss and
// softmax_cross_entropy_loss (log-softmax over axis 1, then the former), with class weights, ignore_index
// and none/sum/mean reductions. Arithmetic is in f64 as in the reference, so sums over many positions keep
// the scores' precision. The module has no channel for run-time errors: a target outside [0, C) that is not
// ignore_index counts as ignored (the reference interpreter rejects it).
import { isFloat } from '../../../compiler/ir/dtype.js';
import { attrString } from '../../../compiler/ops/util.js';
import { asType } from '../as-target.js';
import { shapeOf, unsupported, type KernelContext } from './kernel.js';

export function lossKernel(k: KernelContext): string {
  const [x, target, weight] = [k.input(0), k.input(1), k.node.inputs[2]];
  const xs = shapeOf(x);
  const dx = x.type.dtype;
  if (!isFloat(dx) || dx === 'f16') unsupported(k.node, `${dx} scores`);
  if (target.type.dtype !== 'i64' && target.type.dtype !== 'i32') unsupported(k.node, `${target.type.dtype} targets`);
  if (weight && weight.type.dtype !== dx) unsupported(k.node, 'weights of another dtype than the scores');
  const [n, c] = xs;
  const inner = xs.slice(2).reduce((p, d) => p * d, 1);
  const reduction = attrString(k.node.attrs, 'reduction');
  const ignore = k.node.attrs.ignore_index as number | undefined;
  const sce = k.node.op === 'softmax_cross_entropy_loss';
  const logProb = sce && k.node.outputs.length > 1 ? k.output(1) : undefined;
  const ty = asType(dx);
  const tt = asType(target.type.dtype);
  const tb = target.type.dtype === 'i64' ? 8 : 4;
  const eb = dx === 'f64' ? 8 : 4;
  const score = (cls: string) => `<f64>load<${ty}>(${k.ptr(x)} + ((b * ${c} + ${cls}) * ${inner} + i) * ${eb})`;
  const lines = ['let sum: f64 = 0.0;', 'let weights: f64 = 0.0;', `for (let b: i32 = 0; b < ${n}; b++) for (let i: i32 = 0; i < ${inner}; i++) {`];
  if (sce) {
    // log p_j = x_j − (m + log Σ e^(x − m)) with m the largest score, so that exp() stays finite.
    lines.push(
      '  let m: f64 = -Infinity;',
      `  for (let j: i32 = 0; j < ${c}; j++) m = Math.max(m, ${score('j')});`,
      '  let e: f64 = 0.0;',
      `  for (let j: i32 = 0; j < ${c}; j++) e += Math.exp(${score('j')} - m);`,
      '  const logSum: f64 = m + Math.log(e);',
    );
    if (logProb) {
      lines.push(`  for (let j: i32 = 0; j < ${c}; j++) store<${ty}>(${k.ptr(logProb)} + ((b * ${c} + j) * ${inner} + i) * ${eb}, <${ty}>(${score('j')} - logSum));`);
    }
  }
  const logP = (cls: string) => (sce ? `(${score(cls)} - logSum)` : score(cls));
  lines.push(
    `  const t: i64 = <i64>load<${tt}>(${k.ptr(target)} + (b * ${inner} + i) * ${tb});`,
    '  let loss: f64 = 0.0;',
    `  if (${ignore === undefined ? '' : `t != ${ignore} && `}t >= 0 && t < ${c}) {`,
    `    const w: f64 = ${weight ? `<f64>load<${ty}>(${k.ptr(weight)} + <i32>t * ${eb})` : '1.0'};`,
    `    loss = -${logP('<i32>t')} * w;`,
    '    sum += loss;',
    '    weights += w;',
    '  }',
  );
  if (reduction === 'none') lines.push(`  store<${ty}>(${k.ptr(k.output(0))} + (b * ${inner} + i) * ${eb}, <${ty}>loss);`);
  lines.push('}');
  if (reduction === 'sum') lines.push(`store<${ty}>(${k.ptr(k.output(0))}, <${ty}>sum);`);
  if (reduction === 'mean') lines.push(`store<${ty}>(${k.ptr(k.output(0))}, <${ty}>(sum / weights));`);
  return lines.join('\n');
}
