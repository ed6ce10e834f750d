// The folding lowering cannot do without, whatever pipeline ran before it (-O0, a custom `--passes`): kernels
// bake shapes, starts and sizes in, so the computation feeding a shape operand (GPT-2's causal mask sliced from
// `klen - qlen`, a Reshape's Concat of Shape-derived sizes) must be constants by then. Only nodes that feed a
// shape operand (the registry's `shapeOperands`) and give small results (≤ MAX_PROPAGATED_ELEMENTS elements,
// what inference propagates) fold: the model's own arithmetic, weights included, stays as the pipeline left
// it, so -O0 still shows it. The chains folded away are then dead and removed. An If's condition is folded
// the same way, and an If it makes constant is replaced by its taken branch (fold-if), as a Loop whose trip
// count and condition it makes constant, and a Scan, are by their iterations (unroll-loops) when they are few:
// the branch or body may hold shape arithmetic in its turn (longer loops run as loops: codegen/loop-bodies.ts).
import { MAX_PROPAGATED_ELEMENTS } from '../compiler/infer.js';
import { Graph, type Node, type Value } from '../compiler/ir/graph.js';
import { getOp, hasOp } from '../compiler/ops/registry.js';
import { eliminateDeadCode } from './eliminate-dead-code.js';
import { foldConstants } from './fold-constants.js';
import { foldIf } from './fold-if.js';
import { foldShapeArithmetic } from './fold-shape-arithmetic.js';
import { graphSignature } from './graph-edit.js';
import { unrollLoops } from './unroll-loops.js';

export function foldRequired(graph: Graph): Graph {
  let g = graph;
  let signature = graphSignature(g);
  for (;;) {
    const cone = shapeOperandCone(g);
    const next = unrollLoops(foldIf(foldConstants(foldShapeArithmetic(g), { sizeLimit: 0, maxResult: MAX_PROPAGATED_ELEMENTS, only: (n) => cone.has(n.name) })));
    const nextSignature = graphSignature(next);
    if (nextSignature === signature) break;
    [g, signature] = [next, nextSignature];
  }
  return g === graph ? graph : eliminateDeadCode(g);
}

/** The names of the nodes whose results reach some node's shape operand or an If's condition, subgraphs included. */
function shapeOperandCone(graph: Graph): Set<string> {
  const producer = new Map<Value, Node>();
  const nodes = [...graph.allNodes()];
  for (const n of nodes) for (const o of n.outputs) producer.set(o, n);
  const cone = new Set<string>();
  const stack: Value[] = [];
  for (const n of nodes) {
    const operands = n.op === 'if' ? [0] : hasOp(n.op) ? (getOp(n.op).shapeOperands ?? []) : [];
    for (const i of operands) if (n.inputs[i]) stack.push(n.inputs[i]!);
  }
  for (let v = stack.pop(); v; v = stack.pop()) {
    const p = producer.get(v);
    if (!p || cone.has(p.name)) continue;
    cone.add(p.name);
    for (const input of p.inputs) if (input) stack.push(input);
  }
  return cone;
}
