// onnxruntime-node as the oracle: runs a model file on our tensors and returns our tensors.
import * as ort from 'onnxruntime-node';
import type { DType } from '../../compiler/ir/dtype.js';
import { Tensor } from '../../compiler/ir/tensor.js';

const ORT_TYPES: Partial<Record<DType, ort.Tensor.Type>> = {
  f32: 'float32', f64: 'float64', i32: 'int32', i64: 'int64', u8: 'uint8', i8: 'int8', bool: 'bool', i16: 'int16', u16: 'uint16', u32: 'uint32', u64: 'uint64',
};

function toOrt(t: Tensor): ort.Tensor {
  const type = ORT_TYPES[t.dtype];
  if (!type) throw new Error(`no onnxruntime type for ${t.dtype}`);
  const dims = [...t.shape];
  switch (t.dtype) {
    case 'f32': return new ort.Tensor('float32', Float32Array.from(t.data), dims);
    case 'f64': return new ort.Tensor('float64', Float64Array.from(t.data), dims);
    case 'i64': return new ort.Tensor('int64', BigInt64Array.from(Array.from(t.data, (x) => BigInt(x))), dims);
    case 'u64': return new ort.Tensor('uint64', BigUint64Array.from(Array.from(t.data, (x) => BigInt(x))), dims);
    case 'bool': return new ort.Tensor('bool', Uint8Array.from(t.data), dims);
    default: return new ort.Tensor(type as 'int32', t.data as Int32Array, dims);
  }
}

function fromOrt(t: ort.Tensor): Tensor {
  const entry = Object.entries(ORT_TYPES).find(([, v]) => v === t.type);
  if (!entry) throw new Error(`unsupported onnxruntime type ${t.type}`);
  const data = t.data as ArrayLike<number | bigint>;
  return new Tensor(entry[0] as DType, t.dims as number[], Array.from(data, Number));
}

/** Runs a model, given as its file or its bytes. */
export async function runOnnxruntime(model: string | Uint8Array, feeds: Record<string, Tensor>): Promise<Record<string, Tensor>> {
  const options: ort.InferenceSession.SessionOptions = { intraOpNumThreads: 1, graphOptimizationLevel: 'disabled' };
  const session = typeof model === 'string' ? await ort.InferenceSession.create(model, options) : await ort.InferenceSession.create(model, options);
  try {
    const ortFeeds: Record<string, ort.Tensor> = {};
    for (const [k, v] of Object.entries(feeds)) ortFeeds[k] = toOrt(v);
    const out = await session.run(ortFeeds);
    const result: Record<string, Tensor> = {};
    for (const [k, v] of Object.entries(out)) result[k] = fromOrt(v);
    return result;
  } finally {
    await session.release();
  }
}
