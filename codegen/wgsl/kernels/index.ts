// The WGSL kernel generator of each op the webgpu target supports: the anchors (matmul, gemm, conv,
// conv_transpose, pools) and the rest. Element-wise ops are found through ELEMENTWISE_OPS in the C-like base
// and need no entry.
import { ANCHOR_KERNELS } from './anchors.js';
import type { WgslKernelGenerator } from './kernel.js';
import { concatKernel, dropoutKernel, depthSpaceKernel, gatherElementsKernel, gatherKernel, padKernel, shapeKernel, sliceKernel, splitKernel, tileKernel, transposeKernel, viewKernel } from './movement.js';
import { argReduceKernel, batchNormKernel, instanceNormKernel, layerNormKernel, reduceKernel, softmaxKernel } from './reduce.js';
import { eyeLikeKernel } from './eye-like.js';
import { integerConvKernel, integerMatmulKernel } from './integer.js';
import { detKernel, dftKernel } from './linalg.js';
import { lossKernel } from './loss.js';
import { maxPoolKernel } from './max-pool-indices.js';
import { recurrentKernel } from './recurrent.js';
import { reverseSequenceKernel } from './reverse-sequence.js';
import { runTimeCumSumKernel, runTimeTriluKernel } from './run-time-operands.js';
import { withEmptyOperandsKnown } from '../../movement-geometry.js';
import { resizeKernel } from './resize.js';
import { maxUnpoolKernel } from './unpool.js';
import { gatherNdKernel, scatterElementsKernel, scatterNdKernel } from './scatter.js';

const REDUCTIONS = ['sum', 'mean', 'max', 'min', 'prod', 'l1', 'l2', 'log_sum', 'log_sum_exp', 'sum_square'];

export const WGSL_KERNELS: Readonly<Record<string, WgslKernelGenerator>> = {
  ...ANCHOR_KERNELS,
  max_pool: maxPoolKernel,
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
  scatter_elements: scatterElementsKernel,
  scatter_nd: scatterNdKernel,
  gather_nd: gatherNdKernel,
  shape: shapeKernel,
  size: shapeKernel,
  arg_max: argReduceKernel,
  arg_min: argReduceKernel,
  negative_log_likelihood_loss: lossKernel,
  softmax_cross_entropy_loss: lossKernel,
  eye_like: eyeLikeKernel,
  matmul_integer: integerMatmulKernel,
  qlinear_matmul: integerMatmulKernel,
  conv_integer: integerConvKernel,
  qlinear_conv: integerConvKernel,
  det: detKernel,
  dft: dftKernel,
  reverse_sequence: reverseSequenceKernel,
  max_unpool: maxUnpoolKernel,
  rnn: recurrentKernel,
  gru: recurrentKernel,
  lstm: recurrentKernel,
  ...Object.fromEntries(REDUCTIONS.map((r) => [`reduce_${r}`, withEmptyOperandsKnown(reduceKernel)])),
};
