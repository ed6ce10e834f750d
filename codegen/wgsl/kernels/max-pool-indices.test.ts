import { webgpuMismatches as mismatches } from '../../../tests/util/webgpu-mismatches.js';
import { buildGraph } from '../../../tests/util/graphs.js';

test('max_pool with the indices output (row- and column-major, pads, strides, dilations, 1-D to 3-D) and on u8 and i32 operands', async () => {
  const g = buildGraph({
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
  });
  expect(await mismatches(g)).toEqual([]);
});
