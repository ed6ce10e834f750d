// What a WGSL kernel generator sees and returns. A generator turns one node (or the anchor of a fused group)
// into one or more compute dispatches with shapes baked in as constants. Tensors are bindings, not
// addresses: the executor binds each value's buffer (or its range of the memory plan) at the binding index
// the dispatch lists, so generators never depend on where tensors live.
import type { DType } from '../../../compiler/ir/dtype.js';
import type { Value } from '../../../compiler/ir/graph.js';
import type { Tensor } from '../../../compiler/ir/tensor.js';
import type { KernelSite } from '../../lower.js';

/** WebGPU's default limits (DESIGN.md): a kernel must fit all of them. */
export const WGSL_LIMITS = {
  storageBuffersPerStage: 8,
  workgroupStorageBytes: 16384,
  invocationsPerWorkgroup: 256,
  workgroupsPerDimension: 65535,
} as const;

export interface WgslBinding {
  value: Value;
  /** `read`: var<storage, read>; `read_write`: the dispatch writes it. */
  access: 'read' | 'read_write';
}

export interface WgslDispatch {
  /** A whole WGSL module: entry point `main`; binding i of `bindings` is `@group(0) @binding(i)`. */
  code: string;
  /** At most WGSL_LIMITS.storageBuffersPerStage. */
  bindings: WgslBinding[];
  /** Workgroups to dispatch, each at most WGSL_LIMITS.workgroupsPerDimension. */
  workgroups: [number, number, number];
  /**
   * A faster module computing the same, with the same bindings and workgroups, that needs WGSL language
   * features (navigator.gpu.wgslLanguageFeatures) a device may lack: the artifact ships both, and the runtime
   * runs this one where every feature in `requires` is present and `code` elsewhere.
   */
  preferred?: { code: string; requires: string[] };
  /**
   * Dispatched indirectly: the workgroup counts are record `record` (three u32) of `value`, which an If's
   * decision dispatch fills at run time (branch-workgroups.ts): `workgroups` in the taken arm, zeros otherwise.
   */
  indirect?: { value: Value; record: number };
}

/**
 * How a compile-time constant's bytes are laid out when they are not one element per 4-byte word of its
 * storage type: 'i8x4', four i8 weights per u32 word (int8-packing.ts). The manifest lists these ranges of
 * weights.bin; kernels read them as they are.
 */
export type WeightEncoding = 'i8x4';

/**
 * Where a kernel applies an epilogue: the epilogue binds the tensors it reads through it (f32 arrays, read)
 * and declares the module-scope functions it calls (each text once per module).
 */
export interface EpilogueSite {
  bind(v: Value): string;
  declare(text: string): void;
}

/**
 * An element-wise function applied to every value a kernel stores: a fused activation, or a fused group's
 * epilogue (codegen/wgsl/group-epilogue.ts) that also reads other tensors at the stored element. `scalar(v,
 * at, site)` is a WGSL expression of `v`, the anchor's value of output element `at` (a u32 expression);
 * `vec4(v, at, site)` the same for a vec4 of output elements at..at+3 (at a multiple of 4). `v` is of the
 * anchor's result type — f32, or the exact i32 sum of an integer anchor (conv_integer, matmul_integer) — and
 * the result is of the storage type of the kernel's output dtype (f32; i32/u32 for a requantized i8/u8
 * output, or the i32 sum itself).
 */
export interface WgslEpilogue {
  name: string;
  scalar(v: string, at: string, site: EpilogueSite): string;
  vec4(v: string, at: string, site: EpilogueSite): string;
}

export interface WgslKernelContext extends KernelSite {
  /**
   * How constant conv/matmul/gemm weights ship: f32, or f16 pairs in u32 words (halfWeights in matmul.ts,
   * `--precision f16`), read back to f32 as they load.
   */
  weights: 'f32' | 'f16';
  /**
   * A fused activation or group epilogue: output(0) is then the activation's (group's) output, and the kernel
   * applies it to every element it stores.
   */
  epilogue?: WgslEpilogue;
  /**
   * A compile-time tensor (repacked weights, an index table) placed in the weights, as a value to bind; with
   * an encoding when its words pack narrower elements.
   */
  constant(t: Tensor, encoding?: WeightEncoding): Value;
  /** A tensor private to this kernel's dispatches (an im2col buffer, split-K partial sums). */
  scratch(dtype: DType, shape: number[]): Value;
}

/** The dispatches of one kernel in order, or null when the node needs no code (its outputs alias its inputs). */
export type WgslKernelGenerator = (k: WgslKernelContext) => WgslDispatch[] | null;
