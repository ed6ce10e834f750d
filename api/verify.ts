// verify: compiles a model, runs the artifact in this process on seeded random (or given) inputs and compares
// every output with onnxruntime-node running the original model — or, for a compressed artifact, the
// compressed model dlc exports (compression changes the weights on purpose; its cost is the guard's to hold). An output passes when
// |ours - theirs| ≤ atol + rtol·|theirs| everywhere (integers and bools must be exact; NaN matches NaN, ∞ the
// same ∞), with the default atol taken relative to outputs below 1 (compiler/compare.ts's outputRule); each
// output reports the rule it was judged by and a warning where that rule says little. Given values are checked
// against the model's inputs before anything is compiled.
import { compareTensors, outputRule, type Tolerance } from '../compiler/compare.js';
import { DlcError, UsageError } from '../compiler/errors.js';
import type { DType } from '../compiler/ir/dtype.js';
import type { TargetName } from '../codegen/targets.js';
import { arrayConstructor } from '../runtime/dtypes.js';
import type { SpecializedInput, TensorInfo } from '../runtime/index.js';
import type { QuantizationReport } from '../quantize/quantize-graph.js';
import { exportOnnxModel } from '../compiler/onnx/export.js';
import { compile, type CompileOptions } from './compile.js';
import { seededFeeds, toTensor, type Feeds } from './feeds.js';
import { importOnnxruntime, runOnnxruntime } from './onnxruntime.js';
import { MEMORY_MODEL, type PassTimingSummary } from './optimize.js';
import { loadInMemory, withRuntimeErrors } from './session.js';
import { checkGivenInputs, declaredInputs, type DeclaredInput } from './model-inputs.js';
import { readModel } from './optimize.js';

export const DEFAULT_TOLERANCE: Tolerance = { atol: 1e-4, rtol: 1e-3 };

/**
 * The default with precision f16 (weights stored as f16): a weight keeps 11 significant bits (relative
 * error ≤ 2⁻¹¹ ≈ 4.9e-4), and the errors of a layer's many products add up through the layers.
 */
export const F16_TOLERANCE: Tolerance = { atol: 1e-2, rtol: 1e-2 };

/** Output steps of the last quantized layer the tolerance of a quantized artifact allows (errors of earlier layers add up). */
export const QUANTIZED_TOLERANCE_STEPS = 4;

/**
 * The tolerance of an artifact compiled with quantization against the f32 model: QUANTIZED_TOLERANCE_STEPS
 * times the most an output of the last quantized layer moves when each of its inputs moves one quantization
 * step (s_x · max_c Σ|w_c|), absolute; the relative part stays the f32 default.
 */
export function quantizedTolerance(report: QuantizationReport): { tolerance: Tolerance; reason: string } | undefined {
  const last = [...report.layers].reverse().find((l) => l.outputStep !== undefined);
  if (!last) return undefined;
  const atol = QUANTIZED_TOLERANCE_STEPS * last.outputStep!;
  return {
    tolerance: { atol, rtol: DEFAULT_TOLERANCE.rtol },
    reason: `from the quantization scales: ${QUANTIZED_TOLERANCE_STEPS} × ${last.outputStep!.toPrecision(3)} (s_x · max Σ|w| of the last quantized layer '${last.node}')`,
  };
}

export interface VerifyOptions extends CompileOptions {
  /**
   * Values of inputs by name (the others are seeded random), or a function that gives every input's value
   * from the compiled model's inputs (their names, dtypes and concrete shapes).
   */
  inputs?: Feeds | ((inputs: readonly TensorInfo[]) => Feeds);
  /** Seed of the random inputs; 1 by default. */
  seed?: number;
  /** DEFAULT_TOLERANCE by default, F16_TOLERANCE with precision f16. */
  tolerance?: Partial<Tolerance>;
  /** The GPUDevice a webgpu artifact runs on; without one the runtime asks navigator.gpu for one. */
  device?: GPUDevice;
  /**
   * The dtype and shape of the values the `inputs` function will give (read from files, say), from the model's
   * declared inputs, checked against them before compiling; values given as an object are checked without it.
   */
  givenInputs?: (declared: readonly DeclaredInput[]) => Record<string, { dtype: DType; shape: readonly number[] }>;
}

export interface VerifiedOutput {
  name: string;
  dtype: DType;
  shape: number[];
  maxAbsError: number;
  maxRelError: number;
  /** The first element beyond tolerance, when one is. */
  mismatch?: string;
  /** The rule the output was judged by, with its numbers. */
  rule: string;
  /** Why that rule says little about this output, when it does. */
  warning?: string;
}

