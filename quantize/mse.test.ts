import { clippingError, expectedSquaredError, mseThreshold, roundingError } from './mse.js';

describe('mse threshold', () => {
  test('rounding error of a uniform bin', () => {
    expect(roundingError(0, 1, 1)).toBeCloseTo(1 / 12, 12); // one full period of the sawtooth
    expect(roundingError(3, 5, 1)).toBeCloseTo(1 / 12, 12);
    expect(roundingError(0, 0.25, 1)).toBeCloseTo(0.25 ** 2 / 3, 12); // E[x²] on [0, ¼]
    expect(roundingError(0.25, 0.75, 1)).toBeCloseTo(0.1458333333, 9); // x² to ½, (1 − x)² above
    expect(roundingError(0, 0.1, 4)).toBeCloseTo(0.01 / 3, 12); // the whole bin rounds to 0
  });

  test('clipping error of a bin past the threshold', () => {
    expect(clippingError(2, 3, 1)).toBeCloseTo(7 / 3, 12); // ∫₁² u² du
    expect(clippingError(2, 3, 2)).toBeCloseTo(1 / 3, 12);
  });

  // 10 values in [0, 1), 10 in [1, 2), one outlier in [3, 4); a toy grid with qmax = 1 (Δ = t)
  const histogram = { counts: Float64Array.from([10, 10, 0, 1]), width: 1 };

  test('expected squared error of each candidate, worked by hand', () => {
    // t = 1: 10·(1/12) + 10·E[(x−1)²] on [1,2] + E[(x−1)²] on [3,4] = 10/12 + 10/3 + 19/3
    expect(expectedSquaredError(histogram, 1, 1)).toBeCloseTo(10 / 12 + 10 / 3 + 19 / 3, 12);
    // t = 2 (grid 0, 2): 10·E[x²] on [0,1] + 10·E[(2−x)²] on [1,2] + E[(x−2)²] on [3,4] = 10/3 + 10/3 + 7/3
    expect(expectedSquaredError(histogram, 2, 1)).toBeCloseTo(9, 12);
    // t = 3 (grid 0, 3): 10/3 + 10·(19/24 + 19/24) + 1/3
    expect(expectedSquaredError(histogram, 3, 1)).toBeCloseTo(10 / 3 + (10 * 19) / 12 + 1 / 3, 12);
    // t = 4 (grid 0, 4): 10/3 + 10·7/3 + E[(4−x)²] on [3,4] = 1/3
    expect(expectedSquaredError(histogram, 4, 1)).toBeCloseTo(10 / 3 + 70 / 3 + 1 / 3, 12);
  });

  test('picks the least error: t = 2 clips the outlier', () => {
    expect(mseThreshold(histogram, 1)).toBe(2);
  });

  test('with 8-bit levels a lone far outlier costs more clipped than the rounding noise it adds', () => {
    const counts = new Float64Array(100);
    counts[0] = 1000;
    counts[99] = 1;
    // t = 99 clips the outlier's bin by at most one width (E = 1/3) and narrows the grid step a little;
    // clipping deeper costs the outlier more than the narrower step saves the 1000 small values
    expect(mseThreshold({ counts, width: 1 }, 127)).toBe(99);
    expect(expectedSquaredError({ counts, width: 1 }, 99, 127)).toBeLessThan(expectedSquaredError({ counts, width: 1 }, 100, 127));
  });

  test('an empty histogram gives 0', () => {
    expect(mseThreshold({ counts: new Float64Array(4), width: 1 }, 127)).toBe(0);
  });
});
