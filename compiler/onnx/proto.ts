// ONNX protobuf messages (onnx-proto's generated protobufjs code) and conversions of their scalar fields.
import onnxProto from 'onnx-proto';
import { DlcError } from '../errors.js';
import type { DType } from '../ir/dtype.js';

export const onnx = onnxProto.onnx;
export type ModelProto = onnxProto.onnx.ModelProto;
export type GraphProto = onnxProto.onnx.IGraphProto;
export type NodeProto = onnxProto.onnx.INodeProto;
export type TensorProto = onnxProto.onnx.ITensorProto;
export type ValueInfoProto = onnxProto.onnx.IValueInfoProto;
export type AttributeProto = onnxProto.onnx.IAttributeProto;
export type TypeProto = onnxProto.onnx.ITypeProto;

/** int64 fields decode as Long objects (or numbers for small values, depending on the build). */
export type LongLike = number | { toNumber(): number };

export function toNumber(x: LongLike | null | undefined): number {
  if (x === null || x === undefined) return 0;
  return typeof x === 'number' ? x : x.toNumber();
}

const ONNX_DTYPES: Record<number, DType> = {
  1: 'f32', 2: 'u8', 3: 'i8', 4: 'u16', 5: 'i16', 6: 'i32', 7: 'i64', 9: 'bool', 10: 'f16', 11: 'f64', 12: 'u32', 13: 'u64', 16: 'bf16',
};

const ONNX_DTYPE_NAMES: Record<number, string> = {
  0: 'UNDEFINED', 8: 'STRING', 14: 'COMPLEX64', 15: 'COMPLEX128',
  17: 'FLOAT8E4M3FN', 18: 'FLOAT8E4M3FNUZ', 19: 'FLOAT8E5M2', 20: 'FLOAT8E5M2FNUZ', 21: 'UINT4', 22: 'INT4',
};

export function dtypeFromOnnx(code: number | null | undefined): DType {
  const d = ONNX_DTYPES[code ?? 0];
  if (!d) throw new DlcError(`unsupported tensor element type ${ONNX_DTYPE_NAMES[code ?? 0] ?? code}`);
  return d;
}

export function dtypeToOnnx(dtype: DType): number {
  for (const [code, d] of Object.entries(ONNX_DTYPES)) if (d === dtype) return Number(code);
  throw new DlcError(`no ONNX element type for ${dtype}`);
}

export function decodeModel(bytes: Uint8Array, file: string): ModelProto {
  try {
    return onnx.ModelProto.decode(bytes);
  } catch (e) {
    throw new DlcError(`not a valid ONNX model (${(e as Error).message})`, { file });
  }
}

export function decodeTensorProto(bytes: Uint8Array, file: string): TensorProto {
  try {
    return onnx.TensorProto.decode(bytes);
  } catch (e) {
    throw new DlcError(`not a valid ONNX TensorProto (${(e as Error).message})`, { file });
  }
}
