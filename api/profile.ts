// profile: each kernel's time in one run of a model or of a compiled artifact, each kernel named as the
// artifact names it (signature.kernels[].node, inspect --json's kernelList) with the ONNX nodes it came from
// (compiler/kernel-sources.ts: traced here for a model, recorded in the signature by `compile` for an
// artifact) and, for a model, the ops it computes. The report's `kernels` is what `dlc inspect --format html
// --profile` reads.
//   wasm, a model: a profiling build of the same program that also exports each kernel as `k<i>`
//         (WasmCompileOptions.exportKernels; the normal build exports only `run` and `step`, byte for byte as
//         before). wasm, an artifact: its module's `step(i)`, which runs kernel i alone. Either way each kernel
//         is called from JS in run order and timed with performance.now().
//   webgpu: with the device's 'timestamp-query' feature, each step (dispatch) in a compute pass of its own
//         between two GPU timestamps; without it, each step submitted alone and timed on the host until
//         onSubmittedWorkDone (which adds the submission's overhead to every dispatch). Dispatches are summed
//         per kernel: the program's stepKernels, an artifact's steps[].kernel.
// `runMs` is a whole run timed the normal way (wasm: run(); webgpu: the runtime's run, readback included),
// to set the kernels' sum against. The timing is all here: the runtime carries none of it.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DlcError, UsageError, withContext } from '../compiler/errors.js';
import { checkStaticShapes } from '../compiler/shape-inputs.js';
import type { KernelInfo } from '../compiler/kernel-list.js';
import { buildWebgpuArtifact, MANIFEST_FILE } from '../codegen/artifact.js';
import { compileWasmProgram, generateWasmProgram } from '../codegen/wasm/program.js';
import { compileToWebgpu, wgslFile, type WebgpuProgram } from '../codegen/wgsl/program.js';
import { unpackBundle } from '../runtime/bundle.js';
import { DlcRuntimeError } from '../runtime/errors.js';
import type { TypedArray } from '../runtime/dtypes.js';
import { parseManifest, WASM_FILE, WEIGHTS_FILE, WGSL_FILE, type Manifest, type TensorInfo, type TensorSlot, type WebgpuManifest } from '../runtime/manifest.js';
import { checkProgramRecord, wasmRecord, wgslRecord } from '../runtime/program-record.js';
import { weightsImage } from '../runtime/weights-decode.js';
import { COPY_DST, COPY_SRC, MAP_MODE_READ, MAP_READ, WebgpuExecutor } from '../runtime/webgpu-executor.js';
import { tunedSchedules, type CompileOptions } from './compile.js';
import { seededFeeds, type Feeds } from './feeds.js';
import { MEMORY_MODEL, optimizeSource, readModel, type PassTimingSummary } from './optimize.js';
import { programKernels } from './program-kernels.js';
import { withRuntimeErrors } from './session.js';

