// Unary element-wise math: arithmetic, rounding, exponentials, trigonometry, erf, classification, logic.
import type { OpDef } from './registry.js';
import { checkFlag, simpleUnary, unaryOp } from './elementwise-factory.js';
import { bitwiseNot } from './elementwise-int.js';
import { attrInt } from './util.js';

/** Rounds to the nearest integer, ties to even (IEEE roundTiesToEven, as numpy.round). */
export function roundHalfEven(x: number): number {
  const f = Math.floor(x);
  const d = x - f;
  if (d < 0.5) return f;
  if (d > 0.5) return f + 1;
  return f % 2 === 0 ? f : f + 1;
}

const TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);

/**
 * The error function to double precision (|error| < 1e-15 relative).
 * |x| < 3: erf x = 2/√π · e^(−x²) · Σ_{n≥0} 2ⁿ x^(2n+1) / (1·3·5···(2n+1)), a series of positive terms
 * (no cancellation). |x| ≥ 3: erf x = 1 − erfc x with Laplace's continued fraction
 * erfc x = e^(−x²)/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + 2/(x + ...))))), evaluated bottom-up.
 */
export function erf(x: number): number {
  if (Number.isNaN(x)) return NaN;
  const a = Math.abs(x);
  let r: number;
  if (a < 3) {
    const x2 = a * a;
    let term = a;
    let sum = a;
    for (let n = 1; term > sum * 1e-17; n++) {
      term *= (2 * x2) / (2 * n + 1);
      sum += term;
    }
    r = TWO_OVER_SQRT_PI * Math.exp(-x2) * sum;
  } else if (a < 6) {
    let t = a;
    for (let k = 60; k >= 1; k--) t = a + k / 2 / t;
    r = 1 - Math.exp(-a * a) / Math.sqrt(Math.PI) / t;
  } else {
    r = 1; // erfc(6) < 2.2e-17: 1 − erfc rounds to 1
  }
  return x < 0 ? -r : r;
}

export const unaryMathOps: OpDef[] = [
  simpleUnary('abs', 'Abs', 'numeric', Math.abs),
  simpleUnary('neg', 'Neg', 'signed', (x) => -x),
  simpleUnary('reciprocal', 'Reciprocal', 'float', (x) => 1 / x),
  simpleUnary('floor', 'Floor', 'float', Math.floor),
  simpleUnary('ceil', 'Ceil', 'float', Math.ceil),
  simpleUnary('round', 'Round', 'float', roundHalfEven),
  simpleUnary('sqrt', 'Sqrt', 'float', Math.sqrt),
  simpleUnary('exp', 'Exp', 'float', Math.exp),
  simpleUnary('log', 'Log', 'float', Math.log),
  simpleUnary('sin', 'Sin', 'float', Math.sin),
  simpleUnary('cos', 'Cos', 'float', Math.cos),
  simpleUnary('tan', 'Tan', 'float', Math.tan),
  simpleUnary('asin', 'Asin', 'float', Math.asin),
  simpleUnary('acos', 'Acos', 'float', Math.acos),
  simpleUnary('atan', 'Atan', 'float', Math.atan),
  simpleUnary('sinh', 'Sinh', 'float', Math.sinh),
  simpleUnary('cosh', 'Cosh', 'float', Math.cosh),
  simpleUnary('asinh', 'Asinh', 'float', Math.asinh),
  simpleUnary('acosh', 'Acosh', 'float', Math.acosh),
  simpleUnary('atanh', 'Atanh', 'float', Math.atanh),
  simpleUnary('sign', 'Sign', 'numeric', Math.sign),
  simpleUnary('erf', 'Erf', 'float', erf),
  unaryOp({ name: 'is_nan', onnx: 'IsNaN', accepts: 'float', out: 'bool', kernel: () => (x) => (Number.isNaN(x) ? 1 : 0) }),
  unaryOp({
    name: 'is_inf',
    onnx: 'IsInf',
    accepts: 'float',
    out: 'bool',
    attrs: { detect_negative: { type: 'int', default: 1 }, detect_positive: { type: 'int', default: 1 } },
    checkAttrs: (attrs) => {
      checkFlag(attrs, 'detect_negative');
      checkFlag(attrs, 'detect_positive');
    },
    kernel: (attrs) => {
      const neg = attrInt(attrs, 'detect_negative') === 1;
      const pos = attrInt(attrs, 'detect_positive') === 1;
      return (x) => ((pos && x === Infinity) || (neg && x === -Infinity) ? 1 : 0);
    },
  }),
  simpleUnary('not', 'Not', 'bool', (x) => (x ? 0 : 1)),
  unaryOp({ name: 'bitwise_not', onnx: 'BitwiseNot', accepts: 'integer', kernel: (_, dtype) => bitwiseNot(dtype) }),
];

