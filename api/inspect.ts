// What a model is after a pass pipeline: inputs, outputs, op histogram, parameters, FLOPs, kernels (each by
// name) and peak activation memory, with the model's producer, opsets and the pipeline that ran (what
// `dlc inspect --json` prints). Kernels are listed on the graph lowering sees for the target (wasm, compile's
// default, when none is given): with the same options, `compile` reports the same number and names.
import { analyzeGraph, type GraphStats } from '../compiler/analysis.js';
import { listKernels, type KernelInfo } from '../compiler/kernel-list.js';
import { loweringGraph } from '../codegen/lower.js';
import { TARGET_INFO, type TargetName } from '../codegen/targets.js';
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
  /** Each kernel in run order, named as a compiled artifact's manifest and a profile name it (`kernels` counts them). */
  kernelList: KernelInfo[];
  /** How many kernels the target runs (kernelList's length). */
  kernels: number;
  /** With quantization: what it did, layer by layer. */
  quantization?: QuantizationReport;
  /** With compression: what each layer got. */
  compression?: CompressionReport;
}

export function inspect(model: Uint8Array | string, options: InspectOptions = {}): InspectReport {
  return describeModel(optimize(model, options), options.target);
}

/** The report of a model `optimize` gave; kernels counted for `target` (wasm by default, as compile's). */
export function describeModel(optimized: OptimizedModel, target: TargetName = optimized.target ?? 'wasm'): InspectReport {
  const { model, producer, opsets, pipeline, quantization, compression } = optimized;
  const info = TARGET_INFO[target];
  const kernelList = listKernels(loweringGraph(optimized.graph, info), info.limits);
  return {
    model, producer, opsets, pipeline, ...analyzeGraph(optimized.graph), kernels: kernelList.length, kernelList,
    ...(quantization ? { quantization } : {}), ...(compression ? { compression } : {}),
  };
}
