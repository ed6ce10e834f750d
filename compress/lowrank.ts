// Low-rank factorization of a layer's weights by truncated SVD: a fully connected W (N outputs × K inputs)
// ≈ U_r·S_r·V_rᵀ becomes two layers, x → x·(V_r S_r^½) → ·(U_r S_r^½)ᵀ + b, r(N + K) weights instead of NK.
// A convolution (N × C × kh × kw, group 1) is factored the same way on its N × (C·kh·kw) matrix (the channel
// decomposition of Zhang et al. 2015, taken on the weights rather than on the responses): a kh×kw conv with r
// output channels and the original strides/pads, then a 1×1 conv r → N that adds the bias. The SVD is
// ml-matrix's (Golub–Kahan), computed in f64.
import { Matrix, SingularValueDecomposition } from 'ml-matrix';
import { makeNode } from '../compiler/infer.js';
import { Value, type Graph, type Node } from '../compiler/ir/graph.js';
import { Tensor } from '../compiler/ir/tensor.js';
import { attrInt } from '../compiler/ops/util.js';
import type { NameAllocator } from '../passes/graph-edit.js';
import type { QuantizableLayer } from '../quantize/layers.js';

/** A layer's weight matrix, rows = output channels, and its singular value decomposition. */
export interface LayerSvd {
  outputs: number;
  inputs: number;
  /** Singular values, descending. */
  singular: number[];
  u: Matrix;
  v: Matrix;
}

/** Whether the layer can be factored: gemm/matmul with a 2-D weight, or a conv of group 1. */
export function factorable(layer: QuantizableLayer): boolean {
  if (layer.node.op === 'conv') return attrInt(layer.node.attrs, 'group') === 1;
  return layer.weight.data!.rank === 2;
}

/** The weights as an outputs × inputs matrix (rows are output channels). */
function weightMatrix(layer: QuantizableLayer): Matrix {
  const w = layer.weight.data!;
  const rowsAreOutputs = layer.node.op === 'conv' || layer.weightAxis === 0;
  const outputs = w.shape[layer.weightAxis];
  const inputs = w.size / outputs;
  const m = new Matrix(outputs, inputs);
  for (let o = 0; o < outputs; o++) for (let i = 0; i < inputs; i++) m.set(o, i, rowsAreOutputs ? w.data[o * inputs + i] : w.data[i * outputs + o]);
  return m;
}

export function layerSvd(layer: QuantizableLayer): LayerSvd {
  const m = weightMatrix(layer);
  const svd = new SingularValueDecomposition(m, { autoTranspose: true });
  return { outputs: m.rows, inputs: m.columns, singular: svd.diagonal, u: svd.leftSingularVectors, v: svd.rightSingularVectors };
}

/** The largest rank whose two factors hold fewer weights than `fraction` of the original. */
export function rankForFraction(svd: LayerSvd, fraction: number): number {
  return Math.min(svd.singular.length, Math.floor((fraction * svd.outputs * svd.inputs) / (svd.outputs + svd.inputs)));
}

/** SQNR (dB) of the rank-r approximation: the energy kept over the energy of the discarded singular values. */
export function rankSqnrDb(svd: LayerSvd, rank: number): number {
  const total = svd.singular.reduce((a, s) => a + s * s, 0);
  const dropped = svd.singular.slice(rank).reduce((a, s) => a + s * s, 0);
  return dropped === 0 ? Infinity : 10 * Math.log10(total / dropped);
}

/**
 * Replaces the layer's node by the two factors of rank `rank` (in place in `graph`): first(x) with weight
 * (V_r S_r^½)ᵀ and no bias, then second(·) with weight U_r S_r^½ and the layer's bias. Returns the new nodes.
 */
export function factorLayer(graph: Graph, layer: QuantizableLayer, svd: LayerSvd, rank: number, names: NameAllocator): Node[] {
  const { node } = layer;
  const root = svd.singular.slice(0, rank).map(Math.sqrt);
  // first: rank × inputs (rows of (V S^½)ᵀ); second: outputs × rank.
  const first = new Float32Array(rank * svd.inputs);
  for (let r = 0; r < rank; r++) for (let i = 0; i < svd.inputs; i++) first[r * svd.inputs + i] = svd.v.get(i, r) * root[r];
  const second = new Float32Array(svd.outputs * rank);
  for (let o = 0; o < svd.outputs; o++) for (let r = 0; r < rank; r++) second[o * rank + r] = svd.u.get(o, r) * root[r];
  const constant = (hint: string, t: Tensor) => {
    const v = new Value(names.fresh(hint), { dtype: 'f32', shape: [...t.shape] }, t);
    graph.constants.push(v);
    return v;
  };
  const w = layer.weight.data!;
  const [x, , bias] = node.inputs;
  const emit = (suffix: string, inputs: (Value | null)[], attrs: Node['attrs'], output?: Value) => {
    const name = names.fresh(`${node.name}/${suffix}`);
    const made = makeNode(node.op, inputs, attrs, name, 1, (_i, t) => output ?? new Value(names.fresh(`${name}:0`), t));
    return made;
  };
  let a: Node;
  let b: Node;
  if (node.op === 'conv') {
    const kernel = w.shape.slice(2);
    const wa = constant(`${layer.weight.name}/lowrank_a`, new Tensor('f32', [rank, w.shape[1], ...kernel], first));
    const wb = constant(`${layer.weight.name}/lowrank_b`, new Tensor('f32', [svd.outputs, rank, ...kernel.map(() => 1)], second));
    a = emit('lowrank_a', [x, wa], { ...node.attrs, kernel_shape: kernel });
    const ones = kernel.map(() => 1);
    b = emit('lowrank_b', [a.outputs[0], wb, bias ?? null].slice(0, bias ? 3 : 2), { group: 1, kernel_shape: ones, strides: ones, pads: [...ones, ...ones].map(() => 0), dilations: ones }, node.outputs[0]);
  } else {
    // gemm with transB=1 and rows-as-outputs storage keeps transB; otherwise (transB=0, matmul) W is inputs × outputs.
    const transposed = node.op === 'gemm' && attrInt(node.attrs, 'transB') !== 0;
    const wa = constant(`${layer.weight.name}/lowrank_a`, transposed ? new Tensor('f32', [rank, svd.inputs], first) : new Tensor('f32', [svd.inputs, rank], transpose(first, rank, svd.inputs)));
    const wb = constant(`${layer.weight.name}/lowrank_b`, transposed ? new Tensor('f32', [svd.outputs, rank], second) : new Tensor('f32', [rank, svd.outputs], transpose(second, svd.outputs, rank)));
    if (node.op === 'gemm') {
      a = emit('lowrank_a', [x, wa], { ...node.attrs, beta: 1 });
      b = emit('lowrank_b', bias ? [a.outputs[0], wb, bias] : [a.outputs[0], wb], { ...node.attrs, alpha: 1 }, node.outputs[0]);
    } else {
      a = emit('lowrank_a', [x, wa], {});
      b = emit('lowrank_b', [a.outputs[0], wb], {}, node.outputs[0]);
    }
  }
  const at = graph.nodes.indexOf(node);
  graph.nodes.splice(at, 1, a, b);
  return [a, b];
}

/** rows × cols row-major → cols × rows row-major. */
function transpose(m: Float32Array, rows: number, cols: number): Float32Array {
  const t = new Float32Array(m.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) t[c * rows + r] = m[r * cols + c];
  return t;
}
