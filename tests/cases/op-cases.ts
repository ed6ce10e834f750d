// Kernel test cases shared by both targets for the ops that run as direct loops (codegen/{wasm,wgsl}/kernels/
// *.test.ts): graphs each target must compute as the reference interpreter does, on seeded random inputs, or
// on the feeds a case lists (an operand that is a graph input, so that its value is known only at run time).
import type { Graph } from '../../compiler/ir/graph.js';
import { Tensor } from '../../compiler/ir/tensor.js';
import { buildGraph } from '../util/graphs.js';

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
  'qlinear_matmul and qlinear_conv with scales and zero points given at run time': {
    graph: () =>
      buildGraph({
        inputs: {
          a: { dtype: 'u8', shape: [3, 6] }, b: { dtype: 'u8', shape: [6, 4] }, x: { dtype: 'u8', shape: [1, 2, 5, 5] }, w: { dtype: 'u8', shape: [3, 2, 3, 3] },
          s1: { dtype: 'f32', shape: [] }, s2: { dtype: 'f32', shape: [] }, s3: { dtype: 'f32', shape: [] }, z: { dtype: 'u8', shape: [] },
        },
        build: (bb, { a, b, x, w, s1, s2, s3, z }) => [
          bb.emit('qlinear_matmul', [a, s1, z, b, s2, z, s3, z])[0],
          bb.emit('qlinear_conv', [x, s1, z, w, s2, z, s3, z], { pads: [1, 1, 1, 1] })[0],
        ],
      }),
    feeds: [
      { s1: Tensor.scalar('f32', 0.05), s2: Tensor.scalar('f32', 0.1), s3: Tensor.scalar('f32', 0.02), z: Tensor.scalar('u8', 3) },
      { s1: Tensor.scalar('f32', 0.3), s2: Tensor.scalar('f32', 0.7), s3: Tensor.scalar('f32', 0.11), z: Tensor.scalar('u8', 1) },
    ],
  },
  'dropout with training_mode and ratio given at run time, and in training with a constant ratio and a seed': {
    graph: () =>
      buildGraph({
        inputs: { x: { dtype: 'f32', shape: [4, 50] }, r: { dtype: 'f32', shape: [] }, t: { dtype: 'bool', shape: [] } },
        build: (b, { x, r, t }) => [
          ...b.emit('dropout', [x, r, t], {}, 2),
          ...b.emit('dropout', [x, b.constant(Tensor.scalar('f32', 0.3)), t], { seed: 7 }, 2),
        ],
      }),
    // Training drops about `ratio` of the elements (by the hash of compiler/ops/dropout-mask.ts); a zero ratio or
    // inference keeps them all.
    feeds: [[0.4, 1], [0, 1], [0.4, 0], [1, 1]].map(([r, t]) => ({ r: Tensor.scalar('f32', r), t: Tensor.scalar('bool', t) })),
  },
  'resize with tf_crop_and_resize and its roi given at run time (one plane): nearest, linear and cubic, inside and past the edges': {
    graph: () =>
      buildGraph({
        inputs: { x: { dtype: 'f32', shape: [1, 1, 5, 7] }, roi: { dtype: 'f32', shape: [8] } },
        build: (b, { x, roi }) => {
          const crop = (sizes: number[], attrs: Record<string, string | number>) =>
            b.emit('resize', [x, roi, null, b.constant(Tensor.fromArray('i64', [4], sizes))], { coordinate_transformation_mode: 'tf_crop_and_resize', extrapolation_value: -3, ...attrs })[0];
          return [
            crop([1, 1, 4, 6], { mode: 'nearest', nearest_mode: 'floor' }),
            crop([1, 1, 3, 8], { mode: 'linear' }),
            crop([1, 1, 6, 1], { mode: 'cubic', cubic_coeff_a: -0.5, exclude_outside: 1 }),
          ];
        },
      }),
    feeds: [[0, 0, 0.4, 0.6, 1, 1, 0.6, 0.8], [0, 0, -0.25, 0.1, 1, 1, 1.2, 0.75]].map((v) => ({ roi: Tensor.fromArray('f32', [8], v) })),
  },
  'pad with its fill value given at run time, growing and cropping axes': {
    graph: () =>
      buildGraph({
        inputs: { x: { dtype: 'f32', shape: [2, 3, 4] }, v: { dtype: 'f32', shape: [] } },
        build: (b, { x, v }) => [
          b.emit('pad', [x, b.constant(Tensor.fromArray('i64', [6], [0, 1, 2, 1, 0, -1])), v])[0],
          b.emit('pad', [x, b.constant(Tensor.fromArray('i64', [2], [2, 3])), v, b.constant(Tensor.fromArray('i64', [1], [-1]))])[0],
        ],
      }),
    feeds: [1.5, -7].map((v) => ({ v: Tensor.scalar('f32', v) })),
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

const u8 = (shape: number[], v: number[]) => Tensor.fromArray('u8', shape, v);
const i8 = (shape: number[], v: number[]) => Tensor.fromArray('i8', shape, v);
const f32 = (shape: number[], v: number[]) => Tensor.fromArray('f32', shape, v);

export const OP_CASES: Record<'linalg' | 'integer' | 'maxPoolIndices' | 'unpool' | 'reverseSequence' | 'tfIdf', Record<string, () => Graph>> = {
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
  integer: {
    'matmul_integer and qlinear_matmul: per-tensor, per-row and per-column zero points and scales, broadcast batches': () =>
      buildGraph({
        inputs: { a: { dtype: 'u8', shape: [2, 3, 5] }, b: { dtype: 'u8', shape: [5, 4] }, c: { dtype: 'i8', shape: [3, 5] }, d: { dtype: 'i8', shape: [2, 5, 4] } },
        build: (bb, { a, b, c, d }) => [
          bb.emit('matmul_integer', [a, b])[0],
          bb.emit('matmul_integer', [a, b, bb.constant(u8([], [5])), bb.constant(u8([4], [3, 4, 5, 6]))])[0],
          bb.emit('matmul_integer', [c, d, bb.constant(i8([3], [1, -2, 0])), bb.constant(i8([], [-1]))])[0],
          bb.emit('qlinear_matmul', [
            a, bb.constant(f32([], [0.05])), bb.constant(u8([], [4])),
            b, bb.constant(f32([], [0.1])), bb.constant(u8([], [6])),
            bb.constant(f32([], [0.02])), bb.constant(u8([], [120])),
          ])[0],
          bb.emit('qlinear_matmul', [
            c, bb.constant(f32([], [0.07])), bb.constant(i8([], [1])),
            d, bb.constant(f32([4], [0.1, 0.2, 0.05, 0.3])), bb.constant(i8([], [0])),
            bb.constant(f32([], [0.03])), bb.constant(i8([], [-5])),
          ])[0],
        ],
      }),
    'conv_integer and qlinear_conv: pads, strides, dilations, groups, per-channel weight zero points and scales, bias': () =>
      buildGraph({
        inputs: { x: { dtype: 'u8', shape: [2, 4, 6, 5] }, w: { dtype: 'u8', shape: [6, 2, 3, 2] }, v: { dtype: 'i8', shape: [3, 4, 3, 3] } },
        build: (b, { x, w, v }) => [
          b.emit('conv_integer', [x, w, b.constant(u8([], [5]))], { group: 2, pads: [1, 0, 1, 1], strides: [2, 1] })[0],
          b.emit('conv_integer', [x, v, null, b.constant(i8([3], [1, 0, -1]))], { dilations: [2, 1], pads: [1, 1, 1, 1] })[0],
          b.emit('qlinear_conv', [
            x, b.constant(f32([], [0.04])), b.constant(u8([], [4])),
            w, b.constant(f32([6], [0.1, 0.2, 0.05, 0.3, 0.15, 0.25])), b.constant(u8([], [5])),
            b.constant(f32([], [0.05])), b.constant(u8([], [100])), b.constant(Tensor.fromArray('i32', [6], [10, -20, 0, 5, 300, -7])),
          ], { group: 2, strides: [1, 2] })[0],
        ],
      }),
  },
  maxPoolIndices: {
    'max_pool with the indices output (row- and column-major, pads, strides, dilations, 1-D to 3-D) and on u8 and i32 operands': () =>
      buildGraph({
        inputs: {
          x: { dtype: 'f32', shape: [2, 3, 7, 6] },
          v: { dtype: 'f32', shape: [1, 2, 4, 5, 3] },
          s: { dtype: 'f32', shape: [2, 2, 9] },
          q: { dtype: 'u8', shape: [1, 2, 5, 5] },
          n: { dtype: 'i32', shape: [1, 2, 5, 5] },
        },
        build: (b, { x, v, s, q, n }) => [
          ...b.emit('max_pool', [x], { kernel_shape: [3, 2], strides: [2, 1], pads: [1, 0, 1, 1] }, 2),
          ...b.emit('max_pool', [x], { kernel_shape: [2, 2], dilations: [2, 1], storage_order: 1 }, 2),
          ...b.emit('max_pool', [v], { kernel_shape: [2, 3, 2], strides: [1, 2, 1] }, 2),
          ...b.emit('max_pool', [s], { kernel_shape: [3], strides: [2], pads: [1, 1] }, 2),
          b.emit('max_pool', [q], { kernel_shape: [2, 2], strides: [2, 2] })[0],
          b.emit('max_pool', [n], { kernel_shape: [3, 3], pads: [1, 1, 1, 1] })[0],
        ],
      }),
  },
  unpool: {
    'max_unpool scatters into the natural shape and into a larger output_shape, with strides and pads; a repeated index keeps the last value': () => {
      const idx = Tensor.fromArray('i64', [1, 2, 2, 2], [0, 3, 9, 14, 17, 18, 28, 31]);
      return buildGraph({
        inputs: { x: { dtype: 'f32', shape: [1, 2, 2, 2] } },
        build: (b, { x }) => [
          b.emit('max_unpool', [x, b.constant(idx)], { kernel_shape: [2, 2], strides: [2, 2] })[0],
          b.emit('max_unpool', [x, b.constant(idx), b.constant(Tensor.fromArray('i64', [4], [1, 2, 5, 6]))], { kernel_shape: [2, 2], strides: [2, 2] })[0],
          b.emit('max_unpool', [x, b.constant(Tensor.fromArray('i64', [1, 2, 2, 2], [0, 2, 6, 8, 9, 11, 15, 17]))], { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] })[0],
          b.emit('max_unpool', [x, b.constant(Tensor.fromArray('i64', [1, 2, 2, 2], [5, 5, 0, 5, 20, 5, 20, 1]))], { kernel_shape: [2, 2], strides: [2, 2] })[0],
        ],
      });
    },
  },
  reverseSequence: {
    'reverse_sequence with the batch axis first or second, lengths from 0 to T, on a 3-D tensor': () => {
      const lens = (v: number[]) => Tensor.fromArray('i64', [v.length], v);
      return buildGraph({
        inputs: { x: { dtype: 'f32', shape: [4, 5, 3] } },
        build: (b, { x }) => [
          b.emit('reverse_sequence', [x, b.constant(lens([5, 0, 2, 3]))], { batch_axis: 0, time_axis: 1 })[0],
          b.emit('reverse_sequence', [x, b.constant(lens([1, 4, 3, 2, 4]))], { batch_axis: 1, time_axis: 0 })[0],
        ],
      });
    },
  },
  tfIdf: {
    // Random tokens lie in −4 … 3 (tests/util/graphs.ts), so every pool n-gram below occurs a few times.
    'tf_idf_vectorizer TF, IDF and TFIDF over 1- to 3-grams with skips, i64 rows and an i32 vector': () =>
      buildGraph({
        inputs: { x: { dtype: 'i64', shape: [3, 9] }, v: { dtype: 'i32', shape: [10] } },
        build: (b, { x, v }) => {
          // 1-grams −1, 2, 0; 2-grams (0, 1), (−4, 3); 3-grams (1, 1, −3), (−3, 1, 2).
          const pool = { ngram_counts: [0, 3, 7], pool_int64s: [-1, 2, 0, 0, 1, -4, 3, 1, 1, -3, -3, 1, 2] };
          const indexes = [6, 0, 3, 1, 5, 2, 4];
          return [
            b.emit('tf_idf_vectorizer', [x], { ...pool, ngram_indexes: indexes, mode: 'TF', min_gram_length: 1, max_gram_length: 3, max_skip_count: 2 })[0],
            b.emit('tf_idf_vectorizer', [v], { ...pool, ngram_indexes: [0, 1, 2, 3, 4, 5, 7], mode: 'IDF', min_gram_length: 2, max_gram_length: 3, max_skip_count: 1, weights: [0.5, 1, 1.5, 2, 2.5, 3, 3.5, 4] })[0],
            b.emit('tf_idf_vectorizer', [x], { ...pool, ngram_indexes: indexes, mode: 'TFIDF', min_gram_length: 1, max_gram_length: 2, max_skip_count: 0, weights: [1, 0.5, 2, 0.25, 3, 1, 1.5] })[0],
          ];
        },
      }),
  },
};
