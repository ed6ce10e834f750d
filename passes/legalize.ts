// Legalization (TVM Legalize, tinygrad's composite ops): an op the target does not run natively is rewritten
// into ops it does — matmul, transpose, reshape, reductions, pools, element-wise math — so that op support
// is the same on every target and a new op needs one registry entry plus a rule or a kernel. A rule applies
// to a node whose op is not in the target's native ops (to every node it matches when no target is known);
// what it emits is native on every target, and the driver revisits it, so legalization reaches a fixpoint.
// An op that is neither native nor legalizable (a rule declines: symbolic shapes, say) is left for code
// generation, whose error names the node, the op and the target.
import { Graph } from '../compiler/ir/graph.js';
import type { TargetInfo } from '../compiler/target-info.js';
import { EINSUM_RULES } from './legalize-einsum.js';
import { GENERATE_RULES } from './legalize-generate.js';
import { NORM_RULES } from './legalize-norm.js';
import { QUANT_RULES } from './legalize-quant.js';
import { SIGNAL_RULES } from './legalize-signal.js';
import { TRAINING_RULES } from './legalize-training.js';
import type { PassInfo } from './manager.js';
import { applyRewrites, type RewriteRule } from './rewrite.js';

export const LEGALIZE_RULES: readonly RewriteRule[] = [...EINSUM_RULES, ...NORM_RULES, ...QUANT_RULES, ...GENERATE_RULES, ...TRAINING_RULES, ...SIGNAL_RULES];

const ruleOps = (rule: RewriteRule): readonly string[] => (typeof rule[0].op === 'string' ? [rule[0].op] : rule[0].op);

/** Every op some rule rewrites. */
export const LEGALIZABLE_OPS: ReadonlySet<string> = new Set(LEGALIZE_RULES.flatMap(ruleOps));

export const legalizePass: PassInfo = {
  name: 'legalize',
  description: "rewrites ops the target has no kernel for (einsum, lrn, quantization, optimizers…) into ops it has",
  options: {},
  create: () => (graph, ctx) => legalize(graph, ctx.target),
};

/** The rules restricted to ops that `target` does not run natively (all of them without a target). */
function rulesFor(target: TargetInfo | undefined): RewriteRule[] {
  if (!target) return [...LEGALIZE_RULES];
  return LEGALIZE_RULES.map(([pattern, rewrite]): RewriteRule => [pattern, (m, rw) => (target.nativeOps.has(m.root.op) ? undefined : rewrite(m, rw))]);
}

export function legalize(graph: Graph, target?: TargetInfo): Graph {
  return applyRewrites(graph, rulesFor(target));
}

/** Whether a node of the graph (or of a nested graph) has an op that a rule would rewrite for `target`. */
function hasIllegalOps(graph: Graph, target: TargetInfo): boolean {
  return graph.nodes.some(
    (n) => (LEGALIZABLE_OPS.has(n.op) && !target.nativeOps.has(n.op)) || Graph.subgraphsOf(n).some((g) => hasIllegalOps(g, target)),
  );
}

/**
 * Legalizes for `target` a graph that code generation receives from a pipeline that may not have run
 * `legalize` (-O0, a custom --passes); the graph itself when there is nothing to do.
 */
export function legalizeGraph(graph: Graph, target: TargetInfo): Graph {
  return hasIllegalOps(graph, target) ? legalize(graph, target) : graph;
}
