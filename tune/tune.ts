// tuneModel: the tuner's driver (MetaSchedule's task scheduler, in small). It optimizes the model as compile
// does, extracts its distinct tunable workloads, and runs one search per workload (search.ts), all searches
// advancing together: each round gathers every search's proposals into one measurement (one WebAssembly module
// on wasm), with each workload's default schedule measured again beside them. A candidate's time is its paired
// ratio to the default of its round (measure.ts, pairedRatio) times the default's first time, so that rounds
// measured while the machine was busier compare fairly. Outputs are checked against the default schedule's
// before a time counts. Last, the fastest few of each workload are measured again, longer, beside the default,
// and a schedule is chosen only when it beats the default there.
//  The time budget (timeBudgetS, B) covers both phases, each measured in chunks of whole workloads and starting
// no chunk past its deadline: the search until 3/4 B; the final comparison until B, or a quarter of B after the
// search ended when that is later (a search cut short by a long chunk still leaves the finalists some time).
// The final comparison takes the workloads that stand to gain the most first; a workload it did not reach keeps
// its default schedule and gets no record ("not confirmed"), so that a later run with `skip` searches it again.
import { compareTensors } from '../compiler/compare.js';
import { DlcError } from '../compiler/errors.js';
import type { Tensor } from '../compiler/ir/tensor.js';
import { optimize, type OptimizeOptions } from '../api/optimize.js';
import type { TargetName } from '../codegen/targets.js';
import { deviceKey } from './device.js';
import { pairedRatio, type Measurer, type Trial, type TrialResult } from './measure.js';
import { RECORD_VERSION, type TuningRecord } from './records.js';
import { WorkloadSearch } from './search.js';
import { candidateOverrides, searchSpace, type Candidate } from './search-space.js';
import { extractWorkloads, type Workload } from './workload.js';

export interface TuneOptions extends Omit<OptimizeOptions, 'target' | 'quantize' | 'compress'> {
  target: TargetName;
  /** The device the candidates run on (measure-wasm.ts, measure-webgpu.ts). */
  measurer: Measurer;
  /** Candidates measured per workload at most, the default included (default 32). */
  trials?: number;
  /** Stop a workload's search after this many measurements without a faster candidate (default 16). */
  patience?: number;
  /** Candidates proposed per workload per round (default 8). */
  batch?: number;
  /**
   * Seconds for the whole tuning, about (a chunk under way finishes): 3/4 for the search, the rest for the final
   * comparison (see the file's head). None: every search runs to its end and every finalist is measured again.
   */
  timeBudgetS?: number;
  /** Trials measured together at most in the search, whole workloads at a time (default 96; the final comparison a third of it). */
  chunkTrials?: number;
  /** Test hook: the clock the budget is kept by, in milliseconds (performance.now by default). */
  now?: () => number;
  seed?: number;
  onProgress?: (progress: TuneProgress) => void;
  /** Workloads not to search (e.g. those a records file already holds for this device): they get no result or record. */
  skip?: (workload: Workload) => boolean;
  /** Test hook: sees, and may change, each candidate's outputs before they are checked. */
  inspectOutputs?: (workload: Workload, candidate: Candidate, outputs: Record<string, Tensor>) => void;
}

export interface TuneProgress {
  round: number;
  workloads: number;
  /** Workloads still searching. */
  searching: number;
  /** Candidates measured so far, all workloads together. */
  trials: number;
  rejected: number;
  elapsedS: number;
  phase: 'search' | 'final';
}

export interface WorkloadResult {
  workload: Workload;
  defaultMs: number;
  bestMs: number;
  /** The chosen candidate ({} when the default was fastest). */
  best: Candidate;
  trials: number;
  /** Candidates whose outputs differed from the default's or that failed to run, with why. */
  rejected: { candidate: Candidate; reason: string }[];
  /** Candidates the schedule checks or the generator refused (not measured). */
  invalid: number;
  /**
   * The search found a faster candidate but the budget ended before the final comparison measured it again: the
   * default schedule stands, and the workload gets no record.
   */
  unconfirmed: boolean;
}

