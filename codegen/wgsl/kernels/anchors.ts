// The anchor kernels of the WebGPU target (matmul, gemm, convolutions, pools) by canonical op, under the
// schedules of their tiled GEMM.
import type { WgslKernelGenerator } from './kernel.js';
import { DEFAULT_GPU_MATMUL, gemmKernel, matmulKernel, type GpuMatmulSchedule } from './matmul.js';

/** The GPU schedules of the anchor kernels (a `gpu` section for codegen/schedule.ts once it has one). */
export interface GpuSchedules {
  matmul: GpuMatmulSchedule;
}

export const DEFAULT_GPU_SCHEDULES: GpuSchedules = { matmul: DEFAULT_GPU_MATMUL };

/** The anchor generators under the given schedules. */
export function anchorKernels(s: GpuSchedules = DEFAULT_GPU_SCHEDULES): Record<string, WgslKernelGenerator> {
  return {
    matmul: (k) => matmulKernel(k, s.matmul),
    gemm: (k) => gemmKernel(k, s.matmul),
  };
}

export const ANCHOR_KERNELS: Record<string, WgslKernelGenerator> = anchorKernels();
