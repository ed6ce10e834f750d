// Reductions: reduce_{sum,mean,max,min,prod,l1,l2,log_sum,log_sum_exp,sum_square}, arg_max, arg_min,
// cum_sum, top_k.
import { DlcError } from '../errors.js';
import { allocData, castScalar } from '../ir/dtype.js';
import type { Dim, TensorType } from '../ir/graph.js';
import { Tensor, checkedSize, stridesOf } from '../ir/tensor.js';
import type { CostContext, InferContext, OpDef } from './registry.js';
import { attrInt, attrInts, knownSize, normalizeAxis, required } from './util.js';
import { constInts, freshShape, i64Vector, inType, nextIndex, normalizeAxes, vectorLength, without } from './tensor-common.js';

/** The axes to reduce: all when none are given, none (identity) when none are given and noop is set. */
function reducedAxes(rank: number, axes: number[] | undefined, noop: boolean): number[] {
  if (!axes || axes.length === 0) return noop ? [] : Array.from({ length: rank }, (_, i) => i);
  return normalizeAxes(axes, rank);
}

function reducedShape<D extends Dim>(shape: readonly D[], axes: readonly number[], keepdims: boolean): (D | 1)[] {
  return keepdims ? shape.map((d, i) => (axes.includes(i) ? 1 : d)) : shape.filter((_, i) => !axes.includes(i));
}

function inferReduce(ctx: InferContext): TensorType[] {
  const x = inType(ctx, 0);
  const rank = x.shape.length;
  const keepdims = attrInt(ctx.attrs, 'keepdims') !== 0;
  const noop = attrInt(ctx.attrs, 'noop_with_empty_axes') !== 0;
  if (ctx.inputs[1] && !ctx.constInput(1)) {
    const n = vectorLength(ctx, 1, 'reduce axes');
    if (n === 0) return [{ dtype: x.dtype, shape: reducedShape(x.shape, reducedAxes(rank, [], noop), keepdims) }];
    return [{ dtype: x.dtype, shape: freshShape(ctx, keepdims ? rank : rank - n, 'reduce') }];
  }
  return [{ dtype: x.dtype, shape: reducedShape(x.shape, reducedAxes(rank, constInts(ctx, 1), noop), keepdims) }];
}

/** For each input element, the flat index of the output element it reduces into. */
function reductionSlots(shape: readonly number[], axes: readonly number[]): { slots: Int32Array; outSize: number } {
  const kept = shape.map((d, i) => (axes.includes(i) ? 1 : d));
  const st = stridesOf(kept).map((s, i) => (axes.includes(i) ? 0 : s));
  const n = checkedSize(shape);
  const slots = new Int32Array(n);
  const idx = new Array<number>(shape.length).fill(0);
  for (let e = 0; e < n; e++) {
    let o = 0;
    for (let k = 0; k < idx.length; k++) o += idx[k] * st[k];
    slots[e] = o;
    nextIndex(idx, shape);
  }
  return { slots, outSize: checkedSize(kept) };
}

interface Reducer {
  init: number;
  step(acc: number, v: number): number;
  finish(acc: number, count: number): number;
  /** FLOPs per input element. */
  flops: number;
}

const max = (a: number, v: number) => (a >= v || Number.isNaN(a) ? a : v);
const min = (a: number, v: number) => (a <= v || Number.isNaN(a) ? a : v);
const same = (a: number) => a;

const REDUCERS: Record<string, Reducer> = {
  sum: { init: 0, step: (a, v) => a + v, finish: same, flops: 1 },
  mean: { init: 0, step: (a, v) => a + v, finish: (a, n) => a / n, flops: 1 },
  max: { init: -Infinity, step: max, finish: same, flops: 1 },
  min: { init: Infinity, step: min, finish: same, flops: 1 },
  prod: { init: 1, step: (a, v) => a * v, finish: same, flops: 1 },
  l1: { init: 0, step: (a, v) => a + Math.abs(v), finish: same, flops: 2 },
  l2: { init: 0, step: (a, v) => a + v * v, finish: Math.sqrt, flops: 2 },
  log_sum: { init: 0, step: (a, v) => a + v, finish: Math.log, flops: 1 },
  sum_square: { init: 0, step: (a, v) => a + v * v, finish: same, flops: 2 },
};

