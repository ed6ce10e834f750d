// Normalizations spelled as reductions and arithmetic recognized as one op: LayerNorm as PP-OCRv4 rec and
// the openWakeWord models export it, and the max-subtracted Softmax.
import { isFloat } from '../compiler/ir/dtype.js';
import { isConcreteShape, type Node, type Value } from '../compiler/ir/graph.js';
import { Tensor } from '../compiler/ir/tensor.js';
import { attrInt, broadcastIndex, normalizeAxis } from '../compiler/ops/util.js';
import { commuted, isScalar, sameType, scalarOf } from './pattern-util.js';
import type { NodePattern, Rewriter, RewriteRule } from './rewrite.js';

const X = { value: 'x' };
const K = (name: string) => ({ value: name, const: true });

/**
 * The first reduced axis when `node` reduces (keeping dims) exactly the trailing axes of its rank-`rank`
 * input from some axis on, else undefined.
 */
function trailingAxes(node: Node, rank: number): number | undefined {
  const axes = node.inputs[1]?.data;
  if (!axes || attrInt(node.attrs, 'keepdims') === 0 || axes.size === 0) return undefined;
  const sorted = axes.toNumbers().map((a) => normalizeAxis(a, rank)).sort((a, b) => a - b);
  const first = sorted[0];
  return sorted.every((a, i) => a === first + i) && sorted[sorted.length - 1] === rank - 1 ? first : undefined;
}

/** Whether two reduce nodes reduce the same axes. */
function sameAxes(a: Node, b: Node, rank: number): boolean {
  const axes = (n: Node) => n.inputs[1]?.data?.toNumbers().map((k) => normalizeAxis(k, rank)).sort((p, q) => p - q).join(',');
  return axes(a) !== undefined && axes(a) === axes(b) && attrInt(a.attrs, 'keepdims') === attrInt(b.attrs, 'keepdims');
}

// d = x − mean(x); var = mean(d²) with d² spelled pow(d, 2) or d·d
const CENTERED: NodePattern = { op: 'sub', inputs: [X, { op: 'reduce_mean', inputs: [X], as: 'mean' }], as: 'd' };
const SQUARED: NodePattern[] = [
  { op: 'pow', inputs: [CENTERED, K('two')] },
  { op: 'mul', inputs: [CENTERED, { value: 'd2' }] },
];
const STD = (sq: NodePattern): NodePattern => ({
  op: 'sqrt',
  inputs: [{ op: 'add', inputs: [{ op: 'reduce_mean', inputs: [sq], as: 'var' }, K('eps')] }],
});

/** The normalized shape of `x` from `axis` on, as a constant of ones or zeros. */
function filled(x: Value, axis: number, value: number): Tensor {
  const shape = x.type.shape.slice(axis) as number[];
  return new Tensor(x.type.dtype, shape, new Float32Array(shape.reduce((a, b) => a * b, 1)).fill(value));
}

/** c broadcast to the shape normalized by `ln`, when c varies along normalized axes only. */
function overNormalized(ln: Node, c: Tensor): Tensor | undefined {
  const x = ln.inputs[0]!.type.shape;
  const axis = normalizeAxis(attrInt(ln.attrs, 'axis'), x.length);
  const norm = x.slice(axis) as number[];
  if (c.rank > x.length) return undefined;
  const lead = c.shape.slice(0, Math.max(0, c.rank - norm.length));
  const tail = c.shape.slice(lead.length);
  if (lead.some((d) => d !== 1) || tail.some((d, i) => d !== 1 && d !== norm[norm.length - tail.length + i])) return undefined;
  const [idx] = broadcastIndex([tail], norm);
  const out = new Float64Array(idx.length);
  for (let i = 0; i < idx.length; i++) out[i] = c.data[idx[i]];
  return new Tensor(c.dtype, norm, out);
}

