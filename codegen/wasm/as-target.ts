// The AssemblyScript table of the C-like renderer: type names, literals, Mathf intrinsics, conversions, and
// the few helpers AssemblyScript's standard library lacks (erf).
import { DlcError } from '../../compiler/errors.js';
import { isFloat, isInteger, type DType } from '../../compiler/ir/dtype.js';
import type { CTarget, Intrinsic } from '../../compiler/ops/scalar-forms.js';

const TYPES: Partial<Record<DType, string>> = {
  f32: 'f32', f64: 'f64', i8: 'i8', u8: 'u8', i16: 'i16', u16: 'u16', i32: 'i32', u32: 'u32', i64: 'i64', u64: 'u64', bool: 'u8',
};

/**
 * The AssemblyScript type of an element of `dtype`, as loaded and stored. f16 and bf16 have none: their
 * elements are stored as their bits (u16) and computed in f32, which only the kernels that read and write them
 * through asLoad and asStore do (the others refuse them here).
 */
export function asType(dtype: DType): string {
  const t = TYPES[dtype];
  if (!t) throw new DlcError(`dtype ${dtype} is not supported by the wasm target`);
  return t;
}

/** The type an element of `dtype` is computed in: its stored type, f32 for f16 and bf16. */
export function asWorkType(dtype: DType): string {
  return dtype === 'f16' || dtype === 'bf16' ? 'f32' : asType(dtype);
}

/** `value` (of the working type) rounded to what an element of `dtype` holds (f16 to nearest even, bf16 truncated). */
export function asRounded(value: string, dtype: DType): string {
  if (dtype === 'f16') return `halfRound(<f64>(${value}))`;
  if (dtype === 'bf16') return `bfloatRound(<f32>(${value}))`;
  return value;
}

/** An element of `dtype` at byte address `addr`, as its working type. */
export function asLoad(addr: string, dtype: DType): string {
  if (dtype === 'f16') return `halfToF32(load<u16>(${addr}))`;
  if (dtype === 'bf16') return `bfloatToF32(load<u16>(${addr}))`;
  return `load<${asType(dtype)}>(${addr})`;
}

/** Stores `value` (of `dtype`'s working type) as an element of `dtype`: f16 rounds to nearest even, bf16 truncates. */
export function asStore(addr: string, dtype: DType, value: string): string {
  if (dtype === 'f16') return `store<u16>(${addr}, halfBits(<f64>(${value})));`;
  if (dtype === 'bf16') return `store<u16>(${addr}, bfloatBits(<f32>(${value})));`;
  return `store<${asType(dtype)}>(${addr}, ${value});`;
}

export function asLiteral(value: number, dtype: DType): string {
  const ty = asWorkType(dtype);
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
  type: asWorkType,
  literal: asLiteral,
  call(fn, dtype, args) {
    const ty = asWorkType(dtype);
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
    // To f16 from the source's value (f64 included) in one rounding; from f16, its f32 value converts.
    if (to === 'f16') return `halfRound(<f64>(${expr}))`;
    // To bf16 through f32, as the reference rounds (a number to f32, then f32 to bf16).
    if (to === 'bf16') return `bfloatRound(<f32>(${expr}))`;
    if (from === 'f16' || from === 'bf16') return AS_TARGET.convert(expr, 'f32', to);
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

// f16 elements are stored as their bits and computed in f32. The f32 value of f16 bits (exact):
function halfToF32(h: u16): f32 {
  const sign: u32 = (<u32>h & 0x8000) << 16;
  const e: u32 = (<u32>h >> 10) & 0x1f;
  const m: u32 = <u32>h & 0x3ff;
  if (e == 0) return reinterpret<f32>(sign | reinterpret<u32>(<f32>m * 5.9604644775390625e-8)); // m · 2⁻²⁴
  if (e == 31) return reinterpret<f32>(sign | 0x7f800000 | (m << 13));
  return reinterpret<f32>(sign | ((e + 112) << 23) | (m << 13));
}

// The f16 bits nearest to x, ties to even, from x's own bits (no rounding through f32 first): past the
// largest finite value ±∞, NaN a quiet NaN, below half the least subnormal (2⁻²⁵) ±0.
function halfBits(x: f64): u16 {
  const b = reinterpret<u64>(x);
  const sign = <u32>(b >> 48) & 0x8000;
  const exp = <i32>((b >> 52) & 0x7ff);
  const mant: u64 = b & 0xfffffffffffff;
  if (exp == 0x7ff) return <u16>(sign | 0x7c00 | (mant != 0 ? 0x200 : 0));
  const e = exp - 1008; // f16's biased exponent: exp − 1023 + 15
  if (e >= 31) return <u16>(sign | 0x7c00);
  if (e < -10) return <u16>sign;
  // Normal: the top 10 of 52 fraction bits; subnormal (e ≤ 0): the significand with its leading 1, 1 − e further right.
  const sig: u64 = e > 0 ? mant : mant | (<u64>1 << 52);
  const shift: u64 = e > 0 ? 42 : <u64>(43 - e);
  let m: u64 = sig >> shift;
  const rest: u64 = sig & ((<u64>1 << shift) - 1);
  const half: u64 = <u64>1 << (shift - 1);
  if (rest > half || (rest == half && (m & 1) != 0)) m++;
  // A carry out of the fraction moves into the exponent (up to ∞, 0x7c00): the fields add.
  return <u16>(sign | ((<u32>(e > 0 ? e : 0) << 10) + <u32>m));
}

// x rounded to the nearest f16, as f32.
function halfRound(x: f64): f32 {
  return halfToF32(halfBits(x));
}

// bf16 elements are the upper 16 bits of an f32, stored as those bits and computed in f32.
function bfloatToF32(h: u16): f32 {
  return reinterpret<f32>(<u32>h << 16);
}

// The bf16 bits of x: its upper 16 bits (truncation, as compiler/ir/dtype.ts f32ToBF16Bits); NaN stays a quiet NaN of its sign.
function bfloatBits(x: f32): u16 {
  const b = reinterpret<u32>(x);
  if (isNaN<f32>(x)) return <u16>(((b >> 16) & 0x8000) | 0x7fc0);
  return <u16>(b >> 16);
}

// x as a bf16, as f32.
function bfloatRound(x: f32): f32 {
  return bfloatToF32(bfloatBits(x));
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
