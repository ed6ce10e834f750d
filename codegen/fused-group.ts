// The target-independent view of a `fused` node (passes/fuse-ops.ts) that a code generator lowers to one
// kernel: the body's nodes rewired to the enclosing graph's values (parameters become the node's inputs, the
// body's result becomes the node's output), the anchor whose kernel computes the group, the element-wise
// epilogue applied to each element the anchor stores, and the tensors the kernel binds.
import { DlcError } from '../compiler/errors.js';
import { Graph, type Node, type Value } from '../compiler/ir/graph.js';
import { getOp } from '../compiler/ops/registry.js';
import { ELEMENTWISE_OPS } from './c-like.js';

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
 * The tensors a group's epilogue reads besides the anchor's output (one-element constants excluded: they are
 * literals), or undefined when the group cannot be its anchor's kernel with an epilogue: the anchor has more
 * than one output or is not f32, the epilogue would broadcast the anchor's result up (the anchor stores each
 * output element once), a node is not an f32 element-wise op over f32 operands, or it reads more than
 * `maxOperands` tensors. The same for every target; each target brings its own limit.
 */
export function epilogueTensors(group: FusedGroup, maxOperands: number): Value[] | undefined {
  const anchorOut = group.anchor?.outputs[0];
  if (!anchorOut || group.anchor!.outputs.length !== 1 || anchorOut.type.dtype !== 'f32' || group.epilogue.length === 0) return undefined;
  const [a, y] = [anchorOut.type.shape, group.output.type.shape];
  if (a.length !== y.length || a.some((d, i) => d !== y[i])) return undefined;
  const tensors: Value[] = [];
  for (const n of group.epilogue) {
    if (!ELEMENTWISE_OPS.has(n.op) || n.op === 'expand' || n.outputs.length !== 1 || n.outputs[0].type.dtype !== 'f32') return undefined;
    for (const v of n.inputs) {
      if (!v) continue;
      if (v.type.dtype !== 'f32') return undefined;
      const inside = v === anchorOut || group.epilogue.some((m) => m.outputs[0] === v);
      if (!inside && !(v.data && v.data.size === 1) && !tensors.includes(v)) tensors.push(v);
    }
  }
  return tensors.length > maxOperands ? undefined : tensors;
}

/**
 * How an epilogue operand with element `strides` (0 along broadcast dims) walks the output's `dims` at its
 * innermost end: `broadcastBlock` consecutive output elements read one operand element, `contiguousBlock`
 * consecutive output elements read consecutive operand elements (each the product of the innermost dims where
 * that holds). A target loads a vector of consecutive outputs' operands as one splat or one vector load when
 * the vector stays within such a block.
 */
export function operandBlocks(dims: readonly number[], strides: readonly number[]): { broadcastBlock: number; contiguousBlock: number } {
  const inner = (holds: (stride: number, block: number) => boolean) => {
    let block = 1;
    for (let k = dims.length - 1; k >= 0 && (dims[k] === 1 || holds(strides[k], block)); k--) block *= dims[k];
    return block;
  };
  return { broadcastBlock: inner((s) => s === 0), contiguousBlock: inner((s, block) => s === block) };
}

/**
 * The fused nodes that a target computes as one kernel each — those for which `asOneKernel` gives what the
 * target needs to lower the group (undefined: it cannot) — and the graph with every other fused node replaced
 * by its body's nodes, which the target lowers one by one (always possible).
 */
export function partitionFusedNodes<T>(graph: Graph, asOneKernel: (group: FusedGroup) => T | undefined): { graph: Graph; oneKernel: Map<Node, T> } {
  const oneKernel = new Map<Node, T>();
  const nodes: Node[] = [];
  for (const node of graph.nodes) {
    if (node.op !== 'fused') {
      nodes.push(node);
      continue;
    }
    const group = describeFusedGroup(node);
    const lowered = asOneKernel(group);
    if (lowered === undefined) nodes.push(...group.nodes);
    else {
      oneKernel.set(node, lowered);
      nodes.push(node);
    }
  }
  return { graph: new Graph(graph.name, graph.inputs, graph.outputs, nodes, graph.constants), oneKernel };
}
