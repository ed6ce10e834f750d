import { importModel, runOp, tensor, values } from '../../tests/util/op-harness.js';

const x = tensor([0, 10], [1, 1, 1, 2]);

describe('resize', () => {
  test('nearest, asymmetric, floor (Upsample semantics)', () => {
    const [y] = runOp('resize', [x, null, tensor([1, 1, 1, 2], [4]), null], { coordinate_transformation_mode: 'asymmetric', nearest_mode: 'floor' }, 1, [2]);
    expect(y.shape).toEqual([1, 1, 1, 4]);
    expect(values(y)).toEqual([0, 0, 10, 10]);
  });

  test('linear, half_pixel clamps at the edges', () => {
    const [y] = runOp('resize', [x, null, tensor([1, 1, 1, 2], [4]), null], { mode: 'linear' }, 1, [2]);
    expect(values(y)).toEqual([0, 2.5, 7.5, 10]);
  });

  test('linear, align_corners with sizes', () => {
    const [y] = runOp('resize', [x, null, null, tensor([1, 1, 1, 3], [4], 'i64')], { mode: 'linear', coordinate_transformation_mode: 'align_corners' }, 1, [3]);
    expect(values(y)).toEqual([0, 5, 10]);
  });

  test('cubic reproduces a ramp away from the edges', () => {
    const ramp = tensor([0, 1, 2, 3], [1, 1, 1, 4]);
    const [y] = runOp('resize', [ramp, null, null, tensor([1, 1, 1, 7], [4], 'i64')], { mode: 'cubic', coordinate_transformation_mode: 'align_corners' }, 1, [3]);
    expect(values(y).slice(2, 5)).toEqual([1, 1.5, 2]);
  });

  test('tf_crop_and_resize extrapolates outside the input', () => {
    const roi = tensor([0, 0, 0, 0, 1, 1, 1, 2], [8]);
    const [y] = runOp('resize', [x, roi, null, tensor([1, 1, 1, 3], [4], 'i64')], { mode: 'linear', coordinate_transformation_mode: 'tf_crop_and_resize', extrapolation_value: 7 }, 1, [1, 3]);
    expect(values(y)).toEqual([0, 10, 7]);
  });

  test('axes and keep_aspect_ratio_policy', () => {
    const img = tensor(new Array(8).fill(1), [1, 1, 2, 4]);
    const [y] = runOp('resize', [img, null, null, tensor([4, 4], [2], 'i64')], { axes: [2, 3], keep_aspect_ratio_policy: 'not_larger' }, 1, [3]);
    expect(y.shape).toEqual([1, 1, 2, 4]);
  });

  test('Upsample and opset-11 Resize with an empty roi import to resize', () => {
    const up = importModel({
      opset: 9,
      inputs: [{ name: 'x', dtype: 'f32', shape: [1, 1, 1, 2] }],
      outputs: [{ name: 'y', dtype: 'f32', shape: [1, 1, 1, 4] }],
      nodes: [{ op: 'Upsample', inputs: ['x', 's'], outputs: ['y'] }],
      initializers: [{ name: 's', tensor: tensor([1, 1, 1, 2], [4]) }],
    }).nodes[0];
    expect(up.op).toBe('resize');
    expect(up.attrs).toMatchObject({ coordinate_transformation_mode: 'asymmetric', nearest_mode: 'floor' });
    const r = importModel({
      opset: 11,
      inputs: [{ name: 'x', dtype: 'f32', shape: [1, 1, 1, 2] }],
      outputs: [{ name: 'y', dtype: 'f32', shape: [1, 1, 1, 4] }],
      nodes: [{ op: 'Resize', inputs: ['x', 'roi', 's'], outputs: ['y'] }],
      initializers: [{ name: 'roi', tensor: tensor([], [0]) }, { name: 's', tensor: tensor([1, 1, 1, 2], [4]) }],
    }).nodes[0];
    expect(r.inputs[1]).toBeNull();
    expect(r.outputs[0].type.shape).toEqual([1, 1, 1, 4]);
  });
});
