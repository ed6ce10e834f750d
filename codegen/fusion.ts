// Fusion of element-wise chains at lowering: a node whose only reader is an element-wise node of the same
// output shape is computed inside that reader's kernel, so a chain such as x·clip(x + 3, 0, 6)/6 is one
// pass over memory instead of four. Intermediates of another shape (broadcast ones) are not fused: each
// would be recomputed per output element.
import type { Graph, Node, Value } from '../compiler/ir/graph.js';

/** Most nodes in one fused group (bounds the size of one kernel's expression). */
const MAX_GROUP = 16;

function sameShape(a: Value, b: Value): boolean {
  return a.type.shape.length === b.type.shape.length && a.type.shape.every((d, i) => d === b.type.shape[i]);
}

/**
 * Groups of element-wise nodes, each in graph order and ending at its root; every other node of a group is
 * absorbed (computed by the root's kernel at the root's place). `fusible` says which nodes are element-wise.
 */
export function elementwiseGroups(graph: Graph, fusible: (n: Node) => boolean): { groups: Map<Node, Node[]>; absorbed: Set<Node> } {
  const users = graph.users();
  const outputs = new Set(graph.outputs);
  const producers = graph.producers();
  const groups = new Map<Node, Node[]>();
  const absorbed = new Set<Node>();
  // Walk roots last-first so that a root claims its producers before they are considered as roots.
  for (let i = graph.nodes.length - 1; i >= 0; i--) {
    const root = graph.nodes[i];
    if (absorbed.has(root) || !fusible(root)) continue;
    const members = new Set<Node>([root]);
    const frontier = [root];
    while (frontier.length > 0 && members.size < MAX_GROUP) {
      const n = frontier.pop()!;
      for (const v of n.inputs) {
        const p = v && producers.get(v);
        if (!p || members.has(p) || !fusible(p) || p.outputs.length !== 1 || outputs.has(v)) continue;
        const readers = users.get(v) ?? [];
        if (!readers.every((r) => members.has(r)) || !sameShape(v, root.outputs[0])) continue;
        if (members.size >= MAX_GROUP) break;
        members.add(p);
        frontier.push(p);
      }
    }
    if (members.size === 1) continue;
    for (const m of members) if (m !== root) absorbed.add(m);
    groups.set(root, graph.nodes.filter((n) => members.has(n)));
  }
  return { groups, absorbed };
}

/**
 * Activations computed by the kernel that produces their input (an op of `kernels`): the activation is that
 * output's only reader, reads it as its first operand, and the output is f32 and no graph output. Maps the
 * producer to the activation node and its epilogue form (`epilogueOf`; nodes without one are not fused).
 */
export function fusedActivations<E>(graph: Graph, kernels: ReadonlySet<string>, epilogueOf: (n: Node) => E | undefined): Map<Node, { node: Node; epilogue: E }> {
  const users = graph.users();
  const outputs = new Set(graph.outputs);
  const fused = new Map<Node, { node: Node; epilogue: E }>();
  for (const n of graph.nodes) {
    if (!kernels.has(n.op) || n.outputs.length !== 1 || n.outputs[0].type.dtype !== 'f32' || outputs.has(n.outputs[0])) continue;
    const readers = users.get(n.outputs[0]) ?? [];
    const r = readers[0];
    if (readers.length !== 1 || r.inputs[0] !== n.outputs[0] || r.inputs.slice(1).includes(n.outputs[0])) continue;
    const epilogue = epilogueOf(r);
    if (epilogue) fused.set(n, { node: r, epilogue });
  }
  return fused;
}