export interface TuneResult {
  device: string;
  workloads: WorkloadResult[];
  /** Workloads left untuned because their default schedule failed to run, with why. */
  failed: { workload: Workload; reason: string }[];
  /** One per workload result, but for those not confirmed. */
  records: TuningRecord[];
  elapsedS: number;
}

/** Outputs of a candidate must match the default's within this (the kernels differ in summation order only). */
const TOLERANCE = { atol: 1e-4, rtol: 1e-3 };
/** Candidates measured again in the final comparison, per workload. */
const FINALISTS = 3;
/** Trials measured together at most (one WebAssembly module on wasm), whole workloads at a time. */
const CHUNK_TRIALS = 96;
/** The final comparison takes this many times the search's samples (and its chunks hold this many times fewer trials). */
const FINAL_REPEAT = 3;
/** The share of the time budget kept for the final comparison. */
const FINAL_SHARE = 0.25;
/** A schedule is chosen only when it beats the default by more than this fraction (less is noise). */
const MIN_SPEEDUP = 0.02;

interface State {
  workload: Workload;
  search: WorkloadSearch;
  /** The default schedule's outputs, which every candidate must match. */
  reference?: Record<string, Tensor>;
  /** The default's time in the first round: rounds are scaled to it. */
  baselineMs?: number;
  /** Why the default itself could not run (the workload is then left untuned). */
  failure?: string;
}

