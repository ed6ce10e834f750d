// Loading an ONNX model (a file or its bytes) and running a pass pipeline over it under the pass manager's
// instruments, with the target's facts in the pass context: what `compile` does before code generation and
// all that `inspect` does.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { DlcError, UsageError, withContext } from '../compiler/errors.js';
import type { Graph } from '../compiler/ir/graph.js';
import type { TargetInfo } from '../compiler/target-info.js';
import type { Tensor } from '../compiler/ir/tensor.js';
import { importOnnx } from '../compiler/onnx/frontend.js';
import { TARGET_INFO, TARGET_NAMES, type TargetName } from '../codegen/targets.js';
import { PassManager, type Instrumentation, type Pass } from '../passes/manager.js';
import { DEFAULT_OPT_LEVEL, optPipeline, parsePipeline, printPipeline, quantizationPipelines } from '../passes/pipelines.js';
import type { QuantizationReport } from '../quantize/quantize-graph.js';
import type { CompressionReport } from '../compress/compress-graph.js';
import { compressOptimizedGraph, type CompressionOptions } from './compress.js';
import { quantizeOptimizedGraph, type QuantizationOptions } from './quantize.js';

/** The pass manager's instruments; the target comes from the options' `target`. */
export type Instruments = Omit<Instrumentation, 'target'>;

export interface OptimizeOptions {
  /** The target the passes compile for (PassContext.target); none for a target-independent look. */
  target?: TargetName;
  /** Concrete shapes of model inputs, by name; they replace the model's declared (possibly symbolic) dims. */
  inputShapes?: Record<string, number[]>;
  /**
   * Values of model inputs to specialize on (inputs whose values decide shapes: a reshape's shape, a resize's
   * sizes): each becomes a constant and leaves the model's inputs; the artifact records it.
   */
  inputValues?: Record<string, Tensor | readonly number[]>;
  /** A pass pipeline as text (`'fold-constants,eliminate-dead-code'`); excludes `optLevel`. */
  pipeline?: string;
  /** 0 to 3, the -O pipelines; 2 when neither this nor `pipeline` is given. */
  optLevel?: number;
  instruments?: Instruments;
  /** Post-training quantization between the graph optimizations and fusion (not with `pipeline`). */
  quantize?: QuantizationOptions;
  /** Weight compression in the same place (not with `pipeline`, nor with `quantize`). */
  compress?: CompressionOptions;
}

/** One pass's runs and their total wall time, in order of first run. */
export interface PassTimingSummary {
  pass: string;
  runs: number;
  ms: number;
}

export interface OptimizedModel {
  /** The model's file, or `<memory>` for bytes. */
  model: string;
  graph: Graph;
  /** The pipeline that ran, as text ('' for none). */
  pipeline: string;
  /** Opset version per domain ('' is ai.onnx). */
  opsets: Record<string, number>;
  producer: string;
  /** The target the passes compiled for, when one was given. */
  target?: TargetName;
  /** With `instruments.timing`: each pass's time. */
  timings?: PassTimingSummary[];
  /** With `quantize`: what quantization did, layer by layer. */
  quantization?: QuantizationReport;
  /** With `compress`: what each layer got and what it cost. */
  compression?: CompressionReport;
  /** With `compress`: the compressed f32 graph before fusion (what `verify` exports and compares with). */
  compressedGraph?: Graph;
}

/** A model's bytes and, when it was read from one, its file. */
export interface ModelSource {
  file?: string;
  bytes: Uint8Array;
}

export const MEMORY_MODEL = '<memory>';

