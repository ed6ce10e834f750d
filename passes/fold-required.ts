// The folding lowering cannot do without, whatever pipeline ran before it (-O0, a custom `--passes`): kernels
// bake shapes, starts and sizes in, so shape arithmetic that feeds them (GPT-2's causal mask sliced from
// `klen - qlen`, a Reshape's Concat of Shape-derived sizes) must be constants by then. Only small results fold,
// those inference already propagates (≤ MAX_PROPAGATED_ELEMENTS elements): weights stay as the pipeline left
// them, so -O0 still shows the model's own computation. The chains folded away are then dead and removed.
import { MAX_PROPAGATED_ELEMENTS } from '../compiler/infer.js';
import type { Graph } from '../compiler/ir/graph.js';
import { eliminateDeadCode } from './eliminate-dead-code.js';
import { foldConstants } from './fold-constants.js';
import { foldShapeArithmetic } from './fold-shape-arithmetic.js';
import { graphSignature } from './graph-edit.js';

export function foldRequired(graph: Graph): Graph {
  let g = graph;
  let signature = graphSignature(g);
  for (;;) {
    const next = foldConstants(foldShapeArithmetic(g), { sizeLimit: 0, maxResult: MAX_PROPAGATED_ELEMENTS });
    const nextSignature = graphSignature(next);
    if (nextSignature === signature) break;
    [g, signature] = [next, nextSignature];
  }
  return g === graph ? graph : eliminateDeadCode(g);
}
