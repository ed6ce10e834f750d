// `dlc tune MODEL --target wasm|webgpu -o records.json`: searches the schedules of the model's tunable
// workloads on this machine (tune/tune.ts), appends one record per workload to the records file, and prints
// what it found; `dlc compile --tuning-records records.json` replays them. A progress line on stderr when it
// is a terminal.
import * as fs from 'node:fs';
import { UsageError } from '../compiler/errors.js';
import type { TargetName } from '../codegen/targets.js';
import { WasmMeasurer } from '../tune/measure-wasm.js';
import { WebgpuMeasurer } from '../tune/measure-webgpu.js';
import { appendRecords, readRecordsFile } from '../tune/records.js';
import { candidateText } from '../tune/search-space.js';
import { tuneModel, type TuneProgress, type TuneResult } from '../tune/tune.js';
import type { Measurer } from '../tune/measure.js';
import type { CliIo } from './main.js';
import { optimizeOptions, parseThreads, type ModelFlags } from './options.js';
import { nodeGpuDevice, nodeWgslLanguageFeatures } from './webgpu-node.js';

export interface TuneFlags extends ModelFlags {
  target: string;
  output: string;
  trials?: string;
  timeBudget?: string;
  patience?: string;
  seed?: string;
  runs?: string;
  json?: boolean;
  threads?: string;
}

export const DEFAULT_TRIALS = 32;
export const DEFAULT_PATIENCE = 16;

export async function tuneCommand(model: string, flags: TuneFlags, io: CliIo): Promise<number> {
  const trials = positiveInteger('--trials', flags.trials) ?? DEFAULT_TRIALS;
  const patience = positiveInteger('--patience', flags.patience) ?? DEFAULT_PATIENCE;
  const runs = positiveInteger('--runs', flags.runs);
  const seed = flags.seed === undefined ? 1 : nonNegativeInteger('--seed', flags.seed);
  const timeBudgetS = flags.timeBudget === undefined ? undefined : positiveNumber('--time-budget', flags.timeBudget);
  const target = flags.target as TargetName;
  if (flags.threads !== undefined && target !== 'wasm') throw new UsageError('--threads applies to --target wasm');
  const threads = flags.threads === undefined ? undefined : parseThreads(flags.threads);
  // A records file that cannot take the records is refused before the search, not after.
  if (fs.existsSync(flags.output)) readRecordsFile(flags.output);
  const measurer: Measurer = target === 'webgpu'
    ? new WebgpuMeasurer(await nodeGpuDevice(), { runs, seed, wgslLanguageFeatures: await nodeWgslLanguageFeatures() })
    : new WasmMeasurer({ runs, seed, threads });
  const tty = Boolean((io.stderr as { isTTY?: boolean }).isTTY) && !flags.json;
  const result = await tuneModel(model, {
    ...optimizeOptions(flags, io, target),
    target, measurer, trials, patience, timeBudgetS, seed,
    onProgress: tty ? (p) => io.stderr.write(`\r\x1b[K${progressLine(p)}`) : undefined,
  });
  if (tty) io.stderr.write('\n');
  appendRecords(flags.output, result.records);
  io.stdout.write(flags.json ? `${JSON.stringify(summary(result, target, flags.output), null, 2)}\n` : report(result, model, flags.output));
  return 0;
}

function progressLine(p: TuneProgress): string {
  const what = p.phase === 'final' ? 'measuring the fastest again' : `${p.searching}/${p.workloads} workloads searching`;
  return `tune: round ${p.round}, ${what}, ${p.trials} candidates measured${p.rejected ? `, ${p.rejected} rejected` : ''}, ${p.elapsedS.toFixed(0)} s`;
}

/** Kernel time over all nodes of the tuned workloads, default and chosen schedules. */
function totals(result: TuneResult): { defaultMs: number; bestMs: number } {
  let defaultMs = 0;
  let bestMs = 0;
  for (const w of result.workloads) {
    defaultMs += w.defaultMs * w.workload.nodes.length;
    bestMs += w.bestMs * w.workload.nodes.length;
  }
  return { defaultMs, bestMs };
}

function summary(result: TuneResult, target: TargetName, file: string): unknown {
  const t = totals(result);
  return {
    target,
    device: result.device,
    records: file,
    elapsedS: Number(result.elapsedS.toFixed(1)),
    workloads: result.workloads.map((w) => ({
      workload: w.workload.key,
      summary: w.workload.summary,
      nodes: w.workload.nodes,
      defaultMs: w.defaultMs,
      bestMs: w.bestMs,
      speedup: w.defaultMs / w.bestMs,
      trials: w.trials,
      invalid: w.invalid,
      rejected: w.rejected.map((r) => ({ schedule: candidateText(r.candidate), reason: r.reason })),
      schedule: candidateText(w.best),
      unconfirmed: w.unconfirmed,
    })),
    unconfirmed: result.workloads.filter((w) => w.unconfirmed).length,
    failed: result.failed.map((f) => ({ workload: f.workload.key, summary: f.workload.summary, reason: f.reason })),
    total: { defaultMs: t.defaultMs, bestMs: t.bestMs, speedup: t.defaultMs / t.bestMs },
  };
}

function report(result: TuneResult, model: string, file: string): string {
  const ms = (x: number) => `${x < 0.1 ? x.toFixed(4) : x.toFixed(3)} ms`;
  const lines = [`tuned ${result.workloads.length} workloads of ${model} on ${result.device} in ${result.elapsedS.toFixed(0)} s:`];
  for (const w of result.workloads) {
    const n = w.workload.nodes.length;
    lines.push(`  ${(w.defaultMs / w.bestMs).toFixed(2)}×  ${ms(w.defaultMs)} → ${ms(w.bestMs)}  ${w.trials} trials${n > 1 ? `, ${n} nodes` : ''}  ${w.workload.summary}`);
    if (Object.keys(w.best).length > 0) lines.push(`         ${candidateText(w.best)}`);
    if (w.unconfirmed) lines.push('         not confirmed: the time budget ended before the final comparison (default kept, no record)');
    for (const r of w.rejected) lines.push(`         rejected ${candidateText(r.candidate)}: ${r.reason}`);
  }
  for (const f of result.failed) lines.push(`  not tuned: ${f.reason}`);
  const unconfirmed = result.workloads.filter((w) => w.unconfirmed).length;
  if (unconfirmed > 0) lines.push(`${unconfirmed} workloads not confirmed (the final comparison ran out of --time-budget): tune again to take them up`);
  const t = totals(result);
  lines.push(`kernel time of the tuned workloads: ${ms(t.defaultMs)} → ${ms(t.bestMs)} (${(t.defaultMs / t.bestMs).toFixed(2)}×); ${result.records.length} records appended to ${file}`);
  return `${lines.join('\n')}\n`;
}

function positiveInteger(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text) || Number(text) < 1) throw new UsageError(`${flag} takes a positive integer, got '${text}'`);
  return Number(text);
}

function nonNegativeInteger(flag: string, text: string): number {
  if (!/^\d+$/.test(text)) throw new UsageError(`${flag} takes a non-negative integer, got '${text}'`);
  return Number(text);
}

function positiveNumber(flag: string, text: string): number {
  const v = Number(text);
  if (text.trim() === '' || !Number.isFinite(v) || v <= 0) throw new UsageError(`${flag} takes a positive number of seconds, got '${text}'`);
  return v;
}
