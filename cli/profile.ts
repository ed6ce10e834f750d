// `dlc profile MODEL|DIR --target wasm|webgpu`: runs a model (compiled here) or a compiled artifact (a
// directory or a .dlc bundle, as it is) on seeded random inputs and prints each kernel's time
// (api/profile.ts), slowest first, with its share, its calls or dispatches per run, the ops it computes (a
// model's) and the ONNX nodes it came from. `--json` prints the report, whose `kernels` ({name, ms, ...})
// `dlc inspect MODEL --format html --profile FILE` reads to colour the graph.
import { UsageError } from '../compiler/errors.js';
import { artifactTarget, isArtifactPath, profile, profileArtifact, type KernelTiming, type ProfileReport } from '../api/profile.js';
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
  /** The flags given on the command line (long names), defaults apart: an artifact refuses the compile ones. */
  given?: string[];
}

/** The flags that apply to an artifact as well as to a model; any other is a compile option. */
const ARTIFACT_FLAGS = new Set(['--target', '--runs', '--warmup', '--seed', '--top', '--json']);

export const DEFAULT_PROFILE_RUNS = 10;
export const DEFAULT_PROFILE_WARMUP = 2;

/** ONNX nodes listed per kernel in the table before the rest are counted. */
const SOURCES_SHOWN = 3;

export async function profileCommand(model: string, flags: ProfileFlags, io: CliIo): Promise<number> {
  const artifact = isArtifactPath(model);
  const compileFlag = flags.given?.find((f) => !ARTIFACT_FLAGS.has(f));
  if (artifact && compileFlag) throw new UsageError(`${model} is a compiled artifact: ${compileFlag} applies only when profiling an ONNX model`);
  const options = artifact ? undefined : await compileOptions(flags, io);
  const count = (flag: string, text: string | undefined, fallback: number, min: number) => {
    if (text === undefined) return fallback;
    if (!/^\d+$/.test(text) || Number(text) < min) throw new UsageError(`${flag} takes an integer ≥ ${min}, got '${text}'`);
    return Number(text);
  };
  const runs = count('--runs', flags.runs, DEFAULT_PROFILE_RUNS, 1);
  const warmup = count('--warmup', flags.warmup, DEFAULT_PROFILE_WARMUP, 0);
  const top = flags.top === undefined ? undefined : count('--top', flags.top, 0, 1);
  const target = artifact ? checkedArtifactTarget(model, flags) : options!.target;
  const timing = {
    runs,
    warmup,
    seed: parseSeed(flags.seed),
    ...(target === 'webgpu' ? { device: await nodeGpuDevice(), wgslLanguageFeatures: await nodeWgslLanguageFeatures() } : {}),
  };
  const report = options ? await profile(model, { ...options, ...timing }) : await profileArtifact(model, timing);
  printTimings(io, report.timings);
  const { timings: _, ...json } = report;
  if (flags.json) io.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
  else io.stdout.write(formatProfile(report, top));
  return 0;
}

/** An artifact's target, from its manifest; a --target given must agree. */
function checkedArtifactTarget(artifact: string, flags: ProfileFlags): unknown {
  const target = artifactTarget(artifact);
  if (flags.given?.includes('--target') && target !== undefined && target !== flags.target) {
    throw new UsageError(`${artifact} is a ${target} artifact, not ${flags.target}: leave --target out or compile for ${flags.target}`);
  }
  return target;
}

/** Kernels slowest first (ties in run order). */
export function sortedByTime(kernels: readonly KernelTiming[]): KernelTiming[] {
  return kernels.map((k, i) => ({ k, i })).sort((a, b) => b.k.ms - a.k.ms || a.i - b.i).map(({ k }) => k);
}

export function formatProfile(report: ProfileReport, top?: number): string {
  const rows = sortedByTime(report.kernels).slice(0, top);
  const sources = (s: readonly string[]) => (s.length <= SOURCES_SHOWN ? s.join(', ') : `${s.slice(0, SOURCES_SHOWN).join(', ')} … (+${s.length - SOURCES_SHOWN})`);
  // An artifact does not record its kernels' ops: then the column is left out.
  const ops = report.kernels.some((k) => k.ops.length > 0);
  const table = [['ms', 'share', 'calls', 'kernel', ...(ops ? ['ops'] : []), 'ONNX nodes'], ...rows.map((k) => [
    k.ms.toFixed(3), `${(100 * k.share).toFixed(1)}%`, String(k.calls), k.name, ...(ops ? [k.ops.join('+')] : []), sources(k.sources),
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
