// The options that every command loading a model shares, declared once (--input-shape, -O, --passes and the
// pass manager's instruments), those of the commands that compile (--target, --precision, --schedules,
// --tuning-records), and
// their translation into the library's options (api/): parsing, with errors that name the flag.
import * as fs from 'node:fs';
import { Option, type Command } from 'commander';
import { parseDimRange } from '../codegen/shape-generic/dim-ranges.js';
import { DlcError, UsageError } from '../compiler/errors.js';
import { parseScheduleOverrides, type ScheduleOverrides } from '../codegen/schedule.js';
import { TARGET_NAMES, type TargetName } from '../codegen/targets.js';
import type { Precision } from '../codegen/wgsl/program.js';
import { MAX_THREADS, PRECISIONS, type CompileOptions } from '../api/compile.js';
import type { OptimizeOptions, PassTimingSummary } from '../api/optimize.js';
import { readRecordsFile } from '../tune/records.js';
import { wasmDevice, webgpuDevice } from '../tune/device.js';
import { parseInputValues } from './input-values.js';
import { nodeGpuDevice } from './webgpu-node.js';
import type { CliIo } from './main.js';
import { quantizationOptions, type QuantizeFlags } from './quantize-options.js';
import { checkBudgetUsed, compressionOptions, type CompressFlags } from './compress-options.js';

/** The flags of addModelOptions, as commander gives them. */
export interface ModelFlags {
  inputShape: string[];
  inputValue?: string[];
  optLevel?: string;
  passes?: string;
  printIrAfterAll?: boolean;
  dumpIr?: string;
  printConstants?: boolean;
  timing?: boolean;
  verifyEach?: boolean;
}

/** The flags of addTargetOptions. */
export interface TargetFlags {
  target: string;
  precision?: string;
  schedules?: string;
  /** Only where addThreadsOption declared it. */
  threads?: string;
  tuningRecords?: string;
  /** compile only: symbolic dims' ranges (`H=32..960/32`). */
  dim?: string[];
}

export type CompileFlags = ModelFlags & TargetFlags & QuantizeFlags & CompressFlags;

/** --input-shape, -O, --passes and the instruments: every command that loads a model has them. */
export function addModelOptions(command: Command): Command {
  return command
    .option('--input-shape <name=d0,d1,...>', 'concrete shape of a model input (repeatable)', collect, [])
    .option('--input-value <name=v0,v1,...|name=file.npy>', 'specialize on the value of an input that decides shapes (repeatable)', collect, [])
    .option('-O, --opt-level <level>', 'optimization level 0-3 (default 2)')
    .option('--passes <pipeline>', "pass pipeline as text instead of -O, e.g. 'fold-constants,eliminate-dead-code'")
    .option('--print-ir-after-all', 'print the IR before the first pass and after every pass to stderr')
    .option('--dump-ir <dir>', 'write the IR to DIR/000_input.ir, then after every pass to DIR/001_<pass>.ir, ... (large constants in DIR/resources.bin)')
    .option('--print-constants', 'with --print-ir-after-all or --dump-ir: print large constants inline instead of elided')
    .option('--timing', "print each pass's wall time to stderr")
    .option('--verify-each', 'verify the IR after every pass');
}

/** --target (required with a default, or optional as for inspect) and, for the commands that compile, --precision and --schedules. */
export function addTargetOptions(command: Command, opts: { compiles: boolean }): Command {
  const what = opts.compiles ? 'code generation target' : 'the target the passes see (none by default) and the kernels are counted for (wasm by default, as compile)';
  const target = new Option('--target <target>', what).choices(TARGET_NAMES);
  command.addOption(opts.compiles ? target.default('wasm') : target);
  if (!opts.compiles) return command;
  return command
    .addOption(new Option('--precision <precision>', 'webgpu: compute precision asked for (the manifest records the one used)').choices(PRECISIONS))
    .option('--schedules <file>', 'a JSON file of schedule overrides (per anchor kind, or per node name under "nodes"), recorded in the manifest')
    .option('--tuning-records <file>', "replay `dlc tune`'s records made on this device: each tuned workload's schedule, per node (under --schedules' own nodes), recorded in the manifest");
}

