// The ONNX nodes each kernel came from. Passes rewrite and rename nodes (BatchNorm folding makes
// `BatchNormalization_1/conv` out of a Conv and a BatchNormalization; the hard-swish recognizer makes one node of
// four), but they keep the names of the values a kernel boundary cuts: graph inputs, weights and the results
// the compiled graph still computes. So a kernel's sources are found in the imported graph (node names as the
// ONNX model names them, or the frontend's `<Op>_<i>` for nameless ones): walk back from the kernel's outputs
// to the values another kernel (or the model's inputs and weights) provides. A value a pass renamed (the
// recognized hard-swish's `Div_8/hard_swish:0`) is matched by a node both graphs name: what it reads or writes
// at position i in one graph, it reads or writes at position i in the other. Nodes that compute only shapes
// (Shape, and arithmetic over it and constants) fold away at compile time and belong to no kernel.
import type { Graph, Node, Value } from './ir/graph.js';
import { describeFusedGroup } from './kernel-groups.js';
import type { KernelInfo } from './kernel-list.js';

/**
 * Per kernel of `kernels` (listed on `lowered`, the graph lowering saw), the names of the nodes of `imported`
 * (the model as imported, before any pass) it computes, in the imported graph's order. A kernel whose outputs
 * the imported graph does not name (say, a kernel inside a control-flow body) gets its own node's name when
 * the imported graph has that node, else none.
 */
export function kernelSources(imported: Graph, lowered: Graph, kernels: readonly KernelInfo[]): string[][] {
  const producer = new Map<string, Node>();
  const order = new Map<Node, number>();
  imported.nodes.forEach((n, i) => {
    order.set(n, i);
    for (const o of n.outputs) producer.set(o.name, n);
  });
  const shapeOnly = shapeOnlyValues(imported);
  const loweredNodes = new Map<string, Node>();
  for (const n of lowered.allNodes()) loweredNodes.set(n.name, n);
  const aliases = valueAliases(imported, lowered);
  const namesOf = (name: string) => [name, ...(aliases.get(name) ?? [])];
  const byName = new Map(imported.nodes.map((n) => [n.name, n]));
  const outputsOf = (k: KernelInfo): string[] => {
    const node = loweredNodes.get(k.node);
    const names = (node?.outputs.map((v) => v.name) ?? [k.node]).flatMap(namesOf);
    if (!node || names.some((name) => producer.has(name))) return names;
    // Outputs renamed where no node both graphs name tells what they were: the node a pass named the
    // kernel's last node after (`p2o.BatchNormalization.0/conv` is the folded p2o.BatchNormalization.0).
    const last = node.op === 'fused' ? describeFusedGroup(node).nodes.filter((m) => m.outputs.some((v) => node.outputs.includes(v))) : [node];
    return [...names, ...last.flatMap((m) => nodeBefore(m.name, byName)?.outputs.map((v) => v.name) ?? [])];
  };
  // The cut: what the compiled graph computes in some kernel, or gets from outside.
  const provided = new Set<string>([...lowered.inputs, ...lowered.constants].flatMap((v) => namesOf(v.name)));
  for (const k of kernels) for (const name of outputsOf(k)) provided.add(name);
  return kernels.map((k) => {
    const found = new Set<Node>();
    const visit = (name: string, own: boolean) => {
      if ((!own && provided.has(name)) || shapeOnly.has(name)) return;
      const node = producer.get(name);
      if (!node || found.has(node)) return;
      found.add(node);
      for (const i of node.inputs) if (i) visit(i.name, false);
    };
    for (const name of outputsOf(k)) visit(name, true);
    if (found.size === 0) return byName.has(k.node) ? [k.node] : byName.has(k.name) ? [k.name] : [];
    return [...found].sort((a, b) => order.get(a)! - order.get(b)!).map((n) => n.name);
  });
}

/** The imported node `name` is, or was made from: the name itself, or with its pass-added `/…` tails cut. */
function nodeBefore(name: string, byName: ReadonlyMap<string, Node>): Node | undefined {
  for (let n = name; ; n = n.slice(0, n.lastIndexOf('/'))) {
    const node = byName.get(n);
    if (node || !n.includes('/')) return node;
  }
}

/** Per value name of `lowered`, the names of the imported graph's values it is, matched through nodes both graphs name. */
function valueAliases(imported: Graph, lowered: Graph): Map<string, string[]> {
  const byName = new Map(imported.nodes.map((n) => [n.name, n]));
  const aliases = new Map<string, string[]>();
  const pair = (a: Value | null | undefined, b: Value | null | undefined) => {
    if (!a || !b || a.name === b.name) return;
    const list = aliases.get(a.name) ?? [];
    if (!list.includes(b.name)) aliases.set(a.name, [...list, b.name]);
  };
  for (const n of lowered.nodes) {
    for (const member of n.op === 'fused' ? describeFusedGroup(n).nodes : [n]) {
      const twin = byName.get(member.name);
      if (!twin) continue;
      member.inputs.forEach((v, i) => pair(v, twin.inputs[i]));
      member.outputs.forEach((v, i) => pair(v, twin.outputs[i]));
    }
  }
  return aliases;
}

/** Values known at compile time from weights and shapes alone: constants, shapes and sizes, and what only they feed. */
function shapeOnlyValues(g: Graph): Set<string> {
  const known = new Set<string>(g.constants.map((v) => v.name));
  for (const v of g.nodes.flatMap((n) => n.outputs)) if (v.isConst) known.add(v.name);
  const isKnown = (v: Value | null) => v === null || known.has(v.name);
  for (const n of g.nodes) {
    if (n.op === 'shape' || n.op === 'size' || (n.inputs.length > 0 && n.inputs.every(isKnown))) for (const o of n.outputs) known.add(o.name);
  }
  return known;
}
