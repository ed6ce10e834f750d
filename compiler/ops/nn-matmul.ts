// Matrix products: matmul (numpy semantics: batched broadcasting, 1-D operands) and gemm.
import { DlcError } from '../errors.js';
import type { Dim, TensorType } from '../ir/graph.js';
import { Tensor, sizeOf } from '../ir/tensor.js';
import type { CostContext, OpDef } from './registry.js';
import { attrFloat, attrInt, broadcastIndex, broadcastShapes, required } from './util.js';
import { knownProduct } from './nn-window.js';

/**
 * out[i, j] += Σ_k A(i, k) · B(k, j) for one M×K by K×N product; A and B are read transposed when asked
 * (A stored K×M, B stored N×K). The innermost loop always walks contiguous memory.
 */
export function gemmAccumulate(
  a: ArrayLike<number>, aOff: number, transA: boolean,
  b: ArrayLike<number>, bOff: number, transB: boolean,
  m: number, k: number, n: number, out: Float64Array, oOff: number,
): void {
  if (!transB) {
    for (let i = 0; i < m; i++) {
      const or = oOff + i * n;
      for (let p = 0; p < k; p++) {
        const av = transA ? a[aOff + p * m + i] : a[aOff + i * k + p];
        const br = bOff + p * n;
        for (let j = 0; j < n; j++) out[or + j] += av * b[br + j];
      }
    }
    return;
  }
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      const br = bOff + j * k;
      let acc = 0;
      if (transA) for (let p = 0; p < k; p++) acc += a[aOff + p * m + i] * b[br + p];
      else {
        const ar = aOff + i * k;
        for (let p = 0; p < k; p++) acc += a[ar + p] * b[br + p];
      }
      out[oOff + i * n + j] += acc;
    }
  }
}

interface MatmulPlan {
  /** Broadcast batch dims. */
  batch: Dim[];
  m: Dim;
  k: Dim;
  n: Dim;
  /** Output shape: batch, then M unless A is 1-D, then N unless B is 1-D. */
  shape: Dim[];
}

/** Shapes of a numpy matmul: a 1-D A is a row [1, K], a 1-D B a column [K, 1], and those unit dims are dropped. */
export function planMatmul(a: readonly Dim[], b: readonly Dim[]): MatmulPlan {
  if (a.length === 0 || b.length === 0) throw new DlcError('matmul operands must have rank >= 1');
  const a2 = a.length === 1 ? [1, a[0]] : a;
  const b2 = b.length === 1 ? [b[0], 1] : b;
  const [m, ka] = a2.slice(-2);
  const [kb, n] = b2.slice(-2);
  if (typeof ka === 'number' && typeof kb === 'number' && ka !== kb) {
    throw new DlcError(`matmul of [${a}] and [${b}]: inner dims ${ka} and ${kb} differ`);
  }
  const batch = broadcastShapes([a2.slice(0, -2), b2.slice(0, -2)]);
  const shape = [...batch];
  if (a.length > 1) shape.push(m);
  if (b.length > 1) shape.push(n);
  return { batch, m, k: typeof ka === 'number' ? ka : kb, n, shape };
}

/** Batched matmul of two arrays of the given shapes, accumulated in f64. */
export function batchedMatmul(a: ArrayLike<number>, aShape: readonly number[], b: ArrayLike<number>, bShape: readonly number[]): { out: Float64Array; shape: number[] } {
  const plan = planMatmul(aShape, bShape);
  const [m, k, n] = [plan.m, plan.k, plan.n] as number[];
  const batch = plan.batch as number[];
  const aBatch = aShape.length > 2 ? aShape.slice(0, -2) : [];
  const bBatch = bShape.length > 2 ? bShape.slice(0, -2) : [];
  const [ai, bi] = broadcastIndex([aBatch, bBatch], batch);
  const count = sizeOf(batch);
  const out = new Float64Array(count * m * n);
  for (let t = 0; t < count; t++) gemmAccumulate(a, ai[t] * m * k, false, b, bi[t] * k * n, false, m, k, n, out, t * m * n);
  return { out, shape: plan.shape as number[] };
}

/** 2·M·N·K FLOPs per batch element. */
export function matmulCost(a: TensorType | null, b: TensorType | null): { flops: number } {
  if (!a || !b) return { flops: 0 };
  const plan = planMatmul(a.shape, b.shape);
  return { flops: 2 * knownProduct([...plan.batch, plan.m, plan.k, plan.n]) };
}

