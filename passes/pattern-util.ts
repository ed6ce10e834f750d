// Helpers the simplification rules share: reading constant operands, comparing types, spelling a pattern
// in every operand order of a commutative op, and per-channel constant arithmetic.
import type { Dim, TensorType, Value } from '../compiler/ir/graph.js';
import { Tensor } from '../compiler/ir/tensor.js';
import type { InputPattern, NodePattern } from './rewrite.js';

/** The value of a constant holding one element (of any rank: [], [1], [1,1]…), else undefined. */
export function scalarOf(v: Value | null | undefined): number | undefined {
  const t = v?.data;
  return t && t.size === 1 ? t.data[0] : undefined;
}

/** Whether `v` is a one-element constant within `rtol` of `want` (constants such as 1/6 or √2 are rounded). */
export function isScalar(v: Value | null | undefined, want: number, rtol = 1e-6): boolean {
  const s = scalarOf(v);
  return s !== undefined && Math.abs(s - want) <= rtol * Math.abs(want);
}

/** Same dtype and the same dims: concrete and equal, or the same symbolic name. */
export function sameType(a: TensorType, b: TensorType): boolean {
  return a.dtype === b.dtype && a.shape.length === b.shape.length && a.shape.every((d, i) => d === b.shape[i]);
}

const COMMUTATIVE = new Set(['add', 'mul']);

/**
 * Every spelling of a pattern under swapping the two operands of its commutative nodes (add, mul), so a
 * rule written for `x * c` also matches `c * x`.
 */
export function commuted(p: NodePattern): NodePattern[] {
  const inputs = p.inputs ?? [];
  let variants: InputPattern[][] = [[]];
  for (const ip of inputs) {
    const options: InputPattern[] = typeof ip === 'object' && 'op' in ip ? commuted(ip) : [ip];
    variants = variants.flatMap((prefix) => options.map((o) => [...prefix, o]));
  }
  const swap = typeof p.op === 'string' && COMMUTATIVE.has(p.op) && inputs.length === 2;
  return variants.flatMap((v) => (swap ? [{ ...p, inputs: v }, { ...p, inputs: [v[1], v[0]] }] : [{ ...p, inputs: v }]));
}

/**
 * The per-channel vector (length `channels`) of a constant that broadcasts against an output of `outShape`
 * along `axis` only, or undefined when it varies along any other axis or would grow the output's rank.
 */
export function perChannel(c: Tensor, outShape: readonly Dim[], axis: number, channels: number): Float64Array | undefined {
  if (c.rank > outShape.length) return undefined;
  const offset = outShape.length - c.rank;
  for (let i = 0; i < c.rank; i++) {
    const d = c.shape[i];
    if (d !== 1 && !(i + offset === axis && d === channels)) return undefined;
  }
  const out = new Float64Array(channels);
  for (let k = 0; k < channels; k++) out[k] = c.data[c.size === 1 ? 0 : k];
  return out;
}

/** `w` with every element multiplied by `s[k]`, k being the element's index along `axis`. */
export function scaleAlong(w: Tensor, axis: number, s: Float64Array): Tensor {
  const inner = w.shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const n = w.shape[axis];
  const out = new Float64Array(w.size);
  for (let i = 0; i < w.size; i++) out[i] = w.data[i] * s[Math.floor(i / inner) % n];
  return new Tensor(w.dtype, w.shape, out);
}
