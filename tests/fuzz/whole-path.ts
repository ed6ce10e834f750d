// The whole-path fuzzer: semantic mutants of real models (semantic-mutants.ts) run first by onnxruntime-node
// (a mutant it rejects is skipped), then compiled by dlc for each target, run, and compared with
// onnxruntime's outputs by verify's rule (compiler/compare.ts's outputRule) over the tolerance table of
// tests/util/targets.ts. A DlcError while compiling is a refusal, counted by its message; any other exception,
// an error while loading or running what compiled, a mismatch, or a mutant slower than the timeout fails.
// webgpu: `compile` and the runtime on Node's Dawn device, one artifact per mutant, as `dlc verify` runs it.
// wasm: the same passes (optimizeSource for the wasm target) rendered into one module per batch of mutants
// (codegen/wasm/compile-batch.ts: the AssemblyScript compiler costs about a second per module whatever its
// size); a batch whose module does not compile is compiled one mutant at a time through `compile` and the
// runtime, so that the failure is pinned on its mutant.
import { compareTensors, outputRule } from '../../compiler/compare.js';
import { DlcError } from '../../compiler/errors.js';
import { isFloat } from '../../compiler/ir/dtype.js';
import type { Tensor } from '../../compiler/ir/tensor.js';
import { dtypeFromOnnx, decodeModel, toNumber } from '../../compiler/onnx/proto.js';
import { seededRandom } from '../../compiler/random.js';
import { checkStaticShapes } from '../../compiler/shape-inputs.js';
import { loadBatch, WasmBatchBuilder } from '../../codegen/wasm/compile-batch.js';
import { compile } from '../../api/compile.js';
import { seededFeeds, toTensor, type Feeds } from '../../api/feeds.js';
import { importOnnxruntime, runOnnxruntime, type Onnxruntime } from '../../api/onnxruntime.js';
import { optimizeSource, readModel } from '../../api/optimize.js';
import { loadInMemory, withRuntimeErrors } from '../../api/session.js';
import { nodeGpuDevice } from '../../cli/webgpu-node.js';
import type { TensorInfo } from '../../runtime/index.js';
import { toleranceOf, type TargetName } from '../util/targets.js';
import { makeMutant, semanticSources, type SemanticMutant, type SemanticSource } from './semantic-mutants.js';

export interface WholePathOptions {
  count: number;
  seed: number;
  targets: readonly TargetName[];
  /** A mutant whose compile and run on one target take longer fails as a hang (ms; 30 s by default). */
  timeoutMs?: number;
  /** Mutants per wasm module (20 by default). */
  wasmBatch?: number;
  /** Run only the mutants of these indices (the others are still made, so that each is the mutant the seed gives). */
  only?: ReadonlySet<number>;
  /** Only these sources (all of semanticSources() by default). */
  sources?: SemanticSource[];
  onProgress?(done: number): void;
}

export interface Finding {
  mutant: string;
  mutations: string[];
  target: TargetName;
  error: string;
}

export interface TargetTally {
  passed: number;
  /** DlcError refusals while compiling, by message (names and numbers blanked). */
  refused: Map<string, number>;
  mismatches: Finding[];
  crashes: Finding[];
}

export interface WholePathReport {
  made: number;
  /** Mutants onnxruntime would not load or run, skipped. */
  ortRejected: number;
  targets: Partial<Record<TargetName, TargetTally>>;
  /** The slowest mutant on one target, compile and run (ms). */
  slowestMs: number;
}

interface Prepared {
  mutant: SemanticMutant;
  inputs: TensorInfo[];
  feeds: Feeds;
  expected: Record<string, Tensor>;
}

/** A refusal's message with quoted names and numbers blanked, so that one reason counts once. */
export function refusalKey(e: DlcError): string {
  const op = e.context.op ? `${e.context.op}: ` : '';
  return `${op}${e.detail}`.replace(/'[^']*'/g, "'…'").replace(/\d+(\.\d+)?/g, 'N');
}

function inputsOf(mutant: SemanticMutant): TensorInfo[] {
  const graph = decodeModel(mutant.bytes, mutant.name).graph!;
  const inits = new Set((graph.initializer ?? []).map((t) => t.name));
  return (graph.input ?? []).filter((i) => !inits.has(i.name)).map((i) => ({
    name: i.name!,
    dtype: dtypeFromOnnx(i.type!.tensorType!.elemType),
    shape: (i.type!.tensorType!.shape?.dim ?? []).map((d) => toNumber(d.dimValue)),
  }));
}