export async function tuneModel(model: Uint8Array | string, options: TuneOptions): Promise<TuneResult> {
  const now = options.now ?? (() => performance.now());
  const started = now();
  const elapsedS = () => (now() - started) / 1000;
  const chunkTrials = Math.max(1, options.chunkTrials ?? CHUNK_TRIALS);
  const { measurer, target } = options;
  const optimized = optimize(model, { ...options, target });
  const workloads = extractWorkloads(optimized.graph, target).filter((w) => !options.skip?.(w));
  const seed = options.seed ?? 1;
  const states: State[] = workloads.map((workload, i) => ({
    workload,
    search: new WorkloadSearch(searchSpace(target, workload.op), (candidate) => measurer.fingerprint({ workload, candidate }), {
      trials: Math.max(1, options.trials ?? 32),
      patience: Math.max(1, options.patience ?? 16),
      batch: Math.max(1, options.batch ?? 8),
      // Each workload its own stream, so that one search's draws never depend on another's.
      seed: (seed * 1_000_003 + i) >>> 0,
    }),
  }));
  const budget = options.timeBudgetS ?? Infinity;
  const deadline = budget * (1 - FINAL_SHARE);
  let round = 0;
  const report = (phase: TuneProgress['phase']) =>
    options.onProgress?.({
      round, workloads: states.length, searching: states.filter((s) => !s.failure && !s.search.done).length, phase, elapsedS: elapsedS(),
      trials: states.reduce((n, s) => n + s.search.trials, 0), rejected: states.reduce((n, s) => n + s.search.rejected.length, 0),
    });

  // Rounds until every search is done or the budget is spent. A round is measured in chunks of whole workloads
  // (each with its default), so that the budget is checked often and one module's memory stays bounded.
  let outOfTime = false;
  while (!outOfTime) {
    let trials: Trial[] = [];
    let owners: { state: State; fingerprint: string; isDefault: boolean }[] = [];
    let proposedAny = false;
    const measureChunk = async () => {
      if (trials.length === 0) return;
      if (elapsedS() >= deadline) {
        outOfTime = true;
        return;
      }
      const results = await measurer.measure(trials);
      for (const state of new Set(owners.map((o) => o.state))) {
        const mine = owners.map((o, i) => ({ ...o, trial: trials[i], result: results[i] })).filter((o) => o.state === state);
        scoreRound(state, mine, options, state.baselineMs === undefined);
      }
      trials = [];
      owners = [];
      report('search');
    };
    for (const state of states) {
      if (state.failure || outOfTime) continue;
      const proposed = state.search.propose();
      if (proposed.length === 0) continue;
      if (!proposedAny) round++;
      proposedAny = true;
      // The default runs in every round its workload does: the yardstick of that round.
      if (!proposed.some((p) => Object.keys(p.candidate).length === 0)) proposed.unshift({ candidate: {}, fingerprint: '' });
      for (const p of proposed) {
        trials.push({ workload: state.workload, candidate: p.candidate });
        owners.push({ state, fingerprint: p.fingerprint, isDefault: Object.keys(p.candidate).length === 0 });
      }
      if (trials.length >= chunkTrials) await measureChunk();
    }
    await measureChunk();
    if (!proposedAny) break;
  }

  // The final comparison: the fastest few of each workload again, beside its default, the workloads that stand
  // to gain the most (their search's best saving times their nodes) first, in chunks of whole workloads.
  const finalDeadline = Math.max(budget, elapsedS() + budget * FINAL_SHARE);
  const finalists: { state: State; gainMs: number; contenders: Candidate[] }[] = [];
  for (const state of states) {
    if (state.failure) continue;
    // Only candidates that beat the default in the search are worth measuring again.
    const defaultMs = state.search.measured.find((s) => Object.keys(s.candidate).length === 0)?.ms ?? 0;
    const contenders = state.search.fastest(FINALISTS).filter((s) => Object.keys(s.candidate).length > 0 && s.ms < defaultMs);
    if (contenders.length === 0) continue;
    finalists.push({ state, gainMs: (defaultMs - contenders[0].ms) * state.workload.nodes.length, contenders: contenders.map((c) => c.candidate) });
  }
  finalists.sort((a, b) => b.gainMs - a.gainMs);
  if (finalists.length > 0) round++;
  /** Per workload: the default's median and each finalist's time relative to it, from the final measurement. */
  const finals = new Map<State, { defaultMs: number; ratios: { candidate: Candidate; ratio: number }[] }>();
  /** Workloads the final comparison measured (whatever came of it). */
  const remeasured = new Set<State>();
  let finalTrials: Trial[] = [];
  let finalOwners: State[] = [];
  let finalOutOfTime = false;
  const measureFinalChunk = async () => {
    if (finalTrials.length === 0 || finalOutOfTime) return;
    if (elapsedS() >= finalDeadline) {
      finalOutOfTime = true;
      return;
    }
    const measured = await measurer.measure(finalTrials, { repeat: FINAL_REPEAT });
    let def: { state: State; samples: number[] } | undefined;
    finalTrials.forEach((trial, i) => {
      const r = measured[i];
      const state = finalOwners[i];
      remeasured.add(state);
      const ok = 'ms' in r && state.reference !== undefined && matches(r.outputs, state.reference);
      if (Object.keys(trial.candidate).length === 0) {
        def = ok ? { state, samples: r.samples } : undefined;
        if (ok) finals.set(state, { defaultMs: r.ms, ratios: [] });
      } else if (ok && def?.state === state) {
        finals.get(state)!.ratios.push({ candidate: trial.candidate, ratio: pairedRatio(r.samples, def.samples) });
      }
    });
    finalTrials = [];
    finalOwners = [];
    report('final');
  };
  for (const { state, contenders } of finalists) {
    for (const candidate of [{}, ...contenders]) {
      finalTrials.push({ workload: state.workload, candidate });
      finalOwners.push(state);
    }
    if (finalTrials.length * FINAL_REPEAT >= chunkTrials) await measureFinalChunk();
    if (finalOutOfTime) break;
  }
  await measureFinalChunk();
  const unconfirmed = new Set(finalists.map((f) => f.state).filter((s) => !remeasured.has(s)));

  const device = deviceKey(measurer.device);
  const results: WorkloadResult[] = [];
  for (const state of states) {
    if (state.failure || state.baselineMs === undefined) continue;
    const common = { workload: state.workload, trials: state.search.trials, rejected: state.search.rejected, invalid: state.search.invalid, unconfirmed: unconfirmed.has(state) };
    const final = finals.get(state);
    const fastest = final?.ratios.sort((a, b) => a.ratio - b.ratio)[0];
    if (!final || !fastest || fastest.ratio >= 1 - MIN_SPEEDUP) {
      results.push({ ...common, defaultMs: final?.defaultMs ?? state.baselineMs, bestMs: final?.defaultMs ?? state.baselineMs, best: {} });
      continue;
    }
    const best = essentialFields(fastest.candidate, (c) => measurer.fingerprint({ workload: state.workload, candidate: c }));
    results.push({ ...common, defaultMs: final.defaultMs, bestMs: final.defaultMs * fastest.ratio, best });
  }
  const records: TuningRecord[] = results.filter((r) => !r.unconfirmed).map((r) => ({
    version: RECORD_VERSION, device, target, threads: measurer.device.threads, workload: r.workload.key, summary: r.workload.summary,
    schedule: candidateOverrides(r.best), defaultMs: round4(r.defaultMs), bestMs: round4(r.bestMs), trials: r.trials, rejected: r.rejected.length,
  }));
  const failed = states.flatMap((s) => (s.failure ? [{ workload: s.workload, reason: s.failure }] : []));
  if (failed.length === states.length && states.length > 0) throw new DlcError(`no workload could be measured: ${failed[0].reason}`);
  return { device, workloads: results, failed, records, elapsedS: elapsedS() };
}

