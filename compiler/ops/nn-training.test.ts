import { runOp, tensor, values } from '../../tests/util/op-harness.js';

const scalar = (v: number, dtype: 'f32' | 'i64' = 'f32') => tensor([v], [], dtype);

describe('training preview optimizers', () => {
  test('adagrad: the learning rate decays with T; H accumulates squared gradients', () => {
    // r = 0.1 / (1 + 1·1) = 0.05; H' = 0 + 2² = 4; X' = 1 − 0.05·2 / √4 = 0.95
    const [x, h] = runOp('adagrad', [scalar(0.1), scalar(1, 'i64'), tensor([1], [1]), tensor([2], [1]), tensor([0], [1])], { decay_factor: 1, epsilon: 0 }, 2);
    expect([values(x), values(h)]).toEqual([[0.95], [4]]);
  });

  test('adam: no bias correction at T = 0, and the correction after', () => {
    const inputs = (t: number) => [scalar(0.1), scalar(t, 'i64'), tensor([1], [1]), tensor([1], [1]), tensor([0], [1]), tensor([0], [1])];
    // V' = 0.5, H' = 0.5; X' = 1 − 0.1·0.5 / √0.5
    const [x0, v0, h0] = runOp('adam', inputs(0), { alpha: 0.5, beta: 0.5, epsilon: 0 }, 3);
    expect([values(x0), values(v0), values(h0)]).toEqual([[0.92929], [0.5], [0.5]]);
    // T = 1: r = 0.1·√(1 − 0.5) / (1 − 0.5)
    const [x1] = runOp('adam', inputs(1), { alpha: 0.5, beta: 0.5, epsilon: 0 }, 3);
    expect(values(x1)).toEqual([0.9]);
  });

  test('momentum: standard and nesterov, two tensors (outputs X_1, X_2, V_1, V_2)', () => {
    const inputs = [scalar(0.1), scalar(1, 'i64'), tensor([1], [1]), tensor([2, 3], [2]), tensor([-1], [1]), tensor([0, 1], [2]), tensor([2], [1]), tensor([0, 0], [2])];
    const attrs = { alpha: 0.9, beta: 0.5, norm_coefficient: 0 };
    // V_1' = 0.9·2 + 0.5·(−1) = 1.3; X_1' = 1 − 0.1·1.3; nesterov: X_1' = 1 − 0.1·(−1 + 0.9·1.3)
    expect(runOp('momentum', inputs, { ...attrs, mode: 'standard' }, 4).map((t) => values(t))).toEqual([[0.87], [2, 2.95], [1.3], [0, 0.5]]);
    expect(values(runOp('momentum', inputs, { ...attrs, mode: 'nesterov' }, 4)[0])).toEqual([0.983]);
  });

  test('inference checks the operand count, R, T and the state tensors', () => {
    expect(() => runOp('adagrad', [scalar(0.1), scalar(1, 'i64'), tensor([1], [1]), tensor([2], [1])], {}, 2)).toThrow(/R, T and 3 inputs per optimized tensor/);
    expect(() => runOp('adagrad', [scalar(0.1), scalar(1), tensor([1], [1]), tensor([2], [1]), tensor([0], [1])], {}, 2)).toThrow(/T must be an i64 scalar/);
    expect(() => runOp('adagrad', [scalar(0.1), scalar(1, 'i64'), tensor([1], [1]), tensor([2, 3], [2]), tensor([0], [1])], {}, 2)).toThrow(/does not match X_1/);
    expect(() => runOp('momentum', [scalar(0.1), scalar(1, 'i64'), tensor([1], [1]), tensor([2], [1]), tensor([0], [1])], { alpha: 1, beta: 1, norm_coefficient: 0, mode: 'heavy' }, 2)).toThrow(/unknown mode/);
  });
});
