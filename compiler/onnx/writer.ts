// Builds ONNX model bytes from a plain description: used to make the sample models and hand-written test
// models (including deliberately broken ones), so no Python is needed to produce ONNX files.
import { byteSize, f32ToBF16Bits, f32ToF16Bits, type DType } from '../ir/dtype.js';
import { dtypeToOnnx, onnx, type AttributeProto, type GraphProto, type TensorProto, type ValueInfoProto } from './proto.js';
import type { Tensor } from '../ir/tensor.js';

export interface OnnxValueSpec {
  name: string;
  dtype: DType;
  /** Numbers are fixed dims; strings are symbolic (dim_param). */
  shape: (number | string)[];
}

/** A plain number is an INT and a number[] INTS; `{ ints }` spells INTS where the list may be empty. */
export type OnnxAttrSpec =
  | number | string | number[] | string[] | Tensor | { ints: number[] } | { floats: number[] } | { float: number } | { graph: OnnxGraphSpec };

export interface OnnxNodeSpec {
  op: string;
  inputs: string[];
  outputs: string[];
  attrs?: Record<string, OnnxAttrSpec>;
  name?: string;
  domain?: string;
}

export interface OnnxGraphSpec {
  name?: string;
  inputs: OnnxValueSpec[];
  outputs: OnnxValueSpec[];
  nodes: OnnxNodeSpec[];
  initializers?: { name: string; tensor: Tensor }[];
}

export interface OnnxModelSpec extends OnnxGraphSpec {
  opset?: number;
  producer?: string;
  producerVersion?: string;
  docString?: string;
}

export function encodeOnnxModel(spec: OnnxModelSpec): Uint8Array {
  const model = onnx.ModelProto.create({
    irVersion: 8,
    producerName: spec.producer ?? 'dlc',
    ...(spec.producerVersion === undefined ? {} : { producerVersion: spec.producerVersion }),
    ...(spec.docString === undefined ? {} : { docString: spec.docString }),
    opsetImport: [{ domain: '', version: spec.opset ?? 17 }],
    graph: graphProto(spec),
  });
  return onnx.ModelProto.encode(model).finish();
}

export function tensorProto(name: string, t: Tensor): TensorProto {
  const bytes = new Uint8Array(t.size * byteSize(t.dtype));
  const dv = new DataView(bytes.buffer);
  for (let i = 0; i < t.size; i++) writeElement(dv, t.dtype, i, t.data[i]);
  return { name, dataType: dtypeToOnnx(t.dtype), dims: [...t.shape], rawData: bytes };
}

function graphProto(g: OnnxGraphSpec): GraphProto {
  return {
    name: g.name ?? 'main',
    input: g.inputs.map(valueInfo),
    output: g.outputs.map(valueInfo),
    initializer: (g.initializers ?? []).map((i) => tensorProto(i.name, i.tensor)),
    node: g.nodes.map((n, k) => ({
      opType: n.op,
      domain: n.domain ?? '',
      name: n.name ?? `${n.op}_${k}`,
      input: n.inputs,
      output: n.outputs,
      attribute: Object.entries(n.attrs ?? {}).map(([k2, v]) => attribute(k2, v)),
    })),
  };
}

function valueInfo(v: OnnxValueSpec): ValueInfoProto {
  return {
    name: v.name,
    type: {
      tensorType: {
        elemType: dtypeToOnnx(v.dtype),
        shape: { dim: v.shape.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  };
}

const A = onnx.AttributeProto.AttributeType;

function attribute(name: string, v: OnnxAttrSpec): AttributeProto {
  if (typeof v === 'number') return { name, type: A.INT, i: v };
  if (typeof v === 'string') return { name, type: A.STRING, s: new TextEncoder().encode(v) };
  if (Array.isArray(v)) {
    if (v.every((x) => typeof x === 'string')) return { name, type: A.STRINGS, strings: (v as string[]).map((s) => new TextEncoder().encode(s)) };
    return { name, type: A.INTS, ints: v as number[] };
  }
  if ('ints' in v) return { name, type: A.INTS, ints: v.ints };
  if ('floats' in v) return { name, type: A.FLOATS, floats: v.floats };
  if ('float' in v) return { name, type: A.FLOAT, f: v.float };
  if ('graph' in v) return { name, type: A.GRAPH, g: graphProto(v.graph) };
  return { name, type: A.TENSOR, t: tensorProto('', v) };
}

function writeElement(dv: DataView, dtype: DType, i: number, x: number): void {
  switch (dtype) {
    case 'f32': return dv.setFloat32(i * 4, x, true);
    case 'f64': return dv.setFloat64(i * 8, x, true);
    case 'f16': return dv.setUint16(i * 2, f32ToF16Bits(x), true);
    case 'bf16': return dv.setUint16(i * 2, f32ToBF16Bits(x), true);
    case 'i64': return dv.setBigInt64(i * 8, BigInt(x), true);
    case 'u64': return dv.setBigUint64(i * 8, BigInt(x), true);
    case 'i32': return dv.setInt32(i * 4, x, true);
    case 'u32': return dv.setUint32(i * 4, x, true);
    case 'i16': return dv.setInt16(i * 2, x, true);
    case 'u16': return dv.setUint16(i * 2, x, true);
    case 'i8': return dv.setInt8(i, x);
    case 'u8': case 'bool': return dv.setUint8(i, x);
  }
}
