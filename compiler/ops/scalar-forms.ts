// The scalar forms of the element-wise ops, shared by the WGSL and AssemblyScript targets: each op's math
// as expression templates over operand expressions. A target differs only in its table — type names, literal
// spelling, intrinsic names, conversions — so each op's math is written once, here.
import { DlcError } from '../errors.js';
import { byteSize, isFloat, isInteger, isSigned, type DType } from '../ir/dtype.js';
import type { Attrs, Node } from '../ir/graph.js';
import { attrFloat, attrInt, attrString } from './util.js';

/** Float math a target provides natively or through a helper of its own. */
export type Intrinsic =
  | 'exp' | 'expm1' | 'log' | 'log1p' | 'sqrt' | 'abs' | 'floor' | 'ceil' | 'round_even' | 'trunc' | 'min' | 'max' | 'pow'
  | 'sin' | 'cos' | 'tan' | 'asin' | 'acos' | 'atan' | 'sinh' | 'cosh' | 'tanh' | 'asinh' | 'acosh' | 'atanh'
  | 'erf' | 'fmod' | 'is_nan' | 'is_inf';

export interface CTarget {
  /** The working type of an element of `dtype` (bool elements are 0/1 of the stored type). */
  type(dtype: DType): string;
  literal(value: number, dtype: DType): string;
  call(fn: Intrinsic, dtype: DType, args: string[]): string;
  /** A value of working type `from` converted to `to`, with the conversion the ops' reference uses. */
  convert(expr: string, from: DType, to: DType): string;
  select(cond: string, ifTrue: string, ifFalse: string): string;
  /** A condition as a stored bool (0/1). */
  fromCondition(cond: string): string;
  /** Integer division truncating toward zero, 0 for a zero divisor. */
  intDiv(x: string, y: string, dtype: DType): string;
  /**
   * x^y of an integer base (of `dtype`) and an exponent of `yDtype`, wrapping as repeated multiplication
   * does; a negative or fractional exponent takes the float power, truncated. Absent: the target refuses it.
   */
  intPow?(x: string, y: string, dtype: DType, yDtype: DType): string;
}

export interface ScalarOperand {
  expr: string;
  dtype: DType;
}

/** Ops whose output element is a function of the input elements at the same (broadcast) index (identity is not: every target aliases it). */
export const ELEMENTWISE_OPS: ReadonlySet<string> = new Set([
  'add', 'sub', 'mul', 'div', 'pow', 'mod', 'max', 'min', 'sum', 'mean', 'neg', 'abs', 'reciprocal', 'floor', 'ceil', 'round',
  'sqrt', 'exp', 'log', 'sin', 'cos', 'tan', 'asin', 'acos', 'atan', 'sinh', 'cosh', 'asinh', 'acosh', 'atanh', 'tanh',
  'sign', 'erf', 'relu', 'leaky_relu', 'prelu', 'elu', 'selu', 'celu', 'thresholded_relu', 'sigmoid', 'hard_sigmoid',
  'hard_swish', 'softplus', 'softsign', 'mish', 'gelu', 'clip', 'where', 'cast', 'expand', 'equal', 'less',
  'less_or_equal', 'greater', 'greater_or_equal', 'and', 'or', 'xor', 'not', 'is_nan', 'is_inf', 'bitwise_and',
  'bitwise_or', 'bitwise_xor', 'bitwise_not', 'bit_shift', 'shrink',
]);

/**
 * The expression of one output element of an element-wise node, from its operands' expressions (each
 * already of its dtype's working type). Operands may be repeated in the result: pass plain names.
 */
