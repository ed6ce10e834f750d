// Test support for the wasm target's own tests: compile a small graph to wasm, run it on seeded random inputs
// and compare every output with the reference interpreter.
import { compareTensors } from '../../compiler/compare.js';
import { interpret } from '../../compiler/interpreter.js';
import type { Graph } from '../../compiler/ir/graph.js';
import type { WasmCompileOptions } from '../../codegen/wasm/program.js';
import { compileToWasm } from '../../codegen/wasm/program.js';
import { loadProgram } from '../../codegen/wasm/run-program.js';
import { randomFeeds } from './graphs.js';

export { buildGraph, randomTensor, type GraphSpec } from './graphs.js';

export const TOLERANCE = { atol: 1e-4, rtol: 1e-3 };

/** The outputs whose wasm results differ from the interpreter's, with why (empty when all match). */
export async function mismatches(graph: Graph, seed = 1, options: WasmCompileOptions = {}): Promise<string[]> {
  const feeds = randomFeeds(graph, seed);
  const want = interpret(graph, feeds);
  const got = (await loadProgram(await compileToWasm(graph, options))).run(feeds);
  const bad: string[] = [];
  for (const v of graph.outputs) {
    const d = compareTensors(got[v.name], want[v.name], TOLERANCE);
    if (d.mismatch) bad.push(`${v.name}: ${d.mismatch} (max abs error ${d.maxAbsError})`);
  }
  return bad;
}
