// einsum as transposes, reshapes, matmuls and sums (compiler/ops/nn-einsum.ts plans the equation: ellipses,
// repeated labels, the implicit output). Each operand first loses its broadcast dims (size 1 where the label
// is larger elsewhere) and its diagonals (a label repeated within a term, gathered from the flattened pair);
// labels that no other operand and not the output use are summed right away; then the operands are
// contracted left to right, each pair as one batched matmul (f32) or a broadcast product and a sum.
import { isFloat } from '../compiler/ir/dtype.js';
import type { Value } from '../compiler/ir/graph.js';
import { Tensor } from '../compiler/ir/tensor.js';
import { planEinsum } from '../compiler/ops/nn-einsum.js';
import { attrString } from '../compiler/ops/util.js';
import { castTo, computed, concreteShape, emit1, product, reduceOver, reshapeTo, transposeTo } from './legalize-util.js';
import type { Rewriter, RewriteRule } from './rewrite.js';

/** An intermediate operand: a value and the label of each of its dims. */
interface Term {
  v: Value;
  labels: string[];
}

type Sizes = ReadonlyMap<string, number>;

/** The term with its dims permuted into the order of `labels` (a permutation of its own). */
function arranged(rw: Rewriter, t: Term, labels: readonly string[]): Term {
  return { v: transposeTo(rw, t.v, labels.map((l) => t.labels.indexOf(l))), labels: [...labels] };
}

/** Drops the dims of size 1 whose label is larger in another operand: broadcasting does not need them. */
function withoutBroadcastDims(rw: Rewriter, t: Term, shape: readonly number[], sizes: Sizes): Term {
  const keep = t.labels.map((l, d) => shape[d] !== 1 || sizes.get(l) === 1);
  if (keep.every(Boolean)) return t;
  const labels = t.labels.filter((_, d) => keep[d]);
  return { v: reshapeTo(rw, t.v, labels.map((l) => sizes.get(l)!)), labels };
}

/** x[…, i, …, i, …] → y[…, i]: the pair moved last and flattened, then every (n+1)-th element gathered. */
function withoutDiagonals(rw: Rewriter, t: Term, sizes: Sizes): Term {
  for (;;) {
    const label = t.labels.find((l, d) => t.labels.indexOf(l) !== d);
    if (label === undefined) return t;
    const first = t.labels.indexOf(label);
    const second = t.labels.indexOf(label, first + 1);
    const rest = t.labels.map((_, d) => d).filter((d) => d !== first && d !== second);
    const others = rest.map((d) => t.labels[d]);
    const n = sizes.get(label)!;
    const moved = transposeTo(rw, t.v, [...rest, first, second]);
    const flat = reshapeTo(rw, moved, [...others.map((l) => sizes.get(l)!), n * n]);
    const diagonal = rw.constant(Tensor.fromArray('i64', [n], Array.from({ length: n }, (_, k) => k * (n + 1))));
    t = { v: emit1(rw, 'gather', [flat, diagonal], { axis: others.length }), labels: [...others, label] };
  }
}

/** Sums the dims whose labels are not in `needed`. */
function sumUnneeded(rw: Rewriter, t: Term, needed: ReadonlySet<string>): Term {
  const axes = t.labels.flatMap((l, d) => (needed.has(l) ? [] : [d]));
  return { v: reduceOver(rw, 'sum', t.v, axes, false), labels: t.labels.filter((l) => needed.has(l)) };
}

/**
 * a·b summed over the labels both have that `later` (the remaining operands and the output) does not need:
 * the result's labels are the shared kept ones (batch), then a's own, then b's own.
 */
function contract(rw: Rewriter, a: Term, b: Term, later: ReadonlySet<string>, sizes: Sizes): Term {
  const shared = a.labels.filter((l) => b.labels.includes(l));
  const batch = shared.filter((l) => later.has(l));
  const summed = shared.filter((l) => !later.has(l));
  const aOwn = a.labels.filter((l) => !shared.includes(l));
  const bOwn = b.labels.filter((l) => !shared.includes(l));
  const dims = (ls: readonly string[]) => ls.map((l) => sizes.get(l)!);
  const labels = [...batch, ...aOwn, ...bOwn];
  if (summed.length > 0 && a.v.type.dtype === 'f32') {
    // [batch, M, K] × [batch, K, N] with M, K, N the products of a's own, the summed and b's own dims.
    const [m, k, n] = [aOwn, summed, bOwn].map((ls) => product(dims(ls)));
    const left = reshapeTo(rw, arranged(rw, a, [...batch, ...aOwn, ...summed]).v, [...dims(batch), m, k]);
    const right = reshapeTo(rw, arranged(rw, b, [...batch, ...summed, ...bOwn]).v, [...dims(batch), k, n]);
    return { v: reshapeTo(rw, emit1(rw, 'matmul', [left, right]), dims(labels)), labels };
  }
  // [batch, a's own, 1…, summed] · [batch, 1…, b's own, summed], then the sum over the summed dims.
  const ones = (ls: readonly string[]) => ls.map(() => 1);
  const left = reshapeTo(rw, arranged(rw, a, [...batch, ...aOwn, ...summed]).v, [...dims(batch), ...dims(aOwn), ...ones(bOwn), ...dims(summed)]);
  const right = reshapeTo(rw, arranged(rw, b, [...batch, ...bOwn, ...summed]).v, [...dims(batch), ...ones(aOwn), ...dims(bOwn), ...dims(summed)]);
  const prod = emit1(rw, 'mul', [left, right]);
  const axes = summed.map((_, j) => labels.length + j);
  return { v: reduceOver(rw, 'sum', prod, axes, false), labels };
}

export const EINSUM_RULES: readonly RewriteRule[] = [
  // einsum(x₁, …, xₙ) → per operand: reshape (broadcast dims), transpose/reshape/gather (diagonals), reduce_sum
  // (labels of its own); per pair: transpose, reshape, matmul (or mul and reduce_sum); then transpose to the output.
  // f16 and f64 operands are computed in f32, the type of the targets' matmul and reductions (webgpu stores
  // both as f32 anyway); integer ones as products and sums of their own type.
  [{ op: 'einsum' }, (m, rw) => {
    const { root } = m;
    const shapes = root.inputs.map(concreteShape);
    if (root.inputs.length === 0 || shapes.some((s) => !s) || !concreteShape(root.outputs[0])) return undefined;
    const plan = planEinsum(attrString(root.attrs, 'equation'), shapes as number[][]);
    const sizes = new Map([...plan.sizes].map(([l, d]) => [l, d as number]));
    const dtype = root.outputs[0].type.dtype;
    const widened = isFloat(dtype) && dtype !== 'f32';
    const operand = (v: Value) => (widened ? castTo(rw, v, 'f32') : v);
    let terms = root.inputs.map((v, i) => withoutDiagonals(rw, withoutBroadcastDims(rw, { v: operand(v!), labels: plan.terms[i] }, shapes[i]!, sizes), sizes));
    const neededAfter = (i: number) => new Set([...plan.output, ...terms.slice(i + 1).flatMap((t) => t.labels)]);
    const needed = (i: number) => new Set([...neededAfter(i), ...terms.slice(0, i).flatMap((t) => t.labels)]);
    terms = terms.map((t, i) => sumUnneeded(rw, t, needed(i)));
    let acc = terms[0];
    for (let i = 1; i < terms.length; i++) acc = contract(rw, acc, terms[i], neededAfter(i), sizes);
    const result = arranged(rw, sumUnneeded(rw, acc, new Set(plan.output)), plan.output).v;
    return [widened ? castTo(rw, result, dtype) : computed(rw, root, result)];
  }],
];