function runReducer(x: Tensor, slots: Int32Array, outSize: number, r: Reducer, count: number): Float64Array {
  const acc = new Float64Array(outSize).fill(r.init);
  for (let e = 0; e < x.size; e++) acc[slots[e]] = r.step(acc[slots[e]], x.data[e]);
  for (let o = 0; o < outSize; o++) acc[o] = r.finish(acc[o], count);
  return acc;
}

/** log Σ exp(v), shifted by the maximum so that large inputs do not overflow. */
function logSumExp(x: Tensor, slots: Int32Array, outSize: number): Float64Array {
  const m = runReducer(x, slots, outSize, REDUCERS.max, 0);
  const s = new Float64Array(outSize);
  for (let e = 0; e < x.size; e++) s[slots[e]] += Math.exp(x.data[e] - m[slots[e]]);
  // An infinite (or empty, -∞) maximum is the result itself; exp(∞ - ∞) would be NaN.
  for (let o = 0; o < outSize; o++) s[o] = Number.isFinite(m[o]) ? m[o] + Math.log(s[o]) : m[o];
  return s;
}

function refReduce(kind: string, inputs: (Tensor | null)[], keepdims: boolean, noop: boolean): Tensor {
  const x = required(inputs, 0);
  const axes = reducedAxes(x.rank, inputs[1]?.toNumbers(), noop);
  const outShape = reducedShape(x.shape, axes, keepdims);
  const { slots, outSize } = reductionSlots(x.shape, axes);
  const count = axes.reduce((p, a) => p * x.shape[a], 1);
  const acc = kind === 'log_sum_exp' ? logSumExp(x, slots, outSize) : runReducer(x, slots, outSize, REDUCERS[kind], count);
  const out = allocData(x.dtype, outSize);
  for (let o = 0; o < outSize; o++) out[o] = castScalar(acc[o], x.dtype);
  return new Tensor(x.dtype, outShape, out);
}

function inputElements(ctx: CostContext): number {
  const x = ctx.inputs[0];
  return (x && knownSize(x.shape)) ?? 0;
}

/** ONNX op, canonical suffix, and the opset from which the axes are an input rather than an attribute. */
const REDUCE_OPS: [string, string, number][] = [
  ['ReduceSum', 'sum', 13],
  ['ReduceMean', 'mean', 18],
  ['ReduceMax', 'max', 18],
  ['ReduceMin', 'min', 18],
  ['ReduceProd', 'prod', 18],
  ['ReduceL1', 'l1', 18],
  ['ReduceL2', 'l2', 18],
  ['ReduceLogSum', 'log_sum', 18],
  ['ReduceLogSumExp', 'log_sum_exp', 18],
  ['ReduceSumSquare', 'sum_square', 18],
];

const reduceOps: OpDef[] = REDUCE_OPS.map(([onnxOp, kind, axesInputSince]) => ({
  name: `reduce_${kind}`,
  attrs: { keepdims: { type: 'int', default: 1 }, noop_with_empty_axes: { type: 'int', default: 0 } },
  kind: 'reduce',
  onnx: [
    {
      op: onnxOp,
      convert: (node, b) => {
        const axes = attrInts(node.attrs, 'axes');
        if (node.opset >= axesInputSince || axes === undefined) return b.emit(`reduce_${kind}`, node.inputs, without(node.attrs, 'axes'), node.numOutputs);
        return b.emit(`reduce_${kind}`, [node.inputs[0], b.constant(i64Vector(axes))], without(node.attrs, 'axes'), node.numOutputs);
      },
    },
  ],
  shapeOperands: [1],
  infer: inferReduce,
  ref: (inputs, attrs) => [refReduce(kind, inputs, attrInt(attrs, 'keepdims') !== 0, attrInt(attrs, 'noop_with_empty_axes') !== 0)],
  cost: (ctx) => ({ flops: inputElements(ctx) * (kind === 'log_sum_exp' ? 3 : REDUCERS[kind].flops) }),
}));

