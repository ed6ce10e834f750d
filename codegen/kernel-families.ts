// The ops each kernel generator covers, named once for every target. A target's kernel table is built from one
// generator per family (kernelTable), and its type requires every family: an op with a kernel on one target
// has a kernel on all of them. Ops outside these families are element-wise (compiler/ops/scalar-forms.ts,
// computed by each target's element-wise kernels) or rewritten by legalize (passes/legalize.ts).

const REDUCTIONS = ['sum', 'mean', 'max', 'min', 'prod', 'l1', 'l2', 'log_sum', 'log_sum_exp', 'sum_square'] as const;

export const KERNEL_FAMILIES = {
  matmul: ['matmul'],
  gemm: ['gemm'],
  conv: ['conv'],
  convTranspose: ['conv_transpose'],
  /** max_pool, with its indices output and integer operands. */
  maxPool: ['max_pool'],
  averagePool: ['average_pool'],
  globalPool: ['global_average_pool', 'global_max_pool'],
  softmax: ['softmax', 'log_softmax', 'hardmax'],
  instanceNorm: ['instance_normalization'],
  batchNorm: ['batch_normalization'],
  layerNorm: ['layer_normalization'],
  resize: ['resize'],
  /** Sampling points read from a run-time grid. */
  gridSample: ['grid_sample'],
  /** Outputs that alias their input's storage (a copy only where they cannot). */
  view: ['reshape', 'flatten', 'squeeze', 'unsqueeze', 'identity'],
  dropout: ['dropout'],
  transpose: ['transpose'],
  concat: ['concat'],
  split: ['split'],
  slice: ['slice'],
  gather: ['gather'],
  pad: ['pad'],
  tile: ['tile'],
  gatherElements: ['gather_elements'],
  /** k read at run time when it is not a constant. */
  trilu: ['trilu'],
  depthSpace: ['depth_to_space', 'space_to_depth'],
  /** The axis read at run time when it is not a constant. */
  cumSum: ['cum_sum'],
  shape: ['shape', 'size'],
  argReduce: ['arg_max', 'arg_min'],
  gatherNd: ['gather_nd'],
  scatterNd: ['scatter_nd'],
  scatterElements: ['scatter_elements'],
  eyeLike: ['eye_like'],
  integerMatmul: ['matmul_integer', 'qlinear_matmul'],
  integerConv: ['conv_integer', 'qlinear_conv'],
  det: ['det'],
  dft: ['dft'],
  reverseSequence: ['reverse_sequence'],
  tfIdf: ['tf_idf_vectorizer'],
  maxUnpool: ['max_unpool'],
  loss: ['negative_log_likelihood_loss', 'softmax_cross_entropy_loss'],
  recurrent: ['rnn', 'gru', 'lstm'],
  /** K from a constant operand; values and indices sorted. */
  topK: ['top_k'],
  /** sample_rate and the edge frequencies read from memory: run-time inputs or constants alike. */
  melWeightMatrix: ['mel_weight_matrix'],
  /** Rois and batch indices read at run time. */
  roiAlign: ['roi_align'],
  reduce: REDUCTIONS.map((r) => `reduce_${r}` as const),
  /** Outputs whose size depends on data (compiler/run-time-dims.ts): written compactly, with their extent. */
  nonZero: ['non_zero'],
  compress: ['compress'],
  unique: ['unique'],
  nonMaxSuppression: ['non_max_suppression'],
} as const satisfies Record<string, readonly string[]>;

export type KernelFamily = keyof typeof KERNEL_FAMILIES;

/** A target's kernel table: each op of each family → the family's generator. */
export function kernelTable<G>(generators: Readonly<Record<KernelFamily, G>>): Readonly<Record<string, G>> {
  const table: Record<string, G> = {};
  for (const [family, ops] of Object.entries(KERNEL_FAMILIES) as [KernelFamily, readonly string[]][]) {
    for (const op of ops) table[op] = generators[family];
  }
  return table;
}
