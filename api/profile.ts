// profile: each kernel's time in one run of a model, each kernel named as the compiled artifact names it
// (signature.kernels[].node, inspect --json's kernelList) with the ops it computes and the ONNX nodes it came
// from (compiler/kernel-sources.ts). The report's `kernels` is what `dlc inspect --format html --profile`
// reads.
//   wasm: a profiling build of the same program that also exports each kernel as `k<i>` (WasmCompileOptions
//         .exportKernels; the normal build exports only `run`, byte for byte as before). Each kernel is called
//         from JS in run order and timed with performance.now().
//   webgpu: with the device's 'timestamp-query' feature, each step (dispatch) in a compute pass of its own
//         between two GPU timestamps; without it, each step submitted alone and timed on the host until
//         onSubmittedWorkDone (which adds the submission's overhead to every dispatch).
// `runMs` is a whole run timed the normal way (wasm: run(); webgpu: the runtime's run, readback included),
// to set the kernels' sum against.
import { importOnnx } from '../compiler/onnx/frontend.js';
import { DlcError, UsageError, withContext } from '../compiler/errors.js';
import { checkStaticShapes } from '../compiler/shape-inputs.js';
import { listKernels, type KernelInfo } from '../compiler/kernel-list.js';
import { kernelSources } from '../compiler/kernel-sources.js';
import { buildWebgpuArtifact, MANIFEST_FILE } from '../codegen/artifact.js';
import { loweringGraph } from '../codegen/lower.js';
import { TARGET_INFO } from '../codegen/targets.js';
import { compileWasmProgram, generateWasmProgram, type WasmProgram } from '../codegen/wasm/program.js';
import { compileToWebgpu, wgslFile, type WebgpuProgram } from '../codegen/wgsl/program.js';
import type { TypedArray } from '../runtime/dtypes.js';
import { parseManifest, WEIGHTS_FILE, type WebgpuManifest } from '../runtime/manifest.js';
import { WebgpuExecutor } from '../runtime/webgpu-executor.js';
import type { CompileOptions } from './compile.js';
import { seededFeeds, type Feeds } from './feeds.js';
import { MEMORY_MODEL, optimizeSource, readModel, type PassTimingSummary } from './optimize.js';
import { withRuntimeErrors } from './session.js';

export interface ProfileOptions extends CompileOptions {
  /** Timed runs (each kernel's time is its mean over them); 10 by default. */
  runs?: number;
  /** Untimed runs first; 2 by default. */
  warmup?: number;
  /** Seed of the random inputs (api/feeds.ts); 1 by default. */
  seed?: number;
  /** webgpu: the device to run on (required for webgpu), and its GPU object's WGSL language features. */
  device?: GPUDevice;
  wgslLanguageFeatures?: ReadonlySet<string>;
  /** webgpu: 'submit' times each dispatch on the host even where the device has timestamp queries. */
  gpuTiming?: 'auto' | 'submit';
}

export interface KernelTiming {
  /** The kernel, as the artifact's signature and inspect --json's kernelList name it. */
  name: string;
  /** Mean milliseconds per run. */
  ms: number;
  /** Calls (wasm) or dispatches (webgpu) per run: a webgpu kernel may be several dispatches, or none. */
  calls: number;
  /** Its part of the kernels' total, 0..1. */
  share: number;
  /** The ops it computes. */
  ops: string[];
  /** The ONNX nodes it came from (their names in the model). */
  sources: string[];
}

export interface ProfileReport {
  model: string;
  target: 'wasm' | 'webgpu';
  /** How each kernel was timed. */
  method: string;
  runs: number;
  warmup: number;
  seed: number;
  /** In run order. */
  kernels: KernelTiming[];
  /** The kernels' times summed. */
  totalMs: number;
  /** A whole run timed as the runtime runs it (mean over the runs). */
  runMs: number;
  /** With `instruments.timing`: each pass's time. */
  timings?: PassTimingSummary[];
}

export const WASM_METHOD = 'wasm: a build exporting each kernel, each call timed with performance.now()';
export const TIMESTAMP_METHOD = 'webgpu: timestamp queries around each dispatch (GPU time)';
export const SUBMIT_METHOD = 'webgpu: each dispatch submitted alone, timed on the host until onSubmittedWorkDone (no timestamp-query on this device)';

