// `dlc bench MODEL|DIR --target wasm|webgpu`: times a compiled model beside its peer on the same seeded random
// inputs: for wasm, onnxruntime-web's WASM backend in Node on one thread (or N with --peer-threads: its
// Emscripten pthreads run on Node's worker_threads, no cross-origin isolation needed); for webgpu, onnxruntime-web's WebGPU
// backend, with both sides in headless Chromium on the same adapter (cli/bench-browser.ts). Each side reports its first run (dlc: artifact
// load → first result; onnxruntime-web: session create → first result) and the median and p90 latency of
// N runs after a warm-up, and the speedup is the peer's median over dlc's.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { dimValues, shapeAtDims } from '../runtime/symbolic-dims.js';
import { DlcError, UsageError } from '../compiler/errors.js';
import type { DType } from '../compiler/ir/dtype.js';
import type { TensorInfo } from '../runtime/index.js';
import { loadArtifact } from './load-artifact.js';
import { parseManifest, type Manifest } from '../runtime/manifest.js';
import { BROWSER_PEER_NAME, benchInBrowser, browserBenchFiles, packageDir } from './bench-browser.js';
import { packageVersion, readPackage } from './version.js';
import { CHROMIUM } from './browser.js';
import { compile, MAX_THREADS, writeArtifact } from '../api/compile.js';
import type { Feeds } from '../api/feeds.js';
import { importPeer, ORT_TYPES } from '../api/onnxruntime.js';
import { withRuntimeErrors } from '../api/session.js';
import { loadFeeds } from './feeds.js';
import type { CliIo } from './main.js';
import { compileOptions, parseDimValues, parseThreads, printTimings, type CompileFlags } from './options.js';
import { parseSeed } from './run.js';

type OnnxruntimeWeb = typeof import('onnxruntime-web');

export interface BenchOptions extends CompileFlags {
  runs?: string;
  warmup?: string;
  seed?: string;
  peerModel?: string;
  peerThreads?: string;
  json?: boolean;
  /** A shape-generic artifact's dims to run at (`H=640,W=640`). */
  dims?: string;
}

/** Milliseconds. */
export interface Timing {
  firstRunMs: number;
  medianMs: number;
  p90Ms: number;
}

export interface BenchReport extends Timing {
  target: string;
  /** wasm: the threads dlc ran on (a module compiled with --threads runs on several). */
  threads?: number;
  /** What was timed: runs after warm-up runs, on seeded random inputs of these shapes. */
  runs: number;
  warmup: number;
  seed: number;
  inputs: TensorInfo[];
  /** dlc's version, and the peer's when it was measured. */
  versions: { dlc: string; node: string; onnxruntimeWeb?: string };
  /** Where both sides ran, when not in this Node process (webgpu: the browser and its adapter). */
  where?: string;
  /** Absent when an artifact directory is benched without --peer-model. */
  peer: ({ name: string } & Timing) | null;
  /** Peer median / dlc median: above 1 when dlc is faster. */
  speedup: number | null;
}

export interface BenchPlan {
  runs: number;
  warmup: number;
  /** Called before each timed or warm-up run; see progressReporter. */
  progress?: (side: string, done: number, total: number) => void;
}

/** The wasm peer's name in reports, with the threads it ran on. */
export function wasmPeerName(threads: number): string {
  return `onnxruntime-web wasm (${threadCount(threads)})`;
}

const threadCount = (n: number) => `${n} thread${n === 1 ? '' : 's'}`;

export const PEER_NAME = wasmPeerName(1);
export const DEFAULT_RUNS = 20;
export const DEFAULT_WARMUP = 3;

