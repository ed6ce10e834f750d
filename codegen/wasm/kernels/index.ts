// The wasm target's kernel table: one generator per kernel family (codegen/kernel-families.ts). Element-wise
// ops need no entry: their scalar forms (compiler/ops/scalar-forms.ts) are rendered by elementwise.ts.
import { convKernel, convTransposeKernel } from './conv.js';
import { gridSampleKernel } from './grid-sample.js';
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
import { tfIdfKernel } from './tfidf.js';
import { runTimeCumSumKernel, runTimeTriluKernel } from './run-time-operands.js';
import { maxUnpoolKernel } from './unpool.js';
import { topKKernel } from './top-k.js';
import { melWeightMatrixKernel } from './mel-weight-matrix.js';
import { roiAlignKernel } from './roi-align.js';
import { nonMaxSuppressionKernel } from './non-max-suppression.js';
import { compressKernel, nonZeroKernel } from './run-time-sized.js';
import { uniqueKernel } from './unique.js';
import { kernelTable } from '../../kernel-families.js';
import { withEmptyOperandsKnown } from '../../movement-geometry.js';

export const KERNELS: Readonly<Record<string, KernelGenerator>> = kernelTable<KernelGenerator>({
  matmul: matmulKernel,
  gemm: gemmKernel,
  conv: convKernel,
  convTranspose: convTransposeKernel,
  maxPool: maxPoolKernel,
  averagePool: poolKernel,
  globalPool: globalPoolKernel,
  softmax: softmaxKernel,
  instanceNorm: instanceNormKernel,
  batchNorm: batchNormKernel,
  layerNorm: layerNormKernel,
  resize: resizeKernel,
  gridSample: gridSampleKernel,
  view: viewKernel,
  dropout: dropoutKernel,
  transpose: transposeKernel,
  concat: concatKernel,
  split: splitKernel,
  slice: sliceKernel,
  gather: gatherKernel,
  pad: padKernel,
  tile: tileKernel,
  gatherElements: gatherElementsKernel,
  trilu: runTimeTriluKernel,
  depthSpace: depthSpaceKernel,
  cumSum: runTimeCumSumKernel,
  shape: shapeKernel,
  argReduce: argReduceKernel,
  gatherNd: gatherNdKernel,
  scatterNd: scatterNdKernel,
  scatterElements: scatterElementsKernel,
  eyeLike: eyeLikeKernel,
  integerMatmul: integerMatmulKernel,
  integerConv: integerConvKernel,
  det: detKernel,
  dft: dftKernel,
  reverseSequence: reverseSequenceKernel,
  tfIdf: tfIdfKernel,
  maxUnpool: maxUnpoolKernel,
  loss: lossKernel,
  recurrent: recurrentKernel,
  topK: topKKernel,
  melWeightMatrix: melWeightMatrixKernel,
  roiAlign: roiAlignKernel,
  reduce: withEmptyOperandsKnown(reduceKernel),
  nonZero: nonZeroKernel,
  compress: compressKernel,
  unique: uniqueKernel,
  nonMaxSuppression: nonMaxSuppressionKernel,
});
