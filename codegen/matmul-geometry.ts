// The batched geometry of a matmul as every target's kernels read it: numpy batching and broadcasting of the
// leading dims, 1-D operands as a row (A) and a column (B), over concrete shapes.
import { stridesOf } from '../compiler/ir/tensor.js';
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
