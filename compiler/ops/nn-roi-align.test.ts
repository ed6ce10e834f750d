import { t, vals, run, runOnnx, dlcError, infer } from '../../tests/util/tensor-op-harness.js';

/** A 1×1×4×4 image whose value is its column: bilinear samples of it are their x coordinates. */
const ramp = t('f32', [1, 1, 4, 4], Array.from({ length: 16 }, (_, e) => e % 4));
const roi = t('f32', [1, 4], [0, 0, 2, 2]);
const batch = t('i64', [1], [0]);

describe('roi_align', () => {
  test('half_pixel samples at −0.5 + (i + ½)·bin/grid (clamped at 0); output_half_pixel without the shift', () => {
    // Samples at x = 0 and 1 (half_pixel), 0.5 and 1.5 (output_half_pixel).
    expect(vals(run('roi_align', [ramp, roi, batch], { sampling_ratio: 2 })[0])).toEqual([0.5]);
    expect(vals(run('roi_align', [ramp, roi, batch], { sampling_ratio: 2, coordinate_transformation_mode: 'output_half_pixel' })[0])).toEqual([1]);
  });

  test('bins split the roi; max takes the largest weighted corner; spatial_scale scales the roi', () => {
    const [y] = run('roi_align', [ramp, t('f32', [1, 4], [0, 0, 8, 8]), batch], { output_width: 2, sampling_ratio: 1, spatial_scale: 0.5, coordinate_transformation_mode: 'output_half_pixel' });
    // roi [0, 4): bins of width 2 sampled at their centres x = 1 and 3.
    expect(vals(y)).toEqual([1, 3]);
    const [m] = run('roi_align', [ramp, roi, batch], { mode: 'max', sampling_ratio: 2, coordinate_transformation_mode: 'output_half_pixel' });
    // Samples at x, y ∈ {0.5, 1.5}: every corner weighs ¼, the largest value a corner reaches is column 2: ¼·2.
    expect(vals(m)).toEqual([0.5]);
  });

  test('RoiAlign-10 imports as output_half_pixel; the output is [rois, C, output_height, output_width]', () => {
    const { ops, out } = runOnnx('RoiAlign', 10, [ramp, roi, batch], { sampling_ratio: 2 });
    expect(ops).toEqual(['roi_align']);
    expect(vals(out[0])).toEqual([1]);
    expect(infer('roi_align', [{ dtype: 'f32', shape: [2, 5, 8, 8] }, { dtype: 'f32', shape: [7, 4] }, { dtype: 'i64', shape: [7] }], { output_height: 3, output_width: 2 })[0].shape).toEqual([7, 5, 3, 2]);
    expect(dlcError(() => run('roi_align', [ramp, roi, batch], { mode: 'sum' }))).toMatch("mode 'sum' is not one of avg, max");
  });
});
