// The GEMM that matmul, gemm and the GEMM-based convolutions share: C[b] = A[b]·B[b] (A: M×K, B: K×N) per
// batch b, with operands and the store given as WGSL functions, so that a convolution's B is an implicit
// im2col and gemm's transposed or broadcast operands are just other index maps. Small GEMMs run untiled
// (gemm-direct.ts), larger ones on workgroup tiles (gemm-tiled.ts); the schedule (codegen/schedule.ts) decides.
import type { Value } from '../../../compiler/ir/graph.js';
import { checkGpuMatmulSchedule, type GpuMatmulSchedule } from '../../schedule.js';
import { directGemm } from './gemm-direct.js';
import { tiledGemm } from './gemm-tiled.js';
import type { WgslDispatch } from './kernel.js';
import type { ModuleBindings } from './module-bindings.js';

/** One operand of the GEMM as WGSL function bodies over (b: u32, row: u32, col: u32), row and col in range. */
export interface GemmOperand {
  /** Returns the f32 element. */
  scalar(mb: ModuleBindings): string;
  /** Returns elements col..col+3 of the row as a vec4 (col a multiple of 4); absent when the layout has no vec4 rows. */
  vec4?(mb: ModuleBindings): string;
}

export interface GemmSpec {
  m: number;
  n: number;
  k: number;
  batch: number;
  a: GemmOperand;
  b: GemmOperand;
  /** Body of fn(b, row, col, v: f32) storing the finished C element (bias, scaling and epilogue applied). */
  store(mb: ModuleBindings): string;
  /** The same for v: vec4<f32>, elements col..col+3 (col a multiple of 4 below N); absent unless N % 4 = 0. */
  store4?(mb: ModuleBindings): string;
}

/** The dispatches of C = A·B under schedule `schedule`; `scratch` gives the split-K partial sums their buffer. */
export function gemmDispatches(g: GemmSpec, schedule: GpuMatmulSchedule, scratch: (shape: number[]) => Value): WgslDispatch[] {
  if (g.m === 0 || g.n === 0 || g.batch === 0) return [];
  const s = checkGpuMatmulSchedule(schedule);
  return g.m * g.n * g.k * g.batch < s.directBelow ? [directGemm(g)] : tiledGemm(g, s, scratch);
}
