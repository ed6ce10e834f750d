import { Tensor } from '../../../compiler/ir/tensor.js';
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

test('2-D max pools (clipped windows, four outputs per f32x4 where a row allows) match the interpreter', async () => {
  // Rows wide enough for vector groups between scalar edges; ceil_mode's overhang, uneven pads and a
  // stride of 3 (scalar only) included.
  const g = buildGraph({
    inputs: { x: f32(1, 3, 13, 29), n: f32(1, 1, 6, 16) },
    build: (b, { x, n }) => [
      b.emit('max_pool', [x], { kernel_shape: [3, 3], strides: [2, 2], ceil_mode: 1 }, 1)[0],
      b.emit('max_pool', [x], { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] }, 1)[0],
      b.emit('max_pool', [x], { kernel_shape: [3, 3], pads: [1, 1, 1, 1] }, 1)[0],
      b.emit('max_pool', [x], { kernel_shape: [2, 4], strides: [1, 2], pads: [0, 2, 1, 0], ceil_mode: 1 }, 1)[0],
      b.emit('max_pool', [x], { kernel_shape: [3, 3], strides: [3, 3], ceil_mode: 1 }, 1)[0],
      b.emit('max_pool', [n], { kernel_shape: [2, 2], strides: [2, 2] }, 1)[0],
    ],
  });
  expect(await mismatches(g)).toEqual([]);
  // A NaN in a window is its maximum, in the vector groups as at the scalar edges.
  const nan = new Float32Array(96).map((_, i) => (i % 7 === 3 ? NaN : i));
  expect(await mismatches(g, 1, {}, { n: Tensor.fromArray('f32', [1, 1, 6, 16], nan) })).toEqual([]);
});
