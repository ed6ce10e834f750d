// A tensor's elements as little-endian bytes and back: what the IR's hex payloads and resource blobs hold.
// f16 is IEEE binary16, bf16 the upper half of an f32, i64/u64 8-byte two's complement (values past their range saturate, which reads back
// to the same double), bool one byte.
import { bf16BitsToF32, byteSize, f16BitsToF32, f32ToBF16Bits, f32ToF16Bits, type DType } from './dtype.js';

export const INT64_MAX = 2n ** 63n - 1n;
export const INT64_MIN = -(2n ** 63n);
export const UINT64_MAX = 2n ** 64n - 1n;

export function toBigInt(x: number, min: bigint, max: bigint): bigint {
  if (!Number.isFinite(x)) return 0n;
  const b = BigInt(Math.trunc(x));
  return b < min ? min : b > max ? max : b;
}

export function encodeElements(dtype: DType, data: ArrayLike<number>): Uint8Array {
  const width = byteSize(dtype);
  const bytes = new Uint8Array(data.length * width);
  const dv = new DataView(bytes.buffer);
  for (let i = 0; i < data.length; i++) {
    const x = data[i];
    const o = i * width;
    switch (dtype) {
      case 'f32': dv.setFloat32(o, x, true); break;
      case 'f64': dv.setFloat64(o, x, true); break;
      case 'f16': dv.setUint16(o, f32ToF16Bits(x), true); break;
      case 'bf16': dv.setUint16(o, f32ToBF16Bits(x), true); break;
      case 'i64': dv.setBigInt64(o, toBigInt(x, INT64_MIN, INT64_MAX), true); break;
      case 'u64': dv.setBigUint64(o, toBigInt(x, 0n, UINT64_MAX), true); break;
      case 'i32': dv.setInt32(o, x, true); break;
      case 'u32': dv.setUint32(o, x, true); break;
      case 'i16': dv.setInt16(o, x, true); break;
      case 'u16': dv.setUint16(o, x, true); break;
      case 'i8': dv.setInt8(o, x); break;
      case 'u8': dv.setUint8(o, x); break;
      case 'bool': dv.setUint8(o, x ? 1 : 0); break;
    }
  }
  return bytes;
}

/** The elements `bytes` encode; its length must be a whole number of elements (the caller checks). */
export function decodeElements(dtype: DType, bytes: Uint8Array): number[] {
  const width = byteSize(dtype);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Array<number>(Math.floor(bytes.length / width));
  for (let i = 0; i < out.length; i++) {
    const o = i * width;
    switch (dtype) {
      case 'f32': out[i] = dv.getFloat32(o, true); break;
      case 'f64': out[i] = dv.getFloat64(o, true); break;
      case 'f16': out[i] = f16BitsToF32(dv.getUint16(o, true)); break;
      case 'bf16': out[i] = bf16BitsToF32(dv.getUint16(o, true)); break;
      case 'i64': out[i] = Number(dv.getBigInt64(o, true)); break;
      case 'u64': out[i] = Number(dv.getBigUint64(o, true)); break;
      case 'i32': out[i] = dv.getInt32(o, true); break;
      case 'u32': out[i] = dv.getUint32(o, true); break;
      case 'i16': out[i] = dv.getInt16(o, true); break;
      case 'u16': out[i] = dv.getUint16(o, true); break;
      case 'i8': out[i] = dv.getInt8(o); break;
      case 'u8': out[i] = dv.getUint8(o); break;
      case 'bool': out[i] = dv.getUint8(o) ? 1 : 0; break;
    }
  }
  return out;
}
