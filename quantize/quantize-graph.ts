// Post-training quantization with an accuracy guard (Intel Neural Compressor's accuracy-aware tuning):
// calibrate the f32 graph, quantize every layer, and when the metric drops more than the budget, rank the
// layers by sensitivity (the metric with that layer alone quantized), fall the most sensitive back to f32
// one at a time until the budget holds, then try to re-quantize each fallen-back layer, least sensitive
// first. Every layer's outcome is reported: precision, parameters, output SQNR, and its sensitivity when
// the search measured it.
import '../compiler/ops/index.js';
import { DlcError } from '../compiler/errors.js';
import { interpret } from '../compiler/interpreter.js';
import type { Graph, Node, Value } from '../compiler/ir/graph.js';
import type { Tensor } from '../compiler/ir/tensor.js';
import { getOp } from '../compiler/ops/registry.js';
import { cloneGraph } from '../passes/graph-edit.js';
import { calibrate, type Feeds } from './calibrate.js';
import type { CalibratorName } from './calibrators.js';
import { insertQdq, type LayerPrecision, type LayerQuantization } from './insert-qdq.js';
import { quantizableLayers } from './layers.js';
import { localSqnr } from './sensitivity.js';
import type { QuantMode } from './params.js';

/** The metric the guard holds, measured on a candidate graph (the QDQ graph, as it will compute). */
export interface AccuracyGuard {
  /** What is measured, for reports ('top1', 'cer', 'sqnr'…). */
  metric: string;
  /** Whether a larger value is better (top-1) or worse (CER). */
  higherIsBetter: boolean;
  evaluate(graph: Graph): number;
  /** The budget: the largest drop from the f32 model's value (points for top-1 and CER), or the least value (SQNR in dB). */
  budget: { maxDrop: number } | { minValue: number };
  /** How many graphs each backend evaluated so far ('wasm', 'reference'), for reports. */
  evaluations?(): Record<string, number>;
  /**
   * Where candidates run fast enough to rank many layers (compiled kernels): a candidate's damage as the SQNR
   * (dB) of its output against the f32 model's on the first few samples, a continuous measure that a few samples
   * make stable where the metric (a CER on a few lines) is not.
   */
  outputSqnrDb?(graph: Graph): number;
}

export interface QuantizeOptions {
  /** int8: affine (u8 activations with a zero point, i8 symmetric per-channel weights); dfp: power-of-two scales. */
  mode: QuantMode;
  /** Integer width of every quantized layer (16 only with dfp). */
  bits: 8 | 16;
  calibrator: CalibratorName;
  calibration: readonly Feeds[];
  /** Precision forced on layers by node name (the guard does not change these). */
  layers?: Readonly<Record<string, LayerPrecision>>;
  /** Why a layer stays f32 whatever the accuracy (the target computes it no faster in int8), or undefined. */
  keepF32?: (layer: Node) => string | undefined;
  guard?: AccuracyGuard;
}

export interface LayerReport extends LayerQuantization {
  /** Why the layer is f32 when the guard did not decide it (the target, or the user's --layers). */
  reason?: string;
  /** SQNR (dB) of the layer's output in the quantized graph against the f32 graph, on calibration samples. */
  sqnrDb?: number;
  /** SQNR (dB) of the layer's output with only this layer quantized (its inputs exact): its own loss. */
  aloneSqnrDb?: number;
  /**
   * The metric's drop with this layer alone quantized, when the guard measured it (models with at most
   * METRIC_SENSITIVITY_LAYERS layers; larger ones are ranked by aloneSqnrDb).
   */
  sensitivity?: number;
}

export interface GuardReport {
  metric: string;
  budget: AccuracyGuard['budget'];
  f32: number;
  quantized: number;
  drop: number;
  /** Each candidate the search evaluated: the layers kept in f32 and the metric it gave. */
  trials: { f32Layers: string[]; value: number }[];
}

export interface QuantizationReport {
  mode: QuantMode;
  bits: 8 | 16;
  calibrator: CalibratorName;
  calibrationSamples: number;
  layers: LayerReport[];
  guard?: GuardReport;
}

export interface QuantizedModel {
  /** The QDQ graph (fold-qdq turns it into integer anchors). */
  graph: Graph;
  report: QuantizationReport;
}

/** Calibration samples the per-layer SQNR is measured on (enough for a stable figure, cheap on big models). */
const SQNR_SAMPLES = 4;

/** Up to this many layers the guard ranks them by the metric with each alone quantized (one evaluation each). */
export const METRIC_SENSITIVITY_LAYERS = 16;