export async function benchCommand(modelOrDir: string, opts: BenchOptions, io: CliIo): Promise<number> {
  const plan: BenchPlan = {
    runs: parseCount('--runs', opts.runs, DEFAULT_RUNS, 1),
    warmup: parseCount('--warmup', opts.warmup, DEFAULT_WARMUP, 0),
    progress: progressReporter(io),
  };
  const seed = parseSeed(opts.seed);
  const peerThreads = parseCount('--peer-threads', opts.peerThreads, 1, 1, MAX_THREADS);
  const isArtifact = fs.statSync(modelOrDir, { throwIfNoEntry: false })?.isDirectory() ?? false;
  if (isArtifact) checkNoCompileFlags(modelOrDir, opts);
  const options = isArtifact ? undefined : await compileOptions(opts, io);
  // With an artifact, --threads is how many of its threads to run on.
  const threads = opts.threads === undefined ? undefined : parseThreads(opts.threads);
  if (!isArtifact && opts.peerModel !== undefined) throw new UsageError('--peer-model goes with an artifact directory: a model is its own peer');
  // The webgpu peer, onnxruntime-web's WebGPU backend, runs only in a browser: on webgpu both sides are timed
  // in headless Chromium, on the same adapter.
  const target = isArtifact ? readManifest(modelOrDir).target : opts.target;
  if (target === 'webgpu' && opts.peerThreads !== undefined) throw new UsageError('--peer-threads applies to --target wasm (the webgpu peer runs on the GPU)');
  const peerModel = isArtifact ? opts.peerModel : modelOrDir;
  const ort = peerModel === undefined || target === 'webgpu' ? undefined : await importOnnxruntimeWeb();

  const tmp = isArtifact ? undefined : fs.mkdtempSync(path.join(os.tmpdir(), 'dlc-bench-'));
  let report: BenchReport;
  try {
    const dir = tmp ? path.join(tmp, 'artifact') : modelOrDir;
    if (options) {
      const artifact = await compile(modelOrDir, options);
      writeArtifact(artifact, dir);
      printTimings(io, artifact.timings);
      await settle();
    }
    const manifest = readManifest(dir);
    const dims = runDims(manifest, dir, opts.dims);
    const inputs = manifest.inputs.map(({ name, dtype, shape, ...slot }) => ({ name, dtype, shape: dims && 'symbolicShape' in slot && slot.symbolicShape ? shapeAtDims(slot.symbolicShape, dims.values) : shape }));
    if (isArtifact && peerModel !== undefined) checkPeerModel(manifest, dir, peerModel);
    const feeds = loadFeeds(inputs, {}, { seed });
    let ours: Timing;
    let theirs: Timing | undefined;
    let adapter: string | undefined;
    if (target === 'webgpu') {
      ({ ours, theirs, adapter } = await benchInBrowser(dir, peerModel, feeds, inputs, plan, browserBenchFiles()));
    } else {
      ours = await benchArtifact(dir, feeds, plan, threads, dims?.given);
      theirs = ort && peerModel !== undefined ? await benchOnnxruntimeWeb(ort, peerModel, feeds, inputs, plan, peerThreads) : undefined;
    }
    report = {
      target,
      ...(target === 'wasm' ? { threads: threads ?? (manifest.target === 'wasm' ? manifest.memory.threads ?? 1 : 1) } : {}),
      runs: plan.runs,
      warmup: plan.warmup,
      seed,
      inputs,
      versions: { dlc: packageVersion(), node: process.version, ...(theirs ? { onnxruntimeWeb: readPackage(packageDir('onnxruntime-web', 'dlc bench')).version } : {}) },
      ...(adapter === undefined ? {} : { where: `Chromium (${CHROMIUM}), adapter: ${adapter}` }),
      ...ours,
      peer: theirs ? { name: target === 'webgpu' ? BROWSER_PEER_NAME : wasmPeerName(peerThreads), ...theirs } : null,
      speedup: theirs ? theirs.medianMs / ours.medianMs : null,
    };
  } finally {
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  }

  if (opts.json) {
    io.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    return 0;
  }
  const line = (name: string, t: Timing) =>
    `  ${name.padEnd(Math.max(wasmPeerName(peerThreads).length, BROWSER_PEER_NAME.length))}  first run ${formatMs(t.firstRunMs)}, median ${formatMs(t.medianMs)}, p90 ${formatMs(t.p90Ms)}`;
  const lines = [`bench ${modelOrDir} on ${target}: ${plan.runs} run${plan.runs === 1 ? '' : 's'} after ${plan.warmup} warm-up, seed ${seed}`];
  if (report.where) lines.push(`  in ${report.where}`);
  lines.push(line(`dlc ${target}${report.threads && report.threads > 1 ? ` (${report.threads} threads)` : ''}`, report));
  if (report.peer && report.speedup !== null) {
    lines.push(line(report.peer.name, report.peer));
    lines.push(`  speedup (onnxruntime-web median / dlc median): ${report.speedup.toFixed(2)}×`);
  } else {
    lines.push('  onnxruntime-web: not measured (give --peer-model FILE.onnx, the model the artifact was compiled from)');
  }
  io.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}

