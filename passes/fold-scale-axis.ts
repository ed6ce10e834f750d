// Scale-axis folding (TVM FoldScaleAxis, forward direction): a multiplication or addition by a constant
// that varies along the output-channel axis only, applied to a conv, gemm or matmul with constant weights,
// moves into those weights and bias.
import type { Graph } from '../compiler/ir/graph.js';
import { AFFINE_PRODUCERS, foldAffine, outputChannels } from './fold-affine.js';
import type { PassInfo } from './manager.js';
import { commuted, perChannel, sameType } from './pattern-util.js';
import { applyRewrites, type Match, type Rewriter, type RewriteRule } from './rewrite.js';

export const foldScaleAxisPass: PassInfo = {
  name: 'fold-scale-axis',
  description: 'folds per-output-channel constant mul/add after conv, gemm or matmul into weights and bias',
  options: {},
  create: () => (graph) => foldScaleAxis(graph),
};

export function foldScaleAxis(graph: Graph): Graph {
  return applyRewrites(graph, SCALE_AXIS_RULES);
}

const PRODUCER = { op: AFFINE_PRODUCERS, as: 'producer' };
const C = { value: 'c', const: true };

function fold(kind: 'scale' | 'shift') {
  return (m: Match, rw: Rewriter) => {
    const producer = m.nodes.producer;
    const y = producer.outputs[0];
    const oc = outputChannels(producer);
    // The constant must not broadcast y up (same result type) and y must have no other reader.
    if (!oc || rw.useCount(y) !== 1 || !sameType(m.root.outputs[0].type, y.type)) return undefined;
    const c = perChannel(m.values.c.data!, y.type.shape, oc.axis, oc.channels);
    if (!c) return undefined;
    const out = kind === 'scale' ? foldAffine(producer, c, undefined, rw) : foldAffine(producer, undefined, c, rw);
    return out ? [out] : undefined;
  };
}

export const SCALE_AXIS_RULES: readonly RewriteRule[] = [
  // conv(x, w, b) · c  →  conv(x, w·c, b·c), c per output channel; gemm alike, matmul(x, w)·c → matmul(x, w·c)
  ...commuted({ op: 'mul', inputs: [PRODUCER, C] }).map((p): RewriteRule => [p, fold('scale')]),
  // conv(x, w, b) + c  →  conv(x, w, b + c), c per output channel; gemm alike
  ...commuted({ op: 'add', inputs: [PRODUCER, C] }).map((p): RewriteRule => [p, fold('shift')]),
];
