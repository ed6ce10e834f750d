// Horizontal fusion: sibling matmul, gemm or conv nodes that read the same input with constant weights of
// compatible shape (attention's Q/K/V projections, parallel 1×1 branches) become one op over the
// concatenated weights, followed by a split into the original outputs:
//   [x·W1, x·W2, x·W3]  →  split(x·[W1 W2 W3])        conv(x, W1), conv(x, W2)  →  split(conv(x, [W1; W2]))
// It is cheaper when each sibling alone is too narrow to fill the tiles of a GEMM kernel: a sibling with
// at most `max-channels` output channels (default 64, one WebGPU workgroup tile; wasm's GEMM panels are at
// most 32 columns) leaves most of a tile idle and re-reads x, while the merged op reads x once and fills
// its tiles. Wider siblings fill their tiles alone, and merging them would only add the split's copy.
// Siblings merge within one graph: the main graph, or an If branch or Loop/Scan body, where they may read a
// value of an enclosing scope (the input, say) as they would a graph input.
import type { DType } from '../compiler/ir/dtype.js';
import { capturedValues, Graph, Value, type Attrs, type Node } from '../compiler/ir/graph.js';
import { Tensor } from '../compiler/ir/tensor.js';
import { makeNode } from '../compiler/infer.js';
import { attrInt } from '../compiler/ops/util.js';
import { eliminateDeadCode } from './eliminate-dead-code.js';
import { cloneGraph, NameAllocator } from './graph-edit.js';
import type { PassInfo } from './manager.js';

export const fuseHorizontalPass: PassInfo = {
  name: 'fuse-horizontal',
  description: 'merges sibling matmul/gemm/conv nodes that read one input with constant weights into one wider op and a split',
  options: {
    'max-channels': { type: 'int', default: 64, description: 'merge siblings with at most this many output channels each' },
  },
  create: (options) => (graph) => fuseHorizontal(graph, options['max-channels'] as number),
};

/** How one sibling's weights, bias and output line up with the others'. */
interface Sibling {
  node: Node;
  /** Nodes with equal keys can merge. */
  key: string;
  weights: Tensor;
  /** Axis of the weights that indexes output channels. */
  weightAxis: number;
  bias?: Tensor;
  /** Axis of the output that indexes output channels. */
  outputAxis: number;
  channels: number;
}

function attrsKey(attrs: Attrs): string {
  return JSON.stringify(Object.keys(attrs).sort().map((k) => [k, attrs[k]]));
}

/** A node reading `x` that could merge with siblings, or undefined. */
function siblingOf(node: Node, x: Value): Sibling | undefined {
  const [input, wv, bv] = node.inputs;
  const w = wv?.data;
  const y = node.outputs[0];
  if (input !== x || !w || w.dtype !== 'f32' || y.type.dtype !== 'f32' || node.outputs.length !== 1) return undefined;
  const bias = bv?.data;
  if (bv && (!bias || bias.dtype !== 'f32')) return undefined;
  const rest = (axis: number) => w.shape.filter((_, i) => i !== axis).join('x');
  switch (node.op) {
    case 'matmul': {
      if (w.rank !== 2 || x.type.shape.length < 2) return undefined;
      return { node, key: `matmul|${rest(1)}`, weights: w, weightAxis: 1, outputAxis: y.type.shape.length - 1, channels: w.shape[1] };
    }
    case 'gemm': {
      const axis = attrInt(node.attrs, 'transB') ? 0 : 1;
      const n = w.shape[axis];
      // Only a per-column bias splits with the output; a scalar or full-matrix C does not.
      if (bias && bias.size !== n) return undefined;
      return { node, key: `gemm|${attrsKey(node.attrs)}|${rest(axis)}|${bias ? 'bias' : ''}`, weights: w, weightAxis: axis, bias, outputAxis: 1, channels: n };
    }
    case 'conv': {
      if (attrInt(node.attrs, 'group') !== 1) return undefined;
      return { node, key: `conv|${attrsKey(node.attrs)}|${rest(0)}`, weights: w, weightAxis: 0, bias, outputAxis: 1, channels: w.shape[0] };
    }
    default:
      return undefined;
  }
}

