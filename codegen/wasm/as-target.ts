// The AssemblyScript table of the C-like renderer: type names, literals, Mathf intrinsics, conversions, and
// the few helpers AssemblyScript's standard library lacks (erf).
import { DlcError } from '../../compiler/errors.js';
import { isFloat, isInteger, type DType } from '../../compiler/ir/dtype.js';
import type { CTarget, Intrinsic } from '../c-like.js';

const TYPES: Partial<Record<DType, string>> = {
  f32: 'f32', f64: 'f64', i8: 'i8', u8: 'u8', i16: 'i16', u16: 'u16', i32: 'i32', u32: 'u32', i64: 'i64', u64: 'u64', bool: 'u8',
};

/** The AssemblyScript type of an element of `dtype`, as loaded and stored. */
export function asType(dtype: DType): string {
  const t = TYPES[dtype];
  if (!t) throw new DlcError(`dtype ${dtype} is not supported by the wasm target`);
  return t;
}

export function asLiteral(value: number, dtype: DType): string {
  const ty = asType(dtype);
  if (Number.isNaN(value)) return `(<${ty}>NaN)`;
  if (!Number.isFinite(value)) return `(<${ty}>${value > 0 ? '' : '-'}Infinity)`;
  if (isFloat(dtype)) return `(<${ty}>${value.toString().includes('e') || value.toString().includes('.') ? value : `${value}.0`})`;
  return `(<${ty}>${Math.trunc(value)})`;
}

const MATH_NAMES: Partial<Record<Intrinsic, string>> = {
  exp: 'exp', expm1: 'expm1', log: 'log', log1p: 'log1p', sqrt: 'sqrt', abs: 'abs', floor: 'floor', ceil: 'ceil', trunc: 'trunc',
  min: 'min', max: 'max', pow: 'pow', sin: 'sin', cos: 'cos', tan: 'tan', asin: 'asin', acos: 'acos', atan: 'atan', sinh: 'sinh',
  cosh: 'cosh', tanh: 'tanh', asinh: 'asinh', acosh: 'acosh', atanh: 'atanh',
};

export const AS_TARGET: CTarget = {
  type: asType,
  literal: asLiteral,
  call(fn, dtype, args) {
    const ty = asType(dtype);
    switch (fn) {
      case 'round_even': return `nearest<${ty}>(${args[0]})`;
      case 'erf': return `<${ty}>erf64(<f64>${args[0]})`;
      case 'fmod': return `(${args[0]} % ${args[1]})`;
      case 'is_nan': return `isNaN<${ty}>(${args[0]})`;
      case 'is_inf': return `(!isFinite<${ty}>(${args[0]}) && !isNaN<${ty}>(${args[0]}))`;
      default: return `${ty === 'f64' ? 'Math' : 'Mathf'}.${MATH_NAMES[fn]}(${args.join(', ')})`;
    }
  },
  convert(expr, from, to) {
    if (from === to) return expr;
    if (to === 'bool') return `<u8>(${expr} != ${asLiteral(0, from)})`;
    // Floats to integers truncate toward zero (the module enables non-trapping conversions: NaN gives 0).
    if (isFloat(from) && isInteger(to) && to !== 'i64' && to !== 'u64') return `<${asType(to)}><i32>(${expr})`;
    return `<${asType(to)}>(${expr})`;
  },
  select: (cond, a, b) => `(${cond} ? ${a} : ${b})`,
  fromCondition: (cond) => `<u8>(${cond})`,
  intDiv: (x, y, dtype) => `(${y} == ${asLiteral(0, dtype)} ? ${asLiteral(0, dtype)} : ${x} / ${y})`,
  intPow: (x, y, dtype) => `ipow<${asType(dtype)}>(${x}, <f64>(${y}))`,
};

/** Helpers the expressions may call, compiled once per module (unused ones are dropped by the optimizer). */
export const AS_HELPERS = `
// erf to 1.5e-7 absolute (Abramowitz & Stegun 7.1.26): 1 − (a1·t + … + a5·t⁵)·e^(−x²), t = 1/(1 + p·|x|).
function erf64(x: f64): f64 {
  const a = Math.abs(x);
  const t = 1.0 / (1.0 + 0.3275911 * a);
  const y = 1.0 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-a * a);
  return x < 0 ? -y : y;
}

// x^y of an integer base by repeated squaring, wrapping as the repeated product does; a negative or fractional
// exponent takes the float power, truncated toward zero.
function ipow<T>(x: T, y: f64): T {
  if (y < 0 || Math.trunc(y) != y) return <T><i64>Math.pow(<f64>x, y);
  let e = <u64>y;
  let b = x;
  let r = <T>1;
  while (e != 0) {
    if ((e & 1) != 0) r = <T>(r * b);
    b = <T>(b * b);
    e >>= 1;
  }
  return r;
}
`;
