// `evaluate`: the accuracy of a model as dlc ships it, on a data-set folder. An ONNX model is compiled in memory
// (with the caller's compile options: target, quantization…) and run by the runtime; an artifact directory is
// loaded as it is. Each sample's first output is scored by the metric (accuracy/metrics.ts).
import * as fs from 'node:fs';
import { readDataset, type Dataset } from '../accuracy/dataset.js';
import { evaluate, type Evaluation, type SampleRunner } from '../accuracy/evaluate.js';
import type { MetricName } from '../accuracy/metrics.js';
import { loadModel, type Session } from '../runtime/index.js';
import { arrayConstructor, type TypedArray } from '../runtime/dtypes.js';
import type { Tensor } from '../compiler/ir/tensor.js';
import { compile, type CompileOptions } from './compile.js';
import { toTensor } from './feeds.js';
import { compiledLineRecognizer } from './recognizer.js';
import { loadInMemory, withRuntimeErrors } from './session.js';

export interface EvaluateModelOptions {
  data: string;
  metric: MetricName;
  limit?: number;
  /** For agreement and sqnr: the ONNX model compared with (compiled for wasm in f32). */
  reference?: string;
  keys?: readonly string[];
  /** det-cer: the recognizer's ONNX model that reads the detected lines (compiled for wasm in f32). */
  recognizer?: string;
  /** How an ONNX model is compiled (wasm by default); ignored for an artifact directory. */
  compile?: CompileOptions;
  /** Loads an artifact directory (the CLI passes one that opens a WebGPU device for webgpu artifacts). */
  loadArtifact?: (dir: string) => Promise<Session>;
}

export async function evaluateModel(model: string, options: EvaluateModelOptions): Promise<Evaluation & { model: string }> {
  const session = await openModel(model, options.compile ?? { target: 'wasm' }, options.loadArtifact);
  const dataset = readDataset(options.data, session.inputs.map((i) => ({ name: i.name, shape: i.shape, dtype: i.dtype })));
  const reference = options.reference ? sessionRunner(await openModel(options.reference, { target: 'wasm' })) : undefined;
  const recognizer = options.recognizer ? await compiledLineRecognizer(options.recognizer) : undefined;
  const result = await evaluate(sessionRunner(session), dataset, { metric: options.metric, limit: options.limit, reference, keys: options.keys, recognizer });
  return { model, ...result };
}

async function openModel(model: string, compileOptions: CompileOptions, load?: (dir: string) => Promise<Session>): Promise<Session> {
  if (fs.existsSync(model) && fs.statSync(model).isDirectory()) return load ? load(model) : withRuntimeErrors(() => loadModel(model));
  return loadInMemory(await compile(model, compileOptions), model);
}

/** A session's first output as a Tensor, for a sample's feeds. */
export function sessionRunner(session: Session): SampleRunner {
  const out = session.outputs[0];
  return async (feeds: Record<string, Tensor>) => {
    const arrays: Record<string, TypedArray> = {};
    for (const info of session.inputs) {
      const t = feeds[info.name];
      const Array_ = arrayConstructor(info.dtype);
      if (info.dtype === 'i64' || info.dtype === 'u64') arrays[info.name] = BigInt64Array.from(Array.from(t.data, (x) => BigInt(x)));
      else arrays[info.name] = t.data instanceof Array_ ? (t.data as TypedArray) : (Array_ as unknown as { from(a: ArrayLike<number>): TypedArray }).from(t.data);
    }
    const result = await session.run(arrays);
    return toTensor(out.dtype, out.shape, result[out.name]);
  };
}

export type { Dataset, Evaluation };
