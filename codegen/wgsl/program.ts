// The contract between the WGSL code generator and its consumers (the artifact writer, the runtime, the CLI):
// shader modules, GPU buffers, and the dispatches that run the model in order, each binding ranges of those
// buffers. Tensors are stored 4 bytes an element in the storage type of wgsl-target.ts.
import type { DType } from '../../compiler/ir/dtype.js';
import type { Graph, SpecializedInput } from '../../compiler/ir/graph.js';
import type { ProgramSignature, RunTimeExtent, StepDependencies } from '../../runtime/manifest.js';
import type { ScheduleOverrides } from '../schedule.js';
import { compileGraphToWebgpu, wgslFile } from './compile.js';
import type { StorageType } from './wgsl-target.js';

export interface GpuTensorSlot { name: string; dtype: DType; shape: number[]; storage: StorageType; buffer: number; extent?: RunTimeExtent }
export interface GpuBufferRange { buffer: number; offset: number; size: number }
/**
 * A shader module; with `requires`, one that needs those WGSL language features and `fallback`, the module
 * with the same bindings that computes the same in core WGSL (kernels/kernel.ts, WgslDispatch.preferred).
 */
export interface GpuModule { code: string; access: ('read' | 'read_write')[]; requires?: string[]; fallback?: number }
/** A range of the weights whose words pack narrower elements (kernels/kernel.ts, WeightEncoding). */
export interface WeightRange { offset: number; bytes: number; encoding: 'i8x4' }
/** `indirect`: the dispatch reads its workgroup counts there at run time (an If's arm); `workgroups` when taken. */
export interface WebgpuStep { module: number; bindings: GpuBufferRange[]; workgroups: [number, number, number]; indirect?: { buffer: number; offset: number } }

/** A word of a buffer: where a run-time loop's trip count (i32) or condition (u32, 0 or 1) lies. */
export interface GpuWord { buffer: number; offset: number }
/**
 * A run-time loop: steps [first, end) are its body, recorded once per iteration, at most `trips` times (a count,
 * or a word the steps before it wrote, read back once; absent: no bound), while `condIn` (read back once) and
 * then `condOut` (read back after each iteration) are non-zero.
 */
export interface WebgpuLoop { first: number; end: number; trips?: number | GpuWord; condIn?: GpuWord; condOut?: GpuWord }

export type Precision = 'f32' | 'f16';
/** The precision asked for, the one the arithmetic uses, how constant weights are stored, and why they differ. */
export interface PrecisionRecord { requested: Precision; used: Precision; weights: Precision; reason?: string }

export interface WebgpuProgram {
  /** Distinct shader modules (entry point `main`), in first-use order. */
  modules: GpuModule[];
  /** Byte size of each GPU buffer (a multiple of 4, at least 4). */
  buffers: number[];
  /** The buffer that holds the weights, uploaded once at load, and its bytes (null without constants). */
  weights: { buffer: number; data: Uint8Array; encodings: WeightRange[] } | null;
  steps: WebgpuStep[];
  inputs: GpuTensorSlot[];
  outputs: GpuTensorSlot[];
  /** Nodes (or fused groups) that became code. */
  kernels: number;
  /** Per step, the earlier steps it reads from; per output, the steps that write it. */
  dependencies: StepDependencies;
  /** The run-time loops (codegen/loop-bodies.ts), in order; absent without any. */
  loops?: WebgpuLoop[];
  precision: PrecisionRecord;
  /** Model inputs fixed at compile time (the graph's `specialized`), which the manifest records. */
  specialized?: SpecializedInput[];
  /** What the program is apart from the weights' values. */
  signature: ProgramSignature;
  /** Per step, the kernel (index in signature.kernels) it is a dispatch of: the manifest's steps[].kernel, for profilers. */
  stepKernels: number[];
}

export { wgslFile };

export interface WebgpuCompileOptions {
  /** Schedules that replace the defaults, per anchor kind or per node name. */
  schedules?: ScheduleOverrides;
  /** The precision asked for (f32 by default); the program records what it uses and why. */
  precision?: Precision;
}

/**
 * Compiles a graph with concrete shapes to WGSL dispatches; identical inputs give identical programs. Nothing
 * here is slow: the WGSL text is the kernels file (the device compiles it at load).
 */
export function compileToWebgpu(graph: Graph, options: WebgpuCompileOptions = {}): WebgpuProgram {
  return { ...compileGraphToWebgpu(graph, options), specialized: graph.specialized };
}