/** The mutant run by onnxruntime on seeded feeds; undefined when onnxruntime rejects it. */
async function prepare(ort: Onnxruntime, mutant: SemanticMutant, seed: number, timeoutMs: number): Promise<Prepared | undefined> {
  const inputs = inputsOf(mutant);
  const random = seededFeeds(seed);
  const feeds: Feeds = {};
  for (const info of inputs) feeds[info.name] = random(info);
  try {
    const out = await withTimeout(runOnnxruntime(ort, mutant.bytes, mutant.name, feeds, inputs), timeoutMs, 'onnxruntime');
    const expected: Record<string, Tensor> = {};
    for (const [name, r] of Object.entries(out)) expected[name] = toTensor(r.dtype, r.shape, r.data);
    return { mutant, inputs, feeds, expected };
  } catch (e) {
    if (e instanceof DlcError) return undefined;
    throw e;
  }
}

class Hang extends Error {}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Hang(`${what} took over ${ms} ms`)), ms)));
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

/** The first output beyond tolerance (or missing), as text; undefined when all match. */
function mismatchOf(target: TargetName, p: Prepared, ours: Record<string, Tensor>): string | undefined {
  const names = Object.keys(p.expected);
  for (const name of Object.keys(ours)) if (!(name in p.expected)) return `output '${name}' that onnxruntime does not give`;
  for (const name of names) {
    const want = p.expected[name];
    const got = ours[name];
    if (!got) return `no output '${name}'`;
    // An f32 value cast to f16 and back moves a whole f16 step where the targets' f32 and onnxruntime's differ in
    // the last bit at a rounding midpoint; what follows carries that step, so such mutants meet the f16 bound.
    const tolerance = toleranceOf(target, isFloat(want.dtype) && p.mutant.mutations.some((m) => m.startsWith('f16 round trip')) ? 'f16' : want.dtype);
    if (!tolerance) return `'${name}': no ${target} tolerance for ${want.dtype}`;
    const d = compareTensors(got, want, outputRule(want, tolerance, false).tolerance);
    if (d.mismatch) return `'${name}': ${d.mismatch} (max abs error ${d.maxAbsError.toPrecision(3)}, max rel error ${d.maxRelError.toPrecision(3)})`;
  }
  return undefined;
}

/** `compile` and the runtime, one artifact: what `dlc verify` does. */
async function runAlone(target: TargetName, p: Prepared, timeoutMs: number, compiled?: () => void): Promise<Record<string, Tensor>> {
  const artifact = await withTimeout(compile(p.mutant.bytes, { target }), timeoutMs, 'compile');
  compiled?.();
  const device = target === 'webgpu' ? await nodeGpuDevice() : undefined;
  const session = await loadInMemory(artifact, p.mutant.name, device);
  try {
    const out = await withTimeout(withRuntimeErrors(() => session.run(p.feeds)), timeoutMs, 'run');
    const tensors: Record<string, Tensor> = {};
    for (const o of session.outputs) tensors[o.name] = toTensor(o.dtype, o.shape, out[o.name]);
    return tensors;
  } finally {
    await session.release();
  }
}

function tally(): TargetTally {
  return { passed: 0, refused: new Map(), mismatches: [], crashes: [] };
}

function refuse(t: TargetTally, e: DlcError): void {
  const key = refusalKey(e);
  t.refused.set(key, (t.refused.get(key) ?? 0) + 1);
}

