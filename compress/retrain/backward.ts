// Backward rules for the IR's canonical ops: each adapts one node to a trainer layer of accuracy/train
// (its Conv2d, MaxPool2d, Relu, or this folder's layers built on its matrix kernels), which computes the
// node forward for a batch of samples and its gradients backward. A graph is trainable when it is a chain
// of such nodes from its one input to its one output, each reading the previous node's output and
// constants; a final softmax or log_softmax over the class axis is left out, since the loss (softmax
// cross-entropy) takes the logits.
import { Conv2d } from '../../accuracy/train/conv2d.js';
import { Relu, type Layer } from '../../accuracy/train/layer.js';
import { MaxPool2d } from '../../accuracy/train/max-pool.js';
import { isConcreteShape, type Graph, type Node, type Value } from '../../compiler/ir/graph.js';
import { sizeOf } from '../../compiler/ir/tensor.js';
import { readWindow, resolvePads, type Window } from '../../compiler/ops/nn-window.js';
import { attrFloat, attrInt, normalizeAxis } from '../../compiler/ops/util.js';
import { bindParam, ConstantAdd, constantParam, MatrixProduct, PerImage, Reshape } from './layers.js';

export interface BackwardRule {
  /**
   * Why the rule cannot train this node (an attribute or operand it does not handle), or undefined. Asked
   * only of nodes that read the chain's activation and constants, with concrete f32 shapes.
   */
  refuse(node: Node): string | undefined;
  /** The trainer layer computing the node per sample, its trained constants as Params named after them. */
  layer(node: Node): Layer;
}

export interface UnsupportedNode {
  node: string;
  op: string;
  reason: string;
}

/** Ops the loss absorbs when they end the graph: softmax cross-entropy is computed from the logits. */
const LOSS_OPS = ['softmax', 'log_softmax'];

const shape = (v: Value): number[] => v.type.shape as number[];

/** Why a trained constant (the chain makes every operand but the activation one) cannot be a Param, or undefined. */
function notF32(v: Value | null, role: string): string | undefined {
  return !v || v.type.dtype === 'f32' ? undefined : `its ${role} '${v.name}' is ${v.type.dtype}, not f32`;
}

/** Y = α·A′·B′ + β·C with B (and C) constant: the activation is A. */
const gemm: BackwardRule = {
  refuse: ({ inputs: [a, b, c] }) => (a!.isConst ? 'its activation is B, not A' : (notF32(b, 'B') ?? notF32(c, 'C'))),
  layer: (node) => {
    const [a, b, c] = node.inputs as [Value, Value, Value | null];
    const transA = attrInt(node.attrs, 'transA') !== 0;
    const transB = attrInt(node.attrs, 'transB') !== 0;
    const [rows, inner] = transA ? [shape(a)[1], shape(a)[0]] : shape(a);
    const cols = transB ? shape(b)[0] : shape(b)[1];
    const geometry = { rows, inner, cols, alpha: attrFloat(node.attrs, 'alpha'), beta: attrFloat(node.attrs, 'beta'), transA, transB };
    return new MatrixProduct(node.name, geometry, constantParam(b), c ? constantParam(c) : undefined);
  },
};

/** A·W with W a constant matrix: every row of A, whatever its leading dims, times W. */
const matmul: BackwardRule = {
  refuse: ({ inputs: [a, w] }) => {
    if (a!.isConst) return 'its activation is the right operand';
    return notF32(w, 'weight') ?? (shape(w!).length === 2 ? undefined : `its weight has rank ${shape(w!).length}, not 2`);
  },
  layer: (node) => {
    const [a, w] = node.inputs as [Value, Value];
    const [inner, cols] = shape(w);
    const geometry = { rows: sizeOf(shape(a)) / inner, inner, cols, alpha: 1, beta: 0, transA: false, transB: false };
    return new MatrixProduct(node.name, geometry, constantParam(w));
  },
};

