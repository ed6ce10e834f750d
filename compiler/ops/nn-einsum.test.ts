import { runOp, tensor, values } from '../../tests/util/op-harness.js';

describe('einsum', () => {
  const m = tensor([1, 2, 3, 4], [2, 2]);

  test('matrix product, explicit and implicit', () => {
    expect(values(runOp('einsum', [m, m], { equation: 'ij,jk->ik' })[0])).toEqual([7, 10, 15, 22]);
    expect(values(runOp('einsum', [m, m], { equation: 'ij,jk' })[0])).toEqual([7, 10, 15, 22]);
  });

  test('diagonal, transpose, sums', () => {
    expect(values(runOp('einsum', [m], { equation: 'ii->i' })[0])).toEqual([1, 4]);
    expect(values(runOp('einsum', [m], { equation: 'ij->ji' })[0])).toEqual([1, 3, 2, 4]);
    expect(values(runOp('einsum', [m], { equation: 'ij->' })[0])).toEqual([10]);
    expect(values(runOp('einsum', [tensor([1, 2], [2]), tensor([3, 4], [2])], { equation: 'i,i' })[0])).toEqual([11]);
  });

  test('ellipsis keeps batch dims', () => {
    const [y] = runOp('einsum', [tensor([1, 2, 3, 4, 5, 6, 7, 8], [2, 2, 2])], { equation: '...ii->...i' });
    expect(y.shape).toEqual([2, 2]);
    expect(values(y)).toEqual([1, 4, 5, 8]);
  });
});
