// compile: an ONNX model (a file or its bytes) → an artifact in memory (its files by name, manifest.json
// included, with the program they were made from); writeArtifact puts one on disk. The same model and
// options give byte-identical files, and the manifest records the options that decide them. generateProgram
// is compile up to the kernels (update-weights needs the weights image and the signature, not the module).
import * as path from 'node:path';
import { UsageError } from '../compiler/errors.js';
import { buildWasmArtifact, buildWebgpuArtifact, type WeightsFileOptions, MANIFEST_FILE, writeArtifactDir, type JsonValue } from '../codegen/artifact.js';
import { checkStaticShapes } from '../compiler/shape-inputs.js';
import { scheduleRecord, type ScheduleOverrides } from '../codegen/schedule.js';
import { TARGET_NAMES, type TargetName } from '../codegen/targets.js';
import { compileWasmProgram, generateWasmProgram, type WasmProgram, type WasmSource } from '../codegen/wasm/program.js';
import { sharedConvSchedules } from '../codegen/wasm/shared-conv-schedules.js';
import { compileToWebgpu, type Precision, type WebgpuProgram } from '../codegen/wgsl/program.js';
import type { QuantizationReport } from '../quantize/quantize-graph.js';
import type { CompressionReport } from '../compress/compress-graph.js';
import type { Graph } from '../compiler/ir/graph.js';
import type { WasmManifest, WebgpuManifest } from '../runtime/manifest.js';
import { replayTuning, type TuningReplay } from '../tune/replay.js';
import { compressionGuardEngine, type WasmGuardEngine } from './guard-engine.js';
import { generateShapeGeneric, type SampleCodegen } from './shape-generic.js';
import type { DimRange } from '../codegen/shape-generic/dim-ranges.js';
import { programKernels, withKernelSources } from './program-kernels.js';
import { compiledLineRecognizer } from './recognizer.js';
import { inModelFile, MEMORY_MODEL, modelSha256, optimizeSource, readModel, type ModelSource, type OptimizeOptions, type PassTimingSummary } from './optimize.js';

export { checkArtifactDestination } from '../codegen/artifact.js';

export const PRECISIONS: readonly Precision[] = ['f32', 'f16'];

export interface CompileOptions extends Omit<OptimizeOptions, 'target'> {
  target: TargetName;
  /** webgpu only: the compute precision asked for (f32 by default); the manifest records the one used. */
  precision?: Precision;
  /** Schedules that replace the defaults, per anchor kind or per node name (a tuning record); recorded in the manifest. */
  schedules?: ScheduleOverrides;
  /**
   * Tuning records to replay (dlc tune): each node whose workload has a record made on `device` gets its
   * schedule, under the node's own entry in `schedules`; the manifest records the schedules used.
   */
  tuning?: TuningReplay & {
    /** Told, in one line, of the records left out because another device made them. */
    notice?: (message: string) => void;
  };
  /** Write weights.bin packed (runtime/weights-decode.ts); by default when `compress` is given. */
  packWeights?: boolean;
  /**
   * wasm only: build for this many threads (1 by default, the one-thread module). Above 1 the module needs a
   * shared memory (a cross-origin isolated page in browsers) and the runtime runs it on a pool of workers.
   */
  threads?: number;
  /**
   * wasm with threads: kernels of fewer FLOPs that also move fewer bytes than minSplitBytes run on thread 0
   * (defaults codegen/wasm/compile.ts MIN_SPLIT_FLOPS and MIN_SPLIT_BYTES; 0 splits every kernel that can
   * split, which tests use on small models).
   */
  minSplitFlops?: number;
  minSplitBytes?: number;
  /**
   * Input shapes with symbolic dims (`{ x: [1, 3, 'H', 'W'] }`), each dim ranging over `dims`: one wasm program
   * for every shape of the ranges (api/shape-generic.ts).
   */
  symbolicShapes?: Record<string, (number | string)[]>;
  dims?: DimRange[];
}

/** The most threads a module may be built for. */
export const MAX_THREADS = 64;

