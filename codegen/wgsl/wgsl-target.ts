// The WGSL table of the C-like renderer, and the one place that decides how each IR dtype is stored on the GPU.
//
// Storage mapping (why): WGSL storage buffers hold only 32-bit scalars here (no i64, no i8/u8/i16, no bool,
// and f16 only where the adapter has `shader-f16`). So every element takes 4 bytes:
//   f32, f16, bf16, f64      → f32   (f16 rounds through pack2x16float on a cast, bf16 truncates in dlc_bf16; f64 is
//                                     computed in f32)
//   i8, i16, i32, i64        → i32   (i64 values outside i32 are clamped at compile time; kernels wrap i8/i16)
//   u8, u16, u32, u64, bool  → u32   (bool is 0/1)
// The runtime converts the user's arrays (BigInt64Array, Uint8Array…) to and from this form at the artifact
// boundary; the manifest records each graph input's and output's storage type.
import { DlcError } from '../../compiler/errors.js';
import type { DType } from '../../compiler/ir/dtype.js';
import type { CTarget, Intrinsic } from '../../compiler/ops/scalar-forms.js';

export type StorageType = 'f32' | 'i32' | 'u32';

/** The WGSL scalar type an element of `dtype` is stored and computed as. */
export function storageType(dtype: DType): StorageType {
  switch (dtype) {
    case 'f32': case 'f16': case 'bf16': case 'f64': return 'f32';
    case 'i8': case 'i16': case 'i32': case 'i64': return 'i32';
    case 'u8': case 'u16': case 'u32': case 'u64': case 'bool': return 'u32';
  }
}

/** Bytes one element takes in a GPU buffer. */
export const STORAGE_BYTES = 4;

const I32_MIN = -2147483648;
const I32_MAX = 2147483647;

/** The stored value of a compile-time element (clamped into the storage type's range). */
export function storedValue(value: number, dtype: DType): number {
  const t = storageType(dtype);
  if (t === 'f32') return Math.fround(value);
  if (Number.isNaN(value)) return 0;
  const v = Math.trunc(value);
  if (t === 'i32') return Math.min(I32_MAX, Math.max(I32_MIN, v));
  return Math.min(0xffffffff, Math.max(0, v));
}

/**
 * NaN and ±Infinity cannot be WGSL constants (constant evaluation rejects them), so they come from helper
 * functions that bitcast a run-time value.
 */
const SPECIAL_FLOATS: Record<string, string> = {
  dlc_nan: 'fn dlc_nan() -> f32 { var b = 0x7fc00000u; return bitcast<f32>(b); }',
  dlc_inf: 'fn dlc_inf() -> f32 { var b = 0x7f800000u; return bitcast<f32>(b); }',
  dlc_ninf: 'fn dlc_ninf() -> f32 { var b = 0xff800000u; return bitcast<f32>(b); }',
};

/** A WGSL bool expression (of a vector of bools for a vector `x`): is `x` NaN, from its bits (immune to fast math). */
export function isNanOf(x: string, vec4 = false): string {
  return vec4 ? `((bitcast<vec4<u32>>(${x}) & vec4<u32>(0x7fffffffu)) > vec4<u32>(0x7f800000u))` : `((bitcast<u32>(${x}) & 0x7fffffffu) > 0x7f800000u)`;
}

/** `result`, or NaN where `x` is NaN: `result` computed by a function that may drop NaN (max, min, clamp, exp…). */
export function keepNan(x: string, result: string, vec4 = false): string {
  return `select(${result}, ${x}, ${isNanOf(x, vec4)})`;
}

export function wgslLiteral(value: number, dtype: DType): string {
  const t = storageType(dtype);
  if (t === 'f32') {
    const f = Math.fround(value);
    if (Number.isNaN(f)) return 'dlc_nan()';
    if (f === Infinity) return 'dlc_inf()';
    if (f === -Infinity) return 'dlc_ninf()';
    const s = Object.is(f, -0) ? '-0.0' : String(f);
    const text = /[.e]/.test(s) ? s : `${s}.0`;
    return f < 0 || Object.is(f, -0) ? `(${text}f)` : `${text}f`;
  }
  const v = storedValue(value, dtype);
  return t === 'i32' ? `i32(${v})` : `${v}u`;
}

