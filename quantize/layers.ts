// The layers post-training quantization works on: conv, matmul and gemm nodes with constant f32 weights
// (the compute-bound anchors, where int8 arithmetic pays). Everything else keeps f32; its inputs and
// outputs are dequantized/quantized at the layer boundaries.
import type { Graph, Node, Value } from '../compiler/ir/graph.js';
import { attrInt } from '../compiler/ops/util.js';

export interface QuantizableLayer {
  node: Node;
  /** The f32 activation the layer reads (quantized per tensor). */
  activation: Value;
  weight: Value;
  /** The weight axis that indexes output channels (per-channel scales along it). */
  weightAxis: number;
  /** A constant bias with one value per output channel, folded into the epilogue as int32·scale. */
  bias?: Value;
}

/** The quantizable layers of `graph`, in graph order. */
export function quantizableLayers(graph: Graph): QuantizableLayer[] {
  const layers: QuantizableLayer[] = [];
  for (const node of graph.nodes) {
    const layer = layerOf(node);
    if (layer) layers.push(layer);
  }
  return layers;
}

function layerOf(node: Node): QuantizableLayer | undefined {
  const [x, w, b] = node.inputs;
  if (!x || !w?.data || x.type.dtype !== 'f32' || w.type.dtype !== 'f32' || x.isConst) return undefined;
  const channels = (axis: number) => w.data!.shape[axis];
  const perChannelBias = (axis: number) => (b?.data && b.data.size === channels(axis) && b.type.shape.length === 1 ? b : undefined);
  switch (node.op) {
    case 'conv':
      if (b && !b.data) return undefined;
      return { node, activation: x, weight: w, weightAxis: 0, bias: perChannelBias(0) };
    case 'matmul':
      return w.data.rank === 2 && x.type.shape.length >= 2 ? { node, activation: x, weight: w, weightAxis: 1 } : undefined;
    case 'gemm': {
      if (attrInt(node.attrs, 'transA')) return undefined;
      const axis = attrInt(node.attrs, 'transB') ? 0 : 1;
      return { node, activation: x, weight: w, weightAxis: axis, bias: perChannelBias(axis) };
    }
    default:
      return undefined;
  }
}