interface ArtifactFiles {
  /** Every file of the artifact by name, manifest.json included, as writeArtifact writes them. */
  files: Map<string, Uint8Array>;
  /** Nodes (or fused groups) that became code. */
  kernels: number;
  /** With `instruments.timing`: each pass's time. */
  timings?: PassTimingSummary[];
  /** With `quantize`: what quantization did, layer by layer (also in the manifest's compile options). */
  quantization?: QuantizationReport;
  /** With `compress`: what compression did, layer by layer (also in the manifest's compile options). */
  compression?: CompressionReport;
  /** With `compress`: the compressed f32 graph the kernels compute (before fusion). */
  compressedGraph?: Graph;
}

export type Artifact =
  | (ArtifactFiles & { target: 'wasm'; manifest: WasmManifest; program: WasmProgram })
  | (ArtifactFiles & { target: 'webgpu'; manifest: WebgpuManifest; program: WebgpuProgram });

/** A model's program, generated for its target but with no kernel compiled, and what the manifest records of the options. */
export type GeneratedProgram = (
  | { target: 'wasm'; program: WasmSource }
  | { target: 'webgpu'; program: WebgpuProgram }
) & {
  /** What decides the artifact's bytes (the manifest's `options`), so that a manifest tells how to rebuild it. */
  recorded: Record<string, JsonValue>;
  /** What the passes tell besides the graph, as the artifact carries it. */
  reports: Pick<ArtifactFiles, 'timings' | 'quantization' | 'compression' | 'compressedGraph'>;
};

/**
 * Runs the frontend, the passes and the code generator, everything `compile` does but compiling kernels (the
 * AssemblyScript compiler takes seconds; WGSL is compiled by the device at load): the program's weights
 * image and signature are known here.
 */
export function generateProgram(model: Uint8Array | string, options: CompileOptions): GeneratedProgram {
  const { target, precision } = options;
  if (!(TARGET_NAMES as readonly string[]).includes(target)) throw new UsageError(`unknown target '${target}' (have: ${TARGET_NAMES.join(', ')})`);
  if (precision !== undefined && !PRECISIONS.includes(precision)) throw new UsageError(`unknown precision '${precision}' (have: ${PRECISIONS.join(', ')})`);
  if (precision !== undefined && target !== 'webgpu') throw new UsageError('precision applies to the webgpu target');
  const { threads } = options;
  if (threads !== undefined && (!Number.isInteger(threads) || threads < 1 || threads > MAX_THREADS)) throw new UsageError(`threads must be an integer from 1 to ${MAX_THREADS}, got ${threads}`);
  if (threads !== undefined && threads > 1 && target !== 'wasm') throw new UsageError('threads apply to the wasm target');
  const source = readModel(model);
  if (options.dims?.length || (options.symbolicShapes && Object.keys(options.symbolicShapes).length)) {
    return inModelFile(source, () => generateShapeGeneric(options, (at, codegen) => generateFrom(source, at, codegen)));
  }
  return inModelFile(source, () => generateFrom(source, options));
}

function generateFrom(source: ModelSource, options: CompileOptions, codegen?: SampleCodegen): GeneratedProgram {
  const { target, precision } = options;
  const optimized = optimizeSource(source, options);
  // A shape still symbolic after the passes: name the input whose value would fix it, or the data-dependent op.
  checkStaticShapes(optimized.graph, source.file ?? MEMORY_MODEL);
  const recorded: Record<string, JsonValue> = {
    target,
    pipeline: optimized.pipeline,
    inputShapes: options.inputShapes ?? {},
    model: { ...(source.file === undefined ? {} : { name: path.basename(source.file) }), sha256: modelSha256(source) },
  };
  const tuned = tunedSchedules(optimized.graph, options);
  const schedules = target === 'wasm' ? sharedConvSchedules(optimized.graph, optimized.compression, tuned) : tuned;
  recorded.schedules = scheduleRecord(schedules) as unknown as JsonValue;
  // The per-layer quantization report (JSON has no infinities: a layer quantization left exact has SQNR "Infinity").
  if (optimized.quantization) recorded.quantization = jsonSafe(optimized.quantization);
  if (optimized.compression) recorded.compression = jsonSafe(optimized.compression);
  const reports = {
    ...(optimized.timings ? { timings: optimized.timings } : {}),
    ...(optimized.quantization ? { quantization: optimized.quantization } : {}),
    ...(optimized.compression ? { compression: optimized.compression, compressedGraph: optimized.compressedGraph } : {}),
  };
  if (target === 'webgpu') recorded.precision = precision ?? 'f32';
  // Recorded only above one thread, so that one-thread artifacts stay what they were.
  const threads = options.threads ?? 1;
  if (threads > 1) recorded.threads = threads;
  const program = target === 'webgpu'
    ? compileToWebgpu(optimized.graph, { precision: precision ?? 'f32', schedules })
    : generateWasmProgram(optimized.graph, { schedules, ...codegen, ...(threads > 1 ? { threads, minSplitFlops: options.minSplitFlops, minSplitBytes: options.minSplitBytes } : {}) });
  // Each kernel's ONNX nodes, recorded in the signature for profilers (no part of its sha-256).
  const { sources } = programKernels(source, options, optimized.graph, target, program.signature.kernels.map((k) => k.node));
  program.signature = withKernelSources(program.signature, sources);
  return { ...(target === 'webgpu' ? { target, program: program as WebgpuProgram } : { target, program: program as WasmSource }), recorded, reports };
}

