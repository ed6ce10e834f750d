import { seededRandom } from '../compiler/random.js';
import { pruneByMagnitude, standardDeviation } from './prune.js';
import { applyWeightStep, parseCompressions, shareWeights } from './techniques.js';
import { ternarize } from './ternary.js';
import { sqnrDb as weightSqnrDb } from '../quantize/sqnr.js';

function gaussian(n: number, seed: number): Float32Array {
  const random = seededRandom(seed);
  // Sum of 12 uniforms on (−1, 1): close to normal, σ = 2.
  return Float32Array.from({ length: n }, () => Array.from({ length: 12 }, () => random()).reduce((a, b) => a + b, 0));
}

describe('compression techniques', () => {
  it('parses --compress lists into the fixed stage order, deep as prune + share', () => {
    expect(parseCompressions(['deep'])).toEqual(['prune', 'share']);
    expect(parseCompressions(['share', 'lowrank', 'prune'])).toEqual(['lowrank', 'prune', 'share']);
    expect(() => parseCompressions(['zip'])).toThrow("unknown compression 'zip'");
    expect(() => parseCompressions(['ternary', 'deep'])).toThrow('ternary weights are already a 3-value codebook');
  });

  it('prunes below s·σ: about 38 % of Gaussian weights survive s = 1 (2·(1 − Φ(1)) = 0.317 for a true normal)', () => {
    const w = gaussian(20000, 1);
    const p = pruneByMagnitude(w, 1);
    expect(p.threshold).toBeCloseTo(standardDeviation(w), 6);
    expect(p.density).toBeGreaterThan(0.28);
    expect(p.density).toBeLessThan(0.36);
    p.values.forEach((v, i) => expect(v === 0 ? p.mask[i] === 0 : p.mask[i] === 1 && Math.abs(v) >= p.threshold).toBe(true));
  });

  it('ternarizes with Δ = 0.7·mean|w| and α = mean of the magnitudes above Δ', () => {
    const w = Float32Array.from([1, -1, 0.1, -0.2, 3, 0.05]);
    const t = ternarize(w);
    const meanAbs = (1 + 1 + 0.1 + 0.2 + 3 + 0.05) / 6;
    expect(t.delta).toBeCloseTo(0.7 * meanAbs, 6);
    expect(t.alpha).toBeCloseTo((1 + 1 + 3) / 3, 6);
    expect(Array.from(t.values)).toEqual([t.alpha, -t.alpha, 0, 0, t.alpha, 0]);
  });

  it('shares only the surviving weights of a pruned layer, and the zeros stay zero', () => {
    const w = gaussian(4000, 2);
    const pruned = applyWeightStep('prune', w, 4);
    const mask = pruned.mask!;
    const shared = shareWeights(pruned.values, 4, mask);
    const nonZero = new Set(shared.values.filter((v) => v !== 0));
    expect(nonZero.size).toBeLessThanOrEqual(16);
    shared.values.forEach((v, i) => expect(v === 0).toBe(mask[i] === 0));
    expect(weightSqnrDb(pruned.values, shared.values)).toBeGreaterThan(20);
  });

  it('more share bits cost less SQNR', () => {
    const w = gaussian(4000, 3);
    const sqnr = [3, 5, 8].map((bits) => weightSqnrDb(w, shareWeights(w, bits).values));
    expect(sqnr[0]).toBeLessThan(sqnr[1]);
    expect(sqnr[1]).toBeLessThan(sqnr[2]);
  });
});