export async function runWholePath(options: WholePathOptions): Promise<WholePathReport> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const batchSize = options.wasmBatch ?? 20;
  const ort = await importOnnxruntime();
  // onnxruntime prints each model it rejects and each unused initializer; the report counts them instead.
  ort.env.logLevel = 'fatal';
  const sources = options.sources ?? semanticSources();
  const signed = seededRandom(options.seed);
  const rand = () => (signed() + 1) / 2;
  const report: WholePathReport = { made: 0, ortRejected: 0, targets: {}, slowestMs: 0 };
  for (const t of options.targets) report.targets[t] = tally();
  const finding = (p: Prepared, target: TargetName, error: string): Finding => ({ mutant: p.mutant.name, mutations: p.mutant.mutations, target, error });
  const timed = (start: number, p: Prepared, t: TargetTally, target: TargetName): boolean => {
    const ms = performance.now() - start;
    report.slowestMs = Math.max(report.slowestMs, ms);
    if (ms <= timeoutMs) return true;
    t.crashes.push(finding(p, target, `hang: took ${ms.toFixed(0)} ms`));
    return false;
  };

  /** One mutant alone through `compile` and the runtime; a refusal, a crash, a mismatch or a pass. */
  const single = async (target: TargetName, p: Prepared): Promise<void> => {
    const t = report.targets[target]!;
    const start = performance.now();
    let compiled = false;
    try {
      const ours = await runAlone(target, p, timeoutMs, () => (compiled = true));
      if (!timed(start, p, t, target)) return;
      const mismatch = mismatchOf(target, p, ours);
      if (mismatch) t.mismatches.push(finding(p, target, mismatch));
      else t.passed++;
    } catch (e) {
      if (e instanceof DlcError && !compiled) refuse(t, e);
      else t.crashes.push(finding(p, target, `${(e as Error).name}: ${(e as Error).message}`));
    }
  };

  /** Mutants rendered into one wasm module; a module that fails to compile sends each back through `single`. */
  const wasmBatch = async (batch: Prepared[]): Promise<void> => {
    const t = report.targets.wasm!;
    const builder = new WasmBatchBuilder();
    const members: { p: Prepared; index: number; ms: number }[] = [];
    for (const p of batch) {
      const start = performance.now();
      try {
        const { graph } = optimizeSource(readModel(p.mutant.bytes), { target: 'wasm' });
        checkStaticShapes(graph, p.mutant.name);
        members.push({ p, index: builder.add(graph), ms: performance.now() - start });
      } catch (e) {
        if (e instanceof DlcError) refuse(t, e);
        else t.crashes.push(finding(p, 'wasm', `${(e as Error).name}: ${(e as Error).message}`));
      }
    }
    if (!members.length) return;
    let loaded: Awaited<ReturnType<typeof loadBatch>>;
    const start = performance.now();
    try {
      loaded = await loadBatch(await withTimeout(builder.compile(), timeoutMs * members.length, 'wasm batch compile'));
    } catch {
      for (const m of members) await single('wasm', m.p);
      return;
    }
    // The module's compile shared among its members.
    const share = (performance.now() - start) / members.length;
    for (const m of members) {
      const runStart = performance.now() - m.ms - share;
      try {
        const feeds: Record<string, Tensor> = {};
        for (const info of m.p.inputs) feeds[info.name] = toTensor(info.dtype, info.shape, m.p.feeds[info.name]);
        const run = loaded[m.index].run(feeds);
        if (!timed(runStart, m.p, t, 'wasm')) continue;
        const mismatch = mismatchOf('wasm', m.p, run);
        if (mismatch) t.mismatches.push(finding(m.p, 'wasm', mismatch));
        else t.passed++;
      } catch (e) {
        t.crashes.push(finding(m.p, 'wasm', `${(e as Error).name}: ${(e as Error).message}`));
      }
    }
  };

  let pending: Prepared[] = [];
  for (let i = 0; i < options.count; i++) {
    const source = sources[Math.floor(rand() * sources.length)];
    const mutant = makeMutant(source, i, rand);
    if (options.only && !options.only.has(i)) continue;
    report.made++;
    const p = await prepare(ort, mutant, options.seed + i, timeoutMs);
    if (!p) report.ortRejected++;
    else {
      if (report.targets.webgpu) await single('webgpu', p);
      if (report.targets.wasm) pending.push(p);
    }
    if (pending.length >= batchSize) {
      await wasmBatch(pending);
      pending = [];
    }
    options.onProgress?.(i + 1);
  }
  if (pending.length) await wasmBatch(pending);
  return report;
}

/** The report as the lines `npm run fuzz -- --compile` prints. */
export function formatWholePath(report: WholePathReport, seed: number): string[] {
  const lines: string[] = [];
  const tried = report.made - report.ortRejected;
  lines.push(`whole-path fuzz (seed ${seed}): ${report.made} mutants made, ${report.ortRejected} rejected by onnxruntime, ${tried} run; slowest ${report.slowestMs.toFixed(0)} ms`);
  for (const [target, t] of Object.entries(report.targets)) {
    const refused = [...t.refused.values()].reduce((a, b) => a + b, 0);
    lines.push(`${target}: ${t.passed} passed, ${refused} refused by dlc, ${t.mismatches.length} mismatches, ${t.crashes.length} crashes`);
    for (const [reason, n] of [...t.refused].sort((a, b) => b[1] - a[1])) lines.push(`  refused ×${n}: ${reason}`);
    for (const f of t.mismatches) lines.push(`  MISMATCH ${f.mutant} [${f.mutations.join('; ')}]: ${f.error}`);
    for (const f of t.crashes) lines.push(`  CRASH ${f.mutant} [${f.mutations.join('; ')}]: ${f.error}`);
  }
  return lines;
}
