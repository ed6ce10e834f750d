// Normalizations and Lp pools without a kernel of their own, as reductions, pools and element-wise math
// (the ops' definitions are in compiler/ops/nn-norm.ts and nn-pool.ts).
import { isFloat } from '../compiler/ir/dtype.js';
import type { Attrs, Value } from '../compiler/ir/graph.js';
import { Tensor } from '../compiler/ir/tensor.js';
import { attrFloat, attrInt, attrInts, normalizeAxis } from '../compiler/ops/util.js';
import { sameType } from './pattern-util.js';
import { alongAxis, concreteShape, emit1, product, reduceOver, reshapeTo, scalarConstant } from './legalize-util.js';
import type { Rewriter, RewriteRule } from './rewrite.js';

/** The float input of a single-output node with a concrete shape, else undefined. */
function floatInput(v: Value | null): { x: Value; shape: number[] } | undefined {
  const shape = concreteShape(v);
  return v && shape && isFloat(v.type.dtype) ? { x: v, shape } : undefined;
}

/** |x|^p as element-wise ops: |x| for p = 1, x·x for p = 2. */
function absPow(rw: Rewriter, x: Value, p: number): Value {
  if (p === 1) return emit1(rw, 'abs', [x]);
  if (p === 2) return emit1(rw, 'mul', [x, x]);
  return emit1(rw, 'pow', [emit1(rw, 'abs', [x]), scalarConstant(rw, x.type.dtype, p)]);
}

/** s^(1/p); s itself for p = 1, √s for p = 2. */
function root(rw: Rewriter, s: Value, p: number): Value {
  if (p === 1) return s;
  if (p === 2) return emit1(rw, 'sqrt', [s]);
  return emit1(rw, 'pow', [s, scalarConstant(rw, s.type.dtype, 1 / p)]);
}

