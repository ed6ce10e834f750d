// If folding: an If whose condition is a compile-time constant (an input fixed with --input-value, then an
// Equal folded by fold-constants) is its taken branch. The branch's nodes and constants move into the
// enclosing graph in place of the If, reading what they read before (a branch reads outer-scope values
// directly, so those references stay as they are), and the If's outputs become the branch's results. The
// untaken branch is dropped whole: whatever it holds (an op no target has a kernel for) never reaches
// lowering. Ifs nested in subgraphs (Loop bodies, other branches) fold the same way.
import { Graph, Value, type Node } from '../compiler/ir/graph.js';
import { cloneGraph, NameAllocator, refineTypes, replaceUses } from './graph-edit.js';
import type { PassInfo } from './manager.js';

export const foldIfPass: PassInfo = {
  name: 'fold-if',
  description: 'replaces an If whose condition is a constant by the nodes of its taken branch',
  options: {},
  create: () => (graph) => foldIf(graph),
};

type Names = Pick<NameAllocator, 'fresh'>;

export function foldIf(graph: Graph): Graph {
  if (!findConstantIf(graph)) return graph;
  const g = cloneGraph(graph);
  for (let found = findConstantIf(g); found; found = findConstantIf(g)) {
    const { node, parent } = found;
    const taken = node.attrs[node.inputs[0]!.data!.data[0] !== 0 ? 'then_branch' : 'else_branch'] as Graph;
    // The branch keeps its names where nothing else in the model (the untaken branch aside) uses them; a name
    // the branch gives a node and its output alike stays shared.
    const outside = new NameAllocator(g, taken);
    const chosen = new Map<string, string>();
    const names = { fresh: (name: string) => chosen.get(name) ?? chosen.set(name, outside.fresh(name)).get(name)! };
    const at = parent.nodes.indexOf(node);
    parent.nodes.splice(at, 1, ...inlineBranch(parent, node, taken, names));
  }
  refineTypes(g);
  return g;
}

/** An If with a constant condition, and the graph that holds it: the outermost first. */
function findConstantIf(g: Graph): { node: Node; parent: Graph } | undefined {
  for (const node of g.nodes) {
    if (node.op === 'if' && node.inputs[0]?.data?.size === 1) return { node, parent: g };
    for (const sg of Graph.subgraphsOf(node)) {
      const found = findConstantIf(sg);
      if (found) return found;
    }
  }
  return undefined;
}

/**
 * The nodes that replace `ifNode` in `g`: the branch's nodes under fresh names where theirs are taken, each
 * If output written by the node that computes the branch's result. A result that no branch node computes
 * (a constant, an outer value, or one value given as two outputs) is copied by an identity, so that every
 * If output keeps one producer (graph outputs must be computed by a node).
 */
function inlineBranch(g: Graph, ifNode: Node, branch: Graph, names: Names): Node[] {
  const produced = new Set(branch.nodes.flatMap((n) => n.outputs));
  const renamed = new Map<Value, Value>();
  const copies: Node[] = [];
  branch.outputs.forEach((result, i) => {
    const out = ifNode.outputs[i];
    if (produced.has(result) && !renamed.has(result)) {
      renamed.set(result, out);
    } else {
      copies.push({ op: 'identity', name: names.fresh(`${ifNode.name}/result_${i}`), inputs: [renamed.get(result) ?? result], outputs: [out], attrs: {} });
    }
  });
  for (const c of branch.constants) {
    c.name = names.fresh(c.name);
    g.constants.push(c);
  }
  const nodes = branch.nodes.map((n): Node => ({
    ...n,
    name: names.fresh(n.name),
    inputs: n.inputs.map((v) => (v ? (renamed.get(v) ?? v) : null)),
    outputs: n.outputs.map((v) => renamed.get(v) ?? rename(v, names)),
  }));
  // A Loop or If inside the branch may read a result too.
  for (const n of nodes) for (const sg of Graph.subgraphsOf(n)) replaceUses(sg, renamed);
  return [...nodes, ...copies];
}

function rename(v: Value, names: Names): Value {
  v.name = names.fresh(v.name);
  return v;
}
