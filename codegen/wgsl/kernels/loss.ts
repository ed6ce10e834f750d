// Losses over class scores [N, C, d…] and integer targets [N, d…]: negative_log_likelihood_loss and
// softmax_cross_entropy_loss (log-softmax over axis 1, then the former), with class weights, ignore_index
// and none/sum/mean reductions, in f32. One invocation per position (n, d…) computes its loss (and, for
// softmax_cross_entropy_loss, its row of log-probabilities); a reduction then sums the per-position losses
// and weights in one workgroup (a strided share per invocation, then a tree in workgroup memory): the
// positions are few next to the C scores each reads, so one workgroup suffices. Shaders have no
// channel for run-time errors: a target outside [0, C) that is not ignore_index counts as ignored (the
// reference interpreter rejects it).
import { attrString } from '../../../compiler/ops/util.js';
import { shapeOf } from '../../shapes.js';
import { storageType, wgslLiteral } from '../wgsl-target.js';
import type { Value } from '../../../compiler/ir/graph.js';
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
        `  for (var j = 0u; j < ${c}u; j++) { m = dlc_max(m, ${score('j')}); }`,
        '  var e = 0.0f;',
        `  for (var j = 0u; j < ${c}u; j++) { e += dlc_exp(${score('j')} - m); }`,
        '  let logSum = m + dlc_log(e);',
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
  if (terms) dispatches.push(reduceTerms(terms, y, positions, reduction === 'mean'));
  return dispatches;
}

/** Invocations of the reducing workgroup (a power of two, at most WebGPU's 256). */
const REDUCE_SIZE = 256;

/**
 * One workgroup sums the per-position losses and weights: each invocation a strided share, then a tree in
 * workgroup memory; y = Σ loss (or Σ loss / Σ w for mean).
 */
function reduceTerms(terms: Value, y: Value, positions: number, mean: boolean): WgslDispatch {
  const code = [
    '@group(0) @binding(0) var<storage, read_write> b0: array<f32>;',
    '@group(0) @binding(1) var<storage, read> b1: array<f32>;',
    `var<workgroup> sums: array<f32, ${REDUCE_SIZE}>;`,
    `var<workgroup> weights: array<f32, ${REDUCE_SIZE}>;`,
    `@compute @workgroup_size(${REDUCE_SIZE})`,
    'fn main(@builtin(local_invocation_index) lid: u32) {',
    '  var s = 0.0f;',
    '  var w = 0.0f;',
    `  for (var p = lid; p < ${positions}u; p += ${REDUCE_SIZE}u) { s += b1[p]; w += b1[${positions}u + p]; }`,
    '  sums[lid] = s;',
    '  weights[lid] = w;',
    '  workgroupBarrier();',
    `  for (var h = ${REDUCE_SIZE / 2}u; h > 0u; h = h / 2u) {`,
    '    if (lid < h) { sums[lid] += sums[lid + h]; weights[lid] += weights[lid + h]; }',
    '    workgroupBarrier();',
    '  }',
    `  if (lid == 0u) { b0[0] = ${mean ? 'sums[0] / weights[0]' : 'sums[0]'}; }`,
    '}',
  ].join('\n');
  return { code, bindings: [{ value: y, access: 'read_write' }, { value: terms, access: 'read' }], workgroups: [1, 1, 1] };
}
