// The boundary between the caller's typed arrays and a webgpu artifact's storage form (every element 4 bytes:
// f32, i32 or u32; the manifest names each input's and output's storage type). i64/u64 values outside 32 bits
// are clamped, f16 and bf16 travel as raw bits (as ARRAY_TYPES says) and are widened to f32, bool becomes 0/1.
import { arrayConstructor, type DTypeName, type TypedArray } from './dtypes.js';
import type { StorageType } from './manifest.js';

const I32_MIN = -2147483648;
const I32_MAX = 2147483647;

/** The value of an IEEE half given as its 16 bits. */
export function halfToFloat(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exp = (bits >> 10) & 0x1f;
  const frac = bits & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 31) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

/** The bits of the IEEE half nearest to `x` (ties to even). */
export function floatToHalf(x: number): number {
  if (Number.isNaN(x)) return 0x7e00;
  const sign = x < 0 || Object.is(x, -0) ? 0x8000 : 0;
  const a = Math.abs(x);
  if (a >= 65520) return sign | 0x7c00;
  if (a < 2 ** -14) return sign | roundEven(a * 2 ** 24);
  const e = Math.floor(Math.log2(a));
  const m = roundEven((a / 2 ** e - 1) * 1024);
  return m === 1024 ? sign | ((e + 16) << 10) : sign | ((e + 15) << 10) | m;
}

const bfloatWord = new Uint32Array(1);
const bfloatValue = new Float32Array(bfloatWord.buffer);

/** The value of a bfloat16 given as its 16 bits: the upper half of an f32. */
export function bfloatToFloat(bits: number): number {
  bfloatWord[0] = bits << 16;
  return bfloatValue[0];
}

/** The bfloat16 bits of an f32 the kernels already rounded to bfloat16: its upper half. */
export function floatToBfloat(x: number): number {
  bfloatValue[0] = x;
  return bfloatWord[0] >>> 16;
}

function roundEven(v: number): number {
  const r = Math.round(v);
  return Math.abs(v % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** A caller's array (already checked against its dtype) in the storage form. */
export function toStorage(data: TypedArray, dtype: DTypeName, storage: StorageType): Float32Array | Int32Array | Uint32Array {
  const n = data.length;
  if (storage === 'f32') {
    if (dtype === 'f32') return data as Float32Array;
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = dtype === 'f16' ? halfToFloat(Number(data[i])) : dtype === 'bf16' ? bfloatToFloat(Number(data[i])) : Number(data[i]);
    return out;
  }
  if (storage === 'i32' && dtype === 'i32') return data as Int32Array;
  if (storage === 'u32' && dtype === 'u32') return data as Uint32Array;
  const out = storage === 'i32' ? new Int32Array(n) : new Uint32Array(n);
  const [lo, hi] = storage === 'i32' ? [I32_MIN, I32_MAX] : [0, 0xffffffff];
  for (let i = 0; i < n; i++) {
    const v = Number(data[i]);
    out[i] = dtype === 'bool' ? (v ? 1 : 0) : Math.min(hi, Math.max(lo, v));
  }
  return out;
}

/** Storage bytes read back from the GPU as the caller's array type for `dtype`. */
export function fromStorage(bytes: ArrayBuffer, count: number, dtype: DTypeName, storage: StorageType): TypedArray {
  const src = storage === 'f32' ? new Float32Array(bytes, 0, count) : storage === 'i32' ? new Int32Array(bytes, 0, count) : new Uint32Array(bytes, 0, count);
  if (dtype === storage) return src.slice();
  const out = new (arrayConstructor(dtype))(count);
  for (let i = 0; i < count; i++) {
    const v = src[i];
    if (dtype === 'i64' || dtype === 'u64') out[i] = BigInt(v);
    else if (dtype === 'f16') out[i] = floatToHalf(v);
    else if (dtype === 'bf16') out[i] = floatToBfloat(v);
    else if (dtype === 'bool') out[i] = v ? 1 : 0;
    else out[i] = v;
  }
  return out;
}