export const NORM_RULES: readonly RewriteRule[] = [
  // lrn(x) = x / (bias + α/size · Σ_{c−⌊(size−1)/2} ^{c+⌈(size−1)/2⌉} x²)^β
  //        → x / pow(bias + α · average_pool(x² as [N, 1, C, rest]) {kernel=[size, 1], count_include_pad}, β)
  [{ op: 'lrn' }, (m, rw) => {
    const input = floatInput(m.root.inputs[0]);
    if (!input) return undefined;
    const { x, shape } = input;
    const dtype = x.type.dtype;
    const a = m.root.attrs;
    const size = attrInt(a, 'size');
    const [before, after] = [Math.floor((size - 1) / 2), Math.ceil((size - 1) / 2)];
    const planes = reshapeTo(rw, emit1(rw, 'mul', [x, x]), [shape[0], 1, shape[1], product(shape.slice(2))]);
    const mean = emit1(rw, 'average_pool', [planes], {
      kernel_shape: [size, 1], pads: [before, 0, after, 0], strides: [1, 1], count_include_pad: 1,
    });
    const scaled = emit1(rw, 'mul', [reshapeTo(rw, mean, shape), scalarConstant(rw, dtype, attrFloat(a, 'alpha'))]);
    const base = emit1(rw, 'add', [scaled, scalarConstant(rw, dtype, attrFloat(a, 'bias'))]);
    return [emit1(rw, 'div', [x, emit1(rw, 'pow', [base, scalarConstant(rw, dtype, attrFloat(a, 'beta'))])])];
  }],
  // mean_variance_normalization(x) = (x − E[x]) / (√E[(x − E[x])²] + 1e-9) over `axes`
  //   → sub, reduce_mean, mul, reduce_mean, sqrt, add, div (two passes, as the variance is computed exactly)
  [{ op: 'mean_variance_normalization' }, (m, rw) => {
    const input = floatInput(m.root.inputs[0]);
    const axes = attrInts(m.root.attrs, 'axes') ?? [];
    if (!input || axes.length === 0) return undefined;
    const { x, shape } = input;
    const reduced = [...new Set(axes.map((k) => normalizeAxis(k, shape.length)))].sort((p, q) => p - q);
    const d = emit1(rw, 'sub', [x, reduceOver(rw, 'mean', x, reduced, true)]);
    const std = emit1(rw, 'sqrt', [reduceOver(rw, 'mean', emit1(rw, 'mul', [d, d]), reduced, true)]);
    return [emit1(rw, 'div', [d, emit1(rw, 'add', [std, scalarConstant(rw, x.type.dtype, 1e-9)])])];
  }],
  // group_normalization(x, s, b) {G} → instance_normalization(x as [N, G, rest]) back as x, · s[c] + b[c]
  // (a scale and bias per group, opset 18's form, go into the instance normalization itself)
  [{ op: 'group_normalization' }, (m, rw) => {
    const input = floatInput(m.root.inputs[0]);
    const [, scale, bias] = m.root.inputs;
    const [ss, bs] = [concreteShape(scale), concreteShape(bias)];
    if (!input || !scale || !bias || !ss || !bs) return undefined;
    const { x, shape } = input;
    const [n, c] = shape;
    const groups = attrInt(m.root.attrs, 'num_groups');
    const perGroup = product(ss) === groups && groups !== c;
    if (groups < 1 || c % groups !== 0 || (product(ss) !== c && !perGroup) || product(bs) !== product(ss)) return undefined;
    const dtype = x.type.dtype;
    const [gs, gb] = perGroup
      ? [reshapeTo(rw, scale, [groups]), reshapeTo(rw, bias, [groups])]
      : [rw.constant(new Tensor(dtype, [groups], new Float32Array(groups).fill(1))), rw.constant(new Tensor(dtype, [groups]))];
    const grouped = reshapeTo(rw, x, [n, groups, product(shape.slice(1)) / groups]);
    const normalized = emit1(rw, 'instance_normalization', [grouped, gs, gb], { epsilon: attrFloat(m.root.attrs, 'epsilon') });
    const y = reshapeTo(rw, normalized, shape);
    if (perGroup) return [y];
    const scaled = emit1(rw, 'mul', [y, alongAxis(rw, scale, 1, shape.length)!]);
    return [emit1(rw, 'add', [scaled, alongAxis(rw, bias, 1, shape.length)!])];
  }],
  // lp_normalization(x) {axis, p} = x / ‖x‖_p along axis → x / reduce_l1(x) or x / reduce_l2(x)
  [{ op: 'lp_normalization' }, (m, rw) => {
    const input = floatInput(m.root.inputs[0]);
    const p = attrInt(m.root.attrs, 'p');
    if (!input || (p !== 1 && p !== 2)) return undefined;
    const axis = normalizeAxis(attrInt(m.root.attrs, 'axis'), input.shape.length);
    return [emit1(rw, 'div', [input.x, reduceOver(rw, p === 1 ? 'l1' : 'l2', input.x, [axis], true)])];
  }],
  // global_lp_pool(x) {p} = (Σ_spatial |x|^p)^(1/p) → reduce_l1, reduce_l2, or pow(reduce_sum(pow(|x|, p)), 1/p)
  [{ op: 'global_lp_pool' }, (m, rw) => {
    const input = floatInput(m.root.inputs[0]);
    const p = attrInt(m.root.attrs, 'p');
    if (!input || p < 1 || input.shape.length < 3) return undefined;
    const spatial = input.shape.slice(2).map((_, i) => i + 2);
    if (p === 1 || p === 2) return [reduceOver(rw, p === 1 ? 'l1' : 'l2', input.x, spatial, true)];
    return [root(rw, reduceOver(rw, 'sum', absPow(rw, input.x, p), spatial, true), p)];
  }],
  // lp_pool(x) {window, p} = (Σ_window |x|^p)^(1/p) → pow(average_pool(|x|^p) {count_include_pad} · |window|, 1/p)
  // (every window lies inside the padded input, so the average counts the whole window; ceil_mode windows
  // that overhang it are not rewritten)
  [{ op: 'lp_pool' }, (m, rw) => {
    const input = floatInput(m.root.inputs[0]);
    const p = attrInt(m.root.attrs, 'p');
    const kernel = attrInts(m.root.attrs, 'kernel_shape');
    if (!input || !kernel || p < 1) return undefined;
    const attrs: Attrs = { ...m.root.attrs, ceil_mode: 0, count_include_pad: 1 };
    delete attrs.p;
    const mean = emit1(rw, 'average_pool', [absPow(rw, input.x, p)], attrs);
    if (!sameType(mean.type, m.root.outputs[0].type)) return undefined;
    return [root(rw, emit1(rw, 'mul', [mean, scalarConstant(rw, input.x.type.dtype, product(kernel))]), p)];
  }],
];
