import { GrowingHistogram } from './histogram.js';
import { gaussian } from '../tests/util/calibration-data.js';

describe('GrowingHistogram', () => {
  test('the first batch spans [−max|x|, max|x|] with `bins` bins a side; the top value joins the last bin', () => {
    const h = new GrowingHistogram(4);
    h.observe([-1, 0, 0.5, 1]);
    // width 1/4: −1 → bin 0, 0 → bin 4 ([0, ¼)), 0.5 → bin 6, 1 → bin 8 clamped to 7
    expect(h.signed()).toEqual({ counts: Float64Array.from([1, 0, 0, 0, 1, 0, 1, 1]), width: 0.25, half: 4 });
    // |x| bins [0,¼) [¼,½) [½,¾) [¾,1]: {0}, {}, {0.5}, {−1, 1}
    expect(h.magnitudes()).toEqual({ counts: Float64Array.from([1, 0, 1, 2]), width: 0.25 });
    expect([h.count, h.min, h.max]).toEqual([4, -1, 1]);
  });

  test('a batch past the range adds bins of the same width at both ends (onnxruntime merge_histogram)', () => {
    const h = new GrowingHistogram(4);
    h.observe([-1, 0, 0.5, 1]);
    h.observe([1.6]); // ⌈1.6 / ¼⌉ = 7 bins a side, within 2·4
    expect(h.magnitudes()).toEqual({ counts: Float64Array.from([1, 0, 1, 2, 0, 0, 1]), width: 0.25 });
    expect(h.signed()!.half).toBe(7);
  });

  test('past 2·bins a side, neighbouring bins merge (the width doubles) instead of the count growing', () => {
    const h = new GrowingHistogram(4);
    h.observe([-1, 0, 0.5, 1]);
    h.observe([1.6]);
    h.observe([5]); // ⌈5 / ¼⌉ = 20 > 8: width ½ (10 > 8), then width 1 (5 bins a side)
    // |x| counts at width ¼ [1,0,1,2,0,0,1] → width ½ [1,3,0,1] → width 1 [4,1], then 5 in the last of 5 bins
    expect(h.magnitudes()).toEqual({ counts: Float64Array.from([4, 1, 0, 0, 1]), width: 1 });
    expect([h.count, h.min, h.max]).toEqual([6, -1, 5]);
  });

  test('the bin count stays bounded when the range jumps by orders of magnitude', () => {
    const h = new GrowingHistogram(16);
    h.observe([1e-6, -1e-6]);
    h.observe([1e6]);
    const s = h.signed()!;
    expect(s.counts.length).toBeLessThanOrEqual(4 * 16);
    expect(s.half * s.width).toBeGreaterThanOrEqual(1e6);
    expect(s.counts.reduce((a, b) => a + b)).toBe(3);
  });

  test('zeros seen before any nonzero value land in the first bin once a width exists', () => {
    const h = new GrowingHistogram(4);
    h.observe([0, 0, 0]);
    expect(h.magnitudes()).toBeNull();
    expect(h.signed()).toBeNull();
    h.observe([2]);
    expect(h.magnitudes()).toEqual({ counts: Float64Array.from([3, 0, 0, 1]), width: 0.5 });
  });

  test('NaN and ±∞ are skipped', () => {
    const h = new GrowingHistogram(4);
    h.observe([NaN, Infinity, -Infinity, 1]);
    expect([h.count, h.min, h.max]).toEqual([1, 1, 1]);
    expect(h.magnitudes()!.counts.reduce((a, b) => a + b)).toBe(1);
  });

  test('folding keeps every value: the |x| counts total the values seen, over many growing batches', () => {
    const h = new GrowingHistogram(64);
    let n = 0;
    for (let b = 0; b < 6; b++) {
      const batch = gaussian(1000, b, 1 + b * 3);
      h.observe(batch);
      n += batch.length;
    }
    const m = h.magnitudes()!;
    expect(m.counts.reduce((a, b) => a + b)).toBe(n);
    expect(m.counts.length * m.width).toBeGreaterThanOrEqual(Math.max(-h.min, h.max));
  });
});
