// Generators and index-built tensors (compiler/ops/tensor-generate.ts, tensor-index.ts, tensor-slice.ts):
// constant_of_shape as an expand, range and the windows from constant operands as their values (folding
// leaves those that are graph outputs, or too large, to legalize), one_hot as a comparison with the class
// indices, center_crop_pad as a slice and a pad.
import { isFloat } from '../compiler/ir/dtype.js';
import { Tensor } from '../compiler/ir/tensor.js';
import { getOp } from '../compiler/ops/registry.js';
import { normalizeAxes } from '../compiler/ops/tensor-common.js';
import { attrInt, attrInts } from '../compiler/ops/util.js';
import { castTo, computed, concreteShape, emit1, i64Constant, reshapeTo, scalarConstant } from './legalize-util.js';
import type { RewriteRule } from './rewrite.js';

/** Ops that compute a small tensor from scalar operands alone. */
const VALUE_OF_OPERANDS = ['range', 'hann_window', 'hamming_window', 'blackman_window'];

export const GENERATE_RULES: readonly RewriteRule[] = [
  // constant_of_shape(s) {value=v} → expand(v, s)
  [{ op: 'constant_of_shape' }, (m, rw) => {
    const [shape] = m.root.inputs;
    if (!shape?.data || !concreteShape(m.root.outputs[0])) return undefined;
    const value = m.root.attrs.value;
    const fill = value instanceof Tensor ? value.reshape([]) : Tensor.scalar('f32', 0);
    return [emit1(rw, 'expand', [rw.constant(fill), shape])];
  }],
  // range(a, b, d), hann/hamming/blackman_window(n) of constant operands → identity(their value)
  [{ op: VALUE_OF_OPERANDS }, (m, rw) => {
    const { root } = m;
    if (!root.inputs.every((v) => v?.data)) return undefined;
    const [value] = getOp(root.op).ref(root.inputs.map((v) => v!.data!), root.attrs, {
      numOutputs: 1,
      runGraph: () => {
        throw new Error(`${root.op} has no subgraphs`);
      },
    });
    return [computed(rw, root, rw.constant(value))];
  }],
  // one_hot(i, depth, [off, on]) {axis} = where(i' = k, on, off), k the class index along axis,
  // i' = i + depth where i < 0 (indices outside [−depth, depth) match no class)
  [{ op: 'one_hot' }, (m, rw) => {
    const [indices, depthValue, values] = m.root.inputs;
    const shape = concreteShape(indices);
    if (!indices || !shape || !depthValue?.data || !values || !concreteShape(m.root.outputs[0])) return undefined;
    const depth = Math.trunc(depthValue.data.data[0]);
    const rank = shape.length;
    const axis = attrInt(m.root.attrs, 'axis') < 0 ? attrInt(m.root.attrs, 'axis') + rank + 1 : attrInt(m.root.attrs, 'axis');
    const index = isFloat(indices.type.dtype) ? castTo(rw, indices, 'i64') : indices;
    const dtype = index.type.dtype;
    const negative = emit1(rw, 'less', [index, scalarConstant(rw, dtype, 0)]);
    const wrapped = emit1(rw, 'where', [negative, emit1(rw, 'add', [index, scalarConstant(rw, dtype, depth)]), index]);
    const spread = reshapeTo(rw, wrapped, [...shape.slice(0, axis), 1, ...shape.slice(axis)]);
    const classes = rw.constant(Tensor.fromArray(dtype, [depth, ...new Array<number>(rank - axis).fill(1)], Array.from({ length: depth }, (_, k) => k)));
    const hit = emit1(rw, 'equal', [spread, classes]);
    const pick = (k: number) =>
      values.data ? scalarConstant(rw, values.type.dtype, values.data.data[k]) : emit1(rw, 'gather', [reshapeTo(rw, values, [2]), rw.constant(Tensor.scalar('i64', k))]);
    return [emit1(rw, 'where', [hit, pick(1), pick(0)])];
  }],
  // center_crop_pad(x, sizes) {axes} → slice(x) from ⌊(d − t)/2⌋ along the axes that shrink, then pad(·) by
  // ⌊(t − d)/2⌋ before and the rest after along the axes that grow
  [{ op: 'center_crop_pad' }, (m, rw) => {
    const [x, sizes] = m.root.inputs;
    const shape = concreteShape(x);
    if (!x || !shape || !sizes?.data) return undefined;
    const target = sizes.data.toNumbers();
    const axes = normalizeAxes(attrInts(m.root.attrs, 'axes') ?? shape.map((_, i) => i), shape.length);
    if (target.length !== axes.length) return undefined;
    const cropped = axes.flatMap((a, i) => (target[i] < shape[a] ? [[a, Math.floor((shape[a] - target[i]) / 2), target[i]]] : []));
    const grown = axes.flatMap((a, i) => (target[i] > shape[a] ? [[a, Math.floor((target[i] - shape[a]) / 2), target[i] - shape[a]]] : []));
    let y = x;
    if (cropped.length > 0) {
      const [starts, ends, sliced] = [cropped.map(([, s]) => s), cropped.map(([, s, t]) => s + t), cropped.map(([a]) => a)];
      y = emit1(rw, 'slice', [y, i64Constant(rw, starts), i64Constant(rw, ends), i64Constant(rw, sliced)]);
    }
    if (grown.length > 0) {
      const pads = new Array<number>(2 * shape.length).fill(0);
      for (const [a, before, total] of grown) [pads[a], pads[a + shape.length]] = [before, total - before];
      y = emit1(rw, 'pad', [y, i64Constant(rw, pads), scalarConstant(rw, x.type.dtype, 0)]);
    }
    return [computed(rw, m.root, y)];
  }],
];