/** How the kernels run and are timed: what a model's profile and an artifact's take alike. */
export interface TimingOptions {
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

export interface ProfileOptions extends CompileOptions, TimingOptions {}

export interface KernelTiming {
  /** The kernel, as the artifact's signature and inspect --json's kernelList name it. */
  name: string;
  /** Mean milliseconds per run. */
  ms: number;
  /** Calls (wasm) or dispatches (webgpu) per run: a webgpu kernel may be several dispatches, or none. */
  calls: number;
  /** Its part of the kernels' total, 0..1. */
  share: number;
  /** The ops it computes (none listed for an artifact, which does not record them). */
  ops: string[];
  /** The ONNX nodes it came from (their names in the model; none for an artifact compiled before they were recorded). */
  sources: string[];
}

export interface ProfileReport {
  /** The model file, or the artifact directory (or bundle) profiled. */
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
export const WASM_STEP_METHOD = "wasm: the artifact's step(i), one kernel a call, each call timed with performance.now()";
export const TIMESTAMP_METHOD = 'webgpu: timestamp queries around each dispatch (GPU time)';
export const SUBMIT_METHOD = 'webgpu: each dispatch submitted alone, timed on the host until onSubmittedWorkDone (no timestamp-query on this device)';

/** Compiles `model` for `options.target` and times its kernels on seeded random inputs. */
export async function profile(model: Uint8Array | string, options: ProfileOptions): Promise<ProfileReport> {
  const { runs, warmup, seed } = timingPlan(options, options.target);
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
  const { program } = generated;
  const feeds = seededInputs(program.target === 'wasm' ? program.program.layout.inputs : program.program.inputs, seed);
  let timed: Timed;
  if (program.target === 'wasm') {
    const compiled = await compileWasmProgram(program.program);
    const { layout } = compiled;
    const exports = await instantiateWasm(compiled.wasm, { bytes: layout.memoryBytes, weightsOffset: layout.weightsOffset }, compiled.weights, layout.inputs, feeds, 'profiled program');
    const kernels = Array.from({ length: compiled.kernels }, (_, i) => exports[`k${i}`] as () => void);
    if (kernels.some((k) => typeof k !== 'function')) throw new Error('code generator bug: the profiling build does not export every kernel');
    timed = timeWasm(exports.run as () => void, kernels, plan, WASM_METHOD);
  } else {
    const where = 'profiled program';
    const files = buildWebgpuArtifact(program.program, {});
    const manifest = parseManifest(new TextDecoder().decode(files.get(MANIFEST_FILE)), where) as WebgpuManifest;
    const executor = await withRuntimeErrors(() => WebgpuExecutor.create(options.device!, wgslFile(program.program.modules), files.get(WEIGHTS_FILE)!, manifest, where, options.wgslLanguageFeatures ?? new Set()));
    timed = await timeWebgpu(executor, program.program.stepKernels, program.program.kernels, feeds, plan, options.gpuTiming !== 'submit');
  }
  const timings = generated.timings ? { timings: generated.timings } : {};
  return { model: file, target: options.target, ...report(timed, generated.kernels, generated.sources), runs, warmup, seed, ...timings };
}

/**
 * Times the kernels of a compiled artifact: a directory (or a .dlc bundle) as `compile` writes it, loaded as
 * the runtime loads it (every file checked against its sha-256, an edited manifest refused), and run on seeded
 * random inputs. Kernel names and ONNX sources are the ones the artifact records; nothing is recompiled.
 */
export async function profileArtifact(artifact: string, options: TimingOptions = {}): Promise<ProfileReport> {
  const { files, manifest } = readArtifact(artifact);
  const { runs, warmup, seed } = timingPlan(options, manifest.target);
  const where = artifact;
  const { signature } = manifest;
  const recompile = 'recompile the model with this dlc to profile it';
  if (!signature) throw new DlcError(`${where}: the artifact records no kernel names (dlc ${manifest.dlcVersion} compiled it): ${recompile}`);
  const kernels: KernelInfo[] = signature.kernels.map((k) => ({ name: k.node, node: k.node, ops: [] }));
  const sources = signature.kernels.map((k) => (Array.isArray(k.sources) ? k.sources.map(String) : []));
  const weights = await withRuntimeErrors(async () => weightsImage(files.get(WEIGHTS_FILE)!, manifest.weightsEncoding === 'packed', manifest.target === 'wasm' ? manifest.memory.weightsBytes : (manifest.weights?.bytes ?? 0), `${where}/${WEIGHTS_FILE}`));
  const feeds = seededInputs(manifest.inputs, seed);
  const plan = { runs, warmup };
  let timed: Timed;
  if (manifest.target === 'wasm') {
    const module = await withRuntimeErrors(async () => {
      const compiled = await WebAssembly.compile(files.get(WASM_FILE) as Uint8Array<ArrayBuffer>).catch((e: Error) => {
        throw new DlcError(`${where}: cannot compile ${WASM_FILE}: ${e.message}`);
      });
      await checkProgramRecord(manifest, wasmRecord(compiled), WASM_FILE, where);
      return compiled;
    });
    const exports = await instantiateWasm(module, manifest.memory, weights, manifest.inputs, feeds, where);
    const step = exports.step as ((i: number) => void) | undefined;
    if (typeof step !== 'function' || typeof exports.run !== 'function') throw new DlcError(`${where}: ${WASM_FILE} exports no step(i) (an older dlc compiled it): ${recompile}`);
    // A threaded module's run(tid, nthreads), on this thread alone as its steps run.
    const run = exports.run as (tid: number, nthreads: number) => void;
    timed = timeWasm(() => run(0, 1), kernels.map((_, i) => () => step(i)), plan, WASM_STEP_METHOD);
  } else {
    const wgsl = new TextDecoder().decode(files.get(WGSL_FILE));
    await withRuntimeErrors(() => checkProgramRecord(manifest, wgslRecord(wgsl), WGSL_FILE, where));
    const stepKernels = manifest.steps.map((s) => s.kernel);
    if (!stepKernels.every((k) => k !== undefined)) throw new DlcError(`${where}: the manifest's steps do not name their kernels (an older dlc compiled it): ${recompile}`);
    const device = options.device!;
    const executor = await withRuntimeErrors(() => WebgpuExecutor.create(device, wgsl, weights, manifest, where, options.wgslLanguageFeatures ?? new Set()));
    timed = await timeWebgpu(executor, stepKernels as number[], manifest.kernels, feeds, plan, options.gpuTiming !== 'submit');
  }
  return { model: artifact, target: manifest.target, ...report(timed, kernels, sources), runs, warmup, seed };
}

/** Whether `file` is a compiled artifact (a directory, or a .dlc bundle) rather than a model. */
export function isArtifactPath(file: string): boolean {
  const stat = fs.statSync(file, { throwIfNoEntry: false });
  return Boolean(stat?.isDirectory() || (stat?.isFile() && /\.dlc$/i.test(file)));
}

/** The target an artifact's manifest names; undefined where it cannot be read (profiling it then says why). */
export function artifactTarget(artifact: string): unknown {
  try {
    const manifest = fs.statSync(artifact).isFile() ? unpackBundle(fs.readFileSync(artifact), artifact).get(MANIFEST_FILE) : fs.readFileSync(path.join(artifact, MANIFEST_FILE));
    return JSON.parse(new TextDecoder().decode(manifest)).target;
  } catch {
    return undefined;
  }
}

/** The runs, warm-up runs and seed, checked. */
function timingPlan(options: TimingOptions, target: 'wasm' | 'webgpu'): { runs: number; warmup: number; seed: number } {
  const runs = options.runs ?? 10;
  const warmup = options.warmup ?? 2;
  const seed = options.seed ?? 1;
  if (!Number.isSafeInteger(runs) || runs < 1) throw new UsageError(`runs must be a positive integer, not ${runs}`);
  if (!Number.isSafeInteger(warmup) || warmup < 0) throw new UsageError(`warmup must be a non-negative integer, not ${warmup}`);
  if (target === 'webgpu' && !options.device) throw new UsageError('profiling on webgpu needs a GPUDevice (options.device)');
  return { runs, warmup, seed };
}

function seededInputs(inputs: readonly TensorInfo[], seed: number): Feeds {
  const random = seededFeeds(seed);
  return Object.fromEntries(inputs.map((i) => [i.name, random(i)]));
}

/** The report's timing part: each kernel's mean, calls and share, in run order. */
function report(timed: Timed, kernels: readonly KernelInfo[], sources: readonly string[][]): Pick<ProfileReport, 'method' | 'kernels' | 'totalMs' | 'runMs'> {
  const totalMs = timed.ms.reduce((a, b) => a + b, 0);
  const timings = kernels.map((k, i): KernelTiming => ({
    name: k.name,
    ms: timed.ms[i],
    calls: timed.calls[i],
    share: totalMs > 0 ? timed.ms[i] / totalMs : 0,
    ops: k.ops,
    sources: sources[i],
  }));
  return { method: timed.method, kernels: timings, totalMs, runMs: timed.runMs };
}

/**
 * An artifact's files by name, manifest.json parsed, each other file read and checked against the sha-256 the
 * manifest lists (as loadModel checks them), from a directory or a .dlc bundle.
 */
function readArtifact(artifact: string): { files: Map<string, Uint8Array>; manifest: Manifest } {
  const read = (file: string) => {
    try {
      return new Uint8Array(fs.readFileSync(file));
    } catch (e) {
      throw new DlcError(`${artifact}: cannot read ${path.basename(file)}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
  };
  const bundled = fs.statSync(artifact, { throwIfNoEntry: false })?.isFile();
  let files: Map<string, Uint8Array>;
  let manifest: Manifest;
  try {
    files = bundled ? unpackBundle(read(artifact), artifact) : new Map([[MANIFEST_FILE, read(path.join(artifact, MANIFEST_FILE))]]);
    if (!files.has(MANIFEST_FILE)) throw new DlcError(`${artifact}: the bundle holds no ${MANIFEST_FILE}`);
    manifest = parseManifest(new TextDecoder().decode(files.get(MANIFEST_FILE)), artifact);
  } catch (e) {
    throw e instanceof DlcRuntimeError ? new DlcError(e.message) : e;
  }
  for (const [name, entry] of Object.entries(manifest.files)) {
    const bytes = files.get(name) ?? read(path.join(artifact, name));
    if (bytes.length !== entry.bytes || createHash('sha256').update(bytes).digest('hex') !== entry.sha256) {
      throw new DlcError(`${artifact}: ${name} does not match the sha-256 in manifest.json: the artifact is corrupted or was tampered with`);
    }
    files.set(name, bytes);
  }
  return { files, manifest };
}

type Program = { target: 'wasm'; program: ReturnType<typeof generateWasmProgram> } | { target: 'webgpu'; program: WebgpuProgram };

/** The program (the wasm one exporting its kernels), its kernels as the artifact names them, and their ONNX sources. */
function generate(source: ReturnType<typeof readModel>, options: ProfileOptions): { program: Program; kernels: KernelInfo[]; sources: string[][]; timings?: PassTimingSummary[] } {
  const { target } = options;
  const optimized = optimizeSource(source, options);
  checkStaticShapes(optimized.graph, source.file ?? MEMORY_MODEL);
  const schedules = tunedSchedules(optimized.graph, options);
  const program: Program = target === 'webgpu'
    ? { target, program: compileToWebgpu(optimized.graph, { precision: options.precision ?? 'f32', schedules }) }
    : { target, program: generateWasmProgram(optimized.graph, { schedules, exportKernels: true }) };
  const { kernels, sources } = programKernels(source, options, optimized.graph, target, program.program.signature.kernels.map((k) => k.node));
  return { program, kernels, sources, timings: optimized.timings };
}

interface Timed {
  method: string;
  /** Per kernel: mean ms per run, and calls per run. */
  ms: number[];
  calls: number[];
  runMs: number;
}

/**
 * A wasm module instantiated over a memory of `memory.bytes` at least, the weights image copied in at
 * `memory.weightsOffset` and the feeds at their slots (bools as 0 and 1, as the runtime writes them). A module
 * built for threads gets its shared memory, and is profiled on this thread alone.
 */
async function instantiateWasm(module: Uint8Array | WebAssembly.Module, memory: { bytes: number; weightsOffset: number; threads?: number }, weights: Uint8Array, inputs: readonly TensorSlot[], feeds: Feeds, where: string): Promise<Record<string, unknown>> {
  let exports: Record<string, unknown>;
  const pages = memory.bytes / 65536;
  const imports: WebAssembly.Imports = memory.threads ? { env: { memory: new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true }) } } : {};
  try {
    const instance = module instanceof WebAssembly.Module ? await WebAssembly.instantiate(module, imports) : (await WebAssembly.instantiate(module as Uint8Array<ArrayBuffer>, imports)).instance;
    exports = instance.exports as Record<string, unknown>;
  } catch (e) {
    throw new DlcError(`${where}: cannot instantiate ${WASM_FILE}: ${(e as Error).message}`);
  }
  const mem = exports.memory;
  if (!(mem instanceof WebAssembly.Memory)) throw new DlcError(`${where}: ${WASM_FILE} exports no memory`);
  if (mem.buffer.byteLength < memory.bytes) mem.grow(Math.ceil((memory.bytes - mem.buffer.byteLength) / 65536));
  new Uint8Array(mem.buffer, memory.weightsOffset, weights.length).set(weights);
  for (const slot of inputs) {
    const data = feeds[slot.name];
    new Uint8Array(mem.buffer, slot.offset, data.byteLength).set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  }
  return exports;
}

/** Each of `kernels` called alone in run order and timed, `plan.runs` times; then `run` (all of them) as often. */
function timeWasm(run: () => void, kernels: (() => void)[], plan: { runs: number; warmup: number }, method: string): Timed {
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
  return { method, ms: Array.from(total, (t) => t / plan.runs), calls: kernels.map(() => 1), runMs };
}

/** WebGPU's QUERY_RESOLVE buffer usage (a spec constant; the runtime has the others): no GPU* globals needed. */
const QUERY_RESOLVE = 0x200;

/** Timestamp queries a query set holds at most (WebGPU's limit). */
const MAX_QUERIES = 4096;

/** Each step of `executor` timed alone, `plan.runs` times, and summed per kernel (`stepKernels`); then whole runs. */
async function timeWebgpu(executor: WebgpuExecutor, stepKernels: readonly number[], kernels: number, feeds: Feeds, plan: { runs: number; warmup: number }, useTimestamps: boolean): Promise<Timed> {
  try {
    // Warm-up runs also leave the inputs in their buffers for the dispatches timed one by one.
    const run = () => withRuntimeErrors(() => executor.run(feeds as Record<string, TypedArray>));
    await run();
    for (let i = 1; i < plan.warmup; i++) await run();
    const stepMs = new Float64Array(executor.manifest.steps.length);
    const timestamps = useTimestamps && executor.device.features.has('timestamp-query');
    for (let r = 0; r < plan.runs; r++) {
      const times = timestamps ? await stepTimestamps(executor) : await stepSubmissions(executor);
      times.forEach((t, i) => (stepMs[i] += t));
    }
    const start = performance.now();
    for (let r = 0; r < plan.runs; r++) await run();
    const runMs = (performance.now() - start) / plan.runs;
    const ms = new Array<number>(kernels).fill(0);
    const calls = new Array<number>(kernels).fill(0);
    stepKernels.forEach((k, i) => {
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
      executor.dispatch(pass, first + j);
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
    executor.dispatch(pass, i);
    pass.end();
    const commands = encoder.finish();
    const start = performance.now();
    device.queue.submit([commands]);
    await device.queue.onSubmittedWorkDone();
    times.push(performance.now() - start);
  }
  return times;
}
