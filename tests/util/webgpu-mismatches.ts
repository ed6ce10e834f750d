// Test support for the webgpu target as a whole: compile a small graph to a WebgpuProgram, run it through the
// runtime's executor on the process's Dawn device (every shader module must compile) and compare every
// output with the reference interpreter on seeded random inputs.
import { compareTensors } from '../../compiler/compare.js';
import { interpret } from '../../compiler/interpreter.js';
import type { Graph } from '../../compiler/ir/graph.js';
import type { Tensor } from '../../compiler/ir/tensor.js';
import { nodeGpuDevice } from '../../cli/webgpu-node.js';
import { feedsFor, TOLERANCE } from '../../codegen/wasm/testing.js';
import { compileToWebgpu, type WebgpuCompileOptions } from '../../codegen/wgsl/program.js';
import { loadWebgpuProgram } from '../../codegen/wgsl/run-program.js';

/** The outputs whose webgpu results differ from the interpreter's, with why (empty when all match); inputs not `given` are random. */
export async function webgpuMismatches(graph: Graph, seed = 1, options: WebgpuCompileOptions = {}, given: Record<string, Tensor> = {}): Promise<string[]> {
  const feeds = feedsFor(graph, seed, given);
  const want = interpret(graph, feeds);
  const program = await loadWebgpuProgram(await nodeGpuDevice(), compileToWebgpu(graph, options));
  const got = await program.run(feeds);
  const bad: string[] = [];
  for (const v of graph.outputs) {
    const d = compareTensors(got[v.name], want[v.name], TOLERANCE);
    if (d.mismatch) bad.push(`${v.name}: ${d.mismatch} (max abs error ${d.maxAbsError})`);
  }
  return bad;
}
