// Calibration: the f32 program runs on the calibration samples (the reference interpreter, which every target
// is checked against) and each observed value's elements feed a statistics collector, whose range sets the
// value's quantization parameters.
import { interpret } from '../compiler/interpreter.js';
import type { Graph, Value } from '../compiler/ir/graph.js';
import type { Tensor } from '../compiler/ir/tensor.js';
import { TensorStatistics, type CalibratorName, type Range } from './calibrators.js';

export type Feeds = Record<string, Tensor>;

/** The clipping range of each value in `values`, observed over every sample. */
export function calibrate(graph: Graph, samples: readonly Feeds[], values: readonly Value[], calibrator: CalibratorName): Map<Value, Range> {
  const stats = new Map<Value, TensorStatistics>(values.map((v) => [v, new TensorStatistics(calibrator)]));
  for (const feeds of samples) {
    // Graph inputs are observed from the feeds: no node computes them.
    for (const v of graph.inputs) stats.get(v)?.observe(feeds[v.name].data);
    interpret(graph, feeds, { observe: (v, t) => stats.get(v)?.observe(t.data) });
  }
  return new Map([...stats].map(([v, s]) => [v, s.range()]));
}
