import { DlcError } from '../errors.js';
import { runOp, tensor, values } from '../../tests/util/op-harness.js';

describe('matmul', () => {
  test('2-D', () => {
    const [y] = runOp('matmul', [tensor([1, 2, 3, 4, 5, 6], [2, 3]), tensor([7, 8, 9, 10, 11, 12], [3, 2])]);
    expect(values(y)).toEqual([58, 64, 139, 154]);
  });

  test('1-D operands drop their unit dim', () => {
    const [y] = runOp('matmul', [tensor([1, 2], [2]), tensor([1, 2, 3, 4], [2, 2])]);
    expect(y.shape).toEqual([2]);
    expect(values(y)).toEqual([7, 10]);
    const [dot] = runOp('matmul', [tensor([1, 2], [2]), tensor([3, 4], [2])]);
    expect(dot.shape).toEqual([]);
    expect(values(dot)).toEqual([11]);
  });

  test('batch dims broadcast', () => {
    const [y] = runOp('matmul', [tensor([1, 2, 3, 4], [2, 1, 2]), tensor([1, 1], [2, 1])]);
    expect(y.shape).toEqual([2, 1, 1]);
    expect(values(y)).toEqual([3, 7]);
  });

  test('inner dim mismatch is a DlcError', () => {
    expect(() => runOp('matmul', [tensor([1, 2], [1, 2]), tensor([1, 2, 3], [3, 1])])).toThrow(DlcError);
  });
});

describe('gemm', () => {
  test('transA, transB, alpha, beta and a broadcast bias', () => {
    const a = tensor([1, 2, 3, 4], [2, 2]);
    const eye = tensor([1, 0, 0, 1], [2, 2]);
    const [y] = runOp('gemm', [a, eye, tensor([10, 20], [2])], { transA: 1, transB: 1, alpha: 2, beta: 1 });
    expect(values(y)).toEqual([12, 26, 14, 28]);
  });

  test('no bias, rectangular', () => {
    const [y] = runOp('gemm', [tensor([1, 2, 3], [1, 3]), tensor([1, 2, 3, 4, 5, 6], [2, 3])], { transB: 1 });
    expect(values(y)).toEqual([14, 32]);
  });
});
