// Per-layer sensitivity without evaluating the model once per layer: each layer alone computed on quantized
// inputs and weights, everything before it in f32 — the SQNR (dB) of its output against the f32 layer's, on
// a few calibration samples. One f32 pass per sample and one extra evaluation of each layer, so it scales to
// models with many layers, where quantizing one layer at a time and measuring the metric would take an
// evaluation of the whole data set per layer.
import { interpret } from '../compiler/interpreter.js';
import type { Attrs, Graph, Value } from '../compiler/ir/graph.js';
import { Tensor } from '../compiler/ir/tensor.js';
import { getOp } from '../compiler/ops/registry.js';
import type { Feeds } from './calibrate.js';
import type { Range } from './calibrators.js';
import type { QuantizableLayer } from './layers.js';
import { activationParams, quantizeWeights, type QuantDType, type QuantMode } from './params.js';

/** The layer's output SQNR (dB) with its inputs and weights quantized, by node name. */
export function localSqnr(
  f32: Graph,
  layers: readonly QuantizableLayer[],
  ranges: ReadonlyMap<string, Range>,
  samples: readonly Feeds[],
  mode: QuantMode,
  dtype: QuantDType,
): Map<string, number> {
  const weights = new Map(layers.map((l) => {
    const qw = quantizeWeights(l.weight.data!, l.weightAxis, dtype === 'i16' ? 'i16' : 'i8', mode);
    return [l.node.name, dequantizeWeights(qw.q, qw.scales, l.weightAxis)];
  }));
  const signal = new Map<string, number>();
  const noise = new Map<string, number>();
  const wanted = new Set<Value>(layers.flatMap((l) => [l.activation, l.node.outputs[0]]));
  for (const feeds of samples) {
    const seen = new Map<Value, Tensor>();
    for (const v of f32.inputs) if (wanted.has(v)) seen.set(v, feeds[v.name]);
    interpret(f32, feeds, { observe: (v, t) => wanted.has(v) && seen.set(v, t) });
    for (const l of layers) {
      const p = activationParams(ranges.get(l.activation.name)!, dtype, mode);
      const x = fakeQuantize(seen.get(l.activation)!, p.scale, p.zeroPoint, dtype);
      const inputs = l.node.inputs.map((v, i) => (i === 0 ? x : i === 1 ? weights.get(l.node.name)! : v?.data ?? null));
      const y = runRef(l.node.op, inputs, l.node.attrs);
      const ref = seen.get(l.node.outputs[0])!;
      let s = 0;
      let n = 0;
      for (let e = 0; e < ref.size; e++) {
        s += ref.data[e] ** 2;
        n += (ref.data[e] - y.data[e]) ** 2;
      }
      signal.set(l.node.name, (signal.get(l.node.name) ?? 0) + s);
      noise.set(l.node.name, (noise.get(l.node.name) ?? 0) + n);
    }
  }
  return new Map(layers.map((l) => {
    const n = noise.get(l.node.name) ?? 0;
    return [l.node.name, n === 0 ? Infinity : 10 * Math.log10(signal.get(l.node.name)! / n)];
  }));
}

const runRef = (op: string, inputs: (Tensor | null)[], attrs: Attrs = {}) =>
  getOp(op).ref(inputs, attrs, { numOutputs: 1, runGraph: () => [] })[0];

/** dequantize(quantize(x)) per tensor, through the ops' own reference implementations. */
function fakeQuantize(x: Tensor, scale: number, zeroPoint: number, dtype: QuantDType): Tensor {
  const [s, z] = [Tensor.scalar('f32', scale), Tensor.scalar(dtype, zeroPoint)];
  // Reference implementations take resolved attributes; the axis of a per-tensor parameter is unused.
  return runRef('dequantize_linear', [runRef('quantize_linear', [x, s, z], { axis: 1 }), s, z], { axis: 1 });
}

function dequantizeWeights(q: Tensor, scales: Float32Array, axis: number): Tensor {
  return runRef('dequantize_linear', [q, new Tensor('f32', [scales.length], scales)], { axis });
}
