// Post-training quantization of a graph: each chosen layer reads its activation through a quantize_linear /
// dequantize_linear pair (per tensor, parameters from calibration), its weights as an int8 (or int16)
// constant through dequantize_linear (symmetric, per output channel) and its bias as an int32 constant
// through dequantize_linear (scale s_x·s_w[c]). The result is a standard QDQ graph: onnxruntime runs it as
// written (the oracle for dlc's integer kernels), and fold-qdq turns it into integer anchors.
import { makeNode } from '../compiler/infer.js';
import { Graph, Value, type Node } from '../compiler/ir/graph.js';
import { Tensor } from '../compiler/ir/tensor.js';
import { cloneGraph, NameAllocator } from '../passes/graph-edit.js';
import type { Range } from './calibrators.js';
import { quantizableLayers, type QuantizableLayer } from './layers.js';
import { activationParams, biasScales, quantizeBias, quantizeWeights, type QuantDType, type QuantMode, type QuantParams } from './params.js';

/** How a layer computes: 8-bit or 16-bit integers, or unquantized (the accuracy guard's fallback). */
export type LayerPrecision = 'int8' | 'int16' | 'f32';

export interface QdqOptions {
  mode: QuantMode;
  /** The precision of each layer by node name; layers not named take `precision`. */
  layers?: Readonly<Record<string, LayerPrecision>>;
  precision: LayerPrecision;
  /** Calibrated ranges by value name (the activations the layers read). */
  ranges: ReadonlyMap<string, Range>;
}

/** What quantization did to one layer (the per-layer report of `dlc inspect` and the manifest). */
export interface LayerQuantization {
  node: string;
  op: string;
  precision: LayerPrecision;
  /** The activation's parameters (absent for f32 layers). */
  activation?: QuantParams & { value: string };
  /** The range of the per-channel weight scales and, for dynamic fixed point, of the fractional lengths. */
  weights?: { dtype: QuantDType; channels: number; minScale: number; maxScale: number; fractionalLengths?: [number, number] };
  /**
   * s_x · max_c Σ_k |w[c, k]|: the most one output element moves when every input of the layer moves one
   * quantization step, the unit `verify` derives its tolerance from.
   */
  outputStep?: number;
}

export interface QuantizedGraph {
  graph: Graph;
  layers: LayerQuantization[];
}

/** The activation dtype of a precision and mode: u8 asymmetric for affine int8, signed otherwise. */
function activationDtype(precision: LayerPrecision, mode: QuantMode): QuantDType {
  if (precision === 'int16') return 'i16';
  return mode === 'dfp' ? 'i8' : 'u8';
}

export function insertQdq(source: Graph, options: QdqOptions): QuantizedGraph {
  const graph = cloneGraph(source);
  const names = new NameAllocator(graph);
  const layers = quantizableLayers(graph);
  const report: LayerQuantization[] = [];
  // One quantize/dequantize pair per activation, shared by the layers reading it with the same dtype.
  const dequantizedActivations = new Map<string, Value>();
  const inserted = new Map<Node, Node[]>();

  const constant = (hint: string, t: Tensor): Value => {
    const v = new Value(names.fresh(hint), { dtype: t.dtype, shape: [...t.shape] }, t);
    graph.constants.push(v);
    return v;
  };
  const emit = (before: Node, op: string, inputs: Value[], attrs: Record<string, number> = {}): Value => {
    const name = names.fresh(`${before.name}/${op}`);
    const node = makeNode(op, inputs, attrs, name, 1, (k, t) => new Value(names.fresh(`${name}:${k}`), t));
    inserted.set(before, [...(inserted.get(before) ?? []), node]);
    return node.outputs[0];
  };

  for (const layer of layers) {
    const precision = options.layers?.[layer.node.name] ?? options.precision;
    if (precision === 'f32') {
      report.push({ node: layer.node.name, op: layer.node.op, precision });
      continue;
    }
    const range = options.ranges.get(layer.activation.name);
    if (!range) throw new Error(`no calibrated range for '${layer.activation.name}'`);
    const dtype = activationDtype(precision, options.mode);
    const params = activationParams(range, dtype, options.mode);
    const key = `${layer.activation.name}:${dtype}`;
    let x = dequantizedActivations.get(key);
    if (!x) {
      const s = constant(`${layer.activation.name}/scale`, Tensor.scalar('f32', params.scale));
      const z = constant(`${layer.activation.name}/zero_point`, Tensor.scalar(dtype, params.zeroPoint));
      const q = emit(layer.node, 'quantize_linear', [layer.activation, s, z]);
      x = emit(layer.node, 'dequantize_linear', [q, s, z]);
      dequantizedActivations.set(key, x);
    }
    const { w, weights } = quantizedWeights(layer, precision, options.mode, constant, (inputs, attrs) => emit(layer.node, 'dequantize_linear', inputs, attrs));
    const inputs = [...layer.node.inputs];
    inputs[0] = x;
    inputs[1] = w.value;
    if (layer.bias) {
      const b = quantizeBias(layer.bias.data!, params.scale, w.scales);
      const bs = constant(`${layer.node.name}/bias_scale`, new Tensor('f32', [w.scales.length], biasScales(params.scale, w.scales)));
      inputs[2] = emit(layer.node, 'dequantize_linear', [constant(`${layer.node.name}/bias_quantized`, b), bs], { axis: 0 });
    }
    layer.node.inputs = inputs;
    const outputStep = params.scale * maxAbsRowSum(layer.weight.data!, layer.weightAxis);
    report.push({ node: layer.node.name, op: layer.node.op, precision, activation: { ...params, value: layer.activation.name }, weights, outputStep });
  }
  graph.nodes = graph.nodes.flatMap((n) => [...(inserted.get(n) ?? []), n]);
  return { graph, layers: report };
}

/** max over output channels c (along `axis`) of Σ |w| over the channel's weights. */
function maxAbsRowSum(w: Tensor, axis: number): number {
  const channels = w.shape[axis];
  const inner = w.shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const sums = new Float64Array(channels);
  for (let e = 0; e < w.size; e++) sums[Math.floor(e / inner) % channels] += Math.abs(w.data[e]);
  return Math.max(...sums);
}

/** The layer's weights quantized per output channel, read through a dequantize_linear. */
function quantizedWeights(
  layer: QuantizableLayer,
  precision: LayerPrecision,
  mode: QuantMode,
  constant: (hint: string, t: Tensor) => Value,
  dequantize: (inputs: Value[], attrs: Record<string, number>) => Value,
): { w: { value: Value; scales: Float32Array }; weights: NonNullable<LayerQuantization['weights']> } {
  const dtype = precision === 'int16' ? 'i16' : 'i8';
  const qw = quantizeWeights(layer.weight.data!, layer.weightAxis, dtype, mode);
  const q = constant(`${layer.weight.name}/quantized`, qw.q);
  const s = constant(`${layer.weight.name}/scale`, new Tensor('f32', [qw.scales.length], qw.scales));
  const value = dequantize([q, s], { axis: layer.weightAxis });
  const fl = qw.fractionalLengths;
  return {
    w: { value, scales: qw.scales },
    weights: {
      dtype,
      channels: qw.scales.length,
      minScale: Math.min(...qw.scales),
      maxScale: Math.max(...qw.scales),
      ...(fl ? { fractionalLengths: [Math.min(...fl), Math.max(...fl)] as [number, number] } : {}),
    },
  };
}
