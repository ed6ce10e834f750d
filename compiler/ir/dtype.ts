// Element types of the IR and how the reference interpreter stores them.
//
// Storage choices (why): every op's reference implementation indexes plain JS numbers, so
//  - f16 and bf16 live in a Float32Array whose values are rounded to f16 (nearest even) / bf16 (truncated; see roundF16,
//    roundBF16); their 2-byte encodings are produced only when tensors are serialized;
//  - i64/u64 live in a Float64Array: exact up to 2^53, which covers every index, shape and the values the
//    conformance cases use; INT64_MAX sentinels (Slice ends) become 9.22e18 and still act as "past the end".
import { DlcError } from '../errors.js';

export type DType =
  | 'f32' | 'f16' | 'bf16' | 'f64'
  | 'i8' | 'u8' | 'i16' | 'u16' | 'i32' | 'u32' | 'i64' | 'u64'
  | 'bool';

export const DTYPES: readonly DType[] = ['f32', 'f16', 'bf16', 'f64', 'i8', 'u8', 'i16', 'u16', 'i32', 'u32', 'i64', 'u64', 'bool'];

export type TensorData =
  | Float32Array | Float64Array
  | Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array;

/** Bytes one element takes when shipped (not how the interpreter stores it). */
export function byteSize(dtype: DType): number {
  switch (dtype) {
    case 'f64': case 'i64': case 'u64': return 8;
    case 'f32': case 'i32': case 'u32': return 4;
    case 'f16': case 'bf16': case 'i16': case 'u16': return 2;
    case 'i8': case 'u8': case 'bool': return 1;
  }
}

export function isFloat(dtype: DType): boolean {
  return dtype === 'f32' || dtype === 'f16' || dtype === 'bf16' || dtype === 'f64';
}

export function isInteger(dtype: DType): boolean {
  return !isFloat(dtype) && dtype !== 'bool';
}

export function isSigned(dtype: DType): boolean {
  return dtype === 'i8' || dtype === 'i16' || dtype === 'i32' || dtype === 'i64' || isFloat(dtype);
}

export function allocData(dtype: DType, n: number): TensorData {
  switch (dtype) {
    case 'f32': case 'f16': case 'bf16': return new Float32Array(n);
    case 'f64': case 'i64': case 'u64': return new Float64Array(n);
    case 'i8': return new Int8Array(n);
    case 'u8': case 'bool': return new Uint8Array(n);
    case 'i16': return new Int16Array(n);
    case 'u16': return new Uint16Array(n);
    case 'i32': return new Int32Array(n);
    case 'u32': return new Uint32Array(n);
  }
}

/**
 * Converts a JS number to what an element of `dtype` holds: rounding for f16, truncation toward zero and
 * wrap-around for integers (C cast semantics, as ONNX Cast specifies for in-range values), 0/1 for bool.
 */
export function castScalar(x: number, dtype: DType): number {
  switch (dtype) {
    case 'f32': return Math.fround(x);
    case 'f64': return x;
    case 'f16': return roundF16(x);
    case 'bf16': return roundBF16(x);
    case 'bool': return x !== 0 ? 1 : 0; // NaN is true, as in C++ and numpy
    case 'i64': case 'u64': return Number.isFinite(x) ? Math.trunc(x) : 0;
    default: return Number.isFinite(x) ? Math.trunc(x) : 0; // typed-array store wraps it
  }
}

// ---- f16 <-> f32 bit conversion (IEEE 754 binary16) ----
const f32buf = new Float32Array(1);
const u32buf = new Uint32Array(f32buf.buffer);

/** Nearest-even f16 bits of a number. */
export function f32ToF16Bits(value: number): number {
  f32buf[0] = value;
  const x = u32buf[0];
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0); // inf / nan
  let e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00; // overflow -> inf
  if (e <= 0) {
    if (e < -10) return sign; // underflow -> 0
    mant |= 0x800000;
    const shift = 14 - e;
    const half = 1 << (shift - 1);
    let m = mant >>> shift;
    const rem = mant & ((1 << shift) - 1);
    if (rem > half || (rem === half && (m & 1))) m++;
    return sign | m;
  }
  let m = mant >>> 13;
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && (m & 1))) {
    m++;
    if (m === 0x400) { m = 0; e++; if (e >= 0x1f) return sign | 0x7c00; }
  }
  return sign | (e << 10) | m;
}

export function f16BitsToF32(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >>> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 0x1f) return mant ? NaN : sign * Infinity;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}

export function roundF16(x: number): number {
  return f16BitsToF32(f32ToF16Bits(x));
}

// ---- bf16 <-> f32 bit conversion (bfloat16: the upper half of an f32) ----

/**
 * bf16 bits of a number: the upper half of its f32, the lower 16 bits dropped (truncation toward zero, as the
 * ONNX backend cases' Cast to BFLOAT16 computes: 0.4996848 → 0.49804688, not the nearer 0.5); NaN stays a quiet
 * NaN of its sign (a NaN whose payload lies in the dropped half would otherwise become ±∞).
 */
export function f32ToBF16Bits(value: number): number {
  f32buf[0] = value;
  const x = u32buf[0];
  if (Number.isNaN(value)) return ((x >>> 16) & 0x8000) | 0x7fc0;
  return x >>> 16;
}

export function bf16BitsToF32(h: number): number {
  u32buf[0] = (h & 0xffff) << 16;
  return f32buf[0];
}

export function roundBF16(x: number): number {
  return bf16BitsToF32(f32ToBF16Bits(x));
}

export function parseDType(s: string): DType {
  if ((DTYPES as readonly string[]).includes(s)) return s as DType;
  throw new DlcError(`unknown dtype '${s}'`);
}
