// One test harness for every target. A graph is compiled for each target (wasm: compileToWasm and
// loadProgram; webgpu: compileToWebgpu and loadWebgpuProgram on the process's Dawn device), run on the same
// inputs, and each output is compared with the reference interpreter's within one tolerance table.
// A case that a target cannot run names that target and a reason from a closed list; its test is titled
// with the reason and asserts that the case still fails there, so that a skip is never silent and one that
// is no longer needed fails until it is removed.
import { compareTensors, type Tolerance } from '../../compiler/compare.js';
import { interpret } from '../../compiler/interpreter.js';
import { isFloat, type DType } from '../../compiler/ir/dtype.js';
import type { Graph } from '../../compiler/ir/graph.js';
import type { Tensor } from '../../compiler/ir/tensor.js';
import { nodeGpuDevice, nodeWgslLanguageFeatures } from '../../cli/webgpu-node.js';
import { compileToWasm, type WasmCompileOptions } from '../../codegen/wasm/program.js';
import { loadProgram } from '../../codegen/wasm/run-program.js';
import { compileToWebgpu, type WebgpuCompileOptions } from '../../codegen/wgsl/program.js';
import { loadWebgpuProgram } from '../../codegen/wgsl/run-program.js';
import { randomFeeds } from './graphs.js';

export type TargetName = 'wasm' | 'webgpu';
export const TARGETS: readonly TargetName[] = ['wasm', 'webgpu'];

export interface ToleranceRow extends Tolerance {
  /** Why the bound is what it is. */
  why: string;
}

/**
 * |got − want| ≤ atol + rtol·|want| for each float output, by target and the output's dtype; integer and
 * bool outputs must be exact (compareTensors). An output whose dtype has no row here fails: add the row,
 * with why.
 */
export const TOLERANCES: Record<TargetName, Partial<Record<'f32' | 'f16' | 'bf16' | 'f64', ToleranceRow>>> = {
  wasm: {
    f32: {
      atol: 1e-4,
      rtol: 1e-3,
      why: 'the bound wasm tests have used; every test under codegen/wasm also passed at rtol 1e-4 when the harness was written, '
        + 'kept at 1e-3 while kernels written against it are still landing',
    },
    f64: { atol: 1e-9, rtol: 1e-9, why: 'wasm computes f64 ops in f64, as the reference does; only the order of operations differs' },
    f16: { atol: 1e-3, rtol: 1e-3, why: 'one f16 ulp (2⁻¹⁰ relative): wasm rounds to f16 once from the source value, the reference through f32 (twice)' },
    bf16: { atol: 0, rtol: 0, why: 'bf16 values come only from casts (truncating an f32, exact in every target), so they match the reference bit for bit' },
  },
  webgpu: {
    f32: { atol: 1e-4, rtol: 1e-4, why: 'f32 kernels against the f64 reference, the stricter of the two bounds webgpu tests used (the other was 1e-3)' },
    f64: { atol: 1e-4, rtol: 1e-4, why: 'WGSL has no f64: f64 values are stored and computed as f32, so they meet the f32 bound' },
    f16: { atol: 1e-3, rtol: 1e-3, why: 'one f16 ulp (2⁻¹⁰ relative): f16 values are stored as f32 and rounded where the reference rounds' },
    bf16: { atol: 0, rtol: 0, why: 'bf16 values come only from casts (truncating an f32, exact in every target), so they match the reference bit for bit' },
  },
};

/** Integer and bool outputs (compareTensors ignores the numbers and requires equality). */
const EXACT: Tolerance = { atol: 0, rtol: 0 };

/** The bound an output of `dtype` must meet on `target`; undefined for a float dtype without a row. */
export function toleranceOf(target: TargetName, dtype: DType): Tolerance | undefined {
  if (!isFloat(dtype)) return EXACT;
  return TOLERANCES[target][dtype as 'f32' | 'f16' | 'bf16' | 'f64'];
}

/** Why a case does not run on a target. Closed: a new reason is a new member, with its meaning below. */
export type SkipReason = 'f64-unsupported';

export const SKIP_REASONS: Record<SkipReason, string> = {
  'f64-unsupported': 'the target refuses the op with f64 operands at compile time (a DlcError naming the node and op)',
};

export interface Skip {
  target: TargetName;
  reason: SkipReason;
}

export interface RunOptions {
  /** Seed of the random inputs (input i gets seed·100 + i); 1 when not given. */
  seed?: number;
  /** These inputs instead of random ones (the others stay random). */
  feeds?: Record<string, Tensor>;
  wasm?: WasmCompileOptions;
  webgpu?: WebgpuCompileOptions;
  /** The WGSL language features the webgpu run may use (Dawn's, by default; an empty set: core WGSL only). */
  wgslLanguageFeatures?: ReadonlySet<string>;
}

