import { runOp, tensor, values } from '../../tests/util/op-harness.js';

const range = (n: number, from = 1) => Array.from({ length: n }, (_, i) => i + from);

describe('pooling', () => {
  test('max_pool with row-major and column-major indices', () => {
    const x = tensor(range(16), [1, 1, 4, 4]);
    const [y, idx] = runOp('max_pool', [x], { kernel_shape: [2, 2], strides: [2, 2] }, 2);
    expect(values(y)).toEqual([6, 8, 14, 16]);
    expect(values(idx)).toEqual([5, 7, 13, 15]);
    const [, colIdx] = runOp('max_pool', [x], { kernel_shape: [2, 2], strides: [2, 2], storage_order: 1 }, 2);
    expect(values(colIdx)).toEqual([5, 13, 7, 15]);
  });

  test('max_pool ceil_mode keeps the partial window', () => {
    const [y] = runOp('max_pool', [tensor(range(9), [1, 1, 3, 3])], { kernel_shape: [2, 2], strides: [2, 2], ceil_mode: 1 });
    expect(y.shape).toEqual([1, 1, 2, 2]);
    expect(values(y)).toEqual([5, 6, 8, 9]);
  });

  test('a window larger than the padded input gives what onnxruntime gives', () => {
    const x = tensor([1, 2, 3], [1, 1, 3]);
    // (3 - 4) / 2 rounds toward zero: one window over the 3 values; count_include_pad counts the whole window.
    expect(values(runOp('max_pool', [x], { kernel_shape: [4], strides: [2] })[0])).toEqual([3]);
    expect(values(runOp('average_pool', [x], { kernel_shape: [4], strides: [2] })[0])).toEqual([2]);
    expect(values(runOp('average_pool', [x], { kernel_shape: [4], strides: [2], count_include_pad: 1 })[0])).toEqual([1.5]);
    // With ceil_mode the taps past the end pad are not counted.
    expect(values(runOp('average_pool', [x], { kernel_shape: [4], strides: [2], count_include_pad: 1, ceil_mode: 1 })[0])).toEqual([2]);
    // A stride that cannot reach past the overhang: no window, an empty axis.
    expect(runOp('max_pool', [x], { kernel_shape: [4], strides: [1] })[0].shape).toEqual([1, 1, 0]);
    expect(() => runOp('max_pool', [x], { kernel_shape: [9], strides: [2] })).toThrow(/larger than the padded input/);
  });

  test('average_pool with and without counting pads', () => {
    const x = tensor([1, 2, 3, 4], [1, 1, 2, 2]);
    const attrs = { kernel_shape: [3, 3], pads: [1, 1, 1, 1] };
    expect(values(runOp('average_pool', [x], attrs)[0])).toEqual([2.5, 2.5, 2.5, 2.5]);
    expect(values(runOp('average_pool', [x], { ...attrs, count_include_pad: 1 })[0])).toEqual(new Array(4).fill(1.11111));
  });

  test('lp_pool', () => {
    expect(values(runOp('lp_pool', [tensor([3, -4], [1, 1, 2])], { kernel_shape: [2] })[0])).toEqual([5]);
  });

  test('global pools', () => {
    const x = tensor([1, 2, 3, 6, -1, -2], [1, 2, 3]);
    expect(values(runOp('global_average_pool', [x])[0])).toEqual([2, 1]);
    expect(values(runOp('global_max_pool', [x])[0])).toEqual([3, 6]);
    expect(runOp('global_max_pool', [x])[0].shape).toEqual([1, 2, 1]);
  });

  test('max_unpool scatters to the indices, keeping coordinates in a larger output_shape', () => {
    const [y] = runOp('max_unpool', [tensor([7], [1, 1, 1, 1]), tensor([3], [1, 1, 1, 1], 'i64')], { kernel_shape: [2, 2], strides: [2, 2] });
    expect(values(y)).toEqual([0, 0, 0, 7]);
    const [z] = runOp(
      'max_unpool',
      [tensor([7], [1, 1, 1, 1]), tensor([3], [1, 1, 1, 1], 'i64'), tensor([1, 1, 3, 3], [4], 'i64')],
      { kernel_shape: [2, 2], strides: [2, 2] },
      1,
      [2],
    );
    expect(values(z)).toEqual([0, 0, 0, 0, 7, 0, 0, 0, 0]);
  });
});