/** Tensors of one dtype and equal dims but along `axis`, concatenated along it. */
function concatAlong(ts: Tensor[], axis: number, dtype: DType): Tensor {
  const shape = [...ts[0].shape];
  shape[axis] = ts.reduce((n, t) => n + t.shape[axis], 0);
  const outer = shape.slice(0, axis).reduce((n, d) => n * d, 1);
  const inner = shape.slice(axis + 1).reduce((n, d) => n * d, 1);
  const out = new Tensor(dtype, shape);
  let offset = 0;
  for (const t of ts) {
    const chunk = t.shape[axis] * inner;
    for (let o = 0; o < outer; o++) for (let k = 0; k < chunk; k++) out.data[o * shape[axis] * inner + offset + k] = t.data[o * chunk + k];
    offset += chunk;
  }
  return out;
}

export function fuseHorizontal(graph: Graph, maxChannels = 64): Graph {
  const g = cloneGraph(graph);
  return mergeSiblingsIn(g, new NameAllocator(g), maxChannels) ? eliminateDeadCode(g) : g;
}

/** Merges the siblings of `g` and of the graphs nested in it, in place; whether any merged. */
function mergeSiblingsIn(g: Graph, names: NameAllocator, maxChannels: number): boolean {
  let merged = false;
  for (const node of g.nodes) {
    if (node.op !== 'fused') for (const sg of Graph.subgraphsOf(node)) merged = mergeSiblingsIn(sg, names, maxChannels) || merged;
  }
  const users = g.users();
  /** New nodes to place where the first sibling of their group was; siblings to drop. */
  const replacements = new Map<Node, Node[]>();
  const dropped = new Set<Node>();
  for (const x of [...g.inputs, ...capturedValues(g), ...g.nodes.flatMap((n) => n.outputs)]) {
    const byKey = new Map<string, Sibling[]>();
    for (const reader of new Set(users.get(x) ?? [])) {
      const s = siblingOf(reader, x);
      if (!s || dropped.has(reader) || s.channels > maxChannels) continue;
      byKey.set(s.key, [...(byKey.get(s.key) ?? []), s]);
    }
    for (const siblings of byKey.values()) {
      if (siblings.length < 2) continue;
      const first = siblings[0].node;
      const merged = mergeSiblings(g, siblings, names);
      replacements.set(first, merged);
      for (const s of siblings) dropped.add(s.node);
    }
  }
  g.nodes = g.nodes.flatMap((n) => replacements.get(n) ?? (dropped.has(n) ? [] : [n]));
  return merged || replacements.size > 0;
}

/** One op over the siblings' concatenated weights (and biases), and the split giving back their outputs. */
function mergeSiblings(g: Graph, siblings: Sibling[], names: NameAllocator): Node[] {
  const first = siblings[0];
  const constant = (hint: string, t: Tensor) => {
    const v = new Value(names.fresh(hint), { dtype: t.dtype, shape: [...t.shape] }, t);
    g.constants.push(v);
    return v;
  };
  const w = constant(`${first.node.name}_weights`, concatAlong(siblings.map((s) => s.weights), first.weightAxis, 'f32'));
  const hasBias = siblings.some((s) => s.bias);
  // A sibling without a bias adds zeros.
  const b = hasBias
    ? constant(`${first.node.name}_bias`, concatAlong(siblings.map((s) => (s.bias ? new Tensor('f32', [s.channels], s.bias.data) : new Tensor('f32', [s.channels]))), 0, 'f32'))
    : null;
  const inputs = [first.node.inputs[0], w, ...(first.node.op === 'matmul' ? [] : [b])];
  const name = names.fresh(`${first.node.name}_merged`);
  const wide = makeNode(first.node.op, inputs, first.node.attrs, name, 1, (_, t) => new Value(names.fresh(`${name}_out`), t));
  const sizes = constant(`${name}_sizes`, Tensor.fromArray('i64', [siblings.length], siblings.map((s) => s.channels)));
  const outs = siblings.map((s) => s.node.outputs[0]);
  const split = makeNode('split', [wide.outputs[0], sizes], { axis: first.outputAxis }, names.fresh(`${name}_split`), siblings.length, (i) => outs[i]);
  return [wide, split];
}