/** layer_normalization(x, s, b) with its scale and bias replaced, or undefined when it has other readers. */
function withAffine(rw: Rewriter, ln: Node, root: Node, f: (scale: Tensor, bias: Tensor, c: Tensor) => [ArrayLike<number>, ArrayLike<number>], cv: Value) {
  const [x, sv, bv] = ln.inputs;
  if (ln.outputs.length !== 1 || rw.useCount(ln.outputs[0]) !== 1 || !sv?.data || !bv?.data) return undefined;
  if (!sameType(root.outputs[0].type, ln.outputs[0].type)) return undefined;
  const c = overNormalized(ln, cv.data!);
  if (!c || sv.data.size !== c.size || bv.data.size !== c.size) return undefined;
  const [s, b] = f(sv.data, bv.data, c);
  const scale = rw.constant(new Tensor(sv.data.dtype, c.shape, s));
  const bias = rw.constant(new Tensor(bv.data.dtype, c.shape, b));
  return rw.emit('layer_normalization', [x, scale, bias], ln.attrs, 1);
}

const elementwise = (a: Tensor, b: Tensor, f: (p: number, q: number) => number) => Float64Array.from(a.data, (v, i) => f(v, b.data[i]));

export const NORMALIZATION_RULES: readonly RewriteRule[] = [
  // (x − mean(x)) / √(mean((x − mean(x))²) + ε) over the trailing axes from a  →  layer_normalization(x, 1, 0) {axis=a, ε}
  ...SQUARED.map((sq): RewriteRule => [{ op: 'div', inputs: [{ value: 'num' }, STD(sq)] }, (m, rw) => {
    const { x, num, eps } = m.values;
    const { d, mean, var: variance } = m.nodes;
    const rank = x.type.shape.length;
    const axis = trailingAxes(mean, rank);
    if (num !== d.outputs[0] || (m.values.d2 && m.values.d2 !== num) || (m.values.two && !isScalar(m.values.two, 2))) return undefined;
    if (axis === undefined || !sameAxes(mean, variance, rank) || scalarOf(eps) === undefined) return undefined;
    if (!isFloat(x.type.dtype) || !isConcreteShape(x.type.shape.slice(axis)) || !sameType(m.root.outputs[0].type, x.type)) return undefined;
    const scale = rw.constant(filled(x, axis, 1));
    const bias = rw.constant(filled(x, axis, 0));
    return rw.emit('layer_normalization', [x, scale, bias], { axis, epsilon: scalarOf(eps)! }, 1);
  }]),
  // layer_normalization(x, s, b) · c  →  layer_normalization(x, s·c, b·c), c over the normalized axes
  ...commuted({ op: 'mul', inputs: [{ op: 'layer_normalization', as: 'ln' }, K('c')] }).map((p): RewriteRule => [p, (m, rw) =>
    withAffine(rw, m.nodes.ln, m.root, (s, b, c) => [elementwise(s, c, (p, q) => p * q), elementwise(b, c, (p, q) => p * q)], m.values.c)]),
  // layer_normalization(x, s, b) + c  →  layer_normalization(x, s, b + c), c over the normalized axes
  ...commuted({ op: 'add', inputs: [{ op: 'layer_normalization', as: 'ln' }, K('c')] }).map((p): RewriteRule => [p, (m, rw) =>
    withAffine(rw, m.nodes.ln, m.root, (s, b, c) => [s.data, elementwise(b, c, (p, q) => p + q)], m.values.c)]),
  // exp(x − max(x)) / sum(exp(x − max(x))) along one axis  →  softmax(x) {axis}
  [{ op: 'div', inputs: [{ value: 'e' }, { op: 'reduce_sum', inputs: [{ op: 'exp', inputs: [{ op: 'sub', inputs: [X, { op: 'reduce_max', inputs: [X], as: 'max' }] }], as: 'exp' }], as: 'sum' }] }, (m, rw) => {
    const { x, e } = m.values;
    const { exp, max, sum } = m.nodes;
    const rank = x.type.shape.length;
    const axes = max.inputs[1]?.data;
    if (e !== exp.outputs[0] || !axes || axes.size !== 1 || attrInt(max.attrs, 'keepdims') === 0 || !sameAxes(max, sum, rank)) return undefined;
    if (!isFloat(x.type.dtype) || !sameType(m.root.outputs[0].type, x.type)) return undefined;
    return rw.emit('softmax', [x], { axis: normalizeAxis(axes.data[0], rank) });
  }],
];
