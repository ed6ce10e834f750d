// `dlc eval MODEL|DIR --data DIR [--metric top1|cer|det-cer|agreement|sqnr] [--recognizer REC.onnx] [--json]`: the accuracy of a model as dlc
// compiles it (an ONNX model, compiled in memory with the compile flags, quantization included) or of a
// compiled artifact, on a data-set folder.
import { evaluateModel } from '../api/eval.js';
import { parseMetric } from '../accuracy/metrics.js';
import { UsageError } from '../compiler/errors.js';
import { loadArtifact } from './load-artifact.js';
import type { CliIo } from './main.js';
import { compileOptions, type CompileFlags } from './options.js';
import { readKeys, type QuantizeFlags } from './quantize-options.js';

export interface EvalOptions extends CompileFlags, QuantizeFlags {
  data: string;
  limit?: string;
  reference?: string;
  json?: boolean;
}

export async function evalCommand(model: string, opts: EvalOptions, io: CliIo): Promise<number> {
  const metric = parseMetric(opts.metric ?? 'top1');
  const limit = opts.limit === undefined ? undefined : Number(opts.limit);
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 1)) throw new UsageError(`--limit takes a positive integer, got '${opts.limit}'`);
  // --metric (and det-cer's --recognizer) is what eval measures, not an accuracy budget of the quantization.
  const compile = await compileOptions({ ...opts, metric: undefined, recognizer: undefined }, io);
  if ((metric === 'det-cer') !== (opts.recognizer !== undefined)) throw new UsageError('--metric det-cer and --recognizer MODEL go together');
  const result = await evaluateModel(model, {
    data: opts.data,
    metric,
    limit,
    reference: opts.reference,
    keys: readKeys(opts.keys, opts.data),
    ...(opts.recognizer === undefined ? {} : { recognizer: opts.recognizer }),
    compile,
    loadArtifact,
  });
  if (opts.json) {
    io.stdout.write(`${JSON.stringify(result)}\n`);
  } else {
    const value = Number.isFinite(result.value) ? result.value.toFixed(2) : String(result.value);
    io.stdout.write(`${model}: ${result.metric} ${value}${result.unit === '%' ? ' %' : ' dB'} on ${result.samples} samples of ${opts.data}\n`);
  }
  return 0;
}