function inferArg(ctx: InferContext): TensorType[] {
  const x = inType(ctx, 0);
  const axis = normalizeAxis(attrInt(ctx.attrs, 'axis'), x.shape.length);
  return [{ dtype: 'i64', shape: reducedShape(x.shape, [axis], attrInt(ctx.attrs, 'keepdims') !== 0) }];
}

/** Index of the max (or min) along `axis`; ties go to the first index, or the last with select_last_index. */
function refArg(x: Tensor, attrs: Record<string, unknown>, largest: boolean): Tensor {
  const axis = normalizeAxis(attrs.axis as number, x.rank);
  const last = attrs.select_last_index !== 0;
  const d = x.shape[axis];
  if (d === 0) throw new DlcError(`arg_${largest ? 'max' : 'min'}: axis ${axis} is empty`);
  const inner = x.shape.slice(axis + 1).reduce((p, v) => p * v, 1);
  const outer = x.size / (d * inner) || 0;
  const out = new Float64Array(outer * inner);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      let best = 0;
      let bestV = x.data[o * d * inner + i];
      for (let k = 1; k < d; k++) {
        const v = x.data[(o * d + k) * inner + i];
        const better = largest ? v > bestV : v < bestV;
        if (better || (last && v === bestV)) {
          best = k;
          bestV = v;
        }
      }
      out[o * inner + i] = best;
    }
  }
  return new Tensor('i64', reducedShape(x.shape, [axis], attrs.keepdims !== 0), out);
}

const ARG_ATTRS = {
  axis: { type: 'int', default: 0 },
  keepdims: { type: 'int', default: 1 },
  select_last_index: { type: 'int', default: 0 },
} as const;

function refCumSum(x: Tensor, axisT: Tensor, exclusive: boolean, reverse: boolean): Tensor {
  if (axisT.size !== 1) throw new DlcError('cum_sum: axis must be a scalar');
  const axis = normalizeAxis(axisT.data[0], x.rank);
  const d = x.shape[axis];
  const inner = x.shape.slice(axis + 1).reduce((p, v) => p * v, 1);
  const outer = d * inner === 0 ? 0 : x.size / (d * inner);
  const out = allocData(x.dtype, x.size);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      let acc = 0;
      for (let s = 0; s < d; s++) {
        const k = reverse ? d - 1 - s : s;
        const at = (o * d + k) * inner + i;
        const v = x.data[at];
        if (!exclusive) acc += v;
        out[at] = castScalar(acc, x.dtype);
        if (exclusive) acc += v;
      }
    }
  }
  return new Tensor(x.dtype, x.shape, out);
}

function topKCount(k: Tensor): number {
  if (k.size !== 1) throw new DlcError('top_k: K must hold one value');
  const n = k.data[0];
  if (!Number.isInteger(n) || n < 0) throw new DlcError(`top_k: K is ${n}`);
  return n;
}