/** One round's results of one workload: the default's first, then each candidate checked, scaled and told to the search. */
function scoreRound(state: State, results: { trial: Trial; result: TrialResult; fingerprint: string; isDefault: boolean }[], options: TuneOptions, first: boolean): void {
  const def = results.find((r) => r.isDefault)!;
  if ('error' in def.result) {
    state.failure = `${state.workload.summary}: the default schedule failed: ${def.result.error}`;
    return;
  }
  options.inspectOutputs?.(state.workload, def.trial.candidate, def.result.outputs);
  if (first) {
    state.reference = def.result.outputs;
    state.baselineMs = def.result.ms;
  }
  const defaultSamples = def.result.samples;
  for (const r of results) {
    // The default is told once, in the round that proposed it; later rounds measure it only as the yardstick.
    if (r.isDefault && r.fingerprint === '') continue;
    const { candidate } = r.trial;
    if ('error' in r.result) {
      state.search.reject(candidate, r.result.error);
      continue;
    }
    options.inspectOutputs?.(state.workload, candidate, r.result.outputs);
    const mismatch = outputMismatch(r.result.outputs, state.reference!);
    if (mismatch) state.search.reject(candidate, mismatch);
    // Its time relative to this round's default, in the first round's default milliseconds.
    else state.search.observe({ candidate, fingerprint: r.fingerprint, ms: state.baselineMs! * pairedRatio(r.result.samples, defaultSamples) });
  }
}

/**
 * `candidate` without the fields its kernel does not read (a depthwise conv's GEMM tile, say): each field
 * whose removal leaves the generated code as it is goes, so that a record holds only what it changes.
 */
function essentialFields(candidate: Candidate, fingerprint: (c: Candidate) => string): Candidate {
  const target = fingerprint(candidate);
  // Without a field the schedule may not be valid (a GPU tile that no longer divides): then the field stays.
  const sameCode = (c: Candidate) => {
    try {
      return fingerprint(c) === target;
    } catch (e) {
      if (e instanceof DlcError) return false;
      throw e;
    }
  };
  let kept: Record<string, Candidate[string]> = { ...candidate };
  for (const field of Object.keys(candidate).sort()) {
    const { [field]: _dropped, ...rest } = kept;
    if (sameCode(rest)) kept = rest;
  }
  return kept;
}

function outputMismatch(got: Record<string, Tensor>, want: Record<string, Tensor>): string | undefined {
  for (const [name, w] of Object.entries(want)) {
    const g = got[name];
    if (!g) return `no output '${name}'`;
    const d = compareTensors(g, w, TOLERANCE);
    if (d.mismatch) return `output '${name}' differs from the default schedule's: ${d.mismatch}`;
  }
  return undefined;
}

function matches(got: Record<string, Tensor>, want: Record<string, Tensor>): boolean {
  return outputMismatch(got, want) === undefined;
}

/** Milliseconds to 4 significant digits (records need no more than the noise allows). */
function round4(ms: number): number {
  return Number(ms.toPrecision(4));
}
