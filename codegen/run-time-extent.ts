// Where a run-time-sized value (compiler/run-time-dims.ts) keeps its extent: one int32 word right after its
// bounded elements, in the same buffer, so that the memory plan needs no extra value and the kernel finds
// the word from the output it writes.
import type { Value } from '../compiler/ir/graph.js';
import { sizeOfValue } from './shapes.js';

export const EXTENT_BYTES = 4;

/** The byte offset of `v`'s extent word from the start of its storage, at `elementBytes` an element. */
export function extentByteOffset(v: Value, elementBytes: number): number {
  return Math.ceil((sizeOfValue(v) * elementBytes) / EXTENT_BYTES) * EXTENT_BYTES;
}

/** The bytes `v` takes at `elementBytes` an element: its elements, and the extent word of a run-time-sized value. */
export function storageBytes(v: Value, elementBytes: number): number {
  return v.type.runTimeDim === undefined ? sizeOfValue(v) * elementBytes : extentByteOffset(v, elementBytes) + EXTENT_BYTES;
}

/** The manifest's record of a run-time dim, its word `base` bytes into memory (wasm) or the value's buffer (webgpu). */
export function extentRecord(v: Value, elementBytes: number, base: number): { extent?: { dim: number; offset: number } } {
  const dim = v.type.runTimeDim;
  return dim === undefined ? {} : { extent: { dim, offset: base + extentByteOffset(v, elementBytes) } };
}

/**
 * A shape seen as [outer, extent, inner] around `axis` (undefined: the flattened tensor, one outer and inner):
 * how Compress and Unique walk the slices along their axis.
 */
export function aroundAxis(shape: readonly number[], axis: number | undefined): { outer: number; extent: number; inner: number } {
  const prod = (dims: readonly number[]) => dims.reduce((p, d) => p * d, 1);
  if (axis === undefined) return { outer: 1, extent: prod(shape), inner: 1 };
  const a = axis < 0 ? axis + shape.length : axis;
  return { outer: prod(shape.slice(0, a)), extent: shape[a], inner: prod(shape.slice(a + 1)) };
}
