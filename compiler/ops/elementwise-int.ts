// Integer element kernels that wrap like C. Integers up to 32 bits are exact in a double and the typed-array
// store wraps them; a result past 2^53 (a 32-bit product, any 64-bit overflow) is recomputed exactly in BigInt
// and reduced modulo 2^64 (or 2^32, which the store then narrows further) before it becomes a double again.
import type { DType } from '../ir/dtype.js';

function is64(dtype: DType): boolean {
  return dtype === 'i64' || dtype === 'u64';
}

/** An exact integer reduced to what an element of `dtype` holds (narrower types are finished by the store). */
export function wrapBig(r: bigint, dtype: DType): number {
  if (dtype === 'u64') return Number(BigInt.asUintN(64, r));
  if (dtype === 'i64') return Number(BigInt.asIntN(64, r));
  return Number(BigInt.asIntN(32, r));
}

/** x ∘ y on integers: the double result where it is exact and in range, else the exact result wrapped. */
export function exactInt(
  dtype: DType,
  f: (x: number, y: number) => number,
  big: (x: bigint, y: bigint) => bigint,
): (x: number, y: number) => number {
  return (x, y) => {
    const r = f(x, y);
    return Number.isSafeInteger(r) && (dtype !== 'u64' || r >= 0) ? r : wrapBig(big(BigInt(x), BigInt(y)), dtype);
  };
}

/** Integer division truncates toward zero; division by zero gives 0 (C leaves it undefined). */
export function intDiv(x: number, y: number): number {
  return y === 0 ? 0 : Math.trunc(x / y);
}

/**
 * x^y with an integer base: repeated squaring modulo 2^64 for a non-negative integral exponent (numpy's
 * wrapping power), else the real power, which the store truncates toward zero.
 */
export function intPow(dtype: DType): (x: number, y: number) => number {
  return (x, y) => {
    if (!Number.isInteger(y) || y < 0) return Math.pow(x, y);
    let base = BigInt.asUintN(64, BigInt(x));
    let e = BigInt(y);
    let r = 1n;
    while (e > 0n) {
      if (e & 1n) r = BigInt.asUintN(64, r * base);
      base = BigInt.asUintN(64, base * base);
      e >>= 1n;
    }
    return wrapBig(r, dtype);
  };
}

/** x << y: bits shifted past the type's width are lost; shifting by the width or more gives 0. */
export function shiftLeft(dtype: DType): (x: number, y: number) => number {
  return (x, y) => (y >= 64 ? 0 : wrapBig(BigInt(x) << BigInt(y), dtype));
}

/** x >> y for unsigned values (and arithmetic for signed ones): floor(x / 2^y). */
export function shiftRight(x: number, y: number): number {
  return Math.floor(x / 2 ** y);
}

/** A bitwise op: JS's 32-bit operators for narrow types (the store restores unsigned values), BigInt for 64-bit. */
export function bitwise(
  dtype: DType,
  f32: (x: number, y: number) => number,
  big: (x: bigint, y: bigint) => bigint,
): (x: number, y: number) => number {
  return is64(dtype) ? (x, y) => wrapBig(big(BigInt(x), BigInt(y)), dtype) : f32;
}

export function bitwiseNot(dtype: DType): (x: number) => number {
  return is64(dtype) ? (x) => wrapBig(~BigInt(x), dtype) : (x) => ~x;
}

/** Python's modulo: the remainder takes the divisor's sign. Division by zero gives NaN (0 once stored as an int). */
export function floorMod(x: number, y: number): number {
  const r = x % y;
  return r !== 0 && r < 0 !== y < 0 ? r + y : r;
}
