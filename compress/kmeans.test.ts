import { kmeans1d, sharedValues } from './kmeans.js';
import { seededRandom } from '../compiler/random.js';

describe('kmeans1d', () => {
  it('finds well-separated clusters exactly and assigns each value to its nearest centroid', () => {
    const values = Float32Array.from([1, 1.1, 0.9, 5, 5.2, 4.8, -3, -3.1, -2.9]);
    const { centroids, assignments } = kmeans1d(values, 3);
    expect(Array.from(centroids)).toEqual([Math.fround(-3), Math.fround(1), Math.fround(5)]);
    expect(Array.from(assignments)).toEqual([1, 1, 1, 2, 2, 2, 0, 0, 0]);
  });

  it('gives at most k distinct values, each the mean of its members (a Lloyd fixed point)', () => {
    const random = seededRandom(3);
    const values = Float32Array.from({ length: 5000 }, () => random() * random());
    const shared = kmeans1d(values, 32);
    const out = sharedValues(shared);
    expect(new Set(out).size).toBeLessThanOrEqual(32);
    const sums = new Float64Array(shared.centroids.length);
    const counts = new Float64Array(shared.centroids.length);
    values.forEach((v, i) => {
      sums[shared.assignments[i]] += v;
      counts[shared.assignments[i]]++;
    });
    shared.centroids.forEach((c, j) => expect(c).toBeCloseTo(sums[j] / counts[j], 5));
  });

  it('keeps every value when k is at least the number of distinct values', () => {
    const values = Float32Array.from([0.5, -0.25, 0.5, 2]);
    expect(Array.from(sharedValues(kmeans1d(values, 8)))).toEqual(Array.from(values));
  });

  it('refuses k outside 1..65536', () => {
    expect(() => kmeans1d(new Float32Array(4), 0)).toThrow('1 ≤ k ≤ 65536');
  });
});

describe('kmeans1d on bell-shaped weights', () => {
  it('uses all k centroids: empty ones from linear initialization are re-seeded (SQNR near uniform 8-bit quantization)', () => {
    const random = seededRandom(5);
    // Mostly small weights and a few outliers 20× larger, as trained conv layers have.
    const values = Float32Array.from({ length: 20000 }, (_, i) => (i % 500 === 0 ? 20 : 1) * (random() + random() + random()));
    const shared = kmeans1d(values, 256);
    expect(shared.centroids.length).toBe(256);
    const out = sharedValues(shared);
    let signal = 0;
    let noise = 0;
    values.forEach((v, i) => {
      signal += v * v;
      noise += (v - out[i]) ** 2;
    });
    expect(10 * Math.log10(signal / noise)).toBeGreaterThan(40);
  });
});