export interface VerifyResult {
  target: TargetName;
  /** Every output within tolerance. */
  ok: boolean;
  tolerance: Tolerance;
  /** How the tolerance was chosen when it was not given (quantized artifacts: from the scales). */
  toleranceReason?: string;
  /** What onnxruntime ran when it was not the model given (compressed artifacts). */
  reference?: string;
  outputs: VerifiedOutput[];
  /** With `instruments.timing`: each pass's time. */
  timings?: PassTimingSummary[];
}

export async function verify(model: Uint8Array | string, options: VerifyOptions): Promise<VerifyResult> {
  const seed = options.seed ?? 1;
  const ort = await importOnnxruntime();
  const file = typeof model === 'string' ? model : MEMORY_MODEL;
  if (options.givenInputs || typeof options.inputs === 'object') {
    const declared = declaredInputs(readModel(model).bytes, file, options);
    checkGivenInputs(declared, options.givenInputs?.(declared) ?? (options.inputs as Feeds), file);
  }

  const artifact = await compile(model, options);
  const quantized = artifact.quantization ? quantizedTolerance(artifact.quantization) : undefined;
  const defaults = quantized?.tolerance ?? (options.precision === 'f16' ? F16_TOLERANCE : DEFAULT_TOLERANCE);
  const tolerance = { ...defaults, ...options.tolerance };
  // An atol the user gives or the quantization scales give is in the outputs' units; the defaults' are for outputs of order 1.
  const absoluteAtol = quantized !== undefined || options.tolerance?.atol !== undefined;
  const session = await loadInMemory(artifact, file, options.device);
  try {
    const feeds = typeof options.inputs === 'function' ? options.inputs(session.inputs) : completeFeeds(session.inputs, options.inputs ?? {}, seed);
    // runTensors: an output whose size depends on data comes with its actual dims.
    const ours = await withRuntimeErrors(() => session.runTensors(feeds));
    // The compressed graph as an ONNX model: the same weights the artifact ships.
    const reference = artifact.compressedGraph ? exportOnnxModel(artifact.compressedGraph, { producer: 'dlc compile --compress' }) : model;
    // The original model still has the inputs specialized at compile time: onnxruntime is fed their values.
    const specialized = artifact.compressedGraph ? [] : session.specialized;
    const theirs = await runOnnxruntime(ort, reference, file, { ...feeds, ...specializedFeeds(specialized) }, [...session.inputs, ...specialized]);
    const outputs = session.outputs.map((o): VerifiedOutput => {
      const want = theirs[o.name];
      if (!want) throw new DlcError(`onnxruntime gave no output '${o.name}'`, { file });
      const wanted = toTensor(want.dtype, want.shape, want.data);
      const rule = outputRule(wanted, tolerance, absoluteAtol);
      const diff = compareTensors(toTensor(o.dtype, ours[o.name].dims, ours[o.name].data), wanted, rule.tolerance);
      return {
        name: o.name, dtype: o.dtype, shape: [...ours[o.name].dims], maxAbsError: diff.maxAbsError, maxRelError: diff.maxRelError,
        ...(diff.mismatch === undefined ? {} : { mismatch: diff.mismatch }), rule: rule.text, ...(rule.warning ? { warning: rule.warning } : {}),
      };
    });
    const ok = outputs.every((o) => o.mismatch === undefined);
    const reason = quantized && options.tolerance?.atol === undefined ? { toleranceReason: quantized.reason } : {};
    const compared = artifact.compressedGraph ? { reference: 'the compressed model dlc exports (the weights as shipped)' } : {};
    return { target: options.target, ok, tolerance, ...reason, ...compared, outputs, ...(artifact.timings ? { timings: artifact.timings } : {}) };
  } finally {
    await session.release();
  }
}

/** The given values, and seeded random ones for the inputs not given. */
function completeFeeds(inputs: readonly TensorInfo[], given: Feeds, seed: number): Feeds {
  const known = new Set(inputs.map((i) => i.name));
  for (const name of Object.keys(given)) {
    if (!known.has(name)) throw new UsageError(`options.inputs names '${name}', which is not an input of the model (inputs: ${[...known].join(', ')})`);
  }
  const random = seededFeeds(seed);
  const feeds: Feeds = {};
  for (const info of inputs) feeds[info.name] = given[info.name] ?? random(info);
  return feeds;
}

/** The values compiled in for specialized inputs, as feeds (i64 and u64 as bigints, f16 as its bits). */
function specializedFeeds(specialized: readonly SpecializedInput[]): Feeds {
  const feeds: Feeds = {};
  for (const { name, dtype, values } of specialized) {
    const wide = dtype === 'i64' || dtype === 'u64';
    feeds[name] = new (arrayConstructor(dtype))(values.map((v) => (wide ? BigInt(v) : Number(v))) as never);
  }
  return feeds;
}
