// The anchor kernels of the WebGPU target (matmul, gemm, convolutions, pools) by canonical op; each reads its
// GPU schedule from its context (codegen/schedule.ts).
import { convKernel, convTransposeKernel } from './conv.js';
import type { WgslKernelGenerator } from './kernel.js';
import { gemmKernel, matmulKernel } from './matmul.js';
import { globalPoolKernel, poolKernel } from './pool.js';

export const ANCHOR_KERNELS: Record<string, WgslKernelGenerator> = {
  matmul: matmulKernel,
  gemm: gemmKernel,
  conv: convKernel,
  conv_transpose: convTransposeKernel,
  max_pool: poolKernel,
  average_pool: poolKernel,
  global_average_pool: globalPoolKernel,
  global_max_pool: globalPoolKernel,
};
