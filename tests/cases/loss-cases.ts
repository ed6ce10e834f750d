// Loss cases every target runs (tests/targets/loss-cases.test.ts): graphs of negative_log_likelihood_loss and
// softmax_cross_entropy_loss that each target must compute as the reference interpreter does.
import type { Graph } from '../../compiler/ir/graph.js';
import { Tensor } from '../../compiler/ir/tensor.js';
import { seededRandom } from '../../compiler/random.js';
import { buildGraph, randomTensor } from '../util/graphs.js';

const f32 = (...shape: number[]) => ({ dtype: 'f32' as const, shape });

/** Targets in [0, classes), with every fifth one set to `ignore` when given. */
function targets(dtype: 'i64' | 'i32', shape: number[], classes: number, ignore?: number): Tensor {
  const rand = seededRandom(5);
  const n = shape.reduce((p, d) => p * d, 1);
  return Tensor.fromArray(dtype, shape, Array.from({ length: n }, (_, i) => (ignore !== undefined && i % 5 === 0 ? ignore : Math.floor((rand() + 1) / 2 * classes))));
}

export const LOSS_CASES: Record<string, () => Graph> = {
  'negative_log_likelihood_loss: none/sum/mean, class weights, ignore_index, spatial dims, i32 targets': () => buildGraph({
    inputs: { x: f32(3, 5, 4, 2) },
    build: (b, { x }) => {
      const t = b.constant(targets('i64', [3, 4, 2], 5, -1));
      const w = b.constant(randomTensor('f32', [5], 9));
      return [
        b.emit('negative_log_likelihood_loss', [x, t], { reduction: 'none', ignore_index: -1 })[0],
        b.emit('negative_log_likelihood_loss', [x, t, w], { reduction: 'sum', ignore_index: -1 })[0],
        b.emit('negative_log_likelihood_loss', [x, t, w], { ignore_index: -1 })[0],
        b.emit('negative_log_likelihood_loss', [x, b.constant(targets('i32', [3, 4, 2], 5))])[0],
      ];
    },
  }),
  'softmax_cross_entropy_loss with and without the log_prob output': () => buildGraph({
    inputs: { x: f32(4, 6, 3) },
    build: (b, { x }) => {
      const t = b.constant(targets('i64', [4, 3], 6, 2));
      return [
        ...b.emit('softmax_cross_entropy_loss', [x, t], { reduction: 'none', ignore_index: 2 }, 2),
        b.emit('softmax_cross_entropy_loss', [x, t, b.constant(randomTensor('f32', [6], 3))], { ignore_index: 2 })[0],
        b.emit('softmax_cross_entropy_loss', [x, b.constant(targets('i64', [4, 3], 6))], { reduction: 'sum' })[0],
      ];
    },
  }),
  'sum and mean over more positions than a reducing workgroup has invocations': () => buildGraph({
    inputs: { x: f32(2, 3, 700) },
    build: (b, { x }) => {
      const t = b.constant(targets('i64', [2, 700], 3, 1));
      return [
        b.emit('negative_log_likelihood_loss', [x, t], { reduction: 'sum', ignore_index: 1 })[0],
        b.emit('softmax_cross_entropy_loss', [x, t, b.constant(randomTensor('f32', [3], 4))], { ignore_index: 1 })[0],
      ];
    },
  }),
};
