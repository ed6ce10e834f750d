// What one kernel computes: the groups that fuse-ops forms and that every target lowers as ONE kernel. Fusion
// is decided here and in passes/fuse-ops.ts alone; codegen lowers each `fused` node as the kernel this file
// says it is and never re-partitions or re-fuses. A group is one kernel in one of two forms:
//   - anchored: a conv/matmul-like anchor (kind out-elemwise-fusable, f32) whose kernel applies the other
//     nodes to each element it stores (bias, scale, activation, residual: the epilogue). An integer anchor
//     (conv_integer, matmul_integer: an exact i32 sum) takes an epilogue too, the requantization of int8
//     inference: cast to f32 → scale (→ bias → activation) → round → clip → cast to u8/i8, so a quantized
//     conv + bias + relu is one kernel whose output is already the next layer's int8 input;
//   - element-wise: nodes that all have a scalar form (compiler/ops/scalar-forms.ts), computed in one pass.
// Both within the target's limits (compiler/target-info.ts): bindings per kernel and epilogue operands.
import { DlcError } from './errors.js';
import { isInteger } from './ir/dtype.js';
import { Graph, type Node, type Value } from './ir/graph.js';
import { getOp } from './ops/registry.js';
import { ELEMENTWISE_OPS } from './ops/scalar-forms.js';
import type { TargetLimits } from './target-info.js';

export interface FusedGroup {
  /** The `fused` node (absent while fuse-ops is still deciding). */
  node?: Node;
  /** The nodes in order, reading and writing the enclosing graph's values. */
  nodes: Node[];
  /**
   * The out-elemwise-fusable node (conv, matmul, gemm…) when the group has exactly one and it reads nothing
   * computed inside the group: its kernel computes the group.
   */
  anchor?: Node;
  /** The other nodes, in order: each output element of the group is these applied to the anchor's element. */
  epilogue: Node[];
  /** Every tensor read from outside the group, constants included, in order of first read (scalars too). */
  inputs: Value[];
  output: Value;
}

export type KernelForm = 'anchored' | 'elementwise';

/** A node an element-wise kernel computes: it has a scalar form and one output. */
export function isElementwiseNode(n: Node): boolean {
  return ELEMENTWISE_OPS.has(n.op) && n.outputs.length === 1 && Graph.subgraphsOf(n).length === 0;
}

/** The group of `nodes` (in graph order; the last one's output is the group's). */
export function groupOf(nodes: Node[]): FusedGroup {
  const produced = new Set(nodes.flatMap((n) => n.outputs));
  const inputs: Value[] = [];
  for (const n of nodes) for (const v of n.inputs) if (v && !produced.has(v) && !inputs.includes(v)) inputs.push(v);
  const anchors = nodes.filter((n) => getOp(n.op).kind === 'out-elemwise-fusable');
  const anchor = anchors.length === 1 && anchors[0].inputs.every((v) => !v || !produced.has(v)) ? anchors[0] : undefined;
  return { nodes, anchor, epilogue: nodes.filter((n) => n !== anchor), inputs, output: nodes[nodes.length - 1].outputs[0] };
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
  return { ...groupOf(nodes), node };
}

/** Anchors whose i32 sum an epilogue may requantize (it reads the sum only through a cast to f32). */
export const INTEGER_ANCHORS: ReadonlySet<string> = new Set(['conv_integer', 'matmul_integer']);

/**
 * The tensors a group's epilogue reads besides the anchor's output (one-element constants excluded: they are
 * literals), or undefined when the group cannot be its anchor's kernel with an epilogue: the anchor has more
 * than one output, the epilogue would broadcast the anchor's result up (the anchor stores each output element
 * once), a node is not element-wise, or it reads more than `maxOperands` tensors. The epilogue computes in
 * f32: an f32 anchor's output, or an integer anchor's i32 sum read only by casts to f32; an integer anchor's
 * last node may cast the f32 result to an integer type (the quantized store), and no other node may leave f32.
 */
export function epilogueTensors(group: FusedGroup, maxOperands: number): Value[] | undefined {
  const anchor = group.anchor;
  const anchorOut = anchor?.outputs[0];
  if (!anchor || !anchorOut || anchor.outputs.length !== 1 || group.epilogue.length === 0) return undefined;
  const integerSum = INTEGER_ANCHORS.has(anchor.op) && anchorOut.type.dtype === 'i32';
  if (anchorOut.type.dtype !== 'f32' && !integerSum) return undefined;
  const [a, y] = [anchorOut.type.shape, group.output.type.shape];
  if (a.length !== y.length || a.some((d, i) => d !== y[i])) return undefined;
  const last = group.epilogue[group.epilogue.length - 1];
  const tensors: Value[] = [];
  for (const n of group.epilogue) {
    if (!isElementwiseNode(n) || n.op === 'expand') return undefined;
    const out = n.outputs[0].type.dtype;
    // Only an integer anchor's kernel stores through a narrowing epilogue: the f32 anchors' kernels (GEMM,
    // implicit GEMM, direct conv) accumulate in their output buffer, which must then hold f32.
    const quantizedStore = integerSum && n === last && n.op === 'cast' && isInteger(out) && n.inputs[0]?.type.dtype === 'f32';
    if (out !== 'f32' && !quantizedStore) return undefined;
    for (const v of n.inputs) {
      if (!v) continue;
      if (v === anchorOut && integerSum) {
        if (n.op !== 'cast' || out !== 'f32') return undefined;
        continue;
      }
      if (v.type.dtype !== 'f32') return undefined;
      const inside = v === anchorOut || group.epilogue.some((m) => m.outputs[0] === v);
      if (!inside && !(v.data && v.data.size === 1) && !tensors.includes(v)) tensors.push(v);
    }
  }
  return tensors.length > maxOperands ? undefined : tensors;
}

/** The tensors an element-wise group binds: its loaded operands (one-element constants are literals) and its output. */
export function elementwiseBindings(nodes: readonly Node[]): number {
  const inside = new Set(nodes.flatMap((n) => n.outputs));
  const loaded = new Set<Value>();
  for (const n of nodes) {
    const operands = n.op === 'expand' ? [n.inputs[0]] : n.inputs;
    for (const v of operands) if (v && !inside.has(v) && !(v.data && v.data.size === 1)) loaded.add(v);
  }
  return loaded.size + 1;
}

/** How a target computes `group` as one kernel within `limits`, or undefined when it cannot. */
export function kernelFormOf(group: FusedGroup, limits: TargetLimits): KernelForm | undefined {
  const { anchor } = group;
  if (anchor) {
    const tensors = epilogueTensors(group, limits.epilogueOperands);
    // The anchor's operands, its output, a scratch (split-K partial sums) and the epilogue's operands.
    const bindings = anchor.inputs.filter((v) => v).length + 2 + (tensors?.length ?? 0);
    if (tensors && bindings <= limits.bindingsPerKernel) return 'anchored';
  }
  if (group.nodes.every(isElementwiseNode) && elementwiseBindings(group.nodes) <= limits.bindingsPerKernel) return 'elementwise';
  return undefined;
}

/**
 * The node a group's kernel is generated from, and named after (a compiled artifact's manifest and a profile
 * name each kernel by it): the anchor of an anchored group, the last node of an element-wise one.
 */
export function kernelNodeOf(group: FusedGroup, form: KernelForm): Node {
  return form === 'anchored' ? group.anchor! : group.nodes[group.nodes.length - 1];
}
