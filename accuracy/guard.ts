// The accuracy guard of post-training quantization, measured on a data set: the metric of each candidate
// graph under the reference interpreter (the QDQ graph computes what the integer kernels compute, within
// one quantization step), against a budget given as a largest drop or, for SQNR, a least value.
import { DlcError } from '../compiler/errors.js';
import type { Graph } from '../compiler/ir/graph.js';
import type { AccuracyGuard } from '../quantize/quantize-graph.js';
import type { Dataset } from './dataset.js';
import type { LineRecognizer } from './det-rec-cer.js';
import { evaluateGraph, graphRunner, sampleCount } from './evaluate.js';
import { METRICS, type MetricName } from './metrics.js';

export interface GuardOptions {
  metric: MetricName;
  /** Largest drop in the metric's units (points of top-1 or CER). */
  maxDrop?: number;
  /** Least SQNR (dB) of the model's output against the f32 model's. */
  minSqnrDb?: number;
  limit?: number;
  keys?: readonly string[];
  /** det-cer: the recognizer that reads the detected lines (synchronous: the guard runs inside the compiler). */
  recognizer?: LineRecognizer;
}

export function datasetGuard(f32: Graph, dataset: Dataset, options: GuardOptions): AccuracyGuard {
  if ((options.maxDrop === undefined) === (options.minSqnrDb === undefined)) throw new DlcError('give the accuracy budget as either a largest drop or a least SQNR');
  const metric: MetricName = options.minSqnrDb !== undefined ? 'sqnr' : options.metric;
  const n = sampleCount(dataset, options.limit);
  const run = graphRunner(f32);
  const referenceOutputs = METRICS[metric].needsReference ? Array.from({ length: n }, (_, i) => run(dataset.sample(i))) : undefined;
  return {
    metric,
    higherIsBetter: METRICS[metric].higherIsBetter,
    budget: options.minSqnrDb !== undefined ? { minValue: options.minSqnrDb } : { maxDrop: options.maxDrop! },
    evaluate: (graph) => evaluateGraph(graph, dataset, { metric, limit: n, keys: options.keys, referenceOutputs, recognizer: options.recognizer }),
  };
}
