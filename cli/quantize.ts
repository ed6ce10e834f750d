// `dlc quantize MODEL --calibration DIR -o model.int8.onnx`: post-training quantization written as a standard
// ONNX QDQ model (onnxruntime runs it as written), and the per-layer report printed.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { quantizeSource, readModel } from '../api/optimize.js';
import { exportOnnxModel } from '../compiler/onnx/export.js';
import { UsageError } from '../compiler/errors.js';
import type { CliIo } from './main.js';
import { optimizeOptions, type ModelFlags } from './options.js';
import { formatQuantizationReport } from './quantization-report.js';
import { quantizationOptions, type QuantizeFlags } from './quantize-options.js';

export interface QuantizeOptions extends ModelFlags, QuantizeFlags {
  mode: string;
  output: string;
  json?: boolean;
}

export function quantizeCommand(model: string, opts: QuantizeOptions, io: CliIo): number {
  if (!opts.output.endsWith('.onnx')) throw new UsageError(`-o names the ONNX model to write (a .onnx file), got '${opts.output}'`);
  const quantize = quantizationOptions(opts, opts.mode)!;
  const quantized = quantizeSource(readModel(model), { ...optimizeOptions(opts, io), quantize });
  const bytes = exportOnnxModel(quantized.graph, { producer: 'dlc quantize' });
  // Through a temporary file and a rename: no reader sees a half-written model.
  const tmp = path.join(path.dirname(path.resolve(opts.output)), `.${path.basename(opts.output)}.${process.pid}.tmp`);
  fs.writeFileSync(tmp, bytes);
  fs.renameSync(tmp, opts.output);
  const report = quantized.quantization!;
  if (opts.json) io.stdout.write(`${JSON.stringify({ output: opts.output, bytes: bytes.length, quantization: report }, finiteOrString)}\n`);
  else io.stdout.write(`quantized ${model} into ${opts.output} (${bytes.length} bytes)\n${formatQuantizationReport(report)}`);
  return 0;
}

/** JSON has no infinities: an SQNR of a layer that quantization did not change prints as "Infinity". */
export function finiteOrString(_key: string, v: unknown): unknown {
  return typeof v === 'number' && !Number.isFinite(v) ? String(v) : v;
}
