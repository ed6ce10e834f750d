import { DlcError } from '../compiler/errors.js';
import { WorkloadSearch, type SearchOptions } from './search.js';
import { candidateText, searchSpace, type Candidate } from './search-space.js';

const SPACE = searchSpace('wasm', 'matmul');
const OPTIONS: SearchOptions = { trials: 40, batch: 8, patience: 40, seed: 5 };

/** A kernel that ignores rowBlockBytes (it makes no new code) and refuses tileM 8 (an invalid schedule). */
function fingerprint(c: Candidate): string {
  if (c['matmul.tileM'] === 8) throw new DlcError('invalid');
  const { 'matmul.rowBlockBytes': _ignored, ...rest } = c;
  return candidateText(rest);
}

/** A synthetic time, fastest at a 3×3 tile unrolled twice (the default is 4×2, unrolled once). */
function cost(c: Candidate): number {
  const [m, n, u] = [c['matmul.tileM'] ?? 4, c['matmul.tileN'] ?? 2, c['matmul.unrollK'] ?? 1] as number[];
  return 1 + Math.abs(m - 3) + Math.abs(n - 3) + Math.abs(u - 2);
}

/** Runs a search to its end on `cost`; returns every candidate proposed, in order. */
function run(search: WorkloadSearch, time: (c: Candidate) => number = cost): string[] {
  const proposed: string[] = [];
  for (let batch = search.propose(); batch.length > 0; batch = search.propose()) {
    for (const p of batch) {
      proposed.push(candidateText(p.candidate));
      search.observe({ ...p, ms: time(p.candidate) });
    }
  }
  return proposed;
}

describe('WorkloadSearch', () => {
  test('measures the default first, never the same kernel twice, and finds the fastest region', () => {
    const search = new WorkloadSearch(SPACE, fingerprint, OPTIONS);
    const proposed = run(search);
    expect(proposed[0]).toBe('default');
    expect(proposed).toHaveLength(40);
    const kernels = search.measured.map((s) => s.fingerprint);
    expect(new Set(kernels).size).toBe(kernels.length);
    expect(search.invalid).toBeGreaterThan(0);
    expect(search.measured.some((s) => s.candidate['matmul.tileM'] === 8)).toBe(false);
    expect(search.fastest(1)[0].ms).toBeLessThanOrEqual(cost({}) / 2);
  });

  test('the same seed and measurements give the same choices; another seed others', () => {
    const a = run(new WorkloadSearch(SPACE, fingerprint, OPTIONS));
    expect(run(new WorkloadSearch(SPACE, fingerprint, OPTIONS))).toEqual(a);
    expect(run(new WorkloadSearch(SPACE, fingerprint, { ...OPTIONS, seed: 6 }))).not.toEqual(a);
  });

  test('stops at the end of the round in which `patience` measurements found nothing faster', () => {
    const search = new WorkloadSearch(SPACE, fingerprint, { ...OPTIONS, patience: 10 });
    // Round 1: the default and 7 slower; round 2: 8 more, 15 without progress.
    expect(run(search, (c) => (candidateText(c) === 'default' ? 1 : 2))).toHaveLength(16);
    expect(search.done).toBe(true);
  });

  test('stops when the space has no new kernel left', () => {
    const search = new WorkloadSearch(SPACE, () => 'one kernel', OPTIONS);
    expect(run(search)).toEqual(['default']);
    expect(search.done).toBe(true);
  });
});
