// Indexing ops: gather, gather_elements, gather_nd, scatter_elements, scatter_nd, compress, one_hot, non_zero.
import { DlcError } from '../errors.js';
import { allocData, castScalar, type TensorData } from '../ir/dtype.js';
import type { Dim, TensorType } from '../ir/graph.js';
import { Tensor, checkedSize, stridesOf } from '../ir/tensor.js';
import type { InferContext, OpDef } from './registry.js';
import { attrInt, attrString, normalizeAxis, required } from './util.js';
import { constInts, inType, nextIndex, wrapIndex } from './tensor-common.js';

const prod = (dims: readonly number[]) => dims.reduce((p, d) => p * d, 1);

/** Gather along `axis` (negative indices count from the end). */
export function refGather(data: Tensor, indices: Tensor, axisAttr: number): Tensor {
  const axis = normalizeAxis(axisAttr, data.rank);
  const outShape = [...data.shape.slice(0, axis), ...indices.shape, ...data.shape.slice(axis + 1)];
  const out = allocData(data.dtype, checkedSize(outShape));
  const outer = prod(data.shape.slice(0, axis));
  const inner = prod(data.shape.slice(axis + 1));
  const d = data.shape[axis];
  const n = indices.size;
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < n; j++) {
      const k = wrapIndex(indices.data[j], d, 'gather: index');
      const from = (o * d + k) * inner;
      out.set(data.data.subarray(from, from + inner), (o * n + j) * inner);
    }
  }
  return new Tensor(data.dtype, outShape, out);
}

/** Calls `f(dataOffset, e)` for each element e of `indices`, whose value replaces the coordinate along `axis`. */
function forEachElementIndex(data: Tensor, indices: Tensor, axis: number, f: (dataOffset: number, e: number) => void): void {
  if (indices.rank !== data.rank) throw new DlcError(`indices have rank ${indices.rank}, data rank ${data.rank}`);
  indices.shape.forEach((d, i) => {
    if (i !== axis && d > data.shape[i]) throw new DlcError(`indices shape [${indices.shape}] exceeds data shape [${data.shape}]`);
  });
  const st = stridesOf(data.shape);
  const idx = new Array<number>(indices.rank).fill(0);
  for (let e = 0; e < indices.size; e++) {
    let o = 0;
    for (let k = 0; k < idx.length; k++) {
      o += (k === axis ? wrapIndex(indices.data[e], data.shape[axis], 'index') : idx[k]) * st[k];
    }
    f(o, e);
    nextIndex(idx, indices.shape);
  }
}

type Combine = (old: number, update: number) => number;

function reductionOf(name: string): Combine {
  switch (name) {
    case 'none': return (_, u) => u;
    case 'add': return (a, u) => a + u;
    case 'mul': return (a, u) => a * u;
    case 'max': return (a, u) => (a >= u || Number.isNaN(a) ? a : u);
    case 'min': return (a, u) => (a <= u || Number.isNaN(a) ? a : u);
    default: throw new DlcError(`unknown scatter reduction '${name}'`);
  }
}

function copyOf(t: Tensor): TensorData {
  const out = allocData(t.dtype, t.size);
  out.set(t.data);
  return out;
}

/** GatherND's index tuples: for each one, the flat data offset of the slice it selects. */
function gatherNdOffsets(data: Tensor, indices: Tensor, batchDims: number): { outShape: number[]; offsets: number[]; sliceSize: number } {
  const q = indices.rank;
  const k = indices.shape[q - 1];
  if (q < 1 || batchDims < 0 || batchDims >= Math.min(q, data.rank) || k === undefined || batchDims + k > data.rank) {
    throw new DlcError(`gather_nd: indices [${indices.shape}] with batch_dims ${batchDims} do not fit data [${data.shape}]`);
  }
  for (let i = 0; i < batchDims; i++) {
    if (indices.shape[i] !== data.shape[i]) throw new DlcError(`gather_nd: batch dim ${i} differs between data and indices`);
  }
  const st = stridesOf(data.shape);
  const batch = prod(data.shape.slice(0, batchDims));
  const batchStride = prod(data.shape.slice(batchDims));
  const perBatch = prod(indices.shape.slice(batchDims, q - 1));
  const offsets: number[] = [];
  for (let b = 0; b < batch; b++) {
    for (let j = 0; j < perBatch; j++) {
      let o = b * batchStride;
      const base = (b * perBatch + j) * k;
      for (let t = 0; t < k; t++) o += wrapIndex(indices.data[base + t], data.shape[batchDims + t], 'gather_nd: index') * st[batchDims + t];
      offsets.push(o);
    }
  }
  const outShape = [...indices.shape.slice(0, q - 1), ...data.shape.slice(batchDims + k)];
  return { outShape, offsets, sliceSize: prod(data.shape.slice(batchDims + k)) };
}

