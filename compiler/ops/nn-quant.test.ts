import { runOp, tensor, values } from '../../tests/util/op-harness.js';

describe('quantization', () => {
  test('quantize_linear rounds half to even and saturates', () => {
    const [y] = runOp('quantize_linear', [tensor([0, 1.5, 2.5, -1, 300], [5]), tensor([1], []), tensor([0], [], 'u8')]);
    expect(y.dtype).toBe('u8');
    expect(values(y)).toEqual([0, 2, 2, 0, 255]);
  });

  test('quantize_linear per axis to i8', () => {
    const [y] = runOp('quantize_linear', [tensor([10, 10, 10, 10], [2, 2]), tensor([1, 2], [2]), tensor([0, -128], [2], 'i8')], { axis: 0 });
    expect(values(y)).toEqual([10, 10, -123, -123]);
  });

  test('dequantize_linear', () => {
    expect(values(runOp('dequantize_linear', [tensor([0, 255], [2], 'u8'), tensor([2], []), tensor([128], [], 'u8')])[0])).toEqual([-256, 254]);
  });

  test('dynamic_quantize_linear', () => {
    const [y, scale, zp] = runOp('dynamic_quantize_linear', [tensor([0, 2, -3, -2.5, 1.34, 0.5], [6])], {}, 3);
    expect(values(y)).toEqual([153, 255, 0, 26, 221, 179]);
    expect(values(scale, 7)).toEqual([0.0196078]);
    expect(values(zp)).toEqual([153]);
  });

  test('matmul_integer subtracts zero points', () => {
    const a = tensor([11, 7, 3, 10, 6, 2, 9, 5, 1, 8, 4, 0], [4, 3], 'u8');
    const b = tensor([1, 4, 2, 5, 3, 6], [3, 2], 'u8');
    const [y] = runOp('matmul_integer', [a, b, tensor([12], [1], 'u8'), tensor([0], [1], 'u8')]);
    expect(y.dtype).toBe('i32');
    expect(values(y)).toEqual([-38, -83, -44, -98, -50, -113, -56, -128]);
  });

  test('conv_integer with padding', () => {
    const x = tensor([2, 3, 4, 5, 6, 7, 8, 9, 10], [1, 1, 3, 3], 'u8');
    const [y] = runOp('conv_integer', [x, tensor([1, 1, 1, 1], [1, 1, 2, 2], 'u8'), tensor([1], [], 'u8')], { pads: [1, 1, 1, 1] });
    expect(values(y)).toEqual([1, 3, 5, 3, 5, 12, 16, 9, 11, 24, 28, 15, 7, 15, 17, 9]);
  });

  test('qlinear_matmul requantizes', () => {
    const u8 = (v: number[], shape: number[]) => tensor(v, shape, 'u8');
    const [y] = runOp('qlinear_matmul', [u8([10, 20], [1, 2]), tensor([0.5], []), u8([0], []), u8([2, 4], [2, 1]), tensor([1], []), u8([0], []), tensor([1], []), u8([10], [])]);
    expect(values(y)).toEqual([60]);
  });

  test('qlinear_conv requantizes with a bias', () => {
    const u8 = (v: number[], shape: number[]) => tensor(v, shape, 'u8');
    const inputs = [u8([4, 8], [1, 1, 1, 2]), tensor([0.5], []), u8([0], []), u8([3], [1, 1, 1, 1]), tensor([1], [1]), u8([1], [1]), tensor([2], []), u8([100], []), tensor([4], [1], 'i32')];
    // acc = (x − 0)·(3 − 1) + 4 = [12, 20]; y = acc · 0.5 / 2 + 100.
    expect(values(runOp('qlinear_conv', inputs)[0])).toEqual([103, 105]);
  });
});