/** --threads, for the commands that build (compile) or run (bench) a threaded wasm module. */
export function addThreadsOption(command: Command, what: string): Command {
  return command.option('--threads <n>', what);
}

/** --threads N as a count from 1 to MAX_THREADS. */
export function parseThreads(text: string): number {
  if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > MAX_THREADS) throw new UsageError(`--threads takes an integer from 1 to ${MAX_THREADS}, got '${text}'`);
  return Number(text);
}

export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** The library's options for the model flags; instrument output goes to stderr. */
export function optimizeOptions(flags: ModelFlags, io: CliIo, target?: string): OptimizeOptions {
  const inputShapes = parseInputShapes(flags.inputShape);
  if (flags.passes !== undefined && flags.optLevel !== undefined) throw new UsageError('give either -O or --passes, not both');
  return {
    ...(target === undefined ? {} : { target: target as TargetName }),
    inputShapes,
    inputValues: parseInputValues(flags.inputValue ?? []),
    ...(flags.passes === undefined ? {} : { pipeline: flags.passes }),
    ...(flags.optLevel === undefined ? {} : { optLevel: parseOptLevel(flags.optLevel) }),
    instruments: {
      printIrAfterAll: flags.printIrAfterAll ? (text) => io.stderr.write(text) : undefined,
      dumpIrDir: flags.dumpIr,
      printConstants: flags.printConstants,
      timing: flags.timing,
      verifyEach: flags.verifyEach,
      warn: (message) => io.stderr.write(`dlc: warning: ${message}\n`),
    },
  };
}

/** The library's compile options for the model and target flags (the WebGPU device is asked for its adapter to match tuning records). */
export async function compileOptions(flags: CompileFlags, io: CliIo): Promise<CompileOptions> {
  if (flags.precision !== undefined && flags.target !== 'webgpu') throw new UsageError('--precision applies to --target webgpu');
  // --input-shape x=1,3,H,W with --dim H=…: the symbolic shapes go apart from the concrete ones.
  const symbolic = (spec: string) => /=.*[A-Za-z_]/.test(spec);
  const options: CompileOptions = { ...optimizeOptions({ ...flags, inputShape: flags.inputShape.filter((s) => !(flags.dim?.length && symbolic(s))) }, io, flags.target), target: flags.target as TargetName };
  if (flags.dim?.length) {
    options.dims = flags.dim.map(parseDimRange);
    options.symbolicShapes = parseSymbolicShapes(flags.inputShape.filter(symbolic));
  }
  if (flags.precision !== undefined) options.precision = flags.precision as Precision;
  if (flags.threads !== undefined) {
    if (flags.target !== 'wasm') throw new UsageError('--threads applies to --target wasm');
    options.threads = parseThreads(flags.threads);
  }
  if (flags.schedules !== undefined) options.schedules = readSchedules(flags.schedules);
  // A module built for N threads replays the records tuned on N threads (tune/device.ts keys them by count).
  if (flags.tuningRecords !== undefined) options.tuning = await readTuning(flags.tuningRecords, options.target, io, options.threads);
  const compress = compressionOptions(flags);
  if (compress) options.compress = compress;
  const quantize = quantizationOptions(flags, flags.quantize);
  if (quantize) options.quantize = quantize;
  checkBudgetUsed(flags, Boolean(quantize || compress));
  return options;
}

