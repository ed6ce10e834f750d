import { runOp, tensor, values } from '../../tests/util/op-harness.js';

describe('losses', () => {
  const logProb = tensor([-1, -2, -3, -4, -5, -6], [2, 3]);
  const target = tensor([0, 2], [2], 'i64');

  test('negative_log_likelihood_loss reductions', () => {
    expect(values(runOp('negative_log_likelihood_loss', [logProb, target], { reduction: 'none' })[0])).toEqual([1, 6]);
    expect(values(runOp('negative_log_likelihood_loss', [logProb, target], { reduction: 'sum' })[0])).toEqual([7]);
    expect(values(runOp('negative_log_likelihood_loss', [logProb, target])[0])).toEqual([3.5]);
  });

  test('class weights and ignore_index', () => {
    const w = tensor([1, 1, 2], [3]);
    expect(values(runOp('negative_log_likelihood_loss', [logProb, target, w])[0])).toEqual([4.33333]);
    expect(values(runOp('negative_log_likelihood_loss', [logProb, target], { ignore_index: 2 })[0])).toEqual([1]);
  });

  test('softmax_cross_entropy_loss with log_prob output', () => {
    const [loss, lp] = runOp('softmax_cross_entropy_loss', [tensor([0, 0], [1, 2]), tensor([1], [1], 'i64')], {}, 2);
    expect(values(loss)).toEqual([0.69315]);
    expect(values(lp)).toEqual([-0.69315, -0.69315]);
  });
});
