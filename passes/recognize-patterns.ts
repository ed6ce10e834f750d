// Pattern recognition: composite spellings of HardSwish, HardSigmoid, GELU, LayerNorm and Softmax become
// the single canonical op, which backends run as one kernel.
import type { Graph } from '../compiler/ir/graph.js';
import type { PassInfo } from './manager.js';
import { ACTIVATION_RULES } from './recognize-activations.js';
import { NORMALIZATION_RULES } from './recognize-normalization.js';
import { applyRewrites, type RewriteRule } from './rewrite.js';

export const recognizePatternsPass: PassInfo = {
  name: 'recognize-patterns',
  description: 'turns HardSwish, HardSigmoid, GELU, LayerNorm and Softmax spelled as arithmetic into one op',
  options: {},
  create: () => (graph) => recognizePatterns(graph),
};

export const PATTERN_RULES: readonly RewriteRule[] = [...ACTIVATION_RULES, ...NORMALIZATION_RULES];

export function recognizePatterns(graph: Graph): Graph {
  return applyRewrites(graph, PATTERN_RULES);
}