/** Gemm's M, K, N from its (possibly transposed) 2-D operands. */
function gemmDims(a: readonly Dim[], b: readonly Dim[], transA: boolean, transB: boolean): [Dim, Dim, Dim] {
  if (a.length !== 2 || b.length !== 2) throw new DlcError(`gemm operands must be 2-D, got [${a}] and [${b}]`);
  const [m, ka] = transA ? [a[1], a[0]] : [a[0], a[1]];
  const [kb, n] = transB ? [b[1], b[0]] : [b[0], b[1]];
  if (typeof ka === 'number' && typeof kb === 'number' && ka !== kb) throw new DlcError(`gemm inner dims ${ka} and ${kb} differ`);
  return [m, typeof ka === 'number' ? ka : kb, n];
}

export const matmulOps: OpDef[] = [
  {
    name: 'matmul',
    attrs: {},
    kind: 'out-elemwise-fusable',
    onnx: [{ op: 'MatMul' }],
    infer: (ctx) => {
      const [a, b] = ctx.inputs;
      if (!a || !b) throw new DlcError('matmul needs two inputs');
      if (a.dtype !== b.dtype) throw new DlcError(`matmul of ${a.dtype} and ${b.dtype}`);
      return [{ dtype: a.dtype, shape: planMatmul(a.shape, b.shape).shape }];
    },
    ref: (inputs) => {
      const [a, b] = [required(inputs, 0), required(inputs, 1)];
      const { out, shape } = batchedMatmul(a.data, a.shape, b.data, b.shape);
      return [new Tensor(a.dtype, shape, out)];
    },
    cost: (ctx: CostContext) => matmulCost(ctx.inputs[0], ctx.inputs[1]),
  },
  {
    name: 'gemm',
    attrs: {
      alpha: { type: 'float', default: 1 },
      beta: { type: 'float', default: 1 },
      transA: { type: 'int', default: 0 },
      transB: { type: 'int', default: 0 },
    },
    kind: 'out-elemwise-fusable',
    onnx: [
      {
        op: 'Gemm',
        // Opsets < 7 flag C's broadcasting with an attribute; it always broadcasts now.
        convert: (node, b) => {
          const attrs = { ...node.attrs };
          delete attrs.broadcast;
          return b.emit('gemm', node.inputs, attrs, node.numOutputs);
        },
      },
    ],
    infer: (ctx) => {
      const [a, b, c] = ctx.inputs;
      if (!a || !b) throw new DlcError('gemm needs A and B');
      const [m, , n] = gemmDims(a.shape, b.shape, attrInt(ctx.attrs, 'transA') !== 0, attrInt(ctx.attrs, 'transB') !== 0);
      if (c) {
        const mn = [m, n];
        const joint = broadcastShapes([c.shape, mn]);
        if (joint.length !== 2 || joint.some((d, i) => typeof d === 'number' && typeof mn[i] === 'number' && d !== mn[i])) {
          throw new DlcError(`gemm bias [${c.shape}] does not broadcast to [${mn}]`);
        }
      }
      return [{ dtype: a.dtype, shape: [m, n] }];
    },
    ref: (inputs, attrs) => {
      const [a, b, c] = [required(inputs, 0), required(inputs, 1), inputs[2]];
      const transA = attrInt(attrs, 'transA') !== 0;
      const transB = attrInt(attrs, 'transB') !== 0;
      const [m, k, n] = gemmDims(a.shape, b.shape, transA, transB) as number[];
      const alpha = attrFloat(attrs, 'alpha');
      const beta = attrFloat(attrs, 'beta');
      const out = new Float64Array(m * n);
      gemmAccumulate(a.data, 0, transA, b.data, 0, transB, m, k, n, out, 0);
      if (alpha !== 1) for (let i = 0; i < out.length; i++) out[i] *= alpha;
      if (c && beta !== 0) {
        const shape = broadcastShapes([c.shape, [m, n]]) as number[];
        if (shape[0] !== m || shape[1] !== n) throw new DlcError(`gemm bias [${c.shape}] does not broadcast to [${m},${n}]`);
        const [ci] = broadcastIndex([c.shape], [m, n]);
        for (let i = 0; i < out.length; i++) out[i] += beta * c.data[ci[i]];
      }
      return [new Tensor(a.dtype, [m, n], out)];
    },
    cost: (ctx) => {
      const [a, b] = ctx.inputs;
      if (!a || !b) return { flops: 0 };
      const dims = gemmDims(a.shape, b.shape, attrInt(ctx.attrs, 'transA') !== 0, attrInt(ctx.attrs, 'transB') !== 0);
      return { flops: 2 * knownProduct(dims) + 2 * knownProduct([dims[0], dims[2]]) };
    },
  },
];
