// Evaluation of a model on a data set: each sample's feeds go through a runner (the reference interpreter on a
// graph, or a compiled artifact's session), and the first output of every sample is scored by the metric.
import { DlcError } from '../compiler/errors.js';
import { interpret } from '../compiler/interpreter.js';
import type { Graph } from '../compiler/ir/graph.js';
import type { Tensor } from '../compiler/ir/tensor.js';
import type { Dataset } from './dataset.js';
import { detRecCerAsync, type AsyncLineRecognizer, type LineRecognizer } from './det-rec-cer.js';
import { detCerInputs, METRICS, scoreMetric, type MetricName } from './metrics.js';

/** A model's first output for one sample's feeds. */
export type SampleRunner = (feeds: Record<string, Tensor>) => Tensor | Promise<Tensor>;

export interface EvaluateOptions {
  metric: MetricName;
  /** The first samples only. */
  limit?: number;
  /** The model that agreement and sqnr compare with. */
  reference?: SampleRunner;
  keys?: readonly string[];
  /** det-cer: the recognizer that reads the detected lines (a runtime session may answer asynchronously). */
  recognizer?: AsyncLineRecognizer;
}

export interface Evaluation {
  metric: MetricName;
  value: number;
  unit: '%' | 'dB';
  higherIsBetter: boolean;
  samples: number;
}

export function sampleCount(dataset: Dataset, limit?: number): number {
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 1)) throw new DlcError(`the sample limit must be a positive integer, got ${limit}`);
  return Math.min(dataset.count, limit ?? dataset.count);
}

export async function evaluate(run: SampleRunner, dataset: Dataset, options: EvaluateOptions): Promise<Evaluation> {
  const n = sampleCount(dataset, options.limit);
  const info = METRICS[options.metric];
  if (info.needsReference && !options.reference) throw new DlcError(`${options.metric} compares with a reference model (--reference MODEL)`);
  const outputs: Tensor[] = [];
  const reference: Tensor[] = [];
  const inputs: Tensor[] = [];
  for (let i = 0; i < n; i++) {
    const feeds = dataset.sample(i);
    outputs.push(await run(feeds));
    if (options.reference) reference.push(await options.reference(feeds));
    inputs.push(Object.values(feeds)[0]);
  }
  const done = (value: number): Evaluation => ({ metric: options.metric, value, unit: info.unit, higherIsBetter: info.higherIsBetter, samples: n });
  if (options.metric === 'det-cer') {
    const { labels, keys } = detCerInputs({ labels: sliceLabels(dataset, n), keys: options.keys });
    if (!options.recognizer) throw new DlcError('det-cer reads the detected lines with a recognizer (--recognizer REC.onnx)');
    return done(100 * (await detRecCerAsync(inputs, outputs, labels, keys, options.recognizer)).cer);
  }
  return done(scoreMetric(options.metric, { outputs, labels: sliceLabels(dataset, n), reference: options.reference ? reference : undefined, keys: options.keys }));
}

/** The reference interpreter as a runner: the first output of `graph`. */
export function graphRunner(graph: Graph): (feeds: Record<string, Tensor>) => Tensor {
  return (feeds) => interpret(graph, feeds)[graph.outputs[0].name];
}

/** The metric of a synchronous runner (a graph's, or a compiled program's) on the first `n` samples: the accuracy guard's inner loop. */
export function evaluateGraph(run: (feeds: Record<string, Tensor>) => Tensor, dataset: Dataset, options: Omit<EvaluateOptions, 'recognizer'> & { referenceOutputs?: readonly Tensor[]; recognizer?: LineRecognizer }): number {
  const n = sampleCount(dataset, options.limit);
  const samples = Array.from({ length: n }, (_, i) => dataset.sample(i));
  const outputs = samples.map(run);
  const inputs = samples.map((feeds) => Object.values(feeds)[0]);
  return scoreMetric(options.metric, { outputs, labels: sliceLabels(dataset, n), reference: options.referenceOutputs, keys: options.keys, inputs, recognizer: options.recognizer });
}

function sliceLabels(dataset: Dataset, n: number): Dataset['labels'] {
  const l = dataset.labels;
  if (!l) return undefined;
  if (l.length < n) throw new DlcError(`the data set has ${l.length} labels for ${dataset.count} samples`, { file: dataset.dir });
  return l instanceof Int32Array ? l.subarray(0, n) : l.slice(0, n);
}
