// The search over one workload's schedules (AutoTVM/MetaSchedule style, without a cost model): the first
// round measures the default and random samples; later rounds mutate the fastest candidates found so far
// (an evolutionary step) and keep sampling a share at random so that the search does not stay in one
// corner. Candidates are told apart by the code they generate (the measurer's fingerprint): a field the
// kernel does not read makes no new candidate, and nothing is measured twice. The search stops after
// `trials` measurements, or when `patience` measurements in a row found nothing faster, or when no new
// candidate turns up. Given the measurements, every choice follows from the seed.
import { DlcError } from '../compiler/errors.js';
import { seededRandom } from '../compiler/random.js';
import { candidateText, mutateCandidate, sampleCandidate, type Candidate, type Param } from './search-space.js';

export interface SearchOptions {
  /** Candidates measured at most (the default included). */
  trials: number;
  /** Candidates proposed per round. */
  batch: number;
  /** Stop after this many measurements in a row without a faster candidate. */
  patience: number;
  seed: number;
}

/** A candidate measured: its time, or why it was rejected. */
export interface Scored {
  candidate: Candidate;
  fingerprint: string;
  ms: number;
}

/** An improvement smaller than this fraction is noise, not progress (for patience). */
const MIN_GAIN = 0.01;
/** The fastest candidates a round mutates. */
const PARENTS = 4;
/** Draws per candidate proposed before the space counts as exhausted (most draws repeat a known kernel). */
const DRAWS_PER_PROPOSAL = 25;

export class WorkloadSearch {
  readonly measured: Scored[] = [];
  /** Candidates whose outputs did not match the default's, or that failed to run, with why. */
  readonly rejected: { candidate: Candidate; reason: string }[] = [];
  /** Candidates the schedule checks or the kernel generator refused. */
  invalid = 0;
  private readonly random: () => number;
  /** Fingerprints proposed so far (measured, rejected or waiting). */
  private readonly seen = new Set<string>();
  /** Candidates drawn so far, by spelling (to skip regenerating their code). */
  private readonly drawn = new Set<string>();
  private sinceImprovement = 0;
  private exhausted = false;
  private best = Infinity;

  constructor(
    private readonly space: readonly Param[],
    private readonly fingerprint: (c: Candidate) => string,
    private readonly options: SearchOptions,
  ) {
    this.random = seededRandom(options.seed);
  }

  get trials(): number {
    return this.measured.length + this.rejected.length;
  }

  get done(): boolean {
    return this.exhausted || this.trials >= this.options.trials || this.sinceImprovement >= this.options.patience;
  }

  /** The next round's candidates with their fingerprints (the default first, in the first round); empty when done. */
  propose(): { candidate: Candidate; fingerprint: string }[] {
    if (this.done) return [];
    const want = Math.min(this.options.batch, this.options.trials - this.trials);
    const out: { candidate: Candidate; fingerprint: string }[] = [];
    if (this.drawn.size === 0) this.consider({}, out);
    // Before anything is measured the default is the parent: its neighbours are the first guesses.
    const parents = this.measured.length > 0 ? this.fastest(PARENTS).map((s) => s.candidate) : [{}];
    for (let draws = 0; out.length < want && draws < want * DRAWS_PER_PROPOSAL; draws++) {
      // Half mutations of a fast parent, half fresh samples.
      const evolve = this.random() < 0;
      const candidate = evolve ? mutateCandidate(parents[Math.floor(((this.random() + 1) / 2) * parents.length)], this.space, this.random) : sampleCandidate(this.space, this.random);
      this.consider(candidate, out);
    }
    if (out.length === 0) this.exhausted = true;
    return out;
  }

  /** Adds `candidate` to `out` unless it was drawn before, makes a kernel seen before, or is invalid. */
  private consider(candidate: Candidate, out: { candidate: Candidate; fingerprint: string }[]): void {
    const text = candidateText(candidate);
    if (this.drawn.has(text)) return;
    this.drawn.add(text);
    let fingerprint: string;
    try {
      fingerprint = this.fingerprint(candidate);
    } catch (e) {
      if (!(e instanceof DlcError)) throw e;
      this.invalid++;
      return;
    }
    if (this.seen.has(fingerprint)) return;
    this.seen.add(fingerprint);
    out.push({ candidate, fingerprint });
  }

  /** A measured candidate's time. */
  observe(scored: Scored): void {
    this.measured.push(scored);
    if (scored.ms < this.best * (1 - MIN_GAIN)) this.sinceImprovement = 0;
    else this.sinceImprovement++;
    this.best = Math.min(this.best, scored.ms);
  }

  reject(candidate: Candidate, reason: string): void {
    this.rejected.push({ candidate, reason });
    this.sinceImprovement++;
  }

  /** The `n` fastest candidates measured, fastest first (ties: the earlier). */
  fastest(n: number): Scored[] {
    return [...this.measured].sort((a, b) => a.ms - b.ms).slice(0, n);
  }
}
