// Test graphs and their inputs for every target's tests: a small graph built from a spec, and seeded random
// tensors to feed it.
import { GraphBuilder } from '../../compiler/ir/builder.js';
import { isFloat, type DType } from '../../compiler/ir/dtype.js';
import { Graph, Value } from '../../compiler/ir/graph.js';
import { Tensor } from '../../compiler/ir/tensor.js';
import { seededRandom } from '../../compiler/random.js';
import '../../compiler/ops/index.js';

/** Seeded values in [-1, 1) for floats, small integers in [-4, 4) otherwise ([0, 8) unsigned, 0/1 for bool). */
export function randomTensor(dtype: DType, shape: readonly number[], seed: number): Tensor {
  const rand = seededRandom(seed);
  const n = shape.reduce((p, d) => p * d, 1);
  const values = Array.from({ length: n }, () => {
    const r = rand();
    if (isFloat(dtype)) return r;
    if (dtype === 'bool') return r > 0 ? 1 : 0;
    return Math.floor(r * 4) + (dtype.startsWith('u') ? 4 : 0);
  });
  return Tensor.fromArray(dtype, [...shape], values);
}

/** A random tensor for each graph input, input i seeded with `seed * 100 + i`. */
export function randomFeeds(graph: Graph, seed = 1): Record<string, Tensor> {
  const feeds: Record<string, Tensor> = {};
  graph.inputs.forEach((v, i) => (feeds[v.name] = randomTensor(v.type.dtype, v.type.shape as number[], seed * 100 + i)));
  return feeds;
}

export interface GraphSpec {
  inputs: Record<string, { dtype: DType; shape: number[] }>;
  /** Emits the nodes; returns the graph outputs. */
  build(b: GraphBuilder, x: Record<string, Value>): Value[];
}

export function buildGraph(spec: GraphSpec): Graph {
  const g = new Graph('test');
  const x: Record<string, Value> = {};
  for (const [name, t] of Object.entries(spec.inputs)) x[name] = new Value(name, { dtype: t.dtype, shape: [...t.shape] });
  g.inputs = Object.values(x);
  g.outputs = spec.build(new GraphBuilder(g), x);
  return g;
}
