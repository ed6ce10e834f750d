import { DlcError } from '../errors.js';
import { importModel, runOp, tensor, values } from '../../tests/util/op-harness.js';
import { runGraph } from '../interpreter.js';

describe('normalizations', () => {
  test('batch_normalization per channel', () => {
    const [y] = runOp('batch_normalization', [tensor([1, 2], [1, 2, 1, 1]), tensor([1, 2], [2]), tensor([0, 1], [2]), tensor([0, 1], [2]), tensor([1, 4], [2])], { epsilon: 0 });
    expect(values(y)).toEqual([1, 2]);
  });

  test('training-mode BatchNormalization (opset 15) normalizes with the batch statistics and updates the running ones', () => {
    // Channel 0 holds {1, 3}: mean 2, variance 1; channel 1 {10, 20}: mean 15, variance 25 (population variance).
    const g = importModel({
      opset: 15,
      inputs: [{ name: 'x', dtype: 'f32', shape: [2, 2, 1, 1] }],
      outputs: [{ name: 'y', dtype: 'f32', shape: [2, 2, 1, 1] }, { name: 'rm', dtype: 'f32', shape: [2] }, { name: 'rv', dtype: 'f32', shape: [2] }],
      nodes: [{ op: 'BatchNormalization', inputs: ['x', 's', 'b', 'm', 'v'], outputs: ['y', 'rm', 'rv'], attrs: { training_mode: 1, momentum: { float: 0.5 }, epsilon: { float: 0 } } }],
      initializers: [
        { name: 's', tensor: tensor([1, 2], [2]) },
        { name: 'b', tensor: tensor([0, 1], [2]) },
        { name: 'm', tensor: tensor([0, 5], [2]) },
        { name: 'v', tensor: tensor([1, 1], [2]) },
      ],
    });
    const [y, runningMean, runningVar] = runGraph(g, [tensor([1, 10, 3, 20], [2, 2, 1, 1])], undefined, { checkTypes: true });
    expect(values(y)).toEqual([-1, -1, 1, 3]);
    expect(values(runningMean)).toEqual([1, 10]);
    expect(values(runningVar)).toEqual([1, 13]);
  });

  test('BatchNormalization with training outputs before opset 14 is refused at import', () => {
    const p = tensor([1], [1]);
    expect(() =>
      importModel({
        opset: 9,
        inputs: [{ name: 'x', dtype: 'f32', shape: [1, 1, 1, 1] }],
        outputs: [{ name: 'y', dtype: 'f32', shape: [1, 1, 1, 1] }, { name: 'm', dtype: 'f32', shape: [1] }],
        nodes: [{ op: 'BatchNormalization', inputs: ['x', 'p', 'p', 'p', 'p'], outputs: ['y', 'm'] }],
        initializers: [{ name: 'p', tensor: p }],
      }),
    ).toThrow(/training-mode BatchNormalization before opset 14 is not supported/);
  });

  test('instance_normalization', () => {
    const [y] = runOp('instance_normalization', [tensor([1, 3, 4, 6], [1, 2, 2]), tensor([1, 1], [2]), tensor([0, 7], [2])], { epsilon: 0 });
    expect(values(y)).toEqual([-1, 1, 6, 8]);
  });

  test('layer_normalization with Mean and InvStdDev', () => {
    const [y, mean, inv] = runOp('layer_normalization', [tensor([1, 3, 2, 2], [2, 2]), tensor([1, 1], [2]), tensor([0, 1], [2])], {}, 3);
    expect(values(y, 3)).toEqual([-1, 2, 0, 1]);
    expect(mean.shape).toEqual([2, 1]);
    expect(values(mean)).toEqual([2, 2]);
    expect(values(inv, 2)).toEqual([1, 316.23]);
  });

  test('group_normalization with per-channel and per-group scales', () => {
    const x = tensor([1, 3, 5, 7], [1, 4, 1, 1]);
    const attrs = { num_groups: 2, epsilon: 0 };
    expect(values(runOp('group_normalization', [x, tensor([1, 1, 1, 1], [4]), tensor([0, 0, 0, 0], [4])], attrs)[0])).toEqual([-1, 1, -1, 1]);
    expect(values(runOp('group_normalization', [x, tensor([1, 2], [2]), tensor([0, 0], [2])], attrs)[0])).toEqual([-1, 1, -2, 2]);
  });

  test('lrn over a channel window', () => {
    const [y] = runOp('lrn', [tensor([1, 2], [1, 2, 1, 1])], { size: 2, alpha: 2, beta: 1, bias: 1 });
    expect(values(y)).toEqual([0.16667, 0.4]);
  });

  test('lp_normalization and mean_variance_normalization', () => {
    expect(values(runOp('lp_normalization', [tensor([3, 4], [1, 2])])[0])).toEqual([0.6, 0.8]);
    expect(values(runOp('lp_normalization', [tensor([1, 3], [1, 2])], { p: 1 })[0])).toEqual([0.25, 0.75]);
    expect(values(runOp('mean_variance_normalization', [tensor([1, 3], [1, 1, 1, 2])])[0])).toEqual([-1, 1]);
  });
});
