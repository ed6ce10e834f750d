import { type TensorType } from '../ir/graph.js';
import { t, i64, iota, vals, run, infer, runOnnx, dlcError } from '../../tests/util/tensor-op-harness.js';

describe('reshape', () => {
  test('0 copies a dim, -1 takes the rest, allowzero keeps a literal 0', () => {
    const x = iota([2, 3, 4]);
    expect(run('reshape', [x, i64([0, -1])])[0].shape).toEqual([2, 12]);
    expect(run('reshape', [x, i64([4, 0, -1])])[0].shape).toEqual([4, 3, 2]);
    expect(vals(run('reshape', [x, i64([24])])[0])).toEqual(vals(x));
    expect(run('reshape', [iota([0, 3]), i64([3, 0])], { allowzero: 1 })[0].shape).toEqual([3, 0]);
  });

  test('symbolic dims cancel between input and target', () => {
    const x: TensorType = { dtype: 'f32', shape: ['N', 3, 4] };
    expect(infer('reshape', [x, i64([0, -1])])[0].shape).toEqual(['N', 12]);
    expect(infer('reshape', [x, i64([-1, 4])])[0].shape).toEqual([expect.stringMatching(/^\?reshape/), 4]);
    expect(infer('reshape', [x, i64([0, 12])])[0].shape).toEqual(['N', 12]);
  });

  test('a run-time target shape gives fresh dims of the known rank', () => {
    const shape = infer('reshape', [{ dtype: 'f32', shape: [6] }, { dtype: 'i64', shape: [3] }])[0].shape;
    expect(shape).toHaveLength(3);
    shape.forEach((d) => expect(d).toMatch(/^\?reshape/));
  });

  test('impossible targets are DlcErrors', () => {
    expect(dlcError(() => run('reshape', [iota([2, 3]), i64([4, -1])]))).toMatch(/cannot reshape \[2,3\] to \[4,-1\]/);
    expect(dlcError(() => run('reshape', [iota([2, 3]), i64([-1, -1])]))).toMatch(/more than one -1/);
    expect(dlcError(() => infer('reshape', [{ dtype: 'f32', shape: [6] }, { dtype: 'i64', shape: ['K'] }]))).toMatch(/output rank is unknown/);
  });

  test('Reshape-1 takes the shape as an attribute', () => {
    const { ops, out } = runOnnx('Reshape', 1, [iota([2, 3])], { shape: [3, 2], consumed_inputs: [0] });
    expect(ops).toEqual(['reshape']);
    expect(out[0].shape).toEqual([3, 2]);
  });
});

describe('flatten, squeeze, unsqueeze', () => {
  test('flatten splits the dims at the axis', () => {
    expect(run('flatten', [iota([2, 3, 4])], { axis: 2 })[0].shape).toEqual([6, 4]);
    expect(run('flatten', [iota([2, 3, 4])], { axis: 0 })[0].shape).toEqual([1, 24]);
    expect(run('flatten', [iota([2, 3, 4])], { axis: -1 })[0].shape).toEqual([6, 4]);
    expect(infer('flatten', [{ dtype: 'f32', shape: ['N', 3, 4] }])[0].shape).toEqual(['N', 12]);
  });

  test('squeeze removes the given axes, or every 1', () => {
    expect(run('squeeze', [iota([1, 3, 1]), i64([-1])])[0].shape).toEqual([1, 3]);
    expect(run('squeeze', [iota([1, 3, 1]), null])[0].shape).toEqual([3]);
    expect(dlcError(() => run('squeeze', [iota([2, 3]), i64([0])]))).toMatch(/dim 0 has size 2, not 1/);
  });

  test('unsqueeze inserts axes counted in the output rank', () => {
    expect(run('unsqueeze', [iota([3, 4]), i64([0, 3])])[0].shape).toEqual([1, 3, 4, 1]);
    expect(run('unsqueeze', [iota([3, 4]), i64([-1])])[0].shape).toEqual([3, 4, 1]);
    expect(infer('unsqueeze', [{ dtype: 'f32', shape: ['N'] }, i64([1])])[0].shape).toEqual(['N', 1]);
  });

  test('before opset 13 the axes are an attribute', () => {
    expect(runOnnx('Unsqueeze', 11, [iota([3])], { axes: [0] }).out[0].shape).toEqual([1, 3]);
    expect(runOnnx('Squeeze', 11, [iota([1, 3])], { axes: [0] }).out[0].shape).toEqual([3]);
  });
});

describe('transpose, expand, tile', () => {
  test('transpose permutes (default: reverses) the axes', () => {
    const y = run('transpose', [iota([2, 3])])[0];
    expect(y.shape).toEqual([3, 2]);
    expect(vals(y)).toEqual([0, 3, 1, 4, 2, 5]);
    const z = run('transpose', [iota([2, 1, 3])], { perm: [2, 0, 1] })[0];
    expect(z.shape).toEqual([3, 2, 1]);
    expect(vals(z)).toEqual([0, 3, 1, 4, 2, 5]);
    expect(dlcError(() => run('transpose', [iota([2, 3])], { perm: [0, 0] }))).toMatch(/repeat/);
  });

  test('expand broadcasts both ways', () => {
    const y = run('expand', [t('f32', [3, 1], [1, 2, 3]), i64([2, 1, 2])])[0];
    expect(y.shape).toEqual([2, 3, 2]);
    expect(vals(y)).toEqual([1, 1, 2, 2, 3, 3, 1, 1, 2, 2, 3, 3]);
    const unknown = infer('expand', [{ dtype: 'f32', shape: [3, 1] }, { dtype: 'i64', shape: [3] }])[0].shape;
    expect(unknown[1]).toBe(3);
  });

  test('tile repeats the input along each axis', () => {
    const y = run('tile', [t('i32', [2, 2], [1, 2, 3, 4]), i64([1, 2])])[0];
    expect(y.shape).toEqual([2, 4]);
    expect(vals(y)).toEqual([1, 2, 1, 2, 3, 4, 3, 4]);
    expect(infer('tile', [{ dtype: 'f32', shape: ['N', 2] }, i64([1, 3])])[0].shape).toEqual(['N', 6]);
  });
});

describe('shape and size', () => {
  test('shape honours start and end, clamped', () => {
    const x = iota([2, 3, 4]);
    expect(vals(run('shape', [x])[0])).toEqual([2, 3, 4]);
    expect(vals(run('shape', [x], { start: 1 })[0])).toEqual([3, 4]);
    expect(vals(run('shape', [x], { start: -1 })[0])).toEqual([4]);
    expect(vals(run('shape', [x], { start: 1, end: -1 })[0])).toEqual([3]);
    expect(vals(run('shape', [x], { start: -10, end: 10 })[0])).toEqual([2, 3, 4]);
    expect(run('shape', [x], { start: 2, end: 1 })[0].shape).toEqual([0]);
    expect(infer('shape', [{ dtype: 'f32', shape: ['N', 3] }])[0]).toEqual({ dtype: 'i64', shape: [2] });
  });

  test('size counts the elements', () => {
    const y = run('size', [iota([2, 3, 4])])[0];
    expect(y.dtype).toBe('i64');
    expect(vals(y)).toEqual([24]);
  });
});