/** x + c with c a constant that broadcasts into x's shape (a bias). */
const add: BackwardRule = {
  refuse: (node) => {
    const [x, c] = activationFirst(node);
    const grows = sizeOf(shape(node.outputs[0])) !== sizeOf(shape(x));
    return notF32(c, 'addend') ?? (grows ? `the constant broadcasts [${shape(x)}] up to [${shape(node.outputs[0])}]` : undefined);
  },
  layer: (node) => {
    const [x, c] = activationFirst(node);
    return new ConstantAdd(node.name, shape(x), constantParam(c));
  },
};

function activationFirst(node: Node): [Value, Value] {
  const [a, b] = node.inputs as [Value, Value];
  return a.isConst ? [b, a] : [a, b];
}

/** A 2-D convolution as Conv2d computes it: one group, square kernel and stride, the same pad on every side. */
const conv: BackwardRule = {
  refuse: (node) => {
    const [x, w, b] = node.inputs;
    if (shape(x!).length !== 4) return `it is a ${shape(x!).length - 2}-D convolution, not 2-D`;
    const operands = notF32(w, 'weight') ?? notF32(b, 'bias');
    if (operands) return operands;
    if (attrInt(node.attrs, 'group') !== 1) return `it has ${attrInt(node.attrs, 'group')} groups`;
    const { window, pads } = convWindow(node);
    if (window.kernel[0] !== window.kernel[1]) return `its kernel [${window.kernel}] is not square`;
    return squareWindow(window, pads);
  },
  layer: (node) => {
    const [x, w, b] = node.inputs as [Value, Value, Value | null];
    const [images, inChannels, height, width] = shape(x);
    const { window, pads } = convWindow(node);
    const layer = new Conv2d(node.name, { inChannels, outChannels: shape(w)[0], height, width, kernel: window.kernel[0], pad: pads[0], stride: window.strides[0] });
    // A conv without a bias keeps Conv2d's zero bias: it is not one of the node's Params, so never trained.
    const params = [bindParam(layer.weight, w), ...(b ? [bindParam(layer.bias, b)] : [])];
    return new PerImage(layer, images, params);
  },
};

function convWindow(node: Node): { window: Window; pads: number[] } {
  const [x, w] = node.inputs as [Value, Value];
  const window = readWindow(node.attrs, 2, shape(w).slice(2));
  return { window, pads: resolvePads(window, shape(x).slice(2)) };
}

/** Why a window is not Conv2d's or MaxPool2d's: equal strides, equal pads on all sides, no dilation. */
function squareWindow(window: Window, pads: number[]): string | undefined {
  if (window.dilations.some((d) => d !== 1)) return `its dilations are [${window.dilations}]`;
  if (window.strides[0] !== window.strides[1]) return `its strides [${window.strides}] differ`;
  return pads.every((p) => p === pads[0]) ? undefined : `its pads [${pads}] differ`;
}

/** Max pooling over non-overlapping square windows (kernel = stride, no padding), as MaxPool2d computes it. */
const maxPool: BackwardRule = {
  refuse: (node) => {
    const [x] = node.inputs as [Value];
    if (shape(x).length !== 4) return `it pools ${shape(x).length - 2}-D, not 2-D`;
    const [height, width] = shape(x).slice(2);
    const window = readWindow(node.attrs, 2);
    const pads = resolvePads(window, [height, width]);
    const [k] = window.kernel;
    if (window.kernel[1] !== k || window.strides.some((s) => s !== k)) return `its windows (kernel [${window.kernel}], strides [${window.strides}]) are not square and disjoint`;
    if (pads.some((p) => p !== 0)) return `it pads [${pads}]`;
    const ceilChanges = attrInt(node.attrs, 'ceil_mode') !== 0 && (height % k !== 0 || width % k !== 0);
    return squareWindow(window, pads) ?? (ceilChanges ? 'its ceil_mode keeps partial windows' : undefined);
  },
  layer: (node) => {
    const [images, channels, height, width] = shape(node.inputs[0]!);
    const size = readWindow(node.attrs, 2).kernel[0];
    return new PerImage(new MaxPool2d(node.name, channels, height, width, size), images, []);
  },
};