export function renderElementwise(node: Node, xs: readonly ScalarOperand[], outDtype: DType, t: CTarget): string {
  const a: Attrs = node.attrs;
  const d = xs[0]?.dtype ?? outDtype;
  const [x, y] = xs.map((o) => o.expr);
  const lit = (v: number) => t.literal(v, d);
  const call = (fn: Intrinsic, ...args: string[]) => t.call(fn, d, args);
  const float = () => {
    if (!isFloat(d)) throw new DlcError(`${node.op} of ${d} is not supported by this target`, { node: node.name, op: node.op });
  };
  const sig = (v: string) => `(${lit(1)} / (${lit(1)} + ${call('exp', `-${v}`)}))`;
  const softplus = (v: string) => `(${call('max', v, lit(0))} + ${call('log1p', call('exp', `-${call('abs', v)}`))})`;
  const cmp = (op: string) => t.fromCondition(`(${x} ${op} ${y})`);
  const truth = (v: string) => `(${v} != ${t.literal(0, 'bool')})`;
  switch (node.op) {
    case 'identity': case 'expand': return x;
    case 'add': return `(${x} + ${y})`;
    case 'sub': return `(${x} - ${y})`;
    case 'mul': return `(${x} * ${y})`;
    case 'div': return isInteger(d) ? t.intDiv(x, y, d) : `(${x} / ${y})`;
    case 'pow':
      if (isInteger(d) && t.intPow) return t.intPow(x, y, d, xs[1].dtype);
      float();
      return call('pow', x, t.convert(y, xs[1].dtype, d));
    case 'mod': {
      // fmod = 1: C's remainder (the dividend's sign); fmod = 0: the remainder takes the divisor's sign.
      // Integer division by zero gives 0, as the reference's does.
      const r = isFloat(d) ? call('fmod', x, y) : t.select(`${y} == ${lit(0)}`, lit(0), `${x} % ${y}`);
      if (attrInt(a, 'fmod') === 1) return r;
      return t.select(`${r} != ${lit(0)} && (${r} < ${lit(0)}) != (${y} < ${lit(0)})`, `(${r} + ${y})`, r);
    }
    case 'sum': return `(${xs.map((o) => o.expr).join(' + ')})`;
    case 'mean': return `((${xs.map((o) => o.expr).join(' + ')}) / ${lit(xs.length)})`;
    case 'max': return xs.slice(1).reduce((acc, o) => (isFloat(d) ? call('max', acc, o.expr) : t.select(`${acc} > ${o.expr}`, acc, o.expr)), x);
    case 'min': return xs.slice(1).reduce((acc, o) => (isFloat(d) ? call('min', acc, o.expr) : t.select(`${acc} < ${o.expr}`, acc, o.expr)), x);
    case 'neg': return `(-${x})`;
    case 'abs': return isFloat(d) ? call('abs', x) : isSigned(d) ? t.select(`${x} < ${lit(0)}`, `-${x}`, x) : x;
    // Neither above nor below 0: ±0 or NaN for floats, which sign keeps (x · 0 would be folded to 0 by fast math).
    case 'sign': return t.select(`${x} > ${lit(0)}`, lit(1), t.select(`${x} < ${lit(0)}`, lit(-1), isFloat(d) ? x : lit(0)));
    case 'reciprocal': float(); return `(${lit(1)} / ${x})`;
    case 'floor': case 'ceil': case 'sqrt': case 'exp': case 'log': case 'sin': case 'cos': case 'tan': case 'asin': case 'acos':
    case 'atan': case 'sinh': case 'cosh': case 'asinh': case 'acosh': case 'atanh': case 'tanh': case 'erf':
      float();
      return call(node.op, x);
    case 'round': float(); return call('round_even', x);
    case 'relu': return t.select(`${x} < ${lit(0)}`, lit(0), x);
    case 'leaky_relu': float(); return t.select(`${x} < ${lit(0)}`, `(${lit(attrFloat(a, 'alpha'))} * ${x})`, x);
    case 'prelu': return t.select(`${x} < ${lit(0)}`, `(${y} * ${x})`, x);
    case 'thresholded_relu': float(); return t.select(`${x} > ${lit(attrFloat(a, 'alpha'))}`, x, lit(0));
    case 'elu': float(); return t.select(`${x} < ${lit(0)}`, `(${lit(attrFloat(a, 'alpha'))} * ${call('expm1', x)})`, x);
    case 'selu': {
      float();
      const g = attrFloat(a, 'gamma');
      return t.select(`${x} > ${lit(0)}`, `(${lit(g)} * ${x})`, `(${lit(g * attrFloat(a, 'alpha'))} * ${call('expm1', x)})`);
    }
    case 'celu': {
      float();
      const al = attrFloat(a, 'alpha');
      return `(${call('max', lit(0), x)} + ${call('min', lit(0), `(${lit(al)} * ${call('expm1', `(${x} / ${lit(al)})`)})`)})`;
    }
    case 'sigmoid': float(); return sig(x);
    // clamp(α·x + β, 0, 1)
    case 'hard_sigmoid': float(); return call('max', lit(0), call('min', lit(1), `(${lit(attrFloat(a, 'alpha'))} * ${x} + ${lit(attrFloat(a, 'beta'))})`));
    // x · clamp(x/6 + 1/2, 0, 1)
    case 'hard_swish': float(); return `(${x} * ${call('max', lit(0), call('min', lit(1), `(${x} * ${lit(1 / 6)} + ${lit(0.5)})`))})`;
    case 'softplus': float(); return softplus(x);
    case 'softsign': float(); return `(${x} / (${lit(1)} + ${call('abs', x)}))`;
    case 'mish': float(); return `(${x} * ${call('tanh', softplus(x))})`;
    case 'gelu':
      float();
      // none: x/2 · (1 + erf(x/√2)); tanh: x/2 · (1 + tanh(√(2/π)·(x + 0.044715·x³)))
      if (attrString(a, 'approximate') === 'tanh') {
        return `(${lit(0.5)} * ${x} * (${lit(1)} + ${call('tanh', `(${lit(Math.sqrt(2 / Math.PI))} * (${x} + ${lit(0.044715)} * ${x} * ${x} * ${x}))`)}))`;
      }
      return `(${lit(0.5)} * ${x} * (${lit(1)} + ${call('erf', `(${x} * ${lit(Math.SQRT1_2)})`)}))`;
    case 'shrink': {
      const lambd = attrFloat(a, 'lambd');
      const bias = attrFloat(a, 'bias');
      return t.select(`${x} < ${lit(-lambd)}`, `(${x} + ${lit(bias)})`, t.select(`${x} > ${lit(lambd)}`, `(${x} - ${lit(bias)})`, lit(0)));
    }
    case 'clip': {
      // min(max(x, lo), hi): NaN stays NaN (max/min of the target propagate it for floats).
      let e = x;
      if (xs[1]) e = isFloat(d) ? call('max', e, xs[1].expr) : t.select(`${e} < ${xs[1].expr}`, xs[1].expr, e);
      if (xs[2]) e = isFloat(d) ? call('min', e, xs[2].expr) : t.select(`${e} > ${xs[2].expr}`, xs[2].expr, e);
      return e;
    }
    case 'where': return t.select(truth(x), xs[1].expr, xs[2].expr);
    case 'cast': return t.convert(x, d, outDtype);
    case 'equal': return cmp('==');
    case 'less': return cmp('<');
    case 'less_or_equal': return cmp('<=');
    case 'greater': return cmp('>');
    case 'greater_or_equal': return cmp('>=');
    case 'and': case 'bitwise_and': return `(${x} & ${y})`;
    case 'or': case 'bitwise_or': return `(${x} | ${y})`;
    case 'xor': case 'bitwise_xor': return `(${x} ^ ${y})`;
    case 'not': return `(${x} ^ ${t.literal(1, 'bool')})`;
    case 'bitwise_not': return `(~${x})`;
    case 'bit_shift': {
      // Unsigned shifts where bits shifted past the width are lost: a shift by the width or more gives 0
      // (the machine's shift would take the amount modulo the width).
      const shifted = attrString(a, 'direction') === 'LEFT' ? `(${x} << ${y})` : `(${x} >> ${y})`;
      return t.select(`${y} >= ${lit(byteSize(d) * 8)}`, lit(0), shifted);
    }
    case 'is_nan': float(); return t.fromCondition(call('is_nan', x));
    case 'is_inf': {
      float();
      const pos = attrInt(a, 'detect_positive') === 1;
      const neg = attrInt(a, 'detect_negative') === 1;
      const parts = [pos ? `${x} == ${t.literal(Infinity, d)}` : '', neg ? `${x} == ${t.literal(-Infinity, d)}` : ''].filter(Boolean);
      return t.fromCondition(parts.length ? `(${parts.join(' || ')})` : 'false');
    }
    default:
      throw new DlcError(`op ${node.op} has no scalar form`, { node: node.name, op: node.op });
  }
}