function oneHotAxis(axis: number, rank: number): number {
  const a = axis < 0 ? axis + rank + 1 : axis;
  if (a < 0 || a > rank) throw new DlcError(`one_hot: axis ${axis} is out of range for indices of rank ${rank}`);
  return a;
}

function inferScatter(ctx: InferContext): TensorType[] {
  const data = inType(ctx, 0);
  const updates = inType(ctx, 2);
  if (updates.dtype !== data.dtype) throw new DlcError(`scatter: updates are ${updates.dtype}, data ${data.dtype}`);
  return [{ dtype: data.dtype, shape: [...data.shape] }];
}

export const tensorIndexOps: OpDef[] = [
  {
    name: 'gather',
    attrs: { axis: { type: 'int', default: 0 } },
    kind: 'injective',
    onnx: [{ op: 'Gather' }],
    infer: (ctx) => {
      const data = inType(ctx, 0);
      const indices = inType(ctx, 1);
      const axis = normalizeAxis(attrInt(ctx.attrs, 'axis'), data.shape.length);
      return [{ dtype: data.dtype, shape: [...data.shape.slice(0, axis), ...indices.shape, ...data.shape.slice(axis + 1)] }];
    },
    ref: (inputs, attrs) => [refGather(required(inputs, 0), required(inputs, 1), attrInt(attrs, 'axis'))],
  },
  {
    name: 'gather_elements',
    attrs: { axis: { type: 'int', default: 0 } },
    kind: 'injective',
    onnx: [{ op: 'GatherElements' }],
    infer: (ctx) => {
      const data = inType(ctx, 0);
      const indices = inType(ctx, 1);
      normalizeAxis(attrInt(ctx.attrs, 'axis'), data.shape.length);
      return [{ dtype: data.dtype, shape: [...indices.shape] }];
    },
    ref: (inputs, attrs) => {
      const data = required(inputs, 0);
      const indices = required(inputs, 1);
      const out = allocData(data.dtype, indices.size);
      forEachElementIndex(data, indices, normalizeAxis(attrInt(attrs, 'axis'), data.rank), (o, e) => (out[e] = data.data[o]));
      return [new Tensor(data.dtype, indices.shape, out)];
    },
  },
  {
    name: 'gather_nd',
    attrs: { batch_dims: { type: 'int', default: 0 } },
    kind: 'injective',
    onnx: [{ op: 'GatherND' }],
    infer: (ctx) => {
      const data = inType(ctx, 0);
      const indices = inType(ctx, 1);
      const b = attrInt(ctx.attrs, 'batch_dims');
      const k = indices.shape[indices.shape.length - 1];
      if (typeof k !== 'number') throw new DlcError('gather_nd: the last dim of indices must be known at compile time');
      if (b + k > data.shape.length) throw new DlcError(`gather_nd: index tuples of ${k} with batch_dims ${b} exceed data rank ${data.shape.length}`);
      return [{ dtype: data.dtype, shape: [...indices.shape.slice(0, -1), ...data.shape.slice(b + k)] }];
    },
    ref: (inputs, attrs) => {
      const data = required(inputs, 0);
      const { outShape, offsets, sliceSize } = gatherNdOffsets(data, required(inputs, 1), attrInt(attrs, 'batch_dims'));
      const out = allocData(data.dtype, checkedSize(outShape));
      offsets.forEach((o, j) => out.set(data.data.subarray(o, o + sliceSize), j * sliceSize));
      return [new Tensor(data.dtype, outShape, out)];
    },
  },
  {
    name: 'scatter_elements',
    attrs: { axis: { type: 'int', default: 0 }, reduction: { type: 'string', default: 'none' } },
    kind: 'injective',
    onnx: [{ op: 'ScatterElements' }, { op: 'Scatter' }],
    infer: inferScatter,
    ref: (inputs, attrs) => {
      const data = required(inputs, 0);
      const updates = required(inputs, 2);
      const indices = required(inputs, 1);
      if (updates.shape.length !== indices.rank || updates.shape.some((d, i) => d !== indices.shape[i])) {
        throw new DlcError(`scatter_elements: updates [${updates.shape}] and indices [${indices.shape}] differ in shape`);
      }
      const combine = reductionOf(attrString(attrs, 'reduction'));
      const out = copyOf(data);
      forEachElementIndex(data, indices, normalizeAxis(attrInt(attrs, 'axis'), data.rank), (o, e) => {
        out[o] = castScalar(combine(out[o], updates.data[e]), data.dtype);
      });
      return [new Tensor(data.dtype, data.shape, out)];
    },
  },
  {
    name: 'scatter_nd',
    attrs: { reduction: { type: 'string', default: 'none' } },
    kind: 'injective',
    onnx: [{ op: 'ScatterND' }],
    infer: inferScatter,
    ref: (inputs, attrs) => {
      const data = required(inputs, 0);
      const indices = required(inputs, 1);
      const updates = required(inputs, 2);
      const { outShape, offsets, sliceSize } = gatherNdOffsets(data, indices, 0);
      if (updates.size !== checkedSize(outShape)) {
        throw new DlcError(`scatter_nd: updates [${updates.shape}] do not match indices [${indices.shape}] and data [${data.shape}]`);
      }
      const combine = reductionOf(attrString(attrs, 'reduction'));
      const out = copyOf(data);
      offsets.forEach((o, j) => {
        for (let i = 0; i < sliceSize; i++) out[o + i] = castScalar(combine(out[o + i], updates.data[j * sliceSize + i]), data.dtype);
      });
      return [new Tensor(data.dtype, data.shape, out)];
    },
  },
  {
    name: 'compress',
    attrs: { axis: { type: 'int', optional: true } },
    kind: 'opaque',
    onnx: [{ op: 'Compress' }],
    infer: (ctx) => {
      const x = inType(ctx, 0);
      const cond = constInts(ctx, 1);
      const kept: Dim = cond ? cond.filter((c) => c !== 0).length : ctx.freshDim('compress');
      if (ctx.attrs.axis === undefined) return [{ dtype: x.dtype, shape: [kept] }];
      const axis = normalizeAxis(attrInt(ctx.attrs, 'axis'), x.shape.length);
      return [{ dtype: x.dtype, shape: x.shape.map((d, i) => (i === axis ? kept : d)) }];
    },
    ref: (inputs, attrs) => {
      const x0 = required(inputs, 0);
      const cond = required(inputs, 1);
      const flat = attrs.axis === undefined;
      const x = flat ? x0.reshape([x0.size]) : x0;
      const axis = flat ? 0 : normalizeAxis(attrInt(attrs, 'axis'), x.rank);
      const keep: number[] = [];
      for (let i = 0; i < Math.min(cond.size, x.shape[axis]); i++) if (cond.data[i] !== 0) keep.push(i);
      return [refGather(x, Tensor.fromArray('i64', [keep.length], keep), axis)];
    },
  },
  {
    name: 'one_hot',
    attrs: { axis: { type: 'int', default: -1 } },
    kind: 'injective',
    onnx: [{ op: 'OneHot' }],
    shapeOperands: [1],
    infer: (ctx) => {
      const indices = inType(ctx, 0);
      const values = inType(ctx, 2);
      const depth = ctx.constInput(1);
      const axis = oneHotAxis(attrInt(ctx.attrs, 'axis'), indices.shape.length);
      const shape = [...indices.shape];
      shape.splice(axis, 0, depth ? Math.trunc(depth.data[0]) : ctx.freshDim('one_hot'));
      return [{ dtype: values.dtype, shape }];
    },
    ref: (inputs, attrs) => {
      const indices = required(inputs, 0);
      const depth = Math.trunc(required(inputs, 1).data[0]);
      const values = required(inputs, 2);
      if (!(depth >= 0)) throw new DlcError(`one_hot: depth ${depth} is negative`);
      if (values.size !== 2) throw new DlcError(`one_hot: values must hold [off, on], got ${values.size} elements`);
      const axis = oneHotAxis(attrInt(attrs, 'axis'), indices.rank);
      const outShape = [...indices.shape];
      outShape.splice(axis, 0, depth);
      const out = allocData(values.dtype, checkedSize(outShape));
      out.fill(values.data[0]);
      const outer = prod(indices.shape.slice(0, axis));
      const inner = prod(indices.shape.slice(axis));
      for (let o = 0; o < outer; o++) {
        for (let i = 0; i < inner; i++) {
          const v = Math.trunc(indices.data[o * inner + i]);
          const k = v < 0 ? v + depth : v;
          if (k >= 0 && k < depth) out[(o * depth + k) * inner + i] = values.data[1];
        }
      }
      return [new Tensor(values.dtype, outShape, out)];
    },
  },
  {
    name: 'non_zero',
    attrs: {},
    kind: 'opaque',
    onnx: [{ op: 'NonZero' }],
    infer: (ctx) => [{ dtype: 'i64', shape: [inType(ctx, 0).shape.length, ctx.freshDim('nonzero')] }],
    ref: (inputs) => {
      const x = required(inputs, 0);
      const hits: number[][] = [];
      const idx = new Array<number>(x.rank).fill(0);
      for (let e = 0; e < x.size; e++) {
        if (x.data[e] !== 0) hits.push([...idx]);
        nextIndex(idx, x.shape);
      }
      const out = new Float64Array(x.rank * hits.length);
      hits.forEach((h, j) => h.forEach((c, d) => (out[d * hits.length + j] = c)));
      return [new Tensor('i64', [x.rank, hits.length], out)];
    },
  },
];