// IEEE semantics, as onnxruntime computes: NaN in gives NaN out, log(0) = −∞, log and sqrt of a negative
// number are NaN, max/min propagate NaN. WGSL leaves all of these to the implementation (SwiftShader's exp(NaN)
// is ∞, log(0) −88, max(NaN, y) y), so the functions that break them go through dlc_ helpers that decide
// NaN from the bits; the rest (sqrt, abs, floor, ceil, round, trunc, asin, acos, atan, sinh) keep NaN natively.
const NATIVE: Partial<Record<Intrinsic, string>> = {
  exp: 'dlc_exp', log: 'dlc_log', sqrt: 'sqrt', abs: 'abs', floor: 'floor', ceil: 'ceil', round_even: 'round', trunc: 'trunc',
  min: 'dlc_min', max: 'dlc_max', sin: 'dlc_sin', cos: 'dlc_cos', tan: 'dlc_tan', asin: 'asin', acos: 'acos', atan: 'atan', sinh: 'sinh',
  cosh: 'dlc_cosh', asinh: 'dlc_asinh', acosh: 'dlc_acosh', atanh: 'dlc_atanh', tanh: 'dlc_tanh',
};

/** Bits of a float's magnitude: NaN above the exponent-all-ones pattern, ±Inf equal to it (immune to fast math). */
const magnitudeBits = (x: string) => `(bitcast<u32>(${x}) & 0x7fffffffu)`;

export const WGSL_TARGET: CTarget = {
  type: storageType,
  literal: wgslLiteral,
  call(fn, dtype, args) {
    if (storageType(dtype) !== 'f32') throw new DlcError(`${fn} of ${dtype} is not supported by the webgpu target`);
    const [x, y] = args;
    switch (fn) {
      case 'expm1': return `(dlc_exp(${x}) - 1.0f)`;
      case 'log1p': return `dlc_log(1.0f + ${x})`;
      case 'erf': return `dlc_erf(${x})`;
      case 'pow': return `dlc_pow(${x}, ${y})`;
      // WGSL's float % is x − y·trunc(x/y): C's fmod.
      case 'fmod': return `(${x} % ${y})`;
      case 'is_nan': return `(${magnitudeBits(x)} > 0x7f800000u)`;
      case 'is_inf': return `(${magnitudeBits(x)} == 0x7f800000u)`;
      default: return `${NATIVE[fn]}(${args.join(', ')})`;
    }
  },
  convert(expr, from, to) {
    const [f, t] = [storageType(from), storageType(to)];
    if (to === 'bool') return `select(0u, 1u, ${expr} != ${wgslLiteral(0, from)})`;
    if (to === 'f16' && from !== 'f16') return `unpack2x16float(pack2x16float(vec2<f32>(${f === 'f32' ? expr : `f32(${expr})`}, 0.0f))).x`;
    if (to === 'bf16' && from !== 'bf16') return `dlc_bf16(${f === 'f32' ? expr : `f32(${expr})`})`;
    if (from === to || (f === t && !isNarrow(to))) return expr;
    // Floats to unsigned go through i32, so that a negative value wraps as C's conversion does.
    const value = f === 'f32' && t === 'u32' && to !== 'u32' && to !== 'u64' ? `u32(i32(${expr}))` : f === t ? expr : `${t}(${expr})`;
    return wrapNarrow(value, to);
  },
  select: (cond, a, b) => `select(${b}, ${a}, ${cond})`,
  fromCondition: (cond) => `select(0u, 1u, ${cond})`,
  intDiv: (x, y, dtype) => `select(${x} / ${y}, ${wgslLiteral(0, dtype)}, ${y} == ${wgslLiteral(0, dtype)})`,
  intPow: (x, y, dtype, yDtype) => `dlc_${storageType(dtype) === 'i32' ? 'i' : 'u'}pow(${x}, ${storageType(yDtype) === 'f32' ? y : `f32(${y})`})`,
};

function isNarrow(dtype: DType): boolean {
  return dtype === 'i8' || dtype === 'u8' || dtype === 'i16' || dtype === 'u16' || dtype === 'bool';
}

