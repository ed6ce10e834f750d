// The batched geometry of a matmul as every target's kernels read it: numpy batching and broadcasting of the
// leading dims, 1-D operands as a row (A) and a column (B), over concrete shapes.
import { DlcError } from '../compiler/errors.js';
import type { Value } from '../compiler/ir/graph.js';
import type { KernelSite } from './lower.js';
import { stridesOf } from '../compiler/ir/tensor.js';
import { attrFloat, attrInt } from '../compiler/ops/util.js';
import { shapeOf } from './shapes.js';
import { planMatmul } from '../compiler/ops/nn-matmul.js';
import { broadcastStridesOf } from './loops.js';

/** Y[b] = A[b]·B[b], each [m × k]·[k × n], for every b of the batch dims. */
export interface MatmulGeometry {
  m: number;
  k: number;
  n: number;
  batch: number[];
  /** Per batch dim, the element strides of Y's, A's and B's matrices (0 along dims an operand broadcasts). */
  strides: [number[], number[], number[]];
}

export function matmulGeometry(as: readonly number[], bs: readonly number[]): MatmulGeometry {
  const plan = planMatmul(as, bs);
  const [m, k, n] = [plan.m, plan.k, plan.n] as number[];
  const batch = plan.batch as number[];
  const a2 = as.length === 1 ? [1, as[0]] : as;
  const b2 = bs.length === 1 ? [bs[0], 1] : bs;
  const batchStrides = (shape: readonly number[], matrix: number) => broadcastStridesOf(shape.slice(0, -2), batch).map((s) => s * matrix);
  return { m, k, n, batch, strides: [stridesOf(batch).map((s) => s * m * n), batchStrides(a2, m * k), batchStrides(b2, k * n)] };
}

/** Y = α·op(A)·op(B) + β·C of a gemm node: its operands, attributes and sizes (op(A): m × k, op(B): k × n). */
export interface GemmGeometry {
  a: Value;
  b: Value;
  /** C, absent when the node has none or β is 0. */
  bias: Value | null;
  y: Value;
  transA: boolean;
  transB: boolean;
  alpha: number;
  beta: number;
  m: number;
  n: number;
  k: number;
}

export function gemmGeometry(k: KernelSite): GemmGeometry {
  const [a, b, c, y] = [k.input(0), k.input(1), k.node.inputs[2], k.output(0)];
  const transA = attrInt(k.node.attrs, 'transA') !== 0;
  const beta = attrFloat(k.node.attrs, 'beta');
  const [as, bs] = [shapeOf(a), shapeOf(b)];
  if (as.length !== 2 || bs.length !== 2) throw new DlcError('gemm operands must be 2-D', { node: k.node.name, op: 'gemm' });
  const [m, n] = shapeOf(y);
  return {
    a, b, bias: c && beta !== 0 ? c : null, y,
    transA, transB: attrInt(k.node.attrs, 'transB') !== 0, alpha: attrFloat(k.node.attrs, 'alpha'), beta,
    m, n, k: transA ? as[0] : as[1],
  };
}
