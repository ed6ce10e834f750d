// Building blocks the legalization rules share: constants, and reshape/transpose/reduce steps that vanish
// when they would change nothing (a reshape of a constant is a new constant).
import type { DType } from '../compiler/ir/dtype.js';
import { isConcreteShape, type Attrs, type Node, type Value } from '../compiler/ir/graph.js';
import { Tensor } from '../compiler/ir/tensor.js';
import { i64Vector } from '../compiler/ops/tensor-common.js';
import type { Rewriter } from './rewrite.js';

/** The value's dims when all are known. */
export function concreteShape(v: Value | null | undefined): number[] | undefined {
  const shape = v?.type.shape;
  return shape && isConcreteShape(shape) ? [...shape] : undefined;
}

export const product = (dims: readonly number[]): number => dims.reduce((p, d) => p * d, 1);

export function scalarConstant(rw: Rewriter, dtype: DType, value: number): Value {
  return rw.constant(Tensor.scalar(dtype, value));
}

export function i64Constant(rw: Rewriter, values: readonly number[]): Value {
  return rw.constant(i64Vector(values));
}

/** One node's only output. */
export function emit1(rw: Rewriter, op: string, inputs: (Value | null)[], attrs: Attrs = {}): Value {
  return rw.emit(op, inputs, attrs, 1)[0];
}

/** `v` converted to `dtype`: itself, a converted constant, or a cast node. */
export function castTo(rw: Rewriter, v: Value, dtype: DType): Value {
  if (v.type.dtype === dtype) return v;
  return v.data ? rw.constant(v.data.cast(dtype)) : emit1(rw, 'cast', [v], { to: dtype });
}

/** `v` with dims `shape` (same element order): itself, a reshaped constant, or a reshape node. */
export function reshapeTo(rw: Rewriter, v: Value, shape: readonly number[]): Value {
  const now = concreteShape(v);
  if (now && now.length === shape.length && now.every((d, i) => d === shape[i])) return v;
  if (v.data) return rw.constant(v.data.reshape(shape));
  return emit1(rw, 'reshape', [v, i64Constant(rw, shape)]);
}

/** `v` with its dims permuted (`perm[i]` is the input dim of output dim i); itself for the identity. */
export function transposeTo(rw: Rewriter, v: Value, perm: readonly number[]): Value {
  return perm.every((p, i) => p === i) ? v : emit1(rw, 'transpose', [v], { perm: [...perm] });
}

/** reduce_<kind>(v) over `axes`; `v` itself when there are none. */
export function reduceOver(rw: Rewriter, kind: string, v: Value, axes: readonly number[], keepdims: boolean): Value {
  if (axes.length === 0) return v;
  return emit1(rw, `reduce_${kind}`, [v, i64Constant(rw, axes)], { keepdims: keepdims ? 1 : 0 });
}

/**
 * A per-tensor or per-axis parameter (one element, or one per index along `axis` of a rank-`rank` tensor)
 * shaped to broadcast against that tensor: a scalar, or [n, 1, …, 1].
 */
export function alongAxis(rw: Rewriter, p: Value, axis: number, rank: number): Value | undefined {
  const shape = concreteShape(p);
  if (!shape) return undefined;
  const n = product(shape);
  return reshapeTo(rw, p, n === 1 ? [] : [n, ...new Array<number>(rank - axis - 1).fill(1)]);
}

/**
 * The value that replaces an output of `root`: when the rewrite computed it with no node of its own (it is
 * one of root's inputs or a constant), an identity, since an output of the graph must stay computed by a node.
 */
export function computed(rw: Rewriter, root: Node, v: Value): Value {
  return v.data || root.inputs.includes(v) ? emit1(rw, 'identity', [v]) : v;
}
