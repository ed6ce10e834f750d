import { t, i64, iota, vals, run, infer, runOnnx, dlcError } from '../../tests/util/tensor-op-harness.js';

describe('constant_of_shape and range', () => {
  test('constant_of_shape fills with the value tensor (default f32 zero)', () => {
    const y = run('constant_of_shape', [i64([2, 1])], { value: t('i32', [1], [7]) })[0];
    expect(y.dtype).toBe('i32');
    expect(vals(y)).toEqual([7, 7]);
    expect(run('constant_of_shape', [i64([])])[0].shape).toEqual([]);
    const unknown = infer('constant_of_shape', [{ dtype: 'i64', shape: [3] }])[0].shape;
    expect(unknown).toHaveLength(3);
  });

  test('range counts ceil((limit - start) / delta) elements', () => {
    expect(vals(run('range', [t('i32', [], [10]), t('i32', [], [4]), t('i32', [], [-3])])[0])).toEqual([10, 7]);
    const y = run('range', [t('f32', [], [0]), t('f32', [], [1]), t('f32', [], [0.25])])[0];
    expect(vals(y)).toEqual([0, 0.25, 0.5, 0.75]);
    expect(run('range', [t('i64', [], [5]), t('i64', [], [1]), t('i64', [], [1])])[0].shape).toEqual([0]);
    expect(dlcError(() => run('range', [t('i64', [], [0]), t('i64', [], [1]), t('i64', [], [0])]))).toMatch(/delta is 0/);
  });
});

describe('eye_like, trilu, reverse_sequence', () => {
  test('eye_like puts ones on the k-th diagonal, in the input dtype or the ONNX dtype', () => {
    expect(vals(run('eye_like', [t('i32', [2, 3], [0, 0, 0, 0, 0, 0])], { k: 1 })[0])).toEqual([0, 1, 0, 0, 0, 1]);
    const { out } = runOnnx('EyeLike', 9, [t('i32', [2, 2], [5, 5, 5, 5])], { dtype: 11 });
    expect(out[0].dtype).toBe('f64');
    expect(vals(out[0])).toEqual([1, 0, 0, 1]);
  });

  test('trilu keeps the upper or lower triangle relative to diagonal k, batched', () => {
    const x = iota([2, 2, 3]);
    expect(vals(run('trilu', [x, null])[0])).toEqual([0, 1, 2, 0, 4, 5, 6, 7, 8, 0, 10, 11]);
    expect(vals(run('trilu', [x, t('i64', [], [-1])], { upper: 0 })[0])).toEqual([0, 0, 0, 3, 0, 0, 0, 0, 0, 9, 0, 0]);
  });

  test('reverse_sequence reverses each batch entry up to its length', () => {
    // time_axis 0, batch_axis 1: column b reverses its first lens[b] rows.
    const y = run('reverse_sequence', [iota([3, 2]), i64([3, 1])])[0];
    expect(vals(y)).toEqual([4, 1, 2, 3, 0, 5]);
  });
});

describe('windows', () => {
  test('periodic and symmetric hann, hamming, blackman', () => {
    const w = (op: string, periodic: number) => vals(run(op, [t('i32', [], [4])], { periodic })[0]);
    expectClose(w('hann_window', 1), [0, 0.5, 1, 0.5]);
    expectClose(w('hann_window', 0), [0, 0.75, 0.75, 0]);
    expectClose(w('hamming_window', 1), [4 / 46, 25 / 46, 1, 25 / 46]);
    expectClose(w('blackman_window', 1), [0, 0.34, 1, 0.34]);
  });

  test('output_datatype picks the dtype', () => {
    const { ops, out } = runOnnx('HannWindow', 17, [t('i64', [], [3])], { output_datatype: 11 });
    expect(ops).toEqual(['hann_window']);
    expect(out[0].dtype).toBe('f64');
  });
});

function expectClose(got: number[], want: number[]): void {
  expect(got).toHaveLength(want.length);
  got.forEach((g, i) => expect(g).toBeCloseTo(want[i], 6));
}