/** The schedule overrides to generate code with: the options' own, with the tuning records' per-node schedules under them. */
export function tunedSchedules(graph: Graph, options: CompileOptions): ScheduleOverrides | undefined {
  const { tuning } = options;
  if (!tuning) return options.schedules;
  const replayed = replayTuning(graph, options.target, tuning, options.schedules, { precision: options.precision });
  if (replayed.otherDevices.length > 0) {
    const devices = replayed.otherDevices.length === 1 ? 'another device' : `${replayed.otherDevices.length} other devices`;
    tuning.notice?.(`ignored ${replayed.ignored} tuning record${replayed.ignored === 1 ? '' : 's'} made on ${devices} (${replayed.otherDevices.join('; ')})`);
  }
  return replayed.schedules;
}

export async function compile(model: Uint8Array | string, options: CompileOptions): Promise<Artifact> {
  const guardEngine = options.compress?.guardEngine ?? (await compressionGuardEngine(model, options));
  let compress = guardEngine ? { ...options.compress!, guardEngine } : options.compress;
  // det-cer under a compiled guard: the recognizer runs compiled too (the interpreter takes 20× as long a line).
  const recognizer = compress?.guard?.recognizer;
  if (guardEngine && compress?.guard && recognizer !== undefined && typeof recognizer !== 'function') {
    compress = { ...compress, guard: { ...compress.guard, recognizer: await compiledLineRecognizer(recognizer) } };
  }
  const generated = generateProgram(model, compress ? { ...options, compress } : options);
  const wasmGuard = guardEngine && 'compiledAs' in guardEngine ? (guardEngine as WasmGuardEngine) : undefined;
  const { recorded, reports } = generated;
  if (generated.target === 'webgpu') {
    const { program } = generated;
    const files = buildWebgpuArtifact(program, recorded, weightsFileOptions(options));
    return { target: 'webgpu', files, manifest: manifestOf(files) as WebgpuManifest, program, kernels: program.kernels, ...reports };
  }
  const program = wasmGuard?.compiledAs(generated.program) ?? (await compileWasmProgram(generated.program));
  const files = buildWasmArtifact(program, recorded, weightsFileOptions(options));
  return { target: 'wasm', files, manifest: manifestOf(files) as WasmManifest, program, kernels: program.kernels, ...reports };
}

/** Compressed models ship their weights packed (entropy-coded codebooks, sparse rows); others as the image. */
function weightsFileOptions(options: CompileOptions): WeightsFileOptions {
  return { packed: options.packWeights ?? options.compress !== undefined };
}

/**
 * Writes an artifact as the directory `dir`, through a fresh sibling directory and a rename, so that no
 * reader sees a half-written one. An existing artifact at `dir` is replaced; any other existing file or
 * non-empty directory is refused.
 */
export function writeArtifact(artifact: Pick<Artifact, 'files'>, dir: string): void {
  writeArtifactDir(dir, artifact.files);
}

/** A report as JSON holds it: non-finite numbers (an exact layer's SQNR is Infinity) become strings. */
function jsonSafe(report: object): JsonValue {
  return JSON.parse(JSON.stringify(report, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v)));
}

function manifestOf(files: ReadonlyMap<string, Uint8Array>): unknown {
  return JSON.parse(new TextDecoder().decode(files.get(MANIFEST_FILE)));
}
