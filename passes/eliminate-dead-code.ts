// Dead-code elimination: removes nodes none of whose outputs reach a graph output, and constants nothing
// reads. Subgraphs (If branches, Loop/Scan bodies) are cleaned the same way against their own outputs;
// whatever a live subgraph still reads from enclosing scopes stays alive there. Graph inputs are kept:
// they are the model's (or the body's) signature.
import { Graph, type Value } from '../compiler/ir/graph.js';
import { cloneGraph } from './graph-edit.js';
import type { PassInfo } from './manager.js';

export const eliminateDeadCodePass: PassInfo = {
  name: 'eliminate-dead-code',
  description: 'removes nodes whose outputs reach no graph output, and unused constants',
  options: {},
  create: () => (graph) => eliminateDeadCode(graph),
};

export function eliminateDeadCode(graph: Graph): Graph {
  const g = cloneGraph(graph);
  sweep(g);
  return g;
}

/** Cleans `g` in place and returns every value it reads that it does not define (its captures). */
function sweep(g: Graph): Set<Value> {
  const live = new Set<Value>(g.outputs);
  const kept = [];
  for (let i = g.nodes.length - 1; i >= 0; i--) {
    const node = g.nodes[i];
    if (!node.outputs.some((v) => live.has(v))) continue;
    kept.push(node);
    for (const v of node.inputs) if (v) live.add(v);
    for (const sg of Graph.subgraphsOf(node)) for (const v of sweep(sg)) live.add(v);
  }
  g.nodes = kept.reverse();
  g.constants = g.constants.filter((v) => live.has(v));
  const defined = new Set<Value>([...g.inputs, ...g.constants]);
  for (const n of g.nodes) for (const v of n.outputs) defined.add(v);
  return new Set([...live].filter((v) => !defined.has(v)));
}
