// Two ways the data sets ONNX 1.12's generator wrote disagree with their own models, undone before a case runs:
//  - bfloat16 tensors are stored as UINT16 (numpy has no bfloat16): their elements are the bf16 bits;
//  - CastLike's `like` input, which gives only an element type, is stored with shape [1] while the model
//    declares [3, 4]: an input no node reads is fed zeros of its declared shape instead.
import { bf16BitsToF32 } from '../../compiler/ir/dtype.js';
import type { Graph } from '../../compiler/ir/graph.js';
import { Tensor } from '../../compiler/ir/tensor.js';
import { dtypeFromOnnx, onnx, type ValueInfoProto } from '../../compiler/onnx/proto.js';

const BFLOAT16 = 16;

export interface DeclaredValue {
  name: string;
  elemType: number;
  /** The declared dims when all are numbers, else undefined. */
  staticShape?: number[];
}

/** The model's graph inputs (initializers left out, in declaration order) and outputs, as declared. */
export function declaredValues(bytes: Uint8Array): { inputs: DeclaredValue[]; outputs: DeclaredValue[] } {
  const m = onnx.ModelProto.decode(bytes);
  const inits = new Set((m.graph?.initializer ?? []).map((t) => t.name));
  const declared = (v: ValueInfoProto): DeclaredValue => {
    const t = v.type?.tensorType;
    const dims = t?.shape?.dim?.map((d) => (d.dimValue === null || d.dimValue === undefined || d.dimParam ? undefined : Number(d.dimValue)));
    const staticShape = dims && dims.every((d) => d !== undefined) ? (dims as number[]) : undefined;
    return { name: v.name ?? '', elemType: t?.elemType ?? 0, staticShape };
  };
  return {
    inputs: (m.graph?.input ?? []).filter((v) => !inits.has(v.name)).map(declared),
    outputs: (m.graph?.output ?? []).map(declared),
  };
}

/** `t` as the model declares it: UINT16 data of a BFLOAT16 value becomes the bf16 values its bits encode. */
export function asDeclared(t: Tensor, declared: DeclaredValue | undefined): Tensor {
  if (declared?.elemType !== BFLOAT16 || t.dtype !== 'u16') return t;
  return new Tensor(dtypeFromOnnx(BFLOAT16), t.shape, Array.from(t.data, bf16BitsToF32));
}

/** Whether the data set's shape for an input contradicts the model's fully static declaration. */
export function contradictsDeclaration(t: Tensor, declared: DeclaredValue | undefined): boolean {
  const s = declared?.staticShape;
  return s !== undefined && (s.length !== t.shape.length || s.some((d, i) => d !== t.shape[i]));
}

/** Zeros of the declared shape for each graph input named in `contradicted` that no node reads; other feeds as given. */
export function feedsForUnreadInputs(graph: Graph, names: string[], inputs: Tensor[], contradicted: Set<string>): Tensor[] {
  const read = new Set(graph.nodes.flatMap((n) => n.inputs.filter((v) => v !== null).map((v) => v!.name)));
  return inputs.map((t, i) => {
    const v = graph.inputs.find((g) => g.name === names[i]);
    if (!contradicted.has(names[i]) || !v || read.has(v.name)) return t;
    return new Tensor(v.type.dtype, v.type.shape as number[]);
  });
}
