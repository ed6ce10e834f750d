// TensorProto → Tensor: inline typed fields, little-endian raw bytes, or external data beside the model.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DlcError } from '../errors.js';
import { allocData, bf16BitsToF32, byteSize, f16BitsToF32, type DType } from '../ir/dtype.js';
import { Tensor, checkedSize } from '../ir/tensor.js';
import { dtypeFromOnnx, toNumber, type LongLike, type TensorProto } from './proto.js';

export interface TensorSource {
  /** Folder of the model file: external data must resolve inside it. */
  baseDir?: string;
}

export function tensorFromProto(tp: TensorProto, src: TensorSource = {}): Tensor {
  const dtype = dtypeFromOnnx(tp.dataType);
  const shape = (tp.dims ?? []).map((d) => toNumber(d as LongLike));
  const n = checkedSize(shape);
  const raw = tp.dataLocation === 1 ? readExternal(tp, src) : tp.rawData && tp.rawData.length > 0 ? tp.rawData : undefined;
  if (raw) return new Tensor(dtype, shape, fromRaw(dtype, raw, n, tp.name ?? ''));
  return new Tensor(dtype, shape, fromFields(dtype, tp, n));
}

function fromRaw(dtype: DType, raw: Uint8Array, n: number, name: string): ArrayLike<number> {
  const width = byteSize(dtype);
  if (raw.length !== n * width) {
    throw new DlcError(`tensor '${name}' has ${raw.length} bytes of data, its shape needs ${n * width}`);
  }
  const dv = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const out = allocData(dtype, n);
  for (let i = 0; i < n; i++) out[i] = readElement(dv, dtype, i);
  return out;
}

function readElement(dv: DataView, dtype: DType, i: number): number {
  switch (dtype) {
    case 'f32': return dv.getFloat32(i * 4, true);
    case 'f64': return dv.getFloat64(i * 8, true);
    case 'f16': return f16BitsToF32(dv.getUint16(i * 2, true));
    case 'bf16': return bf16BitsToF32(dv.getUint16(i * 2, true));
    case 'i64': return Number(dv.getBigInt64(i * 8, true));
    case 'u64': return Number(dv.getBigUint64(i * 8, true));
    case 'i32': return dv.getInt32(i * 4, true);
    case 'u32': return dv.getUint32(i * 4, true);
    case 'i16': return dv.getInt16(i * 2, true);
    case 'u16': return dv.getUint16(i * 2, true);
    case 'i8': return dv.getInt8(i);
    case 'u8': return dv.getUint8(i);
    case 'bool': return dv.getUint8(i) ? 1 : 0;
  }
}

function fromFields(dtype: DType, tp: TensorProto, n: number): ArrayLike<number> {
  let values: ArrayLike<number>;
  switch (dtype) {
    case 'f32': values = tp.floatData ?? []; break;
    case 'f64': values = tp.doubleData ?? []; break;
    case 'i64': values = (tp.int64Data ?? []).map((x) => toNumber(x as LongLike)); break;
    case 'u32': case 'u64': values = (tp.uint64Data ?? []).map((x) => toNumber(x as LongLike)); break;
    // int32_data holds every narrower type; f16 and bf16 as their raw bits.
    case 'f16': values = (tp.int32Data ?? []).map(f16BitsToF32); break;
    case 'bf16': values = (tp.int32Data ?? []).map(bf16BitsToF32); break;
    default: values = tp.int32Data ?? [];
  }
  if (values.length !== n) {
    throw new DlcError(`tensor '${tp.name ?? ''}' has ${values.length} values, its shape needs ${n}`);
  }
  return values;
}

function readExternal(tp: TensorProto, src: TensorSource): Uint8Array {
  const entries = new Map((tp.externalData ?? []).map((e) => [e.key ?? '', e.value ?? '']));
  const location = entries.get('location');
  const name = tp.name ?? '';
  if (!location) throw new DlcError(`tensor '${name}' is stored externally but names no location`);
  if (!src.baseDir) throw new DlcError(`tensor '${name}' is stored in external file '${location}', but the model was not loaded from a file`);
  const base = fs.realpathSync(src.baseDir);
  const target = path.resolve(base, location);
  if (!isInside(base, target)) throw new DlcError(`tensor '${name}': external data location '${location}' resolves outside the model's folder`);
  if (!fs.existsSync(target)) throw new DlcError(`tensor '${name}': external data file '${location}' not found`);
  const real = fs.realpathSync(target);
  if (!isInside(base, real)) throw new DlcError(`tensor '${name}': external data location '${location}' resolves outside the model's folder`);
  const offset = Number(entries.get('offset') ?? 0);
  const size = fs.statSync(real).size;
  const length = entries.has('length') ? Number(entries.get('length')) : size - offset;
  if (!Number.isInteger(offset) || !Number.isInteger(length) || offset < 0 || length < 0 || offset + length > size) {
    throw new DlcError(`tensor '${name}': external data range [${entries.get('offset')}, +${entries.get('length')}) is outside '${location}' (${size} bytes)`);
  }
  const fd = fs.openSync(real, 'r');
  try {
    const buf = new Uint8Array(length);
    fs.readSync(fd, buf, 0, length, offset);
    return buf;
  } finally {
    fs.closeSync(fd);
  }
}

function isInside(base: string, target: string): boolean {
  const rel = path.relative(base, target);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
}
