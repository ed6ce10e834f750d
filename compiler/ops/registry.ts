// The op registry: one entry per canonical op holds everything the compiler knows about it —
// attribute schema, ONNX import, type/shape inference, fusion kind, cost, and the reference implementation
// that is the op's living definition (constant folding and every target are tested against it).
import { DlcError } from '../errors.js';
import type { Attrs, AttrValue, Graph, Node, TensorType, Value } from '../ir/graph.js';
import type { Tensor } from '../ir/tensor.js';

/** TVM's fusion lattice, weakest first. */
export type FusionKind = 'elemwise' | 'broadcast' | 'injective' | 'reduce' | 'out-elemwise-fusable' | 'opaque';

export const FUSION_ORDER: readonly FusionKind[] = ['elemwise', 'broadcast', 'injective', 'reduce', 'out-elemwise-fusable', 'opaque'];

export type AttrType = 'int' | 'float' | 'ints' | 'floats' | 'string' | 'strings' | 'tensor' | 'graph';

export interface AttrSpec {
  type: AttrType;
  /** Used when the attribute is absent; an attribute with neither default nor `optional` is required. */
  default?: AttrValue;
  optional?: boolean;
}

export interface InferContext {
  node: Node;
  /** Attributes with defaults applied. */
  attrs: Attrs;
  /** Input types; `null` for an omitted optional input. */
  inputs: (TensorType | null)[];
  /** The compile-time value of input i, when it is a constant. */
  constInput(i: number): Tensor | undefined;
  /** A fresh symbolic dim for a size known only at run time (e.g. NonZero's count). */
  freshDim(hint: string): string;
}

export interface RefContext {
  /** How many outputs the node has (ops with optional outputs compute only those). */
  numOutputs: number;
  /** Runs a nested graph (If/Loop/Scan body) with the given inputs; outer-scope values resolve as usual. */
  runGraph(g: Graph, inputs: Tensor[]): Tensor[];
}

export interface Cost {
  flops: number;
  /** Bytes read and written; defaults to all inputs plus all outputs. */
  bytes?: number;
}

export interface CostContext {
  node: Node;
  attrs: Attrs;
  inputs: (TensorType | null)[];
  outputs: TensorType[];
}

/** The view of one ONNX node that an import function receives. */
export interface OnnxNode {
  opType: string;
  domain: string;
  name: string;
  /** The model's opset version for this node's domain. */
  opset: number;
  inputs: (Value | null)[];
  attrs: Attrs;
  numOutputs: number;
}

/** What import functions use to emit canonical nodes. Emitted nodes are type-inferred immediately. */
export interface ImportBuilder {
  emit(op: string, inputs: (Value | null)[], attrs?: Attrs, numOutputs?: number): Value[];
  constant(t: Tensor): Value;
}

export interface OnnxImport {
  /** ONNX op type, e.g. 'Conv'. */
  op: string;
  /** ONNX domain; '' (ai.onnx) when omitted. */
  domain?: string;
  /**
   * Converts the node to canonical form and returns the values for its outputs. Omitted: the node maps
   * one-to-one onto this op with inputs and attributes as they are.
   */
  convert?(node: OnnxNode, b: ImportBuilder): Value[];
}

export interface OpDef {
  /** Canonical name (snake_case). */
  name: string;
  attrs: Record<string, AttrSpec>;
  kind: FusionKind;
  /** ONNX ops that import to this op. */
  onnx?: OnnxImport[];
  infer(ctx: InferContext): TensorType[];
  /** Reference implementation; `attrs` has defaults applied; inputs are `null` where omitted. */
  ref(inputs: (Tensor | null)[], attrs: Attrs, ctx: RefContext): Tensor[];
  /**
   * Inputs whose values, not only their shapes, decide the output shapes (a Reshape's shape, a Slice's
   * starts): TensorRT's shape tensors. Inference reads them when they are known at compile time; a value
   * known only at run time leaves the shapes symbolic, so a static compile needs it given (specialization).
   */
  shapeOperands?: readonly number[];
  /** FLOPs (and optionally bytes moved); defaults to one FLOP per output element. */
  cost?(ctx: CostContext): Cost;
  /**
   * Output values known at compile time although the inputs are not all constant (ONNX's data
   * propagation: Shape of a value whose shape is concrete). Inference of later nodes sees them.
   */
  propagate?(ctx: InferContext): Tensor[] | undefined;
}

const registry = new Map<string, OpDef>();
const onnxIndex = new Map<string, { def: OpDef; imp: OnnxImport }>();

export function registerOps(defs: readonly OpDef[]): void {
  for (const def of defs) {
    if (registry.has(def.name)) throw new Error(`op '${def.name}' registered twice`);
    registry.set(def.name, def);
    for (const imp of def.onnx ?? []) {
      const key = onnxKey(imp.domain ?? '', imp.op);
      if (onnxIndex.has(key)) throw new Error(`ONNX op '${imp.op}' imported by two ops`);
      onnxIndex.set(key, { def, imp });
    }
  }
}

export function getOp(name: string): OpDef {
  const def = registry.get(name);
  if (!def) throw new DlcError(`unknown op '${name}'`);
  return def;
}

export function hasOp(name: string): boolean {
  return registry.has(name);
}

export function allOps(): OpDef[] {
  return [...registry.values()];
}

export function findOnnxImport(domain: string, op: string): { def: OpDef; imp: OnnxImport } | undefined {
  return onnxIndex.get(onnxKey(domain, op));
}

function onnxKey(domain: string, op: string): string {
  const d = domain === 'ai.onnx' ? '' : domain;
  return `${d}::${op}`;
}

/** Applies defaults and checks that required attributes are present and no unknown ones are. */
export function resolveAttrs(def: OpDef, attrs: Attrs): Attrs {
  const out: Attrs = {};
  for (const [k, v] of Object.entries(attrs)) {
    if (!(k in def.attrs)) throw new DlcError(`unknown attribute '${k}'`);
    out[k] = v;
  }
  for (const [k, spec] of Object.entries(def.attrs)) {
    if (k in out) continue;
    if (spec.default !== undefined) out[k] = spec.default;
    else if (!spec.optional) throw new DlcError(`missing required attribute '${k}'`);
  }
  return out;
}
