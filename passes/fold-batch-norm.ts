// Batch-norm folding: an inference batch_normalization of a conv's or gemm's output is a per-channel affine
// map, folded into the constant weights and bias so the normalization disappears.
import type { Graph } from '../compiler/ir/graph.js';
import { attrFloat } from '../compiler/ops/util.js';
import { AFFINE_PRODUCERS, foldAffine, outputChannels } from './fold-affine.js';
import type { PassInfo } from './manager.js';
import { applyRewrites, type RewriteRule } from './rewrite.js';

export const foldBatchNormPass: PassInfo = {
  name: 'fold-batch-norm',
  description: 'folds batch_normalization after a conv or gemm with constant weights into its weights and bias',
  options: {},
  create: () => (graph) => foldBatchNorm(graph),
};

export function foldBatchNorm(graph: Graph): Graph {
  return applyRewrites(graph, BATCH_NORM_RULES);
}

const K = (name: string) => ({ value: name, const: true });

export const BATCH_NORM_RULES: readonly RewriteRule[] = [
  // bn(conv(x, w, b)) = (conv(x, w, b) − μ)·s + β with s = γ/√(σ²+ε)  →  conv(x, w·s, (b − μ)·s + β); gemm alike
  [{ op: 'batch_normalization', inputs: [{ op: AFFINE_PRODUCERS, as: 'producer' }, K('gamma'), K('beta'), K('mean'), K('var')] }, (m, rw) => {
    const producer = m.nodes.producer;
    const oc = outputChannels(producer);
    const y = producer.outputs[0];
    if (!oc || oc.axis !== 1 || rw.useCount(y) !== 1) return undefined;
    const [gamma, beta, mean, variance] = ['gamma', 'beta', 'mean', 'var'].map((k) => m.values[k].data!);
    if ([gamma, beta, mean, variance].some((t) => t.size !== oc.channels)) return undefined;
    const eps = attrFloat(m.root.attrs, 'epsilon');
    const s = new Float64Array(oc.channels);
    const t = new Float64Array(oc.channels);
    for (let k = 0; k < oc.channels; k++) {
      s[k] = gamma.data[k] / Math.sqrt(variance.data[k] + eps);
      t[k] = beta.data[k] - mean.data[k] * s[k];
    }
    const out = foldAffine(producer, s, t, rw);
    return out ? [out] : undefined;
  }],
];
