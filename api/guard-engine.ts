// The compiled accuracy guard: compression's candidates (pruned, shared, ternary weights) change weight values
// only, so the f32 model's program is compiled once (its kernels) and each candidate runs on those kernels with
// its own weights image, as `update-weights` re-ships a retrained model. A candidate goes through the same
// finishing passes and code generator (no kernel compiled); where its program's signature differs from the
// compiled one (low-rank factors make new layers), the guard interprets it instead. Candidates that run
// compiled take the wasm program's time per sample (PP-OCRv4 rec: tens of ms a line instead of seconds).
import { GUARD_BACKENDS, type GuardBackend, type GuardEngine } from '../accuracy/guard.js';
import { DlcError, UsageError } from '../compiler/errors.js';
import type { Graph } from '../compiler/ir/graph.js';
import { importOnnx } from '../compiler/onnx/frontend.js';
import { TARGET_INFO, type TargetName } from '../codegen/targets.js';
import { compileWasmProgram, generateWasmProgram, type WasmProgram, type WasmSource } from '../codegen/wasm/program.js';
import { loadProgram } from '../codegen/wasm/run-program.js';
import type { ScheduleOverrides } from '../codegen/schedule.js';
import { PassManager } from '../passes/manager.js';
import { DEFAULT_OPT_LEVEL, parsePipeline, quantizationPipelines } from '../passes/pipelines.js';
import type { CompileOptions } from './compile.js';
import { inModelFile, readModel } from './optimize.js';

export interface WasmGuardEngineOptions {
  /** The pipeline that turns a candidate (the f32 graph compression sees) into the graph code is generated from. */
  finish: string;
  schedules?: ScheduleOverrides;
}

export interface WasmGuardEngine extends GuardEngine {
  /**
   * The compiled program for `source` when its AssemblyScript is the engine's (a compressed model's program is the
   * f32 one's with other weights): compile then reuses the module instead of compiling the same code twice.
   */
  compiledAs(source: WasmSource): WasmProgram | undefined;
}

/** Compiles `f32` (a graph as compression sees it) for one wasm thread, and runs candidates of its signature on it. */
export async function wasmGuardEngine(f32: Graph, options: WasmGuardEngineOptions): Promise<WasmGuardEngine> {
  const finish = parsePipeline(options.finish);
  const manager = new PassManager({ target: TARGET_INFO.wasm });
  const programOf = (graph: Graph) => generateWasmProgram(manager.run(finish, graph), { schedules: options.schedules });
  const source = programOf(f32);
  const compiled = await compileWasmProgram(source);
  const loaded = await loadProgram(compiled);
  const output = f32.outputs[0].name;
  return {
    backend: 'wasm',
    compiledAs(other) {
      if (other.source !== source.source || other.planEnd !== source.planEnd || other.threads !== source.threads) return undefined;
      const { weights, layout, kernels, signature, specialized, dependencies } = other;
      return { wasm: compiled.wasm, weights, layout: { ...layout, memoryBytes: compiled.layout.memoryBytes }, kernels, signature, specialized, dependencies };
    },
    runnerFor(graph) {
      const program = programOf(graph);
      if (program.signature.sha256 !== source.signature.sha256) return undefined;
      loaded.setWeights(program.weights);
      return (feeds) => loaded.run(feeds)[output];
    },
  };
}

export function parseGuardBackend(name: string): GuardBackend {
  if (!(GUARD_BACKENDS as readonly string[]).includes(name)) throw new UsageError(`unknown guard backend '${name}' (have: ${GUARD_BACKENDS.join(', ')})`);
  return name as GuardBackend;
}

/**
 * The engine compile's compression guard runs candidates on: with a guard and the wasm backend (the default),
 * the model's f32 program compiled for wasm; undefined for the reference backend. By default a model the wasm
 * target cannot compile falls back to the interpreter, told through `warn`; asked for by name, it is an error.
 */
export async function compressionGuardEngine(model: Uint8Array | string, options: CompileOptions): Promise<WasmGuardEngine | undefined> {
  const compress = options.compress;
  if (!compress?.guard || compress.guardBackend === 'reference') return undefined;
  if (compress.guardBackend !== undefined) parseGuardBackend(compress.guardBackend);
  const source = readModel(model);
  try {
    return await inModelFile(source, () => {
      const { graph } = importOnnx(source.bytes, { file: source.file, inputShapes: options.inputShapes ?? {}, inputValues: options.inputValues ?? {} });
      const pipelines = quantizationPipelines(options.optLevel ?? DEFAULT_OPT_LEVEL);
      // The graph compression sees, as optimize makes it for the artifact's target.
      const target: TargetName = options.target;
      const f32 = new PassManager({ target: TARGET_INFO[target] }).run(parsePipeline(pipelines.optimize), graph);
      return wasmGuardEngine(f32, { finish: pipelines.finish, schedules: target === 'wasm' ? options.schedules : undefined });
    });
  } catch (e) {
    if (compress.guardBackend === 'wasm' || !(e instanceof DlcError)) throw e;
    options.instruments?.warn?.(`the accuracy guard runs in the reference interpreter: the model does not compile for wasm (${e.message.split('\n')[0]})`);
    return undefined;
  }
}
