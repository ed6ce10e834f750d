// What the passes may know of the target they compile for: the ops it runs natively (legalize rewrites the
// others into those) and the limits a fused group must fit to be one kernel (fuse-ops respects them). Each
// code generation target (codegen/) provides one; passes never import codegen.
import type { Node } from './ir/graph.js';

export interface TargetLimits {
  /** Most tensors one kernel reads and writes (WebGPU: maxStorageBuffersPerShaderStage). */
  bindingsPerKernel: number;
  /** Most tensors a conv/matmul/gemm epilogue reads besides the anchor's own result. */
  epilogueOperands: number;
  /**
   * Whether the producers of a concat's pieces write them straight into its output where each piece is a
   * contiguous range of it (compiler/concat-in-place.ts), leaving the concat no kernel. Absent: a copy.
   */
  concatInPlace?: boolean;
}

export interface TargetInfo {
  name: string;
  /** Ops with a kernel on this target; legalize rewrites every other op it has a rule for. */
  nativeOps: ReadonlySet<string>;
  limits: TargetLimits;
  /**
   * Whether this target computes a conv/matmul/gemm layer faster in int8 than in f32 (measured by
   * `npm run bench:int8-kernels`); post-training quantization keeps the others in f32. Absent: every layer.
   */
  int8Pays?(layer: Node): boolean;
}

/**
 * The limits every target meets (WebGPU's defaults are the tightest): what passes assume when they compile
 * for no target in particular (`dlc inspect` without --target).
 */
export const PORTABLE_LIMITS: TargetLimits = { bindingsPerKernel: 8, epilogueOperands: 4 };
