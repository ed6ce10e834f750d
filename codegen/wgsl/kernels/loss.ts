// Losses over class scores [N, C, d…] and integer targets [N, d…]: negative_log_likelihood_loss and
// softmax_cross_entropy_loss (log-softmax over axis 1, then the former), with class weights, ignore_index
// and none/sum/mean reductions, in f32. One invocation per position (n, d…) computes its loss (and, for
// softmax_cross_entropy_loss, its row of log-probabilities); a reduction then sums the per-position losses
// and weights in ONE invocation, in position order, as the reference does: the positions are few next to
// the C scores each reads, and a sequential sum needs no second buffer of partial sums. Shaders have no
// channel for run-time errors: a target outside [0, C) that is not ignore_index counts as ignored (the
// reference interpreter rejects it).
import { attrString } from '../../../compiler/ops/util.js';
import { shapeOf } from '../../wasm/kernels/kernel.js';
import { storageType, wgslLiteral } from '../wgsl-target.js';
import type { WgslDispatch, WgslKernelContext } from './kernel.js';
import { Bindings, perInvocation, unsupported } from './shader.js';

export function lossKernel(k: WgslKernelContext): WgslDispatch[] {
  const [x, target, weight] = [k.input(0), k.input(1), k.node.inputs[2] ?? undefined];
  if (storageType(x.type.dtype) !== 'f32') unsupported(k.node, `${x.type.dtype} scores (floats only)`);
  if (storageType(target.type.dtype) !== 'i32') unsupported(k.node, `${target.type.dtype} targets (signed integers only)`);
  const xs = shapeOf(x);
  const [n, c] = xs;
  const inner = xs.slice(2).reduce((p, d) => p * d, 1);
  const positions = n * inner;
  const reduction = attrString(k.node.attrs, 'reduction');
  const ignore = k.node.attrs.ignore_index as number | undefined;
  const sce = k.node.op === 'softmax_cross_entropy_loss';
  const y = k.output(0);
  const logProb = sce && k.node.outputs[1] ? k.output(1) : undefined;
  if (positions === 0 && reduction === 'none') return [];
  // Per position: its loss at [p] and its target's weight at [positions + p] (0 for an ignored target).
  const terms = reduction === 'none' ? undefined : k.scratch('f32', [2 * Math.max(positions, 1)]);
  const dispatches: WgslDispatch[] = [];
  if (positions > 0) {
    const b = new Bindings([y, ...(logProb ? [logProb] : []), ...(terms ? [terms] : [])]);
    const [xb, tb] = [b.of(x), b.of(target)];
    const score = (cls: string) => `${xb}[(b * ${c}u + ${cls}) * ${inner}u + r]`;
    const lines = [`  let b = i / ${inner}u;`, `  let r = i % ${inner}u;`];
    if (sce) {
      // log p_j = x_j − (m + log Σ e^(x − m)) with m the largest score, so that exp() stays finite.
      lines.push(
        `  var m = ${wgslLiteral(-Infinity, 'f32')};`,
        `  for (var j = 0u; j < ${c}u; j++) { m = max(m, ${score('j')}); }`,
        '  var e = 0.0f;',
        `  for (var j = 0u; j < ${c}u; j++) { e += exp(${score('j')} - m); }`,
        '  let logSum = m + log(e);',
      );
      if (logProb) lines.push(`  for (var j = 0u; j < ${c}u; j++) { ${b.of(logProb)}[(b * ${c}u + j) * ${inner}u + r] = ${score('j')} - logSum; }`);
    }
    const counted = [...(ignore === undefined ? [] : [`t != ${wgslLiteral(ignore, 'i32')}`]), 't >= 0', `t < ${c}`].join(' && ');
    lines.push(
      `  let t = ${tb}[i];`,
      '  var loss = 0.0f;',
      '  var w = 0.0f;',
      `  if (${counted}) {`,
      `    w = ${weight ? `${b.of(weight)}[u32(t)]` : '1.0f'};`,
      `    loss = -(${score('u32(t)')}${sce ? ' - logSum' : ''}) * w;`,
      '  }',
    );
    if (terms) lines.push(`  ${b.of(terms)}[i] = loss;`, `  ${b.of(terms)}[${positions}u + i] = w;`);
    else lines.push(`  ${b.of(y)}[i] = loss;`);
    dispatches.push(perInvocation({ bindings: b.list, count: positions, body: lines.join('\n') }));
  }
  if (terms) {
    const b = new Bindings([y]);
    const [yb, sb] = [b.of(y), b.of(terms)];
    const body = [
      '  var sum = 0.0f;',
      '  var weights = 0.0f;',
      `  for (var p = 0u; p < ${positions}u; p++) { sum += ${sb}[p]; weights += ${sb}[${positions}u + p]; }`,
      `  ${yb}[0] = ${reduction === 'mean' ? 'sum / weights' : 'sum'};`,
    ].join('\n');
    dispatches.push(perInvocation({ bindings: b.list, count: 1, body }));
  }
  return dispatches;
}
