import { entropyThreshold, klDivergenceAt, lastNonempty } from './entropy.js';

describe('entropy (KL-divergence) threshold', () => {
  // Worked by hand with 2 levels; bin 7 is an outlier.
  const counts = Float64Array.from([8, 4, 2, 1, 0, 0, 0, 1]);

  test('divergence of each candidate', () => {
    // i = 2: P = [8, 8]/16 (4 + 2 + 1 + 1 folded into the last bin), Q = [8, 4]/12
    expect(klDivergenceAt(counts, 2, 2)).toBeCloseTo(0.5 * Math.log(0.5 / (2 / 3)) + 0.5 * Math.log(0.5 / (1 / 3)), 12);
    // i = 3: P = [8, 4, 4]/16; groups {0, 1} {2}: Q = [6, 6, 2]/14
    expect(klDivergenceAt(counts, 3, 2)).toBeCloseTo(0.5 * Math.log(0.5 / (6 / 14)) + 0.25 * Math.log(0.25 / (6 / 14)) + 0.25 * Math.log(0.25 / (2 / 14)), 12);
    // i = 4: P = [8, 4, 2, 2]/16; groups {0, 1} {2, 3}: Q = [6, 6, 1.5, 1.5]/15
    expect(klDivergenceAt(counts, 4, 2)).toBeCloseTo(0.5 * Math.log(1.25) + 0.25 * Math.log(0.625) + 0.25 * Math.log(1.25), 12);
    expect(klDivergenceAt(counts, 4, 2)).toBeCloseTo(0.0498568, 6);
    // i = 8: P = counts/16; groups {0..3} {4..7}: Q spreads 15 over the 4 nonzero bins, 1 over bin 7
    expect(klDivergenceAt(counts, 8, 2)).toBeCloseTo(0.5 * Math.log(8 / 3.75) + 0.25 * Math.log(4 / 3.75) + 0.125 * Math.log(2 / 3.75) + 0.0625 * Math.log(1 / 3.75), 12);
  });

  test('a group with no values under a folded-in outlier scores high but finite', () => {
    // i = 7: groups {0..3} {4, 5, 6}; the second has no values but P[6] holds the outlier, so q[6] = 1e-4:
    // Q = [3.75, 3.75, 3.75, 3.75, 0, 0, 1e-4] / 15.0001, P = [8, 4, 2, 1, 0, 0, 1] / 16
    const qTotal = 15 + 1e-4;
    const expected = [8, 4, 2, 1].reduce((s, c) => s + (c / 16) * Math.log(c / 16 / (3.75 / qTotal)), 0) + (1 / 16) * Math.log(1 / 16 / (1e-4 / qTotal));
    expect(klDivergenceAt(counts, 7, 2)).toBeCloseTo(expected, 12);
    expect(expected).toBeGreaterThan(klDivergenceAt(counts, 8, 2));
  });

  test('picks the least divergence: here clipping the outlier at 4', () => {
    expect(entropyThreshold({ counts, width: 1 }, 2)).toBe(4);
    expect(entropyThreshold({ counts, width: 0.25 }, 2)).toBe(1);
  });

  test('an exactly representable histogram keeps its whole range', () => {
    // groups {0, 1} {2, 3} with equal counts over the nonzero bins: Q = P at i = 4
    expect(klDivergenceAt(Float64Array.from([4, 4, 0, 1]), 4, 2)).toBe(0);
    expect(entropyThreshold({ counts: Float64Array.from([4, 4, 0, 1]), width: 1 }, 2)).toBe(4);
  });

  test('no more used bins than levels: the top of the last nonempty bin', () => {
    expect(entropyThreshold({ counts: Float64Array.from([3, 1, 2, 0, 0]), width: 0.5 }, 128)).toBe(1.5);
    expect(lastNonempty(Float64Array.from([0, 0]))).toBe(-1);
  });
});
