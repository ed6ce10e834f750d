// The accuracy guard of post-training quantization and compression, measured on a data set: the metric of each
// candidate graph against a budget given as a largest drop or, for SQNR, a least value. A candidate runs on the
// guard's engine where the engine can run it (a compiled program whose weights are the candidate's: see
// api/guard-engine.ts), else under the reference interpreter (the QDQ graph computes what the integer kernels
// compute, within one quantization step).
import { DlcError } from '../compiler/errors.js';
import type { Graph } from '../compiler/ir/graph.js';
import type { Tensor } from '../compiler/ir/tensor.js';
import type { AccuracyGuard } from '../quantize/quantize-graph.js';
import type { Dataset } from './dataset.js';
import type { LineRecognizer } from './det-rec-cer.js';
import { evaluateGraph, graphRunner, sampleCount } from './evaluate.js';
import { METRICS, type MetricName } from './metrics.js';

/** Where the guard runs candidates: 'reference' is the interpreter, 'wasm' the compiled f32 kernels. */
export type GuardBackend = 'wasm' | 'reference';
export const GUARD_BACKENDS: readonly GuardBackend[] = ['wasm', 'reference'];

/** A faster way than the interpreter to run candidate graphs. */
export interface GuardEngine {
  backend: Exclude<GuardBackend, 'reference'>;
  /**
   * A synchronous runner of `graph`'s first output, or undefined when the engine cannot run it (its program
   * differs from the one compiled: low-rank factors change the layers); the guard then interprets it.
   * The runner is valid until the next call.
   */
  runnerFor(graph: Graph): ((feeds: Record<string, Tensor>) => Tensor) | undefined;
}

export interface GuardOptions {
  metric: MetricName;
  /** Largest drop in the metric's units (points of top-1 or CER). */
  maxDrop?: number;
  /** Least SQNR (dB) of the model's output against the f32 model's. */
  minSqnrDb?: number;
  limit?: number;
  keys?: readonly string[];
  engine?: GuardEngine;
  /** Samples the output SQNR of a candidate is measured on, with an engine (8 by default). */
  sensitivitySamples?: number;
  /** det-cer: the recognizer that reads the detected lines (synchronous: the guard runs inside the compiler). */
  recognizer?: LineRecognizer;
}

/** Samples of a candidate's output SQNR: enough for a stable figure on PP-OCR rec's lines, a fraction of the guard's cost. */
const SENSITIVITY_SAMPLES = 8;

export function datasetGuard(f32: Graph, dataset: Dataset, options: GuardOptions): AccuracyGuard {
  if ((options.maxDrop === undefined) === (options.minSqnrDb === undefined)) throw new DlcError('give the accuracy budget as either a largest drop or a least SQNR');
  const metric: MetricName = options.minSqnrDb !== undefined ? 'sqnr' : options.metric;
  const n = sampleCount(dataset, options.limit);
  const evaluations: Record<GuardBackend, number> = { wasm: 0, reference: 0 };
  const runnerFor = (graph: Graph) => {
    const compiled = options.engine?.runnerFor(graph);
    evaluations[compiled ? options.engine!.backend : 'reference']++;
    return compiled ?? graphRunner(graph);
  };
  const outputsOf = (run: (feeds: Record<string, Tensor>) => Tensor, count: number) => Array.from({ length: count }, (_, i) => run(dataset.sample(i)));
  const referenceOutputs = METRICS[metric].needsReference ? outputsOf(runnerFor(f32), n) : undefined;
  const k = Math.min(n, options.sensitivitySamples ?? SENSITIVITY_SAMPLES);
  let f32Outputs: Tensor[] | undefined;
  const outputSqnrDb = (graph: Graph) => {
    f32Outputs ??= referenceOutputs?.slice(0, k) ?? outputsOf(runnerFor(f32), k);
    return evaluateGraph(runnerFor(graph), dataset, { metric: 'sqnr', limit: k, referenceOutputs: f32Outputs });
  };
  return {
    metric,
    higherIsBetter: METRICS[metric].higherIsBetter,
    ...(options.engine ? { outputSqnrDb } : {}),
    budget: options.minSqnrDb !== undefined ? { minValue: options.minSqnrDb } : { maxDrop: options.maxDrop! },
    evaluate: (graph) => evaluateGraph(runnerFor(graph), dataset, { metric, limit: n, keys: options.keys, referenceOutputs, recognizer: options.recognizer }),
    evaluations: () => ({ ...evaluations }),
  };
}
