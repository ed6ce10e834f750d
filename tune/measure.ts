// What the search asks of a device: a candidate's fingerprint (the code it generates: two candidates with the
// same code are one candidate) and the run time and outputs of a batch of candidates on the same seeded inputs.
// measure-wasm.ts and measure-webgpu.ts are the two devices; the search (search.ts) and the driver (tune.ts)
// never look at a target.
import type { ScheduleOverrides } from '../codegen/schedule.js';
import type { Graph } from '../compiler/ir/graph.js';
import { allocData, isFloat } from '../compiler/ir/dtype.js';
import { Tensor } from '../compiler/ir/tensor.js';
import { seededRandom } from '../compiler/random.js';
import type { TuningDevice } from './device.js';
import { candidateOverrides, candidateText, type Candidate } from './search-space.js';
import type { Workload } from './workload.js';

export interface Trial {
  workload: Workload;
  candidate: Candidate;
}

/**
 * A candidate's median time in milliseconds, its timed samples in the order they were taken, and its outputs;
 * or why it could not run. On wasm the i-th samples of all trials of one call were taken in the same pass,
 * next to each other (see pairedRatio).
 */
export type TrialResult = { ms: number; samples: number[]; outputs: Record<string, Tensor> } | { error: string };

export interface MeasureOptions {
  /** Times the measurer's runs per candidate (the final comparison measures longer). */
  repeat?: number;
}

export interface Measurer {
  readonly device: TuningDevice;
  /**
   * The candidate's generated program as a digest (the same code and constants give the same digest); throws
   * a DlcError when the candidate is not a valid schedule for the workload.
   */
  fingerprint(trial: Trial): string;
  /** Runs every trial on its workload's seeded inputs and times it (median of several runs). */
  measure(trials: readonly Trial[], options?: MeasureOptions): Promise<TrialResult[]>;
}

/** The schedule overrides that compile a workload's graph with `candidate` on its node. */
export function trialOverrides(trial: Trial): ScheduleOverrides {
  return { nodes: { [trial.workload.nodes[0]]: candidateOverrides(trial.candidate) } };
}

/** One spelling per trial. */
export function trialKey(trial: Trial): string {
  return `${trial.workload.key} ${candidateText(trial.candidate)}`;
}

/** Seeded inputs of a workload's graph: floats uniform in [-1, 1), integers in [0, 4). */
export function workloadFeeds(graph: Graph, seed: number): Record<string, Tensor> {
  const random = seededRandom(seed);
  const feeds: Record<string, Tensor> = {};
  for (const v of graph.inputs) {
    const shape = v.type.shape as number[];
    const size = shape.reduce((a, b) => a * b, 1);
    const data = allocData(v.type.dtype, size);
    const float = isFloat(v.type.dtype);
    for (let i = 0; i < size; i++) data[i] = float ? random() : Math.floor((random() + 1) * 2);
    feeds[v.name] = new Tensor(v.type.dtype, shape, data);
  }
  return feeds;
}

/**
 * How much slower `a` ran than `b`: the median over passes of a's sample over b's from the same pass. Samples of
 * one pass were taken moments apart, so a busy spell of a shared machine slows both and cancels out, where it
 * would skew a ratio of two medians taken over different moments.
 */
export function pairedRatio(a: readonly number[], b: readonly number[]): number {
  const n = Math.min(a.length, b.length);
  return median(Array.from({ length: n }, (_, i) => a[i] / Math.max(b[i], 1e-9)));
}

/** The median of a non-empty list. */
export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}
