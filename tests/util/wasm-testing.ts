// Test support for the wasm target's own tests: compile a small graph to wasm, run it on seeded random inputs
// and compare every output with the reference interpreter (through the harness of tests/util/targets.ts).
import type { Graph } from '../../compiler/ir/graph.js';
import type { Tensor } from '../../compiler/ir/tensor.js';
import type { WasmCompileOptions } from '../../codegen/wasm/program.js';
import { targetMismatches, TOLERANCES } from './targets.js';

export { buildGraph, randomTensor, type GraphSpec } from './graphs.js';

/** The wasm f32 row of the tolerance table. */
export const TOLERANCE = TOLERANCES.wasm.f32!;

/** The outputs whose wasm results differ from the interpreter's, with why (empty when all match); inputs not `given` are random. */
export function mismatches(graph: Graph, seed = 1, options: WasmCompileOptions = {}, given: Record<string, Tensor> = {}): Promise<string[]> {
  return targetMismatches('wasm', graph, { seed, wasm: options, feeds: given });
}
