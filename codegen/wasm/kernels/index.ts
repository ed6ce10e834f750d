// The kernel generator of each op the wasm target supports (element-wise ops are found through
// ELEMENTWISE_OPS in the C-like base and need no entry).
import { convKernel, convTransposeKernel } from './conv.js';
import { eyeLikeKernel, gatherNdKernel, scatterElementsKernel, scatterNdKernel } from './indexing.js';
import { integerConvKernel, integerMatmulKernel } from './integer.js';
import type { KernelGenerator } from './kernel.js';
import { detKernel, dftKernel } from './linalg.js';
import { lossKernel } from './loss.js';
import { maxPoolKernel } from './max-pool-indices.js';
import { gemmKernel, matmulKernel } from './matmul.js';
import { concatKernel, depthSpaceKernel, dropoutKernel, gatherElementsKernel, gatherKernel, padKernel, shapeKernel, sliceKernel, splitKernel, tileKernel, transposeKernel, viewKernel } from './movement.js';
import { globalPoolKernel, poolKernel } from './pool.js';
import { argReduceKernel, batchNormKernel, instanceNormKernel, layerNormKernel, reduceKernel, softmaxKernel } from './reduce.js';
import { recurrentKernel } from './recurrent.js';
import { resizeKernel } from './resize.js';
import { reverseSequenceKernel } from './reverse-sequence.js';
import { runTimeCumSumKernel, runTimeTriluKernel } from './run-time-operands.js';
import { maxUnpoolKernel } from './unpool.js';
import { withEmptyOperandsKnown } from '../../movement-geometry.js';

const REDUCTIONS = ['sum', 'mean', 'max', 'min', 'prod', 'l1', 'l2', 'log_sum', 'log_sum_exp', 'sum_square'];

export const KERNELS: Readonly<Record<string, KernelGenerator>> = {
  matmul: matmulKernel,
  gemm: gemmKernel,
  conv: convKernel,
  conv_transpose: convTransposeKernel,
  max_pool: maxPoolKernel,
  average_pool: poolKernel,
  global_average_pool: globalPoolKernel,
  global_max_pool: globalPoolKernel,
  softmax: softmaxKernel,
  log_softmax: softmaxKernel,
  hardmax: softmaxKernel,
  instance_normalization: instanceNormKernel,
  batch_normalization: batchNormKernel,
  layer_normalization: layerNormKernel,
  resize: resizeKernel,
  reshape: viewKernel,
  flatten: viewKernel,
  squeeze: viewKernel,
  unsqueeze: viewKernel,
  identity: viewKernel,
  dropout: dropoutKernel,
  transpose: transposeKernel,
  concat: concatKernel,
  split: splitKernel,
  slice: sliceKernel,
  gather: gatherKernel,
  pad: padKernel,
  tile: tileKernel,
  gather_elements: gatherElementsKernel,
  trilu: runTimeTriluKernel,
  depth_to_space: depthSpaceKernel,
  space_to_depth: depthSpaceKernel,
  cum_sum: runTimeCumSumKernel,
  shape: shapeKernel,
  size: shapeKernel,
  arg_max: argReduceKernel,
  arg_min: argReduceKernel,
  gather_nd: gatherNdKernel,
  scatter_nd: scatterNdKernel,
  scatter_elements: scatterElementsKernel,
  eye_like: eyeLikeKernel,
  matmul_integer: integerMatmulKernel,
  qlinear_matmul: integerMatmulKernel,
  conv_integer: integerConvKernel,
  qlinear_conv: integerConvKernel,
  reverse_sequence: reverseSequenceKernel,
  max_unpool: maxUnpoolKernel,
  det: detKernel,
  dft: dftKernel,
  negative_log_likelihood_loss: lossKernel,
  softmax_cross_entropy_loss: lossKernel,
  rnn: recurrentKernel,
  gru: recurrentKernel,
  lstm: recurrentKernel,
  ...Object.fromEntries(REDUCTIONS.map((r) => [`reduce_${r}`, withEmptyOperandsKnown(reduceKernel)])),
};