/** `name=d0,d1,...` (repeatable) → shapes by input name; `name=` is a scalar. */
export function parseInputShapes(specs: readonly string[]): Record<string, number[]> {
  const shapes: Record<string, number[]> = {};
  for (const spec of specs) {
    const eq = spec.lastIndexOf('=');
    if (eq <= 0) throw new UsageError(`--input-shape '${spec}' must look like name=d0,d1,...`);
    const name = spec.slice(0, eq);
    const dimsText = spec.slice(eq + 1).trim();
    const dims = dimsText === '' ? [] : dimsText.split(/[,x]/).map((d) => d.trim());
    if (!dims.every((d) => /^\d+$/.test(d))) {
      throw new UsageError(`--input-shape '${spec}': dims must be non-negative integers separated by commas (a symbolic dim needs its range: dlc compile --dim NAME=MIN..MAX/STEP)`);
    }
    if (name in shapes) throw new UsageError(`--input-shape given twice for '${name}'`);
    shapes[name] = dims.map(Number);
  }
  return shapes;
}

/** `--dims H=640,W=480`: a shape-generic artifact's dims for a run. */
export function parseDimValues(text: string): Record<string, number> {
  const given: Record<string, number> = {};
  for (const part of text.split(',')) {
    const m = /^([A-Za-z_]\w*)=(\d+)$/.exec(part.trim());
    if (!m) throw new UsageError(`--dims '${text}' must look like NAME=VALUE,NAME=VALUE`);
    given[m[1]] = Number(m[2]);
  }
  return given;
}

/** `x=1,3,H,W` (repeatable): shapes whose dims are counts or the names of --dim ranges. */
export function parseSymbolicShapes(specs: readonly string[]): Record<string, (number | string)[]> {
  const shapes: Record<string, (number | string)[]> = {};
  for (const spec of specs) {
    const eq = spec.lastIndexOf('=');
    const dims = spec.slice(eq + 1).split(',').map((d) => d.trim());
    if (eq <= 0 || !dims.every((d) => /^(\d+|[A-Za-z_]\w*)$/.test(d))) throw new UsageError(`--input-shape '${spec}' must look like name=d0,d1,... with counts or dim names`);
    const name = spec.slice(0, eq);
    if (name in shapes) throw new UsageError(`--input-shape given twice for '${name}'`);
    shapes[name] = dims.map((d) => (/^\d+$/.test(d) ? Number(d) : d));
  }
  return shapes;
}

function parseOptLevel(text: string): number {
  if (!/^\d+$/.test(text)) throw new UsageError(`-O takes a level 0 to 3, got '${text}'`);
  return Number(text);
}

/** The schedule overrides in a JSON file, every section and field checked (codegen/schedule.ts). */
export function readSchedules(file: string): ScheduleOverrides {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new DlcError(`cannot read --schedules file: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { file }, 2);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new DlcError(`--schedules file is not valid JSON: ${(e as Error).message}`, { file }, 2);
  }
  try {
    return parseScheduleOverrides(value, '--schedules file');
  } catch (e) {
    throw new DlcError((e as Error).message, { file }, 2);
  }
}

/**
 * The records of a --tuning-records file and the device they must have been made on: this process's CPU on the
 * module's threads, or the WebGPU adapter (asked for only when some record is for webgpu: no other could match).
 */
async function readTuning(file: string, target: TargetName, io: CliIo, threads = 1): Promise<CompileOptions['tuning']> {
  const records = readRecordsFile(file);
  const device = target === 'wasm' ? wasmDevice(threads) : records.some((r) => r.target === target) ? webgpuDevice(await nodeGpuDevice()) : { target, name: 'not asked', threads: 1 };
  return { records, device, notice: (message) => io.stderr.write(`dlc: note: ${file}: ${message}\n`) };
}

/** The --timing table, on stderr. */
export function printTimings(io: CliIo, rows: readonly PassTimingSummary[] | undefined): void {
  if (!rows) return;
  const total = rows.reduce((t, r) => t + r.ms, 0);
  const lines = ['pass timing:'];
  for (const r of rows) lines.push(`  ${r.ms.toFixed(2).padStart(10)} ms  ${String(r.runs).padStart(3)}×  ${r.pass}`);
  lines.push(`  ${total.toFixed(2).padStart(10)} ms        total`);
  io.stderr.write(`${lines.join('\n')}\n`);
}
