// The target-independent view of a `fused` node (passes/fuse-ops.ts) that a code generator lowers to one
// kernel: the body's nodes rewired to the enclosing graph's values (parameters become the node's inputs, the
// body's result becomes the node's output), the anchor whose kernel computes the group, the element-wise
// epilogue applied to each element the anchor stores, and the tensors the kernel binds.
import { DlcError } from '../compiler/errors.js';
import { Graph, type Node, type Value } from '../compiler/ir/graph.js';
import { getOp } from '../compiler/ops/registry.js';

export interface FusedGroup {
  /** The `fused` node. */
  node: Node;
  /** The body's nodes in order, reading and writing the enclosing graph's values. */
  nodes: Node[];
  /**
   * The out-elemwise-fusable node (conv, matmul, gemm…) when the group has one and it reads nothing computed
   * inside the group: its kernel computes the group.
   */
  anchor?: Node;
  /** The other nodes, in order: each output element of the group is these applied to the anchor's element. */
  epilogue: Node[];
  /** Every tensor read from outside the group, constants included, in order of first read (scalars too). */
  inputs: Value[];
  output: Value;
}

export function fusedBody(node: Node): Graph {
  const body = node.attrs.body;
  if (node.op !== 'fused' || !(body instanceof Graph)) throw new DlcError(`node '${node.name}' is not a fused node`);
  return body;
}

/** The group a `fused` node holds, with its body rewired to the node's own inputs and output. */
export function describeFusedGroup(node: Node): FusedGroup {
  const body = fusedBody(node);
  const rename = new Map<Value, Value>(body.inputs.map((p, i) => [p, node.inputs[i]!]));
  body.outputs.forEach((v, i) => rename.set(v, node.outputs[i]));
  const nodes = body.nodes.map((n): Node => ({
    ...n,
    inputs: n.inputs.map((v) => (v ? (rename.get(v) ?? v) : null)),
    outputs: n.outputs.map((v) => rename.get(v) ?? v),
  }));
  const produced = new Set(nodes.flatMap((n) => n.outputs));
  const inputs: Value[] = [];
  for (const n of nodes) for (const v of n.inputs) if (v && !produced.has(v) && !inputs.includes(v)) inputs.push(v);
  const anchors = nodes.filter((n) => getOp(n.op).kind === 'out-elemwise-fusable');
  const anchor = anchors.length === 1 && anchors[0].inputs.every((v) => !v || !produced.has(v)) ? anchors[0] : undefined;
  return { node, nodes, anchor, epilogue: nodes.filter((n) => n !== anchor), inputs, output: node.outputs[0] };
}

/**
 * The graph with every `fused` node replaced by its body's nodes (rewired to the graph's values): what a
 * target lowers node by node when it computes no fused group as one kernel of its own.
 */
export function inlineFusedNodes(graph: Graph): Graph {
  if (!graph.nodes.some((n) => n.op === 'fused')) return graph;
  const nodes = graph.nodes.flatMap((n) => (n.op === 'fused' ? describeFusedGroup(n).nodes : [n]));
  return new Graph(graph.name, graph.inputs, graph.outputs, nodes, graph.constants);
}
