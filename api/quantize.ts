// Post-training quantization as the library does it: the f32 graph after the -O pipeline's optimizations is
// calibrated on a data-set folder, quantized layer by layer (within an accuracy budget when an evaluation
// set is given), and returned as a QDQ graph with its per-layer report. `compile` then folds the QDQ pairs
// into integer kernels; `quantize` writes the QDQ graph as an ONNX model that onnxruntime runs.
import { readDataset, type Dataset } from '../accuracy/dataset.js';
import { datasetGuard } from '../accuracy/guard.js';
import { sampleCount } from '../accuracy/evaluate.js';
import type { LineRecognizer } from '../accuracy/det-rec-cer.js';
import type { MetricName } from '../accuracy/metrics.js';
import { UsageError } from '../compiler/errors.js';
import type { Graph } from '../compiler/ir/graph.js';
import type { TargetInfo } from '../compiler/target-info.js';
import { CALIBRATORS, type CalibratorName } from '../quantize/calibrators.js';
import type { LayerPrecision } from '../quantize/insert-qdq.js';
import { quantizeGraph, type QuantizedModel } from '../quantize/quantize-graph.js';
import { interpretedRecognizer } from './recognizer.js';

export const QUANTIZE_MODES = ['int8', 'dfp'] as const;
export type QuantizeMode = (typeof QUANTIZE_MODES)[number];

export interface QuantizationOptions {
  /** int8: u8 activations with a zero point, i8 weights per channel; dfp: power-of-two scales (fractional lengths). */
  mode: QuantizeMode;
  /** 8 (default) or, for dfp, 16. */
  bits?: 8 | 16;
  calibrator?: CalibratorName;
  /** A data-set folder (or one already read): its samples are the calibration inputs. */
  calibration: string | Dataset;
  /** Calibrate on the first samples only. */
  calibrationLimit?: number;
  /** The accuracy budget and the data it is measured on. */
  guard?: {
    data: string | Dataset;
    metric: MetricName;
    maxAccuracyDrop?: number;
    minSqnrDb?: number;
    limit?: number;
    keys?: readonly string[];
    /** det-cer: the recognizer that reads the detected lines, an ONNX file (run on the interpreter) or a function. */
    recognizer?: string | Uint8Array | LineRecognizer;
  };
  /** Precision forced on layers, by node name. */
  layers?: Readonly<Record<string, LayerPrecision>>;
}

export function checkQuantizationOptions(o: QuantizationOptions): void {
  if (!(QUANTIZE_MODES as readonly string[]).includes(o.mode)) throw new UsageError(`unknown quantization '${o.mode}' (have: ${QUANTIZE_MODES.join(', ')})`);
  if (o.calibrator !== undefined && !CALIBRATORS.includes(o.calibrator)) throw new UsageError(`unknown calibrator '${o.calibrator}' (have: ${CALIBRATORS.join(', ')})`);
  if (o.bits !== undefined && o.bits !== 8 && o.bits !== 16) throw new UsageError(`--bits takes 8 or 16, got ${o.bits}`);
  if (o.bits === 16 && o.mode !== 'dfp') throw new UsageError('16-bit quantization is dynamic fixed point: use --quantize dfp --bits 16');
}

/**
 * Quantizes the optimized f32 `graph` (the inputs the data sets must match are its inputs). With a target, the
 * layers it computes no faster in int8 (TargetInfo.int8Pays) stay f32.
 */
export function quantizeOptimizedGraph(graph: Graph, options: QuantizationOptions, target?: TargetInfo): QuantizedModel {
  checkQuantizationOptions(options);
  const open = (d: string | Dataset) => (typeof d === 'string' ? readDataset(d, graph.inputs.map((v) => ({ name: v.name, shape: v.type.shape, dtype: v.type.dtype }))) : d);
  const calibration = open(options.calibration);
  const n = sampleCount(calibration, options.calibrationLimit);
  const samples = Array.from({ length: n }, (_, i) => calibration.sample(i));
  const g = options.guard;
  const guard = g
    ? datasetGuard(graph, open(g.data), { metric: g.metric, maxDrop: g.maxAccuracyDrop, minSqnrDb: g.minSqnrDb, limit: g.limit, keys: g.keys, recognizer: guardRecognizer(g.recognizer) })
    : undefined;
  return quantizeGraph(graph, {
    mode: options.mode === 'dfp' ? 'dfp' : 'affine',
    bits: options.bits ?? 8,
    calibrator: options.calibrator ?? 'minmax',
    calibration: samples,
    layers: options.layers,
    keepF32: target?.int8Pays ? (layer) => (target.int8Pays!(layer) ? undefined : `no faster in int8 on ${target.name}`) : undefined,
    guard,
  });
}

/** The guard's recognizer: a model file or bytes on the reference interpreter, or the caller's function. */
export function guardRecognizer(recognizer: string | Uint8Array | LineRecognizer | undefined): LineRecognizer | undefined {
  return typeof recognizer === 'function' ? recognizer : recognizer === undefined ? undefined : interpretedRecognizer(recognizer);
}
