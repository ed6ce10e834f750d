import { importModel, runOp, tensor, values } from '../../tests/util/op-harness.js';

describe('softmax family', () => {
  const x = tensor([1, 2, 3], [1, 3]);

  test('softmax and log_softmax along the last axis', () => {
    expect(values(runOp('softmax', [x])[0])).toEqual([0.09003, 0.24473, 0.66524]);
    expect(values(runOp('log_softmax', [x])[0])).toEqual([-2.40761, -1.40761, -0.40761]);
  });

  test('large inputs stay finite', () => {
    expect(values(runOp('softmax', [tensor([1000, 1000], [2])])[0])).toEqual([0.5, 0.5]);
  });

  test('hardmax marks the first maximum', () => {
    expect(values(runOp('hardmax', [tensor([1, 3, 2, 5, 4, 5], [2, 3])])[0])).toEqual([0, 1, 0, 1, 0, 0]);
  });

  test('axis 0 and the coerced 2-D form', () => {
    const t = tensor([0, 0, Math.log(3), 0], [2, 2]);
    expect(values(runOp('softmax', [t], { axis: 0 })[0])).toEqual([0.25, 0.5, 0.75, 0.5]);
    expect(values(runOp('softmax', [t], { axis: 0, coerce_2d: 1 })[0])).toEqual([0.16667, 0.16667, 0.5, 0.16667]);
  });

  test('opset < 13 import uses coerce_2d unless the axis is already the last', () => {
    const model = (shape: number[]) =>
      importModel({
        opset: 11,
        inputs: [{ name: 'x', dtype: 'f32', shape }],
        outputs: [{ name: 'y', dtype: 'f32', shape }],
        nodes: [{ op: 'Softmax', inputs: ['x'], outputs: ['y'] }],
      }).nodes[0].attrs;
    expect(model([2, 3, 4])).toEqual({ axis: 1, coerce_2d: 1 });
    expect(model([2, 3])).toEqual({ axis: 1, coerce_2d: 0 });
  });
});
