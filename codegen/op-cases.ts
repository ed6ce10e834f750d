// Kernel test cases shared by both targets for the ops that run as direct loops (codegen/{wasm,wgsl}/kernels/
// *.test.ts): graphs each target must compute as the reference interpreter does, on seeded random inputs, or
// on the feeds a case lists (an operand that is a graph input, so that its value is known only at run time).
import type { Graph } from '../compiler/ir/graph.js';
import { Tensor } from '../compiler/ir/tensor.js';
import { buildGraph } from './wasm/testing.js';

/** A graph run once per feed set (inputs a set leaves out are random). */
export interface FedCase {
  graph: () => Graph;
  feeds: Record<string, Tensor>[];
}

export const RUN_TIME_OPERAND_CASES: Record<string, FedCase> = {
  'trilu with k given at run time, upper and lower, k below, on and above the diagonal': {
    graph: () =>
      buildGraph({
        inputs: { x: { dtype: 'f32', shape: [2, 3, 4] }, k: { dtype: 'i64', shape: [] } },
        build: (b, { x, k }) => [b.emit('trilu', [x, k])[0], b.emit('trilu', [x, k], { upper: 0 })[0]],
      }),
    feeds: [-2, 0, 1, 5].map((k) => ({ k: Tensor.scalar('i64', k) })),
  },
  'cum_sum along an axis given at run time, negative axes, exclusive and reverse': {
    graph: () =>
      buildGraph({
        inputs: { x: { dtype: 'f32', shape: [2, 3, 4] }, axis: { dtype: 'i32', shape: [] } },
        build: (b, { x, axis }) => [
          b.emit('cum_sum', [x, axis])[0],
          b.emit('cum_sum', [x, axis], { exclusive: 1 })[0],
          b.emit('cum_sum', [x, axis], { reverse: 1 })[0],
          b.emit('cum_sum', [x, axis], { exclusive: 1, reverse: 1 })[0],
        ],
      }),
    feeds: [0, 1, 2, -1, -3].map((axis) => ({ axis: Tensor.scalar('i32', axis) })),
  },
  'reduce_sum and reduce_max with empty axes fed at run time: all axes, or none with noop_with_empty_axes': {
    graph: () =>
      buildGraph({
        inputs: { x: { dtype: 'f32', shape: [2, 3, 4] }, axes: { dtype: 'i64', shape: [0] } },
        build: (b, { x, axes }) => [
          b.emit('reduce_sum', [x, axes])[0],
          b.emit('reduce_sum', [x, axes], { noop_with_empty_axes: 1 })[0],
          b.emit('reduce_max', [x, axes], { keepdims: 0 })[0],
        ],
      }),
    feeds: [{ axes: new Tensor('i64', [0]) }],
  },
};

const i64 = (v: number) => Tensor.scalar('i64', v);

export const OP_CASES: Record<'linalg', Record<string, () => Graph>> = {
  linalg: {
    'det of single and batched matrices, with row swaps and a singular matrix': () =>
      buildGraph({
        inputs: { x: { dtype: 'f32', shape: [3, 4, 4] }, m: { dtype: 'f32', shape: [2, 2] } },
        build: (b, { x, m }) => [
          b.emit('det', [x])[0],
          b.emit('det', [m])[0],
          b.emit('det', [b.constant(Tensor.fromArray('f32', [2, 3, 3], [0, 1, 2, 3, 4, 5, 6, 7, 9, 1, 2, 3, 2, 4, 6, 0, 1, 1]))])[0],
        ],
      }),
    'dft of real and complex signals along each axis, inverse, onesided, padded and truncated lengths': () =>
      buildGraph({
        inputs: { r: { dtype: 'f32', shape: [2, 7, 5, 1] }, c: { dtype: 'f32', shape: [3, 6, 2] } },
        build: (b, { r, c }) => [
          b.emit('dft', [r, null, b.constant(i64(1))])[0],
          b.emit('dft', [r, null, b.constant(i64(-2))])[0],
          b.emit('dft', [r, null, b.constant(i64(1))], { onesided: 1 })[0],
          b.emit('dft', [c, null, b.constant(i64(1))], { inverse: 1 })[0],
          b.emit('dft', [c, b.constant(i64(9)), b.constant(i64(1))])[0],
          b.emit('dft', [c, b.constant(i64(4)), b.constant(i64(0))], { inverse: 1 })[0],
        ],
      }),
  },
};
