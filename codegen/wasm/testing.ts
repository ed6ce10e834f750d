// Test support: build a small graph, compile it to wasm, run it on seeded random inputs and compare every
// output with the reference interpreter.
import { compareTensors } from '../../compiler/compare.js';
import { interpret } from '../../compiler/interpreter.js';
import { GraphBuilder } from '../../compiler/ir/builder.js';
import { isFloat, type DType } from '../../compiler/ir/dtype.js';
import { Graph, Value } from '../../compiler/ir/graph.js';
import { Tensor } from '../../compiler/ir/tensor.js';
import { seededRandom } from '../../compiler/random.js';
import '../../compiler/ops/index.js';
import type { WasmCompileOptions } from './program.js';
import { compileToWasm } from './program.js';
import { loadProgram } from './run-program.js';

export const TOLERANCE = { atol: 1e-4, rtol: 1e-3 };

/** Seeded values in [-1, 1) for floats, small integers in [-4, 4) otherwise (0/1 for bool). */
export function randomTensor(dtype: DType, shape: number[], seed: number): Tensor {
  const rand = seededRandom(seed);
  const n = shape.reduce((p, d) => p * d, 1);
  const values = Array.from({ length: n }, () => {
    const r = rand();
    if (isFloat(dtype)) return r;
    if (dtype === 'bool') return r > 0 ? 1 : 0;
    return Math.floor(r * 4) + (dtype.startsWith('u') ? 4 : 0);
  });
  return Tensor.fromArray(dtype, shape, values);
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

/** Seeded random feeds for a graph's inputs, except those `given`. */
export function feedsFor(graph: Graph, seed: number, given: Record<string, Tensor> = {}): Record<string, Tensor> {
  const feeds: Record<string, Tensor> = {};
  graph.inputs.forEach((v, i) => (feeds[v.name] = given[v.name] ?? randomTensor(v.type.dtype, v.type.shape as number[], seed * 100 + i)));
  return feeds;
}

/**
 * The outputs whose wasm results differ from the interpreter's, with why (empty when all match), on seeded
 * random inputs except those `given`.
 */
export async function mismatches(graph: Graph, seed = 1, options: WasmCompileOptions = {}, given: Record<string, Tensor> = {}): Promise<string[]> {
  const feeds = feedsFor(graph, seed, given);
  const want = interpret(graph, feeds);
  const got = (await loadProgram(await compileToWasm(graph, options))).run(feeds);
  const bad: string[] = [];
  for (const v of graph.outputs) {
    const d = compareTensors(got[v.name], want[v.name], TOLERANCE);
    if (d.mismatch) bad.push(`${v.name}: ${d.mismatch} (max abs error ${d.maxAbsError})`);
  }
  return bad;
}
