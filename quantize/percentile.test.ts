import { magnitudePercentile, twoTailedPercentile } from './percentile.js';

describe('percentile thresholds', () => {
  const magnitudes = { counts: Float64Array.from([50, 30, 15, 5]), width: 1 };

  test('|x|: the smallest edge with at least the percentile below it', () => {
    expect(magnitudePercentile(magnitudes, 80)).toBe(2); // 50 + 30 = 80 of 100 below 2
    expect(magnitudePercentile(magnitudes, 80.5)).toBe(3);
    expect(magnitudePercentile(magnitudes, 95)).toBe(3);
    expect(magnitudePercentile(magnitudes, 100)).toBe(4);
    expect(magnitudePercentile(magnitudes, 0)).toBe(1);
  });

  test('99.99 of 10000 values is exact (no division rounding)', () => {
    const counts = new Float64Array(10);
    counts[0] = 9999;
    counts[9] = 1;
    expect(magnitudePercentile({ counts, width: 0.5 }, 99.99)).toBe(0.5);
  });

  // bins of width 1 over [−3, 3): 5 10 35 | 35 10 5
  const signed = Float64Array.from([5, 10, 35, 35, 10, 5]);

  test('both tails: cut at most (100 − p)/2 % each side', () => {
    expect(twoTailedPercentile(signed, 1, 3, 80)).toEqual({ min: -2, max: 2 }); // 10 % a side: only the outer 5s go
    expect(twoTailedPercentile(signed, 1, 3, 90)).toEqual({ min: -2, max: 2 }); // 5 % a side: exactly the outer 5s
    expect(twoTailedPercentile(signed, 1, 3, 60)).toEqual({ min: -1, max: 1 }); // 20 %: 5 + 10 a side
    expect(twoTailedPercentile(signed, 1, 3, 99)).toEqual({ min: -3, max: 3 });
  });

  test('both tails of a lopsided histogram', () => {
    // [−2, 2): 0 0 | 90 10, cut 5 % a side: nothing below zero to cut, the top bin holds 10 %
    expect(twoTailedPercentile(Float64Array.from([0, 0, 90, 10]), 1, 2, 90)).toEqual({ min: 0, max: 2 });
    expect(twoTailedPercentile(Float64Array.from([0, 0, 90, 10]), 1, 2, 80)).toEqual({ min: 0, max: 1 });
  });
});
