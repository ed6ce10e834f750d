// The operands of the integer anchors as every target's kernels read them. matmul_integer and conv_integer take
// (a, b, a_zero_point?, b_zero_point?); qlinear_matmul and qlinear_conv (a, a_scale, a_zero_point, b, b_scale,
// b_zero_point, y_scale, y_zero_point, bias?). a is the data (x of a conv), b the weights. `refuse` is the
// calling target's "not supported" error.
import { isInteger } from '../compiler/ir/dtype.js';
import type { Node, Value } from '../compiler/ir/graph.js';
import type { Refuse } from './window-geometry.js';

/** y = saturate(round(acc · (a_scale · b_scale[j]) / y_scale) + y_zero_point), j the column or output channel. */
export interface Requantization {
  aScale: Value;
  bScale: Value;
  yScale: Value;
  yZp: Value;
}

export interface IntegerOperands {
  a: Value;
  aZp?: Value;
  b: Value;
  bZp?: Value;
  bias?: Value;
  /** Present for the qlinear_* ops, whose output is requantized. */
  requantize?: Requantization;
}

export function integerOperands(node: Node, refuse: Refuse): IntegerOperands {
  const given = (i: number) => node.inputs[i] ?? undefined;
  const need = (i: number) => given(i) ?? refuse(`input ${i} is missing`);
  const o: IntegerOperands = node.op.startsWith('qlinear_')
    ? { a: need(0), aZp: need(2), b: need(3), bZp: need(5), bias: given(8), requantize: { aScale: need(1), bScale: need(4), yScale: need(6), yZp: need(7) } }
    : { a: need(0), b: need(1), aZp: given(2), bZp: given(3) };
  for (const v of [o.a, o.aZp, o.b, o.bZp, o.bias, o.requantize?.yZp]) if (v && !isInteger(v.type.dtype)) refuse(`${v.type.dtype} operands (integers only)`);
  return o;
}
