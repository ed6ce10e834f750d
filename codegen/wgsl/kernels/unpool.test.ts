import { Tensor } from '../../../compiler/ir/tensor.js';
import { webgpuMismatches as mismatches } from '../../../tests/util/webgpu-mismatches.js';
import { buildGraph } from '../../../tests/util/graphs.js';

test('max_unpool scatters into the natural shape and into a larger output_shape, with strides and pads; a repeated index keeps the last value', async () => {
  const idx = Tensor.fromArray('i64', [1, 2, 2, 2], [0, 3, 9, 14, 17, 18, 28, 31]);
  const g = buildGraph({
    inputs: { x: { dtype: 'f32', shape: [1, 2, 2, 2] } },
    build: (b, { x }) => [
      b.emit('max_unpool', [x, b.constant(idx)], { kernel_shape: [2, 2], strides: [2, 2] })[0],
      b.emit('max_unpool', [x, b.constant(idx), b.constant(Tensor.fromArray('i64', [4], [1, 2, 5, 6]))], { kernel_shape: [2, 2], strides: [2, 2] })[0],
      b.emit('max_unpool', [x, b.constant(Tensor.fromArray('i64', [1, 2, 2, 2], [0, 2, 6, 8, 9, 11, 15, 17]))], { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] })[0],
      b.emit('max_unpool', [x, b.constant(Tensor.fromArray('i64', [1, 2, 2, 2], [5, 5, 0, 5, 20, 5, 20, 1]))], { kernel_shape: [2, 2], strides: [2, 2] })[0],
    ],
  });
  expect(await mismatches(g)).toEqual([]);
});