/** `--dims H=640,W=640` for a shape-generic artifact (checked against its ranges); none for others. */
function runDims(manifest: ReturnType<typeof readManifest>, dir: string, text: string | undefined): { given: Record<string, number>; values: number[] } | undefined {
  const ranges = manifest.target === 'wasm' ? manifest.dims : undefined;
  if (!ranges) {
    if (text !== undefined) throw new UsageError(`--dims applies to an artifact compiled for a range of shapes (--dim); ${dir} has fixed shapes`);
    return undefined;
  }
  if (text === undefined) throw new UsageError(`${dir} is compiled for a range of shapes: give --dims ${ranges.map((r) => `${r.name}=${r.max}`).join(',')}`);
  const given = parseDimValues(text);
  try {
    return { given, values: dimValues(ranges, given) };
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

/** The flags that only compiling uses make no sense with an artifact directory. */
function checkNoCompileFlags(dir: string, opts: BenchOptions): void {
  if (opts.inputShape.length > 0 || opts.optLevel !== undefined || opts.passes !== undefined) {
    throw new UsageError(`${dir} is a compiled artifact: --input-shape, -O and --passes apply only when benching an ONNX model`);
  }
  const given = (
    [
      ['--precision', opts.precision !== undefined],
      ['--schedules', opts.schedules !== undefined],
      ['--tuning-records', opts.tuningRecords !== undefined],
      ['--print-ir-after-all', opts.printIrAfterAll],
      ['--dump-ir', opts.dumpIr !== undefined],
      ['--print-constants', opts.printConstants],
      ['--timing', opts.timing],
      ['--verify-each', opts.verifyEach],
    ] as const
  ).find(([, set]) => set);
  if (given) throw new UsageError(`${dir} is a compiled artifact: ${given[0]} applies only when benching an ONNX model`);
}

/**
 * Compiling leaves V8 busy for a moment (the AssemblyScript compiler's own WebAssembly tiering up, its heap
 * being collected): on these machines a load right after compiling tiny-cnn took 880 ms instead of 6 ms,
 * and 300 ms of idle time was enough to get the 6 ms back.
 */
const SETTLE_MS = 1000;

function settle(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
}

/** First run (loadModel → first result) and the median and p90 of `plan.runs` runs of a compiled artifact. */
export async function benchArtifact(dir: string, feeds: Feeds, plan: BenchPlan, threads?: number, dims?: Record<string, number>): Promise<Timing> {
  const start = performance.now();
  const session = await loadArtifact(dir, threads);
  const options = dims ? { dims } : {};
  try {
    await withRuntimeErrors(() => session.run(feeds, options));
    const firstRunMs = performance.now() - start;
    const samples = await timeRuns(() => session.run(feeds, options), plan, 'dlc');
    return { firstRunMs, ...percentiles(samples) };
  } finally {
    await session.release();
  }
}

/** The threads each loaded onnxruntime-web's WASM backend was started on: it reads numThreads once per process. */
const startedThreads = new WeakMap<OnnxruntimeWeb, number>();

/**
 * The same for onnxruntime-web's WASM backend on `threads` threads (one by default): first run is session
 * create (reading the model file included) → first result, and includes the backend's one-time
 * initialization (and, above one thread, starting its workers) when this is the process's first session.
 * The backend reads numThreads once, at that initialization.
 */
export async function benchOnnxruntimeWeb(
  ort: OnnxruntimeWeb, model: string, feeds: Feeds, inputs: readonly TensorInfo[], plan: BenchPlan, threads = 1,
): Promise<Timing> {
  const started = startedThreads.get(ort);
  if (started !== undefined && started !== threads) {
    throw new DlcError(`onnxruntime-web started on ${threadCount(started)} in this process and reads numThreads only then: bench ${threads} in a fresh process`);
  }
  startedThreads.set(ort, threads);
  ort.env.wasm.numThreads = threads;
  ort.env.wasm.simd = true;
  const ortFeeds = onnxruntimeWebFeeds(ort, feeds, inputs);
  let session: Awaited<ReturnType<OnnxruntimeWeb['InferenceSession']['create']>> | undefined;
  try {
    const start = performance.now();
    session = await ort.InferenceSession.create(readModelFile(model), { executionProviders: ['wasm'] });
    const s = session;
    await s.run(ortFeeds);
    const firstRunMs = performance.now() - start;
    const samples = await timeRuns(() => s.run(ortFeeds), plan, 'onnxruntime-web');
    return { firstRunMs, ...percentiles(samples) };
  } catch (e) {
    if (e instanceof DlcError) throw e;
    throw new DlcError(`onnxruntime-web: ${(e as Error).message}`, { file: model });
  } finally {
    await session?.release();
  }
}

/** dlc's feeds as onnxruntime-web tensors (same data, the peer's dtype names). */
export function onnxruntimeWebFeeds(ort: OnnxruntimeWeb, feeds: Feeds, inputs: readonly TensorInfo[]): Record<string, InstanceType<OnnxruntimeWeb['Tensor']>> {
  const ortFeeds: Record<string, InstanceType<OnnxruntimeWeb['Tensor']>> = {};
  for (const i of inputs) ortFeeds[i.name] = new ort.Tensor(ORT_TYPES[i.dtype as DType] as 'float32', feeds[i.name] as Float32Array, i.shape);
  return ortFeeds;
}

/** onnxruntime-web, a dev dependency: loaded only by `dlc bench`, with a clear error where it is missing. */
export function importOnnxruntimeWeb(specifier = 'onnxruntime-web'): Promise<OnnxruntimeWeb> {
  return importPeer<OnnxruntimeWeb>(specifier, 'dlc bench compares with onnxruntime-web');
}

/** Median and p90 (nearest rank: the smallest sample with at least 90% of the samples at or below it). */
export function percentiles(samples: readonly number[]): { medianMs: number; p90Ms: number } {
  if (samples.length === 0) throw new Error('percentiles of no samples');
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const medianMs = sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return { medianMs, p90Ms: sorted[Math.ceil(0.9 * sorted.length) - 1] };
}

async function timeRuns(run: () => Promise<unknown>, plan: BenchPlan, side: string): Promise<number[]> {
  const total = plan.warmup + plan.runs;
  for (let i = 0; i < plan.warmup; i++) {
    plan.progress?.(side, i, total);
    await run();
  }
  const samples: number[] = [];
  for (let i = 0; i < plan.runs; i++) {
    plan.progress?.(side, plan.warmup + i, total);
    const start = performance.now();
    await run();
    samples.push(performance.now() - start);
  }
  plan.progress?.(side, total, total);
  return samples;
}

/** A one-line progress counter on stderr, redrawn in place, when stderr is a terminal; nothing otherwise. */
export function progressReporter(io: CliIo): BenchPlan['progress'] {
  const stderr = io.stderr as CliIo['stderr'] & { isTTY?: boolean };
  if (!stderr.isTTY) return undefined;
  return (side, done, total) => stderr.write(done === total ? '\r\x1b[K' : `\r\x1b[K${side}: run ${done + 1}/${total}`);
}

function readManifest(dir: string): Manifest {
  let text: string;
  try {
    text = fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8');
  } catch (e) {
    throw new DlcError(`not a dlc artifact directory: cannot read manifest.json: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { file: dir });
  }
  try {
    return parseManifest(text, dir);
  } catch (e) {
    throw new DlcError((e as Error).message);
  }
}

/** The peer must run the model the artifact was compiled from (the manifest records its sha-256). */
function checkPeerModel(manifest: Manifest, dir: string, model: string): void {
  const recorded = (manifest.options.model as { sha256?: unknown } | undefined)?.sha256;
  const actual = createHash('sha256').update(readModelFile(model)).digest('hex');
  if (typeof recorded === 'string' && recorded !== actual) {
    throw new DlcError(`--peer-model is not the model ${dir} was compiled from (its sha-256 differs from the manifest's)`, { file: model }, 2);
  }
}

function readModelFile(model: string): Uint8Array {
  try {
    return fs.readFileSync(model);
  } catch (e) {
    throw new DlcError(`cannot read model: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { file: model });
  }
}

function parseCount(flag: string, text: string | undefined, fallback: number, min: number, max = 1e6): number {
  if (text === undefined) return fallback;
  if (!/^\d+$/.test(text) || Number(text) < min || Number(text) > max) throw new UsageError(`${flag} takes an integer from ${min} to ${max}, got '${text}'`);
  return Number(text);
}

export function formatMs(ms: number): string {
  return `${ms < 10 ? ms.toFixed(3) : ms < 100 ? ms.toFixed(2) : ms.toFixed(1)} ms`;
}