/** The k largest (or smallest) along `axis`, in order; equal values keep their index order. */
function refTopK(x: Tensor, k: number, axisAttr: number, largest: boolean): [Tensor, Tensor] {
  const axis = normalizeAxis(axisAttr, x.rank);
  const d = x.shape[axis];
  if (k > d) throw new DlcError(`top_k: K ${k} exceeds the axis size ${d}`);
  const inner = x.shape.slice(axis + 1).reduce((p, v) => p * v, 1);
  const outer = d * inner === 0 ? 0 : x.size / (d * inner);
  const outShape = x.shape.map((v, i) => (i === axis ? k : v));
  const values = allocData(x.dtype, checkedSize(outShape));
  const indices = new Float64Array(values.length);
  const order = Array.from({ length: d }, (_, i) => i);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const at = (j: number) => x.data[(o * d + j) * inner + i];
      order.sort((a, b) => {
        const va = at(a);
        const vb = at(b);
        if (va !== vb) return largest ? (vb > va ? 1 : -1) : (va > vb ? 1 : -1);
        return a - b;
      });
      for (let j = 0; j < k; j++) {
        values[(o * k + j) * inner + i] = at(order[j]);
        indices[(o * k + j) * inner + i] = order[j];
      }
    }
  }
  return [new Tensor(x.dtype, outShape, values), new Tensor('i64', outShape, indices)];
}

export const tensorReduceOps: OpDef[] = [
  ...reduceOps,
  {
    name: 'arg_max',
    attrs: ARG_ATTRS,
    kind: 'reduce',
    onnx: [{ op: 'ArgMax' }],
    infer: inferArg,
    ref: (inputs, attrs) => [refArg(required(inputs, 0), attrs, true)],
    cost: (ctx) => ({ flops: inputElements(ctx) }),
  },
  {
    name: 'arg_min',
    attrs: ARG_ATTRS,
    kind: 'reduce',
    onnx: [{ op: 'ArgMin' }],
    infer: inferArg,
    ref: (inputs, attrs) => [refArg(required(inputs, 0), attrs, false)],
    cost: (ctx) => ({ flops: inputElements(ctx) }),
  },
  {
    name: 'cum_sum',
    attrs: { exclusive: { type: 'int', default: 0 }, reverse: { type: 'int', default: 0 } },
    kind: 'opaque',
    onnx: [{ op: 'CumSum' }],
    infer: (ctx) => {
      const x = inType(ctx, 0);
      if (x.dtype === 'bool') throw new DlcError('cum_sum: bool input');
      return [{ dtype: x.dtype, shape: [...x.shape] }];
    },
    ref: (inputs, attrs) => [refCumSum(required(inputs, 0), required(inputs, 1), attrInt(attrs, 'exclusive') !== 0, attrInt(attrs, 'reverse') !== 0)],
  },
  {
    name: 'top_k',
    attrs: { axis: { type: 'int', default: -1 }, largest: { type: 'int', default: 1 }, sorted: { type: 'int', default: 1 } },
    kind: 'opaque',
    onnx: [
      {
        op: 'TopK',
        convert: (node, b) => {
          // TopK-1 gives K as an attribute.
          if (node.opset >= 10) return b.emit('top_k', node.inputs, node.attrs, node.numOutputs);
          const k = node.attrs.k;
          if (typeof k !== 'number') throw new DlcError('TopK-1 needs a k attribute');
          return b.emit('top_k', [node.inputs[0], b.constant(i64Vector([k]))], without(node.attrs, 'k'), node.numOutputs);
        },
      },
    ],
    shapeOperands: [1],
    infer: (ctx) => {
      const x = inType(ctx, 0);
      const axis = normalizeAxis(attrInt(ctx.attrs, 'axis'), x.shape.length);
      const k = constInts(ctx, 1);
      const shape = x.shape.map((d, i) => (i === axis ? (k ? k[0] : ctx.freshDim('top_k')) : d));
      return [{ dtype: x.dtype, shape }, { dtype: 'i64', shape: [...shape] }];
    },
    ref: (inputs, attrs) => refTopK(required(inputs, 0), topKCount(required(inputs, 1)), attrInt(attrs, 'axis'), attrInt(attrs, 'largest') !== 0),
    cost: (ctx) => {
      const n = inputElements(ctx);
      return { flops: n * Math.max(1, Math.ceil(Math.log2(n + 1))) };
    },
  },
];
