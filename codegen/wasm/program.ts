// The contract between the WASM code generator and its consumers (the artifact writer, the runtime, the CLI):
// one module that imports nothing, exports `memory` and `run()`, and reads and writes tensors at fixed byte
// offsets of its linear memory.
import type { DType } from '../../compiler/ir/dtype.js';
import type { Graph, SpecializedInput } from '../../compiler/ir/graph.js';
import type { ScheduleOverrides } from '../schedule.js';
import { compileGraphToWasm } from './compile.js';

export interface TensorSlot { name: string; dtype: DType; shape: number[]; offset: number }  // byte offset in linear memory
export interface WasmLayout { memoryBytes: number; weightsOffset: number; weightsBytes: number; inputs: TensorSlot[]; outputs: TensorSlot[] }
export interface WasmProgram {
  wasm: Uint8Array;
  weights: Uint8Array;
  layout: WasmLayout;
  kernels: number;
  /** Model inputs fixed at compile time (the graph's `specialized`), which the manifest records. */
  specialized?: SpecializedInput[];
}

export interface WasmCompileOptions {
  /** Schedules that replace the defaults, per anchor kind or per node name (a tuning record replays this way). */
  schedules?: ScheduleOverrides;
  /** Also export each kernel as `k<i>` (in run order), so that a profiler can time them one by one. */
  exportKernels?: boolean;
}

/** Compiles a graph with concrete shapes to one WebAssembly module; identical inputs give identical bytes. */
export async function compileToWasm(graph: Graph, options: WasmCompileOptions = {}): Promise<WasmProgram> {
  return { ...(await compileGraphToWasm(graph, options)), specialized: graph.specialized };
}