/** A value of `dtype`'s storage type wrapped into `dtype`'s range (two's complement), as a store of that width would. */
export function wrapNarrow(expr: string, dtype: DType): string {
  switch (dtype) {
    case 'u8': return `(${expr} & 0xffu)`;
    case 'u16': return `(${expr} & 0xffffu)`;
    case 'i8': return `((${expr} << 24u) >> 24u)`;
    case 'i16': return `((${expr} << 16u) >> 16u)`;
    default: return expr;
  }
}

/** Helper functions the expressions may call, by name; a module gets those it uses (see withHelpers). */
const HELPERS: Record<string, string> = {
  ...SPECIAL_FLOATS,
  // x as a bf16 (the upper 16 bits of an f32, truncated as compiler/ir/dtype.ts f32ToBF16Bits); NaN stays NaN.
  dlc_bf16: `fn dlc_bf16(x: f32) -> f32 {
  return select(bitcast<f32>(bitcast<u32>(x) & 0xffff0000u), dlc_nan(), ${isNanOf('x')});
}`,
  dlc_isnan: `fn dlc_isnan(x: f32) -> bool { return ${isNanOf('x')}; }`,
  // x + y is NaN when either is.
  dlc_max: 'fn dlc_max(x: f32, y: f32) -> f32 { return select(max(x, y), x + y, dlc_isnan(x) || dlc_isnan(y)); }',
  dlc_min: 'fn dlc_min(x: f32, y: f32) -> f32 { return select(min(x, y), x + y, dlc_isnan(x) || dlc_isnan(y)); }',
  dlc_exp: `fn dlc_exp(x: f32) -> f32 { return ${keepNan('x', 'exp(x)')}; }`,
  dlc_cosh: `fn dlc_cosh(x: f32) -> f32 { return ${keepNan('x', 'cosh(x)')}; }`,
  // tanh(±20) is ±1 in f32; clamping keeps implementations that use exp(2x) finite.
  dlc_tanh: `fn dlc_tanh(x: f32) -> f32 { return ${keepNan('x', 'tanh(clamp(x, -20.0f, 20.0f))')}; }`,
  // ±0 gives −∞; a negative number or NaN (bits above +∞'s, the sign bit included) gives NaN.
  dlc_log: `fn dlc_log(x: f32) -> f32 {
  let b = bitcast<u32>(x);
  return select(select(log(x), dlc_nan(), b > 0x7f800000u), dlc_ninf(), (b & 0x7fffffffu) == 0u);
}`,
  // Beyond 1e9 asinh(x) = ±(log|x| + log 2) in f32 (the implementations' log(x + sqrt(x² + 1)) overflows x²).
  dlc_asinh: `fn dlc_asinh(x: f32) -> f32 {
  let a = abs(x);
  let r = select(asinh(a), log(a) + 0.6931472f, a > 1e9f);
  return ${keepNan('x', 'select(r, -r, x < 0.0f)')};
}`,
  dlc_acosh: 'fn dlc_acosh(x: f32) -> f32 { return select(acosh(x), dlc_nan(), !(x >= 1.0f) || dlc_isnan(x)); }',
  dlc_atanh: 'fn dlc_atanh(x: f32) -> f32 { return select(atanh(x), dlc_nan(), !(abs(x) <= 1.0f) || dlc_isnan(x)); }',
  // WGSL promises sin, cos and tan accurate only on [−π, π]: the argument is reduced by the period first, in two
  // parts (6.28125 and 2π − 6.28125; k·6.28125 is exact for |k| < 2¹⁶, so up to |x| ≈ 4e5). ±∞ and NaN give NaN.
  dlc_turns: `fn dlc_turns(x: f32, k: f32, hi: f32, lo: f32) -> f32 {
  return select((x - k * hi) - k * lo, dlc_nan(), (bitcast<u32>(x) & 0x7fffffffu) >= 0x7f800000u);
}`,
  // sin and cos by quarter period and Cephes' sinf/cosf polynomials on [−π/4, π/4] (about 1e-7 absolute): WGSL's
  // own promise on [−π, π] is only 2⁻¹¹ absolute, and SwiftShader's are off by up to 3e-4, which a conv after a
  // cos multiplies (π/2 = 1.5703125 + 4.8382679e-4, k·1.5703125 exact for |k| < 2¹⁶).
  dlc_sin: 'fn dlc_sin(x: f32) -> f32 { return dlc_quadrant(x, 0); }',
  dlc_cos: 'fn dlc_cos(x: f32) -> f32 { return dlc_quadrant(x, 1); }',
  dlc_quadrant: `fn dlc_quadrant(x: f32, shift: i32) -> f32 {
  let k = round(x * 0.63661977f);
  let r = dlc_turns(x, k, 1.5703125f, 4.8382679e-4f);
  let z = r * r;
  let s = r + r * z * (-1.6666654611e-1f + z * (8.3321608736e-3f + z * -1.9515295891e-4f));
  let c = 1.0f - 0.5f * z + z * z * (4.166664568298827e-2f + z * (-1.388731625493765e-3f + z * 2.443315711809948e-5f));
  let q = (i32(k) + shift) & 3;
  let v = select(s, c, (q & 1) == 1);
  return select(v, -v, q >= 2);
}`,
  dlc_tan: 'fn dlc_tan(x: f32) -> f32 { return tan(dlc_turns(x, round(x * 0.31830989f), 3.140625f, 0.0009676536f)); }',
  // erf to 1.5e-7 absolute (Abramowitz & Stegun 7.1.26): 1 − (a1·t + … + a5·t⁵)·e^(−x²), t = 1/(1 + p·|x|).
  dlc_erf: `fn dlc_erf(x: f32) -> f32 {
  let a = abs(x);
  let t = 1.0f / (1.0f + 0.3275911f * a);
  let y = 1.0f - ((((1.061405429f * t - 1.453152027f) * t + 1.421413741f) * t - 0.284496736f) * t + 0.254829592f) * t * exp(-a * a);
  return select(y, -y, x < 0.0f);
}`,
  // pow as C: WGSL's pow is exp2(y·log2(x)), undefined for x < 0 and NaN for 0⁰. A negative base takes the
  // sign of an odd integer exponent; a fractional exponent of a negative base is NaN.
  dlc_pow: `fn dlc_pow(x: f32, y: f32) -> f32 {
  if (y == 0.0f) { return 1.0f; }
  let r = pow(abs(x), y);
  if (x >= 0.0f) { return r; }
  if (trunc(y) != y) { return dlc_nan(); }
  return select(r, -r, trunc(y * 0.5f) != y * 0.5f);
}`,
  // Integer powers: square-and-multiply on the storage type (which wraps, as the reference's fixed-width
  // product does); a negative or fractional exponent takes the float power, truncated toward zero.
  dlc_ipow: `fn dlc_ipow(x: i32, y: f32) -> i32 {
  if (y < 0.0f || trunc(y) != y) { return i32(dlc_pow(f32(x), y)); }
  var b = x;
  var e = u32(y);
  var r = 1i;
  while (e != 0u) { if ((e & 1u) != 0u) { r = r * b; } b = b * b; e = e >> 1u; }
  return r;
}`,
  dlc_upow: `fn dlc_upow(x: u32, y: f32) -> u32 {
  if (y < 0.0f || trunc(y) != y) { return u32(dlc_pow(f32(x), y)); }
  var b = x;
  var e = u32(y);
  var r = 1u;
  while (e != 0u) { if ((e & 1u) != 0u) { r = r * b; } b = b * b; e = e >> 1u; }
  return r;
}`,
};

/** `code` preceded by the helpers it calls (and the helpers those call) that it does not define, in a fixed order. */
export function withHelpers(code: string): string {
  const used = new Set<string>();
  let text = code;
  for (;;) {
    const before = used.size;
    for (const name of Object.keys(HELPERS)) if (!used.has(name) && text.includes(`${name}(`) && !code.includes(`fn ${name}(`)) used.add(name);
    if (used.size === before) break;
    text = [...used].map((n) => HELPERS[n]).join('\n') + code;
  }
  const ordered = Object.keys(HELPERS).filter((n) => used.has(n));
  return ordered.length ? `${ordered.map((n) => HELPERS[n]).join('\n')}\n${code}` : code;
}
