import { buildGraph, mismatches } from '../../../tests/util/wasm-testing.js';

const f32 = (...shape: number[]) => ({ dtype: 'f32' as const, shape });

test('pool kernels match the interpreter', async () => {
  const g = buildGraph({
    inputs: { x: f32(2, 3, 9, 11), s: f32(1, 2, 10) },
    build: (b, { x, s }) => [
      b.emit('max_pool', [x], { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] }, 1)[0],
      b.emit('max_pool', [x], { kernel_shape: [2, 3], ceil_mode: 1, strides: [2, 2] }, 1)[0],
      b.emit('average_pool', [x], { kernel_shape: [3, 3], pads: [1, 1, 1, 1] })[0],
      b.emit('average_pool', [x], { kernel_shape: [3, 2], pads: [1, 0, 1, 1], count_include_pad: 1, strides: [2, 1] })[0],
      b.emit('average_pool', [s], { kernel_shape: [3] })[0],
      b.emit('global_average_pool', [x])[0],
      b.emit('global_max_pool', [x])[0],
    ],
  });
  expect(await mismatches(g)).toEqual([]);
});