/** Compiles `model` for `options.target` and times its kernels on seeded random inputs. */
export async function profile(model: Uint8Array | string, options: ProfileOptions): Promise<ProfileReport> {
  const runs = options.runs ?? 10;
  const warmup = options.warmup ?? 2;
  const seed = options.seed ?? 1;
  if (!Number.isSafeInteger(runs) || runs < 1) throw new UsageError(`runs must be a positive integer, not ${runs}`);
  if (!Number.isSafeInteger(warmup) || warmup < 0) throw new UsageError(`warmup must be a non-negative integer, not ${warmup}`);
  if (options.target === 'webgpu' && !options.device) throw new UsageError('profiling on webgpu needs a GPUDevice (options.device)');
  if (options.precision !== undefined && options.target !== 'webgpu') throw new UsageError('precision applies to the webgpu target');
  const source = readModel(model);
  const file = source.file ?? MEMORY_MODEL;
  const generated = (() => {
    try {
      return generate(source, options);
    } catch (e) {
      if (e instanceof DlcError && e.exitCode === 1) withContext(e, { file });
      throw e;
    }
  })();
  const plan = { runs, warmup };
  const inputs = generated.program.target === 'wasm' ? generated.program.program.layout.inputs : generated.program.program.inputs;
  const random = seededFeeds(seed);
  const feeds: Feeds = Object.fromEntries(inputs.map((i) => [i.name, random(i)]));
  const timed = generated.program.target === 'wasm'
    ? await timeWasm(await compileWasmProgram(generated.program.program), feeds, plan)
    : await timeWebgpu(generated.program.program, feeds, plan, options.device!, options.wgslLanguageFeatures ?? new Set(), options.gpuTiming !== 'submit');
  const totalMs = timed.ms.reduce((a, b) => a + b, 0);
  const kernels = generated.kernels.map((k, i): KernelTiming => ({
    name: k.name,
    ms: timed.ms[i],
    calls: timed.calls[i],
    share: totalMs > 0 ? timed.ms[i] / totalMs : 0,
    ops: k.ops,
    sources: generated.sources[i],
  }));
  const timings = generated.timings ? { timings: generated.timings } : {};
  return { model: file, target: options.target, method: timed.method, runs, warmup, seed, kernels, totalMs, runMs: timed.runMs, ...timings };
}

type Program = { target: 'wasm'; program: ReturnType<typeof generateWasmProgram> } | { target: 'webgpu'; program: WebgpuProgram };

/** The program (the wasm one exporting its kernels), its kernels as the artifact names them, and their ONNX sources. */
function generate(source: ReturnType<typeof readModel>, options: ProfileOptions): { program: Program; kernels: KernelInfo[]; sources: string[][]; timings?: PassTimingSummary[] } {
  const { target } = options;
  const optimized = optimizeSource(source, options);
  checkStaticShapes(optimized.graph, source.file ?? MEMORY_MODEL);
  const info = TARGET_INFO[target];
  const lowered = loweringGraph(optimized.graph, info);
  const listed = listKernels(lowered, info.limits);
  const program: Program = target === 'webgpu'
    ? { target, program: compileToWebgpu(optimized.graph, { precision: options.precision ?? 'f32', schedules: options.schedules }) }
    : { target, program: generateWasmProgram(optimized.graph, { schedules: options.schedules, exportKernels: true }) };
  // The artifact's names are the truth; the kernel list (same rules) adds each one's ops.
  const names = program.program.signature.kernels.map((k) => k.node);
  const byName = new Map(listed.map((k) => [k.name, k]));
  const kernels = names.map((name, i) => (listed[i]?.name === name ? listed[i] : byName.get(name)) ?? { name, node: name, ops: [] });
  const { graph: imported } = importOnnx(source.bytes, { file: source.file, inputShapes: options.inputShapes ?? {}, inputValues: options.inputValues ?? {} });
  return { program, kernels, sources: kernelSources(imported, lowered, kernels), timings: optimized.timings };
}

interface Timed {
  method: string;
  /** Per kernel: mean ms per run, and calls per run. */
  ms: number[];
  calls: number[];
  runMs: number;
}

async function timeWasm(program: WasmProgram, feeds: Feeds, plan: { runs: number; warmup: number }): Promise<Timed> {
  const { instance } = await WebAssembly.instantiate(program.wasm as Uint8Array<ArrayBuffer>, {});
  const exports = instance.exports as Record<string, unknown>;
  const memory = exports.memory as WebAssembly.Memory;
  const { layout } = program;
  if (memory.buffer.byteLength < layout.memoryBytes) memory.grow(Math.ceil((layout.memoryBytes - memory.buffer.byteLength) / 65536));
  new Uint8Array(memory.buffer, layout.weightsOffset, layout.weightsBytes).set(program.weights);
  for (const slot of layout.inputs) {
    const data = feeds[slot.name];
    new Uint8Array(memory.buffer, slot.offset, data.byteLength).set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  }
  const run = exports.run as () => void;
  const kernels = Array.from({ length: program.kernels }, (_, i) => exports[`k${i}`] as () => void);
  if (kernels.some((k) => typeof k !== 'function')) throw new Error('code generator bug: the profiling build does not export every kernel');
  // Warm-up calls the kernels themselves (the engine compiles the JS-to-wasm entry of each export on its first
  // call), once at least, and run() as many times.
  for (let i = 0; i < Math.max(1, plan.warmup); i++) for (const k of kernels) k();
  for (let i = 0; i < plan.warmup; i++) run();
  const total = new Float64Array(kernels.length);
  for (let r = 0; r < plan.runs; r++) {
    for (let i = 0; i < kernels.length; i++) {
      const start = performance.now();
      kernels[i]();
      total[i] += performance.now() - start;
    }
  }
  const start = performance.now();
  for (let r = 0; r < plan.runs; r++) run();
  const runMs = (performance.now() - start) / plan.runs;
  return { method: WASM_METHOD, ms: Array.from(total, (t) => t / plan.runs), calls: kernels.map(() => 1), runMs };
}

