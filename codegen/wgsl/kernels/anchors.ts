// The anchor kernels of the WebGPU target (matmul, gemm, convolutions, pools) by canonical op, under the
// schedules of their tiled GEMM.
import { convKernel, convTransposeKernel } from './conv.js';
import type { WgslKernelGenerator } from './kernel.js';
import { globalPoolKernel, poolKernel } from './pool.js';
import { DEFAULT_GPU_MATMUL, gemmKernel, matmulKernel, type GpuMatmulSchedule } from './matmul.js';

/** The GPU schedules of the anchor kernels (a `gpu` section for codegen/schedule.ts once it has one). */
export interface GpuSchedules {
  matmul: GpuMatmulSchedule;
  /** The GEMM tile of implicit-GEMM convolutions. */
  conv: GpuMatmulSchedule;
}

export const DEFAULT_GPU_SCHEDULES: GpuSchedules = { matmul: DEFAULT_GPU_MATMUL, conv: DEFAULT_GPU_MATMUL };

/** The anchor generators under the given schedules. */
export function anchorKernels(s: GpuSchedules = DEFAULT_GPU_SCHEDULES): Record<string, WgslKernelGenerator> {
  return {
    matmul: (k) => matmulKernel(k, s.matmul),
    gemm: (k) => gemmKernel(k, s.matmul),
    conv: (k) => convKernel(k, s.conv),
    conv_transpose: convTransposeKernel,
    max_pool: poolKernel,
    average_pool: poolKernel,
    global_average_pool: globalPoolKernel,
    global_max_pool: globalPoolKernel,
  };
}

export const ANCHOR_KERNELS: Record<string, WgslKernelGenerator> = anchorKernels();