const relu: BackwardRule = {
  refuse: () => undefined,
  layer: (node) => new Relu(node.name, sizeOf(shape(node.inputs[0]!))),
};

const reshape: BackwardRule = {
  refuse: () => undefined,
  layer: (node) => new Reshape(node.name, sizeOf(shape(node.inputs[0]!))),
};

/** The backward rules by canonical op name. */
export const BACKWARD_RULES: Readonly<Record<string, BackwardRule>> = { gemm, matmul, add, conv, max_pool: maxPool, relu, flatten: reshape, reshape };

/** The nodes the network trains: the graph's, less a final softmax or log_softmax over the class axis. */
export function trainedNodes(graph: Graph): Node[] {
  const last = graph.nodes[graph.nodes.length - 1];
  return last && isLossOp(last) ? graph.nodes.slice(0, -1) : graph.nodes;
}

function isLossOp(node: Node): boolean {
  const rank = node.outputs[0].type.shape.length;
  return LOSS_OPS.includes(node.op) && rank > 0 && normalizeAxis(attrInt(node.attrs, 'axis'), rank) === rank - 1;
}

/**
 * The first node that keeps the graph from being trained here, and why: an op without a backward rule, an
 * operand or attribute its rule does not handle, or a break in the chain from the graph's input to its
 * output. Undefined when every node can be trained.
 */
export function unsupportedNode(graph: Graph): UnsupportedNode | undefined {
  const trained = trainedNodes(graph);
  const users = graph.users();
  let activation = graph.inputs[0];
  for (const [i, node] of graph.nodes.entries()) {
    const reason = i < trained.length ? trainedNodeReason(node, activation, users) : chainBreak(node, activation, users);
    if (reason) return { node: node.name, op: node.op, reason };
    activation = node.outputs[0];
  }
  const last = trained[trained.length - 1];
  if (!last) return undefined;
  if (graph.outputs.length !== 1 || graph.outputs[0] !== activation) return { node: last.name, op: last.op, reason: "the graph's one output is not its last node's" };
  const logits = shape(last.outputs[0]);
  if (sizeOf(logits) !== logits[logits.length - 1]) return { node: last.name, op: last.op, reason: `its logits [${logits}] are more than one sample's (the loss takes one label per sample)` };
  return undefined;
}

function trainedNodeReason(node: Node, activation: Value | undefined, users: Map<Value, Node[]>): string | undefined {
  const rule = BACKWARD_RULES[node.op];
  if (rule) return chainBreak(node, activation, users) ?? rule.refuse(node);
  return LOSS_OPS.includes(node.op) ? 'the loss replaces a softmax only at the end of the graph, over the class axis' : 'no backward rule for this op';
}

/** Why a node is not the next link of the chain after `activation`, or undefined. */
function chainBreak(node: Node, activation: Value | undefined, users: Map<Value, Node[]>): string | undefined {
  const read = node.inputs.filter((v): v is Value => v !== null && !v.isConst);
  if (read.length !== 1 || read[0] !== activation) return `it reads ${read.map((v) => `'${v.name}'`).join(', ') || 'only constants'}, not just the previous node's output`;
  if (users.get(activation)!.length !== 1) return `'${activation.name}' is read by other nodes as well`;
  if (node.outputs.length !== 1) return `it has ${node.outputs.length} outputs`;
  for (const v of [activation, node.outputs[0]]) {
    if (v.type.dtype !== 'f32' || !isConcreteShape(v.type.shape)) return `'${v.name}' is ${v.type.dtype}[${v.type.shape}], not f32 of a known shape`;
  }
  const tied = node.inputs.find((v) => v?.isConst && v.type.dtype === 'f32' && users.get(v)!.length !== 1);
  return tied ? `its constant '${tied.name}' is read by other nodes as well (tied weights)` : undefined;
}
