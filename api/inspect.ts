// What a model is after a pass pipeline: inputs, outputs, op histogram, parameters, FLOPs, kernels (each by
// name) and peak activation memory, with the model's producer, opsets and the pipeline that ran (what
// `dlc inspect --json` prints).
import { analyzeGraph, type GraphStats } from '../compiler/analysis.js';
import { listKernels, type KernelInfo } from '../compiler/kernel-list.js';
import { TARGET_INFO } from '../codegen/targets.js';
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
  /** With quantization: what it did, layer by layer. */
  quantization?: QuantizationReport;
  /** With compression: what each layer got. */
  compression?: CompressionReport;
}

export function inspect(model: Uint8Array | string, options: InspectOptions = {}): InspectReport {
  return describeModel(optimize(model, options));
}

/** The report of a model `optimize` gave. */
export function describeModel(optimized: OptimizedModel): InspectReport {
  const { model, producer, opsets, pipeline, quantization, compression } = optimized;
  const kernelList = listKernels(optimized.graph, optimized.target && TARGET_INFO[optimized.target].limits);
  return { model, producer, opsets, pipeline, ...analyzeGraph(optimized.graph), kernelList, ...(quantization ? { quantization } : {}), ...(compression ? { compression } : {}) };
}