export function readModel(model: Uint8Array | string): ModelSource {
  if (typeof model !== 'string') return { bytes: model };
  try {
    return { file: model, bytes: fs.readFileSync(model) };
  } catch (e) {
    throw new DlcError(`cannot read model: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { file: model });
  }
}

export function modelSha256(source: ModelSource): string {
  return createHash('sha256').update(source.bytes).digest('hex');
}

/** Imports `model` and runs the chosen pipeline over it. */
export function optimize(model: Uint8Array | string, options: OptimizeOptions = {}): OptimizedModel {
  return optimizeSource(readModel(model), options);
}

/**
 * Runs `work` on a model, so that every model error names the file first (the README's format), however deep in
 * the passes or the lowering it was raised; usage errors stay as they are.
 */
export function inModelFile<T>(source: ModelSource, work: () => T): T {
  try {
    return work();
  } catch (e) {
    if (e instanceof DlcError && e.exitCode === 1) withContext(e, { file: source.file ?? MEMORY_MODEL });
    throw e;
  }
}

export function optimizeSource(source: ModelSource, options: OptimizeOptions): OptimizedModel {
  return inModelFile(source, () => optimizeInFile(source, options));
}

function optimizeInFile(source: ModelSource, options: OptimizeOptions): OptimizedModel {
  const target = options.target === undefined ? undefined : targetInfo(options.target);
  const { graph, opsets, producer } = importOnnx(source.bytes, { file: source.file, inputShapes: options.inputShapes ?? {}, inputValues: options.inputValues ?? {} });
  const manager = new PassManager({ ...options.instruments, target });
  const common = { model: source.file ?? MEMORY_MODEL, opsets, producer, ...(options.target ? { target: options.target } : {}) };
  const timings = () => (options.instruments?.timing ? { timings: manager.timingSummary() } : {});
  if (options.compress) {
    if (options.quantize) throw new UsageError('give either compression or quantization, not both (k-means weight sharing already stores each weight in a few bits)');
    if (options.pipeline !== undefined) throw new UsageError('compression runs with the -O pipelines, not with a pass pipeline');
    const pipelines = quantizationPipelines(options.optLevel ?? DEFAULT_OPT_LEVEL);
    const optimizePass = parsePipeline(pipelines.optimize);
    const { graph: compressed, report } = compressOptimizedGraph(manager.run(optimizePass, graph), options.compress);
    const finish = parsePipeline(pipelines.finish);
    const techniques = report.techniques.join('+');
    const pipeline = [printPipeline(optimizePass), `compress{techniques=${techniques}}`, printPipeline(finish)].filter((p) => p).join(',');
    return { ...common, graph: manager.run(finish, compressed), pipeline, compression: report, compressedGraph: compressed, ...timings() };
  }
  if (options.quantize) {
    const q = quantizeWithManager(manager, graph, options, target);
    const finish = parsePipeline(q.pipelines.finish);
    return { ...common, graph: manager.run(finish, q.graph), pipeline: `${q.pipeline},${printPipeline(finish)}`, quantization: q.report, ...timings() };
  }
  const pass = selectPipeline(options);
  return { ...common, graph: manager.run(pass, graph), pipeline: printPipeline(pass), ...timings() };
}

/** The QDQ graph of a model: imported, optimized, calibrated and quantized (what `dlc quantize` exports). */
export function quantizeSource(source: ModelSource, options: OptimizeOptions & { quantize: QuantizationOptions }): OptimizedModel {
  const target = options.target === undefined ? undefined : targetInfo(options.target);
  const { graph, opsets, producer } = importOnnx(source.bytes, { file: source.file, inputShapes: options.inputShapes ?? {}, inputValues: options.inputValues ?? {} });
  const q = quantizeWithManager(new PassManager({ ...options.instruments, target }), graph, options, target);
  return { model: source.file ?? MEMORY_MODEL, opsets, producer, graph: q.graph, pipeline: q.pipeline, quantization: q.report };
}

/** Runs the optimizations of the -O level, then quantizes; `pipeline` spells what ran, quantization included. */
function quantizeWithManager(manager: PassManager, graph: Graph, options: OptimizeOptions & { quantize?: QuantizationOptions }, target: TargetInfo | undefined) {
  if (options.pipeline !== undefined) throw new UsageError('quantization runs with the -O pipelines, not with a pass pipeline');
  const pipelines = quantizationPipelines(options.optLevel ?? DEFAULT_OPT_LEVEL);
  const optimize = parsePipeline(pipelines.optimize);
  const optimized = manager.run(optimize, graph);
  const { graph: qdq, report } = quantizeOptimizedGraph(optimized, options.quantize!, target);
  const pipeline = [printPipeline(optimize), `quantize{mode=${options.quantize!.mode},bits=${report.bits},calibrator=${report.calibrator}}`].filter((s) => s).join(',');
  return { graph: qdq, report, pipelines, pipeline };
}

function targetInfo(name: string) {
  if (!(TARGET_NAMES as readonly string[]).includes(name)) throw new UsageError(`unknown target '${name}' (have: ${TARGET_NAMES.join(', ')})`);
  return TARGET_INFO[name as TargetName];
}

/** The pipeline `pipeline` spells, or the -O pipeline of `optLevel` (2 by default). */
export function selectPipeline(options: Pick<OptimizeOptions, 'pipeline' | 'optLevel'>): Pass {
  if (options.pipeline !== undefined && options.optLevel !== undefined) throw new UsageError('give either optLevel or pipeline, not both');
  if (options.pipeline !== undefined) return parsePipeline(options.pipeline);
  return optPipeline(options.optLevel ?? DEFAULT_OPT_LEVEL);
}
