// Outputs whose size depends on data (manifest.ts, RunTimeExtent): the actual shape from the extent a run wrote.
import type { RunTimeExtent } from './manifest.js';

/** `shape` with the run-time dim set to `extent`, kept within its bound (a bad word cannot overrun the buffer). */
export function actualShape(shape: readonly number[], extent: RunTimeExtent, written: number): number[] {
  const dims = [...shape];
  dims[extent.dim] = Math.max(0, Math.min(shape[extent.dim], written | 0));
  return dims;
}

/** The dims of an output given its elements: the run-time dim is what the other dims leave. */
export function dimsOf(shape: readonly number[], runTimeDim: number | undefined, elements: number): number[] {
  if (runTimeDim === undefined) return [...shape];
  const rest = shape.reduce((p, d, i) => (i === runTimeDim ? p : p * d), 1);
  const dims = [...shape];
  dims[runTimeDim] = rest === 0 ? 0 : elements / rest;
  return dims;
}
