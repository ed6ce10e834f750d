// Element types as an artifact names them, and the typed array that carries each across the runtime API.
// Every element is stored little-endian at its natural width; f16 and bf16 travel as their raw bits in a
// Uint16Array (Float16Array is not in every engine yet; bfloat16 has no typed array), i64/u64 as BigInt64Array/BigUint64Array, bool as 0/1 bytes.

export type DTypeName = 'f32' | 'f16' | 'bf16' | 'f64' | 'i8' | 'u8' | 'i16' | 'u16' | 'i32' | 'u32' | 'i64' | 'u64' | 'bool';

export type TypedArray =
  | Float32Array | Float64Array | Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array
  | BigInt64Array | BigUint64Array;

/** The typed array of each dtype, as a type (ARRAY_TYPES names them at run time). */
export interface ArrayOf {
  f32: Float32Array; f16: Uint16Array; bf16: Uint16Array; f64: Float64Array; i8: Int8Array; u8: Uint8Array; i16: Int16Array; u16: Uint16Array;
  i32: Int32Array; u32: Uint32Array; i64: BigInt64Array; u64: BigUint64Array; bool: Uint8Array;
}

/** An output with its element type and dims: checking `dtype` narrows `data` to its typed array, no cast needed. */
export type Tensor = { [D in DTypeName]: { dtype: D; dims: number[]; data: ArrayOf[D] } }[DTypeName];

type TypedArrayConstructor = { new (length: number): TypedArray; readonly BYTES_PER_ELEMENT: number };

/** The typed array for each dtype, by constructor name: names compare across realms (iframes, jest sandboxes). */
export const ARRAY_TYPES: Readonly<Record<DTypeName, string>> = {
  f32: 'Float32Array',
  f16: 'Uint16Array',
  bf16: 'Uint16Array',
  f64: 'Float64Array',
  i8: 'Int8Array',
  u8: 'Uint8Array',
  i16: 'Int16Array',
  u16: 'Uint16Array',
  i32: 'Int32Array',
  u32: 'Uint32Array',
  i64: 'BigInt64Array',
  u64: 'BigUint64Array',
  bool: 'Uint8Array',
};

export function isDTypeName(s: unknown): s is DTypeName {
  return typeof s === 'string' && Object.prototype.hasOwnProperty.call(ARRAY_TYPES, s);
}

export function arrayConstructor(dtype: DTypeName): TypedArrayConstructor {
  return (globalThis as unknown as Record<string, TypedArrayConstructor>)[ARRAY_TYPES[dtype]];
}

export function bytesPerElement(dtype: DTypeName): number {
  return arrayConstructor(dtype).BYTES_PER_ELEMENT;
}

/** The constructor name of a typed array, or undefined for anything else. */
export function typedArrayName(x: unknown): string | undefined {
  return ArrayBuffer.isView(x) ? (x as unknown as { [Symbol.toStringTag]: string })[Symbol.toStringTag] : undefined;
}

export function elementCount(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}
