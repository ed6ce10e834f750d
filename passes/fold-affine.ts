// Folding a per-output-channel affine map y·s + t into the constant weights and bias of the conv, gemm or
// matmul that computes y: what fold-batch-norm and fold-scale-axis both rewrite to.
import { isFloat } from '../compiler/ir/dtype.js';
import type { Node, Value } from '../compiler/ir/graph.js';
import { Tensor } from '../compiler/ir/tensor.js';
import { attrFloat, attrInt } from '../compiler/ops/util.js';
import { perChannel, scaleAlong } from './pattern-util.js';
import type { Rewriter } from './rewrite.js';

export const AFFINE_PRODUCERS = ['conv', 'gemm', 'matmul'] as const;

/** The output axis that indexes output channels and how many there are, when the weights are constant. */
export function outputChannels(node: Node): { axis: number; channels: number } | undefined {
  const w = node.inputs[1]?.data;
  const y = node.outputs[0].type;
  const rank = y.shape.length;
  // Integer products wrap: reassociating a scale through them is not exact.
  if (!w || !isFloat(y.dtype)) return undefined;
  switch (node.op) {
    case 'conv':
      return { axis: 1, channels: w.shape[0] };
    case 'gemm':
      return { axis: 1, channels: w.shape[attrInt(node.attrs, 'transB') ? 0 : 1] };
    case 'matmul':
      return w.rank === 2 && rank >= 2 ? { axis: rank - 1, channels: w.shape[1] } : undefined;
    default:
      return undefined;
  }
}

/**
 * A copy of `node` computing node(x)·s + t (per channel; either may be absent), or undefined when its
 * weights or bias are not constants of a foldable shape. matmul has no bias: it folds scales only.
 */
export function foldAffine(node: Node, s: Float64Array | undefined, t: Float64Array | undefined, rw: Rewriter): Value | undefined {
  const oc = outputChannels(node);
  if (!oc) return undefined;
  const [x, wv, bv] = node.inputs;
  const w = wv!.data!;
  const scale = (k: number) => (s ? s[k] : 1);
  const shift = (k: number) => (t ? t[k] : 0);
  const newW = s ? scaleAlong(w, weightAxis(node), s) : w;
  const wOut = s ? rw.constant(newW) : wv!;
  if (node.op === 'matmul') return t ? undefined : rw.emit('matmul', [x, wOut], node.attrs)[0];

  // conv bias is [OC]; gemm's C broadcasts to [M, N] and must vary along N only; beta folds into it.
  if (bv && !bv.data) return undefined;
  const beta = node.op === 'gemm' ? attrFloat(node.attrs, 'beta') : 1;
  const b = bv?.data ? perChannel(bv.data, node.op === 'gemm' ? ['M', oc.channels] : [oc.channels], node.op === 'gemm' ? 1 : 0, oc.channels) : new Float64Array(oc.channels);
  if (!b) return undefined;
  const bias = new Float64Array(oc.channels);
  for (let k = 0; k < oc.channels; k++) bias[k] = beta * b[k] * scale(k) + shift(k);
  const bOut = rw.constant(new Tensor(w.dtype, [oc.channels], bias));
  const attrs = node.op === 'gemm' ? { ...node.attrs, beta: 1 } : node.attrs;
  return rw.emit(node.op, [x, wOut, bOut], attrs)[0];
}

/** The weight axis that indexes output channels: conv W is [OC, C/g, k…]; gemm B is [K, N] or, transposed, [N, K]. */
function weightAxis(node: Node): number {
  if (node.op === 'conv') return 0;
  if (node.op === 'gemm') return attrInt(node.attrs, 'transB') ? 0 : 1;
  return 1;
}
