// Test support for the webgpu target's own tests: compile a small graph to a WebgpuProgram, run it through the
// runtime's executor on the process's Dawn device (every shader module must compile) and compare every
// output with the reference interpreter on seeded random inputs (through the harness of tests/util/targets.ts).
import type { Graph } from '../../compiler/ir/graph.js';
import type { Tensor } from '../../compiler/ir/tensor.js';
import type { WebgpuCompileOptions } from '../../codegen/wgsl/program.js';
import { targetMismatches, TOLERANCES } from './targets.js';

/** The webgpu f32 row of the tolerance table. */
export const TOLERANCE = TOLERANCES.webgpu.f32!;

/** The outputs whose webgpu results differ from the interpreter's, with why (empty when all match). */
/** Inputs not `given` are random. */
export function webgpuMismatches(graph: Graph, seed = 1, options: WebgpuCompileOptions = {}, given: Record<string, Tensor> = {}): Promise<string[]> {
  return targetMismatches('webgpu', graph, { seed, webgpu: options, feeds: given });
}
