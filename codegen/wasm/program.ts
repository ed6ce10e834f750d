// The contract between the WASM code generator and its consumers (the artifact writer, the runtime, the CLI):
// one module that imports nothing, exports `memory` and `run()`, and reads and writes tensors at fixed byte
// offsets of its linear memory.
import type { DType } from '../../compiler/ir/dtype.js';
import type { Graph, SpecializedInput } from '../../compiler/ir/graph.js';
import type { ProgramSignature, RunTimeExtent, StepDependencies } from '../../runtime/manifest.js';
import type { ScheduleOverrides } from '../schedule.js';
import type { PlanSizes } from '../memory-plan.js';
import type { KernelDecisions } from './kernels/kernel.js';
import type { DimRange, SymbolicShape } from '../../runtime/symbolic-dims.js';
import { compileWasmProgram, generateGraphWasm } from './compile.js';

export { compileWasmProgram };

// offset: byte offset in linear memory; symbolicShape: of a shape-generic program (shape is then the largest).
export interface TensorSlot { name: string; dtype: DType; shape: number[]; offset: number; extent?: RunTimeExtent; symbolicShape?: SymbolicShape }
export interface WasmLayout { memoryBytes: number; weightsOffset: number; weightsBytes: number; inputs: TensorSlot[]; outputs: TensorSlot[] }
export interface WasmProgram {
  wasm: Uint8Array;
  weights: Uint8Array;
  layout: WasmLayout;
  kernels: number;
  /** Model inputs fixed at compile time (the graph's `specialized`), which the manifest records. */
  specialized?: SpecializedInput[];
  /** What the program is apart from the weights' values (absent for modules not made by the code generator). */
  signature?: ProgramSignature;
  /** What each kernel reads from; with it the module exports `step(i)`, which runs kernel i alone. */
  dependencies?: StepDependencies;
  /**
   * Threads the module was built for, when more than one: it then imports a shared memory of
   * layout.memoryBytes as `env.memory` and exports `run(tid, nthreads)`, which every thread calls.
   */
  threads?: number;
  /** A shape-generic program's dims (codegen/shape-generic): the module exports `setDims`. */
  dims?: DimRange[];
}

/**
 * A program generated but not compiled: its AssemblyScript module, memory plan and weights image, everything
 * but the module's bytes and its static data's end, which only the AssemblyScript compiler (seconds) gives.
 */
export interface WasmSource {
  source: string;
  /** Where the memory plan ends: the module's static data goes above it. */
  planEnd: number;
  weights: Uint8Array;
  layout: Omit<WasmLayout, 'memoryBytes'>;
  kernels: number;
  signature: ProgramSignature;
  specialized?: SpecializedInput[];
  dependencies: StepDependencies;
  /** As WasmProgram's. */
  threads?: number;
  /** The sizes its memory plan was made for (a shape-generic program plans every shape for its largest's). */
  planSizes?: PlanSizes;
  /** As WasmProgram's. */
  dims?: DimRange[];
}

export interface WasmCompileOptions {
  /** Schedules that replace the defaults, per anchor kind or per node name (a tuning record replays this way). */
  schedules?: ScheduleOverrides;
  /** Also export each kernel as `k<i>` (in run order), so that a profiler can time them one by one. */
  exportKernels?: boolean;
  /** Build for this many threads (kernels/threads.ts); 1, the default, builds the one-thread module. */
  threads?: number;
  /**
   * Kernels of fewer FLOPs that move fewer bytes run on thread 0 of a threaded module (defaults MIN_SPLIT_FLOPS
   * and MIN_SPLIT_BYTES, compile.ts).
   */
  minSplitFlops?: number;
  minSplitBytes?: number;
  /**
   * Count each kernel's runs (on thread 0) and export `kernelRuns(i)`, its count: a test hook that shows which
   * kernels a run ran (an If's untaken arm runs none). Never in artifacts.
   */
  countKernelRuns?: boolean;
  /** Plan memory for these sizes instead of the graph's own (codegen/shape-generic: the largest shape's). */
  planSizes?: PlanSizes;
  /** Record the kernels' choices (KernelContext.decide), or replay another shape's. */
  decisions?: KernelDecisions;
  /** Generate for a shape-generic program (KernelContext.shapeGeneric). */
  shapeGeneric?: boolean;
}

/** Generates a graph's program (concrete shapes) without compiling it: cheap, and the same for identical inputs. */
export function generateWasmProgram(graph: Graph, options: WasmCompileOptions = {}): WasmSource {
  return { ...generateGraphWasm(graph, options), specialized: graph.specialized };
}

/** Compiles a graph with concrete shapes to one WebAssembly module: generateWasmProgram, then compileWasmProgram. */
export async function compileToWasm(graph: Graph, options: WasmCompileOptions = {}): Promise<WasmProgram> {
  return compileWasmProgram(generateWasmProgram(graph, options));
}
