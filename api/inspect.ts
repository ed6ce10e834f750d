// What a model is after a pass pipeline: inputs, outputs, op histogram, parameters, FLOPs, kernels and peak
// activation memory, with the model's producer, opsets and the pipeline that ran (what `dlc inspect --json`
// prints). Kernels are counted as code generation for the target emits them (wasm, compile's default, when
// none is given): with the same options, `compile` reports the same number.
import { analyzeGraph, countKernels, type GraphStats } from '../compiler/analysis.js';
import { TARGET_INFO, type TargetName } from '../codegen/targets.js';
import { legalizeGraph } from '../passes/legalize.js';
import type { QuantizationReport } from '../quantize/quantize-graph.js';
import type { CompressionReport } from '../compress/compress-graph.js';
import { optimize, type OptimizedModel, type OptimizeOptions } from './optimize.js';

export type InspectOptions = OptimizeOptions;

export interface InspectReport extends GraphStats {
  /** The model's file, or `<memory>` for bytes. */
  model: string;
  producer: string;
  /** Opset version per domain ('' is ai.onnx). */
  opsets: Record<string, number>;
  /** The pipeline that ran, as text ('' for none). */
  pipeline: string;
  /** With quantization: what it did, layer by layer. */
  quantization?: QuantizationReport;
  /** With compression: what each layer got. */
  compression?: CompressionReport;
}

export function inspect(model: Uint8Array | string, options: InspectOptions = {}): InspectReport {
  return describeModel(optimize(model, options), options.target);
}

/** The report of a model `optimize` gave; kernels counted for `target` (wasm by default, as compile's). */
export function describeModel(optimized: OptimizedModel, target: TargetName = 'wasm'): InspectReport {
  const { model, producer, opsets, pipeline, quantization, compression } = optimized;
  // Code generation legalizes what the pipeline left for the target (-O0, --passes) before lowering.
  const kernels = countKernels(legalizeGraph(optimized.graph, TARGET_INFO[target]));
  return { model, producer, opsets, pipeline, ...analyzeGraph(optimized.graph), kernels, ...(quantization ? { quantization } : {}), ...(compression ? { compression } : {}) };
}
