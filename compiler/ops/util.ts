// Helpers shared by op definitions: attribute access, axes, broadcasting, element-wise kernels.
import { DlcError } from '../errors.js';
import { allocData, castScalar, type DType } from '../ir/dtype.js';
import type { AttrValue, Attrs, Dim, TensorType } from '../ir/graph.js';
import { Tensor, checkedSize, stridesOf } from '../ir/tensor.js';
import type { InferContext } from './registry.js';

export function attrInt(attrs: Attrs, name: string): number {
  const v = attrs[name];
  if (typeof v !== 'number') throw new DlcError(`attribute '${name}' must be an int`);
  return v;
}

export function attrFloat(attrs: Attrs, name: string): number {
  const v = attrs[name];
  if (typeof v !== 'number') throw new DlcError(`attribute '${name}' must be a float`);
  return v;
}

export function attrInts(attrs: Attrs, name: string): number[] | undefined {
  const v = attrs[name];
  if (v === undefined) return undefined;
  if (!Array.isArray(v)) throw new DlcError(`attribute '${name}' must be a list of ints`);
  return v as number[];
}

export function attrString(attrs: Attrs, name: string): string {
  const v = attrs[name];
  if (typeof v !== 'string') throw new DlcError(`attribute '${name}' must be a string`);
  return v;
}

export function hasAttr(attrs: Attrs, name: string): boolean {
  return attrs[name] !== undefined;
}

export function attr<T extends AttrValue>(attrs: Attrs, name: string): T {
  return attrs[name] as T;
}

/** Maps a possibly negative axis into [0, rank). */
export function normalizeAxis(axis: number, rank: number): number {
  const a = axis < 0 ? axis + rank : axis;
  if (!Number.isInteger(a) || a < 0 || a >= rank) throw new DlcError(`axis ${axis} is out of range for rank ${rank}`);
  return a;
}

/** Numpy-style broadcast of several shapes (symbolic dims allowed: 'N' with 1 gives 'N'). */
export function broadcastShapes(shapes: readonly (readonly Dim[])[]): Dim[] {
  const rank = Math.max(0, ...shapes.map((s) => s.length));
  const out: Dim[] = [];
  for (let i = 0; i < rank; i++) {
    let d: Dim = 1;
    for (const s of shapes) {
      const k = i - (rank - s.length);
      if (k < 0) continue;
      const e = s[k];
      if (e === 1) continue;
      if (d === 1) d = e;
      else if (d !== e) {
        if (typeof d === 'number' && typeof e === 'number') {
          throw new DlcError(`shapes [${shapes.map((x) => x.join(',')).join('] and [')}] do not broadcast`);
        }
        if (typeof d !== 'number') d = e; // prefer the known size
      }
    }
    out.push(d);
  }
  return out;
}

/** Strides of `shape` seen as broadcast into `outShape` (0 along broadcast axes). */
export function broadcastStrides(shape: readonly number[], outShape: readonly number[]): number[] {
  const st = stridesOf(shape);
  const off = outShape.length - shape.length;
  return outShape.map((_, i) => (i < off || shape[i - off] === 1 ? 0 : st[i - off]));
}

/**
 * For every element of a tensor of shape `outShape`, the flat offsets into each input of the given shapes
 * (broadcast). Returns one Int32Array per input.
 */
export function broadcastIndex(shapes: readonly (readonly number[])[], outShape: readonly number[]): Int32Array[] {
  const n = checkedSize(outShape);
  const rank = outShape.length;
  const strides = shapes.map((s) => broadcastStrides(s, outShape));
  const idx = shapes.map(() => new Int32Array(n));
  const counter = new Array<number>(rank).fill(0);
  const offs = shapes.map(() => 0);
  for (let e = 0; e < n; e++) {
    for (let k = 0; k < shapes.length; k++) idx[k][e] = offs[k];
    for (let d = rank - 1; d >= 0; d--) {
      counter[d]++;
      for (let k = 0; k < shapes.length; k++) offs[k] += strides[k][d];
      if (counter[d] < outShape[d]) break;
      for (let k = 0; k < shapes.length; k++) offs[k] -= strides[k][d] * outShape[d];
      counter[d] = 0;
    }
  }
  return idx;
}

/** Element-wise map over one tensor; the result has `outDtype` (default: the input's). */
export function mapUnary(x: Tensor, f: (v: number) => number, outDtype: DType = x.dtype): Tensor {
  const out = allocData(outDtype, x.size);
  for (let i = 0; i < x.size; i++) out[i] = castScalar(f(x.data[i]), outDtype);
  return new Tensor(outDtype, x.shape, out);
}

/** Broadcasting element-wise map over any number of tensors. */
export function mapBroadcast(xs: readonly Tensor[], f: (...v: number[]) => number, outDtype: DType): Tensor {
  const outShape = broadcastShapes(xs.map((x) => x.shape)) as number[];
  const n = checkedSize(outShape);
  const out = allocData(outDtype, n);
  // Fast path for the common binary case where each operand is full-size or a scalar: no index tables.
  if (xs.length === 2 && xs.every((x) => x.size === n || x.size === 1)) {
    const [a, b] = xs;
    const sa = a.size === n ? 1 : 0;
    const sb = b.size === n ? 1 : 0;
    for (let e = 0; e < n; e++) out[e] = castScalar(f(a.data[e * sa], b.data[e * sb]), outDtype);
    return new Tensor(outDtype, outShape, out);
  }
  const idx = broadcastIndex(xs.map((x) => x.shape), outShape);
  const args = new Array<number>(xs.length);
  for (let e = 0; e < n; e++) {
    for (let k = 0; k < xs.length; k++) args[k] = xs[k].data[idx[k][e]];
    out[e] = castScalar(f(...args), outDtype);
  }
  return new Tensor(outDtype, outShape, out);
}

/** Inference for ops whose single output has the first input's type. */
export function inferSameAsInput(ctx: InferContext): TensorType[] {
  const t = ctx.inputs[0];
  if (!t) throw new DlcError('missing input 0');
  return [{ dtype: t.dtype, shape: [...t.shape] }];
}

/** Inference for broadcasting element-wise ops; `dtype` overrides the output type (e.g. bool). */
export function inferBroadcast(ctx: InferContext, dtype?: DType): TensorType[] {
  const ts = ctx.inputs.filter((t): t is TensorType => t !== null);
  if (ts.length === 0) throw new DlcError('missing inputs');
  return [{ dtype: dtype ?? ts[0].dtype, shape: broadcastShapes(ts.map((t) => t.shape)) }];
}

/** Size of a shape whose dims are all known; undefined otherwise. */
export function knownSize(shape: readonly Dim[]): number | undefined {
  let n = 1;
  for (const d of shape) {
    if (typeof d !== 'number') return undefined;
    n *= d;
  }
  return n;
}

/** The input tensor, or an error naming which input is missing. */
export function required(inputs: readonly (Tensor | null)[], i: number): Tensor {
  const t = inputs[i];
  if (!t) throw new DlcError(`missing required input ${i}`);
  return t;
}
