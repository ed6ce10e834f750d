// The built-in passes, registered by name, and the -O0..-O3 pipelines spelled in the `--passes` text
// form, so that a level reads as what it runs and later passes slot in by editing one line.
import { UsageError } from '../compiler/errors.js';
import { cancelTransposeReshapePass } from './cancel-transpose-reshape.js';
import { eliminateCommonSubexpressionsPass } from './eliminate-common-subexpressions.js';
import { eliminateDeadCodePass } from './eliminate-dead-code.js';
import { foldBatchNormPass } from './fold-batch-norm.js';
import { foldConstantsPass } from './fold-constants.js';
import { foldIfPass } from './fold-if.js';
import { foldScaleAxisPass } from './fold-scale-axis.js';
import { foldQdqPass } from './fold-qdq.js';
import { foldShapeArithmeticPass } from './fold-shape-arithmetic.js';
import { fuseHorizontalPass } from './fuse-horizontal.js';
import { fuseOpsPass } from './fuse-ops.js';
import { legalizePass } from './legalize.js';
import { registerPass, type Pass } from './manager.js';
import { parsePipeline } from './pipeline-text.js';
import { recognizePatternsPass } from './recognize-patterns.js';
import { removeIdentityPass } from './remove-identity.js';
import { simplifyAlgebraPass } from './simplify-algebra.js';
import { unrollLoopsPass } from './unroll-loops.js';

for (const info of [
  foldConstantsPass,
  foldIfPass,
  unrollLoopsPass,
  foldShapeArithmeticPass,
  removeIdentityPass,
  eliminateDeadCodePass,
  foldBatchNormPass,
  foldQdqPass,
  foldScaleAxisPass,
  recognizePatternsPass,
  cancelTransposeReshapePass,
  eliminateCommonSubexpressionsPass,
  simplifyAlgebraPass,
  legalizePass,
  fuseHorizontalPass,
  fuseOpsPass,
]) {
  registerPass(info);
}

/**
 * Folding and cleanup, repeated while one step enables another (a folded shape makes a Reshape a no-op, a
 * folded condition makes an If its taken branch, a folded trip count lets a Loop unroll…).
 */
export const SIMPLIFY = 'fixpoint(fold-constants,fold-if,unroll-loops,fold-shape-arithmetic,remove-identity,eliminate-dead-code)';

/**
 * Quantized models (QDQ pairs, QOperator ops) compute in integers: conv/matmul/gemm over dequantized int8
 * become integer anchors, before legalize would turn the dequantizations into float math.
 */
const FOLD_QDQ = 'fold-qdq';

/**
 * Ops without a kernel become ops with one, on folded constants (a window's size, one_hot's depth), before
 * the rewrites and fusion see them.
 */
const LEGALIZE = 'legalize';

/**
 * Then graph rewrites: merged subexpressions first (so patterns see one value where the model computed two),
 * exact algebra, layout cancellation, pattern recognition, and affine folding into conv/gemm/matmul weights.
 */
const REWRITE =
  'fixpoint(eliminate-common-subexpressions,simplify-algebra,cancel-transpose-reshape,recognize-patterns,' +
  'fold-batch-norm,fold-scale-axis,fold-constants,remove-identity,eliminate-dead-code)';

/** Operator fusion comes last, on the simplified graph (TVM fuses from opt level 1). */
const FUSE = 'fuse-ops';

/** From -O2, narrow sibling matmuls/convs merge first, so that fuse-ops sees the wider op. */
const FUSE_WIDE = `fuse-horizontal,${FUSE}`;

/** Each level in two parts: the graph optimizations, then fusion (post-training quantization runs between them). */
const OPT_PARTS: Readonly<Record<number, { optimize: string; fuse: string }>> = {
  0: { optimize: '', fuse: '' },
  1: { optimize: `${SIMPLIFY},${FOLD_QDQ},${LEGALIZE}`, fuse: FUSE },
  2: { optimize: `${SIMPLIFY},${FOLD_QDQ},${LEGALIZE},${REWRITE}`, fuse: FUSE_WIDE },
  3: { optimize: `${SIMPLIFY},${FOLD_QDQ},${LEGALIZE},${REWRITE}`, fuse: FUSE_WIDE },
};

export const OPT_PIPELINES: Readonly<Record<number, string>> = Object.fromEntries(
  Object.entries(OPT_PARTS).map(([level, p]) => [level, [p.optimize, p.fuse].filter((s) => s).join(',')]),
);

/**
 * The pipeline of `level` split where post-training quantization inserts its QDQ pairs: `optimize` gives
 * the f32 graph the quantizer calibrates (batch norm folded, activations recognized), `finish` folds the
 * pairs into integer anchors, legalizes what remains of them and fuses.
 */
export function quantizationPipelines(level: number): { optimize: string; finish: string } {
  optPipelineText(level);
  const { optimize, fuse } = OPT_PARTS[level];
  return { optimize, finish: [FOLD_QDQ, SIMPLIFY, LEGALIZE, fuse].filter((s) => s).join(',') };
}

export const DEFAULT_OPT_LEVEL = 2;

export function optPipelineText(level: number): string {
  const text = OPT_PIPELINES[level];
  if (text === undefined) throw new UsageError(`unknown optimization level -O${level} (have -O0 to -O3)`);
  return text;
}

export function optPipeline(level: number): Pass {
  return parsePipeline(optPipelineText(level));
}

export { parsePipeline, printPipeline } from './pipeline-text.js';
