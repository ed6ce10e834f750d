// `dlc profile MODEL --target wasm|webgpu`: compiles a model, runs it on seeded random inputs and prints each
// kernel's time (api/profile.ts), slowest first, with its share, its calls or dispatches per run, the ops it
// computes and the ONNX nodes it came from. `--json` prints the report, whose `kernels` ({name, ms, ...})
// `dlc inspect MODEL --format html --profile FILE` reads to colour the graph.
import * as fs from 'node:fs';
import { UsageError } from '../compiler/errors.js';
import { profile, type KernelTiming, type ProfileReport } from '../api/profile.js';
import type { CliIo } from './main.js';
import { compileOptions, printTimings, type CompileFlags } from './options.js';
import { parseSeed } from './run.js';
import { nodeGpuDevice, nodeWgslLanguageFeatures } from './webgpu-node.js';

export interface ProfileFlags extends CompileFlags {
  runs?: string;
  warmup?: string;
  seed?: string;
  top?: string;
  json?: boolean;
}

export const DEFAULT_PROFILE_RUNS = 10;
export const DEFAULT_PROFILE_WARMUP = 2;

/** ONNX nodes listed per kernel in the table before the rest are counted. */
const SOURCES_SHOWN = 3;

export async function profileCommand(model: string, flags: ProfileFlags, io: CliIo): Promise<number> {
  if (fs.statSync(model, { throwIfNoEntry: false })?.isDirectory()) {
    throw new UsageError(`${model} is an artifact directory: dlc profile times the kernels of a build it makes from the model (the artifact's own module runs them all in one call); give the ONNX model with the options it was compiled with`);
  }
  const options = compileOptions(flags, io);
  const count = (flag: string, text: string | undefined, fallback: number, min: number) => {
    if (text === undefined) return fallback;
    if (!/^\d+$/.test(text) || Number(text) < min) throw new UsageError(`${flag} takes an integer ≥ ${min}, got '${text}'`);
    return Number(text);
  };
  const runs = count('--runs', flags.runs, DEFAULT_PROFILE_RUNS, 1);
  const warmup = count('--warmup', flags.warmup, DEFAULT_PROFILE_WARMUP, 0);
  const top = flags.top === undefined ? undefined : count('--top', flags.top, 0, 1);
  const webgpu = options.target === 'webgpu';
  const report = await profile(model, {
    ...options,
    runs,
    warmup,
    seed: parseSeed(flags.seed),
    ...(webgpu ? { device: await nodeGpuDevice(), wgslLanguageFeatures: await nodeWgslLanguageFeatures() } : {}),
  });
  printTimings(io, report.timings);
  const { timings: _, ...json } = report;
  if (flags.json) io.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
  else io.stdout.write(formatProfile(report, top));
  return 0;
}

/** Kernels slowest first (ties in run order). */
export function sortedByTime(kernels: readonly KernelTiming[]): KernelTiming[] {
  return kernels.map((k, i) => ({ k, i })).sort((a, b) => b.k.ms - a.k.ms || a.i - b.i).map(({ k }) => k);
}

export function formatProfile(report: ProfileReport, top?: number): string {
  const rows = sortedByTime(report.kernels).slice(0, top);
  const sources = (s: readonly string[]) => (s.length <= SOURCES_SHOWN ? s.join(', ') : `${s.slice(0, SOURCES_SHOWN).join(', ')} … (+${s.length - SOURCES_SHOWN})`);
  const table = [['ms', 'share', 'calls', 'kernel', 'ops', 'ONNX nodes'], ...rows.map((k) => [
    k.ms.toFixed(3), `${(100 * k.share).toFixed(1)}%`, String(k.calls), k.name, k.ops.join('+'), sources(k.sources),
  ])];
  const widths = table[0].map((_, c) => Math.max(...table.map((r) => r[c].length)));
  const right = new Set([0, 1, 2]);
  const lines = [
    `profile ${report.model} on ${report.target}: ${report.kernels.length} kernels, mean of ${report.runs} run${report.runs === 1 ? '' : 's'} after ${report.warmup} warm-up, seed ${report.seed}`,
    `  method: ${report.method}`,
    `  kernels sum ${report.totalMs.toFixed(3)} ms; a whole run ${report.runMs.toFixed(3)} ms`,
    ...table.map((r) => `  ${r.map((cell, c) => (c === r.length - 1 ? cell : right.has(c) ? cell.padStart(widths[c]) : cell.padEnd(widths[c]))).join('  ')}`.trimEnd()),
  ];
  if (top !== undefined && top < report.kernels.length) lines.push(`  … ${report.kernels.length - top} more kernels`);
  return `${lines.join('\n')}\n`;
}