export function quantizeGraph(f32: Graph, options: QuantizeOptions): QuantizedModel {
  if (options.calibration.length === 0) throw new DlcError('quantization needs at least one calibration sample');
  if (options.bits === 16 && options.mode !== 'dfp') throw new DlcError('16-bit quantization is dynamic fixed point only (--quantize dfp --bits 16)');
  const layers = quantizableLayers(f32);
  if (layers.length === 0) throw new DlcError('nothing to quantize: the model has no conv, matmul or gemm with constant weights');
  const reasons = new Map<string, string>();
  for (const l of layers) {
    const why = options.layers?.[l.node.name] === 'f32' ? 'asked for' : options.keepF32?.(l.node);
    if (why) reasons.set(l.node.name, why);
  }
  const forced: Record<string, LayerPrecision> = { ...options.layers };
  for (const name of reasons.keys()) forced[name] = 'f32';
  const activations = [...new Set(layers.map((l) => l.activation))];
  const ranges = new Map([...calibrate(f32, options.calibration, activations, options.calibrator)].map(([v, r]) => [v.name, r]));
  const precision: LayerPrecision = options.bits === 16 ? 'int16' : 'int8';
  const mode = options.mode;
  const aloneSqnr = localSqnr(f32, layers, ranges, options.calibration.slice(0, 2), mode, options.bits === 16 ? 'i16' : mode === 'dfp' ? 'i8' : 'u8');
  const build = (fallback: ReadonlySet<string>) => {
    const perLayer: Record<string, LayerPrecision> = {};
    for (const l of layers) if (fallback.has(l.node.name)) perLayer[l.node.name] = 'f32';
    return insertQdq(f32, { mode: options.mode, precision, ranges, layers: { ...perLayer, ...forced } });
  };

  let fallback = new Set<string>();
  let result = build(fallback);
  let guardReport: GuardReport | undefined;
  const sensitivity = new Map<string, number>();
  if (options.guard) {
    const g = options.guard;
    const base = g.evaluate(f32);
    const drop = (v: number) => (g.higherIsBetter ? base - v : v - base);
    const budget = g.budget;
    const ok = (v: number) => ('minValue' in budget ? v >= budget.minValue : drop(v) <= budget.maxDrop);
    // A layer's sensitivity: how far the metric falls with it alone quantized (SQNR: how low it goes).
    const cost = (v: number) => ('minValue' in budget ? -v : drop(v));
    const trials: GuardReport['trials'] = [];
    const measure = (fb: Set<string>) => {
      const candidate = build(fb);
      const value = g.evaluate(withDequantizedConstants(candidate.graph));
      trials.push({ f32Layers: [...fb], value });
      return { candidate, value };
    };
    let current = measure(fallback);
    if (!ok(current.value)) {
      const names = layers.map((l) => l.node.name).filter((n) => !forced[n]);
      if (names.length <= METRIC_SENSITIVITY_LAYERS) {
        for (const name of names) {
          const alone = new Set(names.filter((n) => n !== name));
          sensitivity.set(name, cost(g.evaluate(withDequantizedConstants(build(alone).graph))));
        }
      }
      const rank = (n: string) => sensitivity.get(n) ?? -aloneSqnr.get(n)!;
      const bySensitivity = [...names].sort((a, b) => rank(b) - rank(a));
      for (const name of bySensitivity) {
        if (ok(current.value)) break;
        fallback = new Set([...fallback, name]);
        current = measure(fallback);
      }
      // Re-quantize what the budget allows, least sensitive first.
      for (const name of [...fallback].reverse()) {
        const without = new Set([...fallback].filter((n) => n !== name));
        const trial = measure(without);
        if (ok(trial.value)) {
          fallback = without;
          current = trial;
        }
      }
    }
    result = current.candidate;
    guardReport = { metric: g.metric, budget, f32: base, quantized: current.value, drop: drop(current.value), trials };
    if (!ok(current.value)) {
      throw new DlcError(`quantization cannot meet the accuracy budget (${g.metric} ${current.value.toFixed(3)} against ${base.toFixed(3)} in f32) even with every layer in f32`);
    }
  }
  const sqnr = layerSqnr(f32, withDequantizedConstants(result.graph), options.calibration.slice(0, SQNR_SAMPLES), layers.map((l) => l.node.outputs[0].name));
  return {
    graph: result.graph,
    report: {
      mode: options.mode,
      bits: options.bits,
      calibrator: options.calibrator,
      calibrationSamples: options.calibration.length,
      layers: result.layers.map((l, i) => ({
        ...l,
        sqnrDb: sqnr.get(layers[i].node.outputs[0].name),
        aloneSqnrDb: aloneSqnr.get(l.node),
        ...(sensitivity.has(l.node) ? { sensitivity: sensitivity.get(l.node) } : {}),
        ...(reasons.has(l.node) ? { reason: reasons.get(l.node) } : {}),
      })),
      ...(guardReport ? { guard: guardReport } : {}),
    },
  };
}

/**
 * The QDQ graph as the interpreter runs it fast: each dequantize_linear of a constant (the weights and biases)
 * computed once into an f32 constant, as it would be on every run otherwise. The values are the same.
 */
export function withDequantizedConstants(graph: Graph): Graph {
  const g = cloneGraph(graph);
  g.nodes = g.nodes.filter((n) => {
    if (n.op !== 'dequantize_linear' || !n.inputs.every((v) => !v || v.data)) return true;
    const [t] = getOp(n.op).ref(n.inputs.map((v) => v?.data ?? null), n.attrs, { numOutputs: 1, runGraph: () => [] });
    n.outputs[0].data = t;
    g.constants.push(n.outputs[0]);
    return false;
  });
  return g;
}

/** SQNR (dB) of each named value of `quantized` against the same value of `f32`, over `samples`. */
function layerSqnr(f32: Graph, quantized: Graph, samples: readonly Feeds[], names: readonly string[]): Map<string, number> {
  const wanted = new Set(names);
  const collect = (g: Graph, feeds: Feeds) => {
    const seen = new Map<string, Tensor>();
    interpret(g, feeds, { observe: (v: Value, t: Tensor) => wanted.has(v.name) && seen.set(v.name, t) });
    return seen;
  };
  const signal = new Float64Array(names.length);
  const noise = new Float64Array(names.length);
  for (const feeds of samples) {
    const [a, b] = [collect(f32, feeds), collect(quantized, feeds)];
    names.forEach((n, i) => {
      const [r, q] = [a.get(n)!.data, b.get(n)!.data];
      for (let e = 0; e < r.length; e++) {
        signal[i] += r[e] * r[e];
        noise[i] += (r[e] - q[e]) ** 2;
      }
    });
  }
  // 10·log10(Σr² / Σ(r − q)²), as sqnrDb computes it for one tensor.
  return new Map(names.map((n, i) => [n, noise[i] === 0 ? Infinity : 10 * Math.log10(signal[i] / noise[i])]));
}
