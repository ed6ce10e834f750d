// Cases for the ops whose output size depends on data (compiler/run-time-dims.ts): non_zero, compress, unique
// and non_max_suppression, each a graph output, run on every target against the reference interpreter on the
// feeds listed. The ops share one graph, so that each target compiles once per feed (wasm compiles take
// seconds); the second feed leaves every output but unique's with zero rows, and unique with one.
import { Tensor } from '../../compiler/ir/tensor.js';
import { buildGraph } from '../util/graphs.js';
import type { FedCase } from './op-cases.js';

const boxes = Tensor.fromArray('f32', [2, 3, 4], [0, 0, 1, 1, 0, 0.1, 1, 1.1, 0, -0.1, 1, 0.9, 0, 10, 1, 11, 1, 10.1, 0, 11.1, 0, 100, 1, 101]);
const scores = Tensor.fromArray('f32', [2, 2, 3], [0.9, 0.75, 0.6, 0.95, 0.5, 0.3, 0.1, 0.2, 0.9, 0.3, 0.95, 0.6]);
const matrix = Tensor.fromArray('i32', [3, 4], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);

export const RUN_TIME_SIZED_CASES: Record<string, FedCase> = {
  'non_zero; compress along an axis, a negative one and flattened; unique flattened unsorted and of rows sorted with all four outputs; non_max_suppression over two batches and two classes, corner and center boxes': {
    graph: () =>
      buildGraph({
        inputs: {
          x: { dtype: 'f32', shape: [2, 3] }, m: { dtype: 'i32', shape: [3, 4] }, c: { dtype: 'bool', shape: [3] }, u: { dtype: 'f32', shape: [4, 2] },
          boxes: { dtype: 'f32', shape: [2, 3, 4] }, scores: { dtype: 'f32', shape: [2, 2, 3] },
          max: { dtype: 'i64', shape: [1] }, iou: { dtype: 'f32', shape: [1] }, threshold: { dtype: 'f32', shape: [1] },
        },
        build: (b, { x, m, c, u, boxes, scores, max, iou, threshold }) => [
          b.emit('non_zero', [x])[0],
          b.emit('compress', [m, c], { axis: 1 })[0],
          b.emit('compress', [m, c], { axis: -2 })[0],
          b.emit('compress', [m, c])[0],
          b.emit('unique', [u], { sorted: 0 }, 4)[0],
          ...b.emit('unique', [u], { axis: 0 }, 4),
          b.emit('non_max_suppression', [boxes, scores, max, iou, threshold])[0],
          b.emit('non_max_suppression', [boxes, scores, max, iou, threshold], { center_point_box: 1 })[0],
        ],
      }),
    feeds: [
      {
        x: Tensor.fromArray('f32', [2, 3], [0, 1.5, 0, -2, 0, 3]), m: matrix, c: Tensor.fromArray('bool', [3], [1, 0, 1]), u: Tensor.fromArray('f32', [4, 2], [2, 1, 0, 3, 2, 1, -1, 3]),
        boxes, scores, max: Tensor.fromArray('i64', [1], [2]), iou: Tensor.fromArray('f32', [1], [0.5]), threshold: Tensor.fromArray('f32', [1], [0.25]),
      },
      {
        x: Tensor.fromArray('f32', [2, 3], [0, 0, 0, 0, 0, 0]), m: matrix, c: Tensor.fromArray('bool', [3], [0, 0, 0]), u: Tensor.fromArray('f32', [4, 2], [5, 5, 5, 5, 5, 5, 5, 5]),
        boxes, scores, max: Tensor.fromArray('i64', [1], [2]), iou: Tensor.fromArray('f32', [1], [0.5]), threshold: Tensor.fromArray('f32', [1], [0.99]),
      },
    ],
  },
};
