// The axes a reduce_* node reduces, resolved once for every target from its constant axes operand and
// attributes. `refuse` is the calling target's "not supported" error.
import { stridesOf } from '../compiler/ir/tensor.js';
import { attrInt, normalizeAxis } from '../compiler/ops/util.js';
import { constInts, type ConstantOperands } from './movement-geometry.js';
import type { Refuse } from './window-geometry.js';

/**
 * A reduce_* node's reduced axes (its constant axes operand, or every axis unless noop_with_empty_axes), the
 * kept axes and their dims, and how many elements each output element reduces.
 */
export function reductionAxes(k: ConstantOperands, xs: readonly number[], refuse: Refuse): { axes: number[]; kept: number[]; keptShape: number[]; count: number } {
  const given = (constInts(k, 1, 'axes', refuse) ?? []).map((a) => normalizeAxis(a, xs.length));
  const noop = attrInt(k.node.attrs, 'noop_with_empty_axes') !== 0;
  const axes = given.length > 0 ? given : noop ? [] : xs.map((_, i) => i);
  const kept = xs.map((_, i) => i).filter((i) => !axes.includes(i));
  return { axes, kept, keptShape: kept.map((i) => xs[i]), count: axes.reduce((p, a) => p * xs[a], 1) };
}

/**
 * A reduce_* node's plan on input shape `xs`: its axes (reductionAxes), the input's strides, and the op whose
 * accumulation it runs — reduce_log_sum_exp sums (after subtracting the max), the others their own.
 */
export function reductionPlan(k: ConstantOperands, xs: readonly number[], refuse: Refuse) {
  const { axes, kept, keptShape, count } = reductionAxes(k, xs, refuse);
  const logSumExp = k.node.op === 'reduce_log_sum_exp';
  return { axes, kept, keptShape, count, strides: stridesOf(xs), logSumExp, accumulation: logSumExp ? 'reduce_sum' : k.node.op };
}