export interface TargetRun {
  target: TargetName;
  /** Nodes or fused groups that became kernels. */
  kernels: number;
  outputs: Record<string, Tensor>;
  /** The outputs that differ from the interpreter's, with why (empty when all match). */
  mismatches: string[];
}

interface Compiled {
  kernels: number;
  outputs: Record<string, Tensor>;
}

async function runWasm(graph: Graph, feeds: Record<string, Tensor>, options: RunOptions): Promise<Compiled> {
  const program = await compileToWasm(graph, options.wasm);
  return { kernels: program.kernels, outputs: (await loadProgram(program)).run(feeds) };
}

async function runWebgpu(graph: Graph, feeds: Record<string, Tensor>, options: RunOptions): Promise<Compiled> {
  const program = compileToWebgpu(graph, options.webgpu);
  const loaded = await loadWebgpuProgram(await nodeGpuDevice(), program, options.wgslLanguageFeatures ?? (await nodeWgslLanguageFeatures()));
  try {
    return { kernels: program.kernels, outputs: await loaded.run(feeds) };
  } finally {
    await loaded.release();
  }
}

const RUNNERS: Record<TargetName, (graph: Graph, feeds: Record<string, Tensor>, options: RunOptions) => Promise<Compiled>> = {
  wasm: runWasm,
  webgpu: runWebgpu,
};

/** Compiles `graph` for `target`, runs it and compares every output with the reference interpreter. */
export async function runOnTarget(target: TargetName, graph: Graph, options: RunOptions = {}): Promise<TargetRun> {
  const feeds = { ...randomFeeds(graph, options.seed ?? 1), ...options.feeds };
  const want = interpret(graph, feeds);
  const { kernels, outputs } = await RUNNERS[target](graph, feeds, options);
  const mismatches: string[] = [];
  for (const v of graph.outputs) {
    const tolerance = toleranceOf(target, v.type.dtype);
    if (!tolerance) {
      mismatches.push(`${v.name}: no ${target} tolerance for ${v.type.dtype} (add a row to TOLERANCES in tests/util/targets.ts)`);
      continue;
    }
    const d = compareTensors(outputs[v.name], want[v.name], tolerance);
    if (d.mismatch) mismatches.push(`${v.name}: ${d.mismatch} (max abs error ${d.maxAbsError})`);
  }
  return { target, kernels, outputs, mismatches };
}

/** The outputs whose results on `target` differ from the interpreter's, with why (empty when all match). */
export async function targetMismatches(target: TargetName, graph: Graph, options: RunOptions = {}): Promise<string[]> {
  return (await runOnTarget(target, graph, options)).mismatches;
}

export interface TargetCase extends RunOptions {
  /** Targets the case does not run on, each with why. */
  skip?: Skip[];
  /** Further expectations on each target's run (a kernel count, …), checked after its outputs matched. */
  check?(run: TargetRun): void;
}

/** What makes a case fail on `target`: a compile or run error, a mismatch, or a failed `check`; undefined if it passes. */
export async function failureOn(target: TargetName, graph: Graph, c: TargetCase = {}): Promise<string | undefined> {
  let run: TargetRun;
  try {
    run = await runOnTarget(target, graph, c);
  } catch (e) {
    return (e as Error).message;
  }
  if (run.mismatches.length) return run.mismatches.join('; ');
  try {
    c.check?.(run);
  } catch (e) {
    return (e as Error).message;
  }
  return undefined;
}

/** Throws when the case named `name` passes on the skipped target: the skip is no longer needed. */
export async function expectSkipNeeded(name: string, skip: Skip, graph: Graph, c: TargetCase = {}): Promise<void> {
  if ((await failureOn(skip.target, graph, c)) !== undefined) return;
  throw new Error(`'${name}' is skipped on ${skip.target} (${skip.reason}: ${SKIP_REASONS[skip.reason]}) but passes there: remove the skip`);
}

/**
 * Registers one jest test per target, titled `<target>: <name>`, that runs the case there and expects every
 * output to match the interpreter (then `check`). A skipped target's test is titled
 * `<target>: <name> [skipped: <reason>]` and passes only while the case still fails on that target.
 */
export function forEachTarget(name: string, graph: () => Graph, c: TargetCase = {}): void {
  for (const target of TARGETS) {
    const skips = (c.skip ?? []).filter((s) => s.target === target);
    if (skips.length > 1) throw new Error(`'${name}' is skipped on ${target} more than once`);
    const skip = skips[0];
    if (skip) {
      test(`${target}: ${name} [skipped: ${skip.reason}]`, () => expectSkipNeeded(name, skip, graph(), c));
      continue;
    }
    test(`${target}: ${name}`, async () => {
      const run = await runOnTarget(target, graph(), c);
      expect(run.mismatches).toEqual([]);
      c.check?.(run);
    });
  }
}