// WebGPU's flag values (spec constants): no GPU* globals needed.
const QUERY_RESOLVE = 0x200;
const COPY_SRC = 0x04;
const COPY_DST = 0x08;
const MAP_READ = 0x01;
const MAP_MODE_READ = 0x01;

/** Timestamp queries a query set holds at most (WebGPU's limit). */
const MAX_QUERIES = 4096;

async function timeWebgpu(program: WebgpuProgram, feeds: Feeds, plan: { runs: number; warmup: number }, device: GPUDevice, features: ReadonlySet<string>, useTimestamps: boolean): Promise<Timed> {
  const files = buildWebgpuArtifact(program, {});
  const where = 'profiled program';
  const manifest = parseManifest(new TextDecoder().decode(files.get(MANIFEST_FILE)), where) as WebgpuManifest;
  const executor = await withRuntimeErrors(() => WebgpuExecutor.create(device, wgslFile(program.modules), files.get(WEIGHTS_FILE)!, manifest, where, features));
  try {
    // Warm-up runs also leave the inputs in their buffers for the dispatches timed one by one.
    const run = () => withRuntimeErrors(() => executor.run(feeds as Record<string, TypedArray>));
    await run();
    for (let i = 1; i < plan.warmup; i++) await run();
    const stepMs = new Float64Array(manifest.steps.length);
    const timestamps = useTimestamps && device.features.has('timestamp-query');
    for (let r = 0; r < plan.runs; r++) {
      const times = timestamps ? await stepTimestamps(executor) : await stepSubmissions(executor);
      times.forEach((t, i) => (stepMs[i] += t));
    }
    const start = performance.now();
    for (let r = 0; r < plan.runs; r++) await run();
    const runMs = (performance.now() - start) / plan.runs;
    const ms = program.signature.kernels.map(() => 0);
    const calls = program.signature.kernels.map(() => 0);
    program.stepKernels.forEach((k, i) => {
      ms[k] += stepMs[i] / plan.runs;
      calls[k]++;
    });
    return { method: timestamps ? TIMESTAMP_METHOD : SUBMIT_METHOD, ms, calls, runMs };
  } finally {
    await executor.release();
  }
}

/** Each step in a pass of its own, between the pass's begin and end timestamps: GPU milliseconds per step. */
async function stepTimestamps(executor: WebgpuExecutor): Promise<number[]> {
  const { device, manifest } = executor;
  const times: number[] = [];
  for (let first = 0; first < manifest.steps.length; first += MAX_QUERIES / 2) {
    const count = Math.min(MAX_QUERIES / 2, manifest.steps.length - first);
    const querySet = device.createQuerySet({ type: 'timestamp', count: 2 * count });
    const resolved = device.createBuffer({ size: 16 * count, usage: QUERY_RESOLVE | COPY_SRC });
    const readback = device.createBuffer({ size: 16 * count, usage: MAP_READ | COPY_DST });
    const encoder = device.createCommandEncoder();
    for (let j = 0; j < count; j++) {
      const pass = encoder.beginComputePass({ timestampWrites: { querySet, beginningOfPassWriteIndex: 2 * j, endOfPassWriteIndex: 2 * j + 1 } });
      dispatchStep(executor, pass, first + j);
      pass.end();
    }
    encoder.resolveQuerySet(querySet, 0, 2 * count, resolved, 0);
    encoder.copyBufferToBuffer(resolved, 0, readback, 0, 16 * count);
    device.queue.submit([encoder.finish()]);
    await readback.mapAsync(MAP_MODE_READ);
    const ns = new BigUint64Array(readback.getMappedRange().slice(0));
    readback.unmap();
    // A device may report an end before its begin (timestamps are not guaranteed monotonic): count it as 0.
    for (let j = 0; j < count; j++) times.push(Math.max(0, Number(ns[2 * j + 1] - ns[2 * j])) / 1e6);
    for (const b of [resolved, readback]) b.destroy();
    querySet.destroy();
  }
  return times;
}

/** Each step submitted alone and awaited: host milliseconds per step, submission included. */
async function stepSubmissions(executor: WebgpuExecutor): Promise<number[]> {
  const { device, manifest } = executor;
  const times: number[] = [];
  for (let i = 0; i < manifest.steps.length; i++) {
    const encoder = device.createCommandEncoder();
    const pass = encoder.beginComputePass();
    dispatchStep(executor, pass, i);
    pass.end();
    const commands = encoder.finish();
    const start = performance.now();
    device.queue.submit([commands]);
    await device.queue.onSubmittedWorkDone();
    times.push(performance.now() - start);
  }
  return times;
}

function dispatchStep(executor: WebgpuExecutor, pass: GPUComputePassEncoder, i: number): void {
  pass.setPipeline(executor.pipelines[executor.stepModules[i]]);
  pass.setBindGroup(0, executor.bindGroups[i]);
  pass.dispatchWorkgroups(...executor.manifest.steps[i].workgroups);
}
