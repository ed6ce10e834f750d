// Backends the conformance runner can drive.
import { runGraph } from '../../compiler/interpreter.js';
import { checkStaticShapes } from '../../compiler/shape-inputs.js';
import type { Graph } from '../../compiler/ir/graph.js';
import type { Tensor } from '../../compiler/ir/tensor.js';
import { loadBatch, WasmBatchBuilder } from '../../codegen/wasm/compile-batch.js';
import { compileToWasm } from '../../codegen/wasm/program.js';
import { loadProgram } from '../../codegen/wasm/run-program.js';
import { compileToWebgpu } from '../../codegen/wgsl/program.js';
import { loadWebgpuProgram } from '../../codegen/wgsl/run-program.js';
import { nodeGpuDevice } from '../../cli/webgpu-node.js';
import { PassManager } from '../../passes/manager.js';
import { DEFAULT_OPT_LEVEL, optPipeline } from '../../passes/pipelines.js';
import type { Backend, BatchedBackend } from './run-cases.js';

/** The reference interpreter, with every computed tensor checked against its inferred type. */
export const referenceBackend: Backend = (graph, inputs) => runGraph(graph, inputs, undefined, { checkTypes: true });

type Runner = (inputs: Tensor[]) => Tensor[];

/** Feeds inputs in graph-input order to a compiled graph and returns its outputs in graph-output order. */
function runnerOf(graph: Graph, run: (feeds: Record<string, Tensor>) => Record<string, Tensor>): Runner {
  return (inputs) => {
    const feeds: Record<string, Tensor> = {};
    graph.inputs.forEach((v, i) => (feeds[v.name] = inputs[i]));
    const out = run(feeds);
    return graph.outputs.map((v) => out[v.name]);
  };
}

/** One module for the graph alone, as `dlc compile --target wasm` builds it. */
async function compileAlone(graph: Graph): Promise<Runner | Error> {
  try {
    return runnerOf(graph, (await loadProgram(await compileToWasm(graph))).run);
  } catch (e) {
    return e as Error;
  }
}

/**
 * The wasm target after the default pipeline, many cases to a module (the AssemblyScript compiler's cost is
 * mostly per module). A graph the target rejects fails alone; when the batch's module does not compile (a
 * kernel generator bug), each of its graphs is compiled alone, so that the bug is pinned on its case.
 */
export const wasmBackend: BatchedBackend = {
  batchSize: 100,
  async compile(graphs) {
    const results: (Runner | Error | number)[] = [];
    const optimized: Graph[] = [];
    const builder = new WasmBatchBuilder();
    for (const graph of graphs) {
      let g = graph;
      try {
        g = new PassManager().run(optPipeline(DEFAULT_OPT_LEVEL), graph);
        checkStaticShapes(g);
        results.push(builder.add(g));
      } catch (e) {
        results.push(e as Error);
      }
      optimized.push(g);
    }
    if (builder.size === 0) return results as (Runner | Error)[];
    let members: Awaited<ReturnType<typeof loadBatch>>;
    try {
      members = await loadBatch(await builder.compile());
    } catch {
      return Promise.all(results.map((r, i) => (typeof r === 'number' ? compileAlone(optimized[i]) : r)));
    }
    return results.map((r, i) => (typeof r === 'number' ? runnerOf(optimized[i], members[r].run) : r));
  },
};

/**
 * The webgpu target after the default pipeline on the process's Dawn device, one artifact per case as `dlc
 * compile --target webgpu` builds it; a batch's artifacts are loaded together, so that their pipelines are
 * created in parallel. A shader that does not compile fails its case as a crash (a generator bug).
 */
export const webgpuBackend: BatchedBackend = {
  batchSize: 40,
  async compile(graphs) {
    const device = await nodeGpuDevice();
    return Promise.all(
      graphs.map(async (graph) => {
        try {
          const g = new PassManager().run(optPipeline(DEFAULT_OPT_LEVEL), graph);
          checkStaticShapes(g);
          const program = await loadWebgpuProgram(device, compileToWebgpu(g));
          return async (inputs: Tensor[]) => {
            const feeds: Record<string, Tensor> = {};
            g.inputs.forEach((v, i) => (feeds[v.name] = inputs[i]));
            try {
              const out = await program.run(feeds);
              return g.outputs.map((v) => out[v.name]);
            } finally {
              await program.release();
            }
          };
        } catch (e) {
          return e as Error;
        }
      }),
    );
  },
};

export const BACKENDS = { reference: referenceBackend, wasm: wasmBackend, webgpu: webgpuBackend } satisfies Record<string, Backend | BatchedBackend>;
