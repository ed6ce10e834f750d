// onnxruntime-node, the oracle `verify` compares with: a dev dependency, loaded only when needed and with a
// clear error where it is missing, and a model run on it with the same feeds as dlc's.
import { DlcError } from '../compiler/errors.js';
import type { DType } from '../compiler/ir/dtype.js';
import type { TensorInfo, TypedArray } from '../runtime/index.js';
import type { Feeds } from './feeds.js';

export type Onnxruntime = typeof import('onnxruntime-node');

/** onnxruntime's name of each dtype. */
export const ORT_TYPES: Record<DType, string> = {
  f32: 'float32', f16: 'float16', f64: 'float64', i8: 'int8', u8: 'uint8', i16: 'int16', u16: 'uint16',
  i32: 'int32', u32: 'uint32', i64: 'int64', u64: 'uint64', bool: 'bool', bf16: 'bfloat16',
};

export function importOnnxruntime(specifier = 'onnxruntime-node'): Promise<Onnxruntime> {
  return importPeer<Onnxruntime>(specifier, 'dlc verify compares with onnxruntime-node');
}

/**
 * An onnxruntime package (a dev dependency: `purpose` says who compares with it), loaded only when needed: its
 * default export where it has one, and one clear DlcError where it is missing or fails to load.
 */
export async function importPeer<T>(specifier: string, purpose: string): Promise<T> {
  try {
    const module = await import(specifier);
    return (module.default?.InferenceSession ? module.default : module) as T;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') {
      throw new DlcError(`${purpose}, which is not installed: run npm install ${specifier}`);
    }
    throw new DlcError(`cannot load ${specifier}: ${(e as Error).message}`);
  }
}

export interface OrtResult {
  dtype: DType;
  shape: number[];
  data: TypedArray;
}

/**
 * Runs `model` (a file, so that external data resolves, or its bytes) on onnxruntime-node with one thread;
 * `file` names it in messages.
 */
export async function runOnnxruntime(ort: Onnxruntime, model: string | Uint8Array, file: string, feeds: Feeds, inputs: readonly TensorInfo[]): Promise<Record<string, OrtResult>> {
  let session: Awaited<ReturnType<typeof ort.InferenceSession.create>> | undefined;
  try {
    // 'basic' runs the graph's arithmetic as written (constant folding, no kernel fusion): onnxruntime's fused
    // int8 kernels (QDQ → QLinearConv at 'extended') round differently from ONNX's QuantizeLinear/DequantizeLinear
    // definitions, by several steps on small models, and the definitions are what dlc is checked against.
    const options = { intraOpNumThreads: 1, graphOptimizationLevel: 'basic' as const };
    session = typeof model === 'string' ? await ort.InferenceSession.create(model, options) : await ort.InferenceSession.create(model, options);
    const ortFeeds: Record<string, InstanceType<typeof ort.Tensor>> = {};
    for (const i of inputs) ortFeeds[i.name] = new ort.Tensor(ORT_TYPES[i.dtype] as 'float32', feeds[i.name] as Float32Array, i.shape);
    const out = await session.run(ortFeeds);
    const results: Record<string, OrtResult> = {};
    for (const [name, t] of Object.entries(out)) {
      const dtype = (Object.keys(ORT_TYPES) as DType[]).find((d) => ORT_TYPES[d] === t.type);
      if (!dtype) throw new DlcError(`onnxruntime output '${name}' has type ${t.type}, which dlc does not compare`, { file });
      results[name] = { dtype, shape: [...t.dims], data: t.data as TypedArray };
    }
    return results;
  } catch (e) {
    if (e instanceof DlcError) throw e;
    throw new DlcError(`onnxruntime: ${(e as Error).message}`, { file });
  } finally {
    await session?.release();
  }
}
