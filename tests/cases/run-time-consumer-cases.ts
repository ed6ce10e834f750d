// Chains that read tensors whose size is known only at run time (compiler/run-time-consumers.ts), as exported
// detection and masking models have them: NonMaxSuppression → Gather of the box indices → Gather of the boxes
// → Mul; NonZero → Transpose → GatherND; Compress → Relu → ReduceSum; with Cast, Shape, a Slice of the
// run-time rows and GatherElements on the way. All chains share one graph, so that each target compiles once;
// every feed runs on that one compile, the last with zero rows everywhere.
import { Tensor } from '../../compiler/ir/tensor.js';
import { buildGraph } from '../util/graphs.js';

const i64 = (values: number[]) => Tensor.fromArray('i64', [values.length], values);
const boxes = [0, 0, 1, 1, 0, 0.1, 1, 1.1, 0, -0.1, 1, 0.9, 0, 10, 1, 11, 1, 10.1, 0, 11.1, 0, 100, 1, 101];

export const RUN_TIME_CONSUMER_GRAPH = () =>
  buildGraph({
    inputs: {
      boxes: { dtype: 'f32', shape: [1, 6, 4] }, scores: { dtype: 'f32', shape: [1, 1, 6] }, threshold: { dtype: 'f32', shape: [1] },
      mask: { dtype: 'f32', shape: [3, 4] }, x: { dtype: 'f32', shape: [4, 3] }, keep: { dtype: 'bool', shape: [4] },
    },
    build: (b, { boxes, scores, threshold, mask, x, keep }) => {
      // Detection post-processing: the selected boxes' indices (column 2), their boxes, scaled; their scores by GatherElements.
      const selected = b.emit('non_max_suppression', [boxes, scores, b.constant(i64([4])), b.constant(Tensor.fromArray('f32', [1], [0.5])), threshold])[0];
      const index = b.emit('gather', [selected, b.constant(Tensor.fromArray('i64', [], [2]))], { axis: 1 })[0];
      const flatBoxes = b.emit('reshape', [boxes, b.constant(i64([6, 4]))])[0];
      const picked = b.emit('gather', [flatBoxes, index], { axis: 0 })[0];
      const scaled = b.emit('mul', [picked, b.constant(Tensor.fromArray('f32', [4], [640, 480, 640, 480]))])[0];
      const column = b.emit('unsqueeze', [index, b.constant(i64([1]))])[0];
      const flatScores = b.emit('reshape', [scores, b.constant(i64([6, 1]))])[0];
      const pickedScores = b.emit('gather_elements', [flatScores, column], { axis: 0 })[0];
      const count = b.emit('shape', [selected], { end: 1 })[0];
      // A mask's coordinates, then its values there.
      const where = b.emit('non_zero', [mask])[0];
      const coordinates = b.emit('transpose', [where], { perm: [1, 0] })[0];
      const values = b.emit('gather_nd', [mask, coordinates])[0];
      const asInt = b.emit('cast', [where], { to: 'i32' })[0];
      // Filtered rows, rectified and summed over the rows; the first two of them.
      const kept = b.emit('compress', [x, keep], { axis: 0 })[0];
      const relu = b.emit('relu', [kept])[0];
      const sum = b.emit('reduce_sum', [relu, b.constant(i64([0]))], { keepdims: 0 })[0];
      const max = b.emit('reduce_max', [kept, b.constant(i64([0, 1]))], { keepdims: 1 })[0];
      const firstTwo = b.emit('slice', [relu, b.constant(i64([0])), b.constant(i64([2])), b.constant(i64([0]))])[0];
      const lastReversed = b.emit('slice', [kept, b.constant(i64([-1])), b.constant(i64([-100])), b.constant(i64([0])), b.constant(i64([-2]))])[0];
      return [scaled, pickedScores, count, values, asInt, sum, max, firstTwo, lastReversed];
    },
  });

export const RUN_TIME_CONSUMER_FEEDS: Record<string, Tensor>[] = [
  {
    boxes: Tensor.fromArray('f32', [1, 6, 4], boxes), scores: Tensor.fromArray('f32', [1, 1, 6], [0.9, 0.75, 0.6, 0.95, 0.5, 0.3]), threshold: Tensor.fromArray('f32', [1], [0.4]),
    mask: Tensor.fromArray('f32', [3, 4], [0, 1.5, 0, 0, -2, 0, 0, 3, 0, 0, 0.5, 0]), x: Tensor.fromArray('f32', [4, 3], [1, -2, 3, -4, 5, -6, 7, -8, 9, -10, 11, -12]),
    keep: Tensor.fromArray('bool', [4], [1, 0, 1, 1]),
  },
  {
    boxes: Tensor.fromArray('f32', [1, 6, 4], boxes), scores: Tensor.fromArray('f32', [1, 1, 6], [0.9, 0.75, 0.6, 0.95, 0.5, 0.3]), threshold: Tensor.fromArray('f32', [1], [0.99]),
    mask: Tensor.fromArray('f32', [3, 4], new Array(12).fill(0)), x: Tensor.fromArray('f32', [4, 3], [1, -2, 3, -4, 5, -6, 7, -8, 9, -10, 11, -12]),
    keep: Tensor.fromArray('bool', [4], [0, 0, 0, 0]),
  },
];
