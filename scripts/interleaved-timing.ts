// Artifacts timed beside each other in one process: the variants run in turn, a block of runs each on a session
// loaded afresh (so that no other session's workers are alive beside it), round after round, so that a change in
// the machine's load falls on every variant alike. Two untimed runs start each block: the workers' first touch of
// the memory, and the tier-up.
import type { Artifact } from '../api/compile.js';
import type { Feeds } from '../api/feeds.js';
import { loadInMemory } from '../api/session.js';
import { percentiles } from '../cli/bench.js';

export interface TimedVariant {
  artifact: Artifact;
  /** Threads the session runs on (1 by default). */
  threads?: number;
}

/** Each variant's median and fastest run (ms), and how many runs each took. */
export async function timeInterleaved(name: string, variants: readonly TimedVariant[], feeds: Feeds, runs: number, block: number): Promise<{ medians: number[]; fastest: number[]; runs: number }> {
  const samples = variants.map((): number[] => []);
  for (let round = 0; round < Math.ceil(runs / block); round++) {
    for (const [i, v] of variants.entries()) {
      const session = await loadInMemory(v.artifact, name, undefined, v.threads);
      for (let r = 0; r < block + 2; r++) {
        const t0 = performance.now();
        await session.run(feeds);
        if (r >= 2) samples[i].push(performance.now() - t0);
      }
      await session.release();
    }
  }
  return { medians: samples.map((s) => percentiles(s).medianMs), fastest: samples.map((s) => Math.min(...s)), runs: samples[0].length };
}
