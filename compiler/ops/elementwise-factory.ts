// Builders for element-wise op entries, so that each op of the family is one short declaration:
// a name, the dtypes it accepts, its attributes and its scalar function.
import { DlcError } from '../errors.js';
import { isFloat, isInteger, isSigned, type DType } from '../ir/dtype.js';
import type { Attrs, TensorType, Value } from '../ir/graph.js';
import { Tensor } from '../ir/tensor.js';
import type { AttrSpec, CostContext, ImportBuilder, InferContext, OnnxImport, OnnxNode, OpDef } from './registry.js';
import { attrInt, broadcastShapes, knownSize, mapBroadcast, mapUnary, required } from './util.js';

/** Which element types an op takes. */
export type TypeClass = 'float' | 'signed' | 'numeric' | 'integer' | 'bool' | 'any';

export function acceptsDType(dtype: DType, cls: TypeClass): boolean {
  switch (cls) {
    case 'float': return isFloat(dtype);
    case 'signed': return isSigned(dtype);
    case 'numeric': return dtype !== 'bool';
    case 'integer': return isInteger(dtype);
    case 'bool': return dtype === 'bool';
    case 'any': return true;
  }
}

const TYPE_CLASS_NAMES: Record<TypeClass, string> = {
  float: 'floating-point', signed: 'signed', numeric: 'numeric', integer: 'integer', bool: 'bool', any: 'any',
};

export function checkDType(dtype: DType, cls: TypeClass, what: string): void {
  if (!acceptsDType(dtype, cls)) throw new DlcError(`${what} has dtype ${dtype}; the op takes ${TYPE_CLASS_NAMES[cls]} tensors`);
}

/** The present inputs' types, after checking their count. */
export function presentInputs(ctx: InferContext, min: number, max: number): TensorType[] {
  const n = ctx.inputs.length;
  if (n < min || n > max) {
    const want = min === max ? `${min}` : max === Infinity ? `at least ${min}` : `${min} to ${max}`;
    throw new DlcError(`takes ${want} input${want === '1' ? '' : 's'}, got ${n}`);
  }
  return ctx.inputs.map((t, i) => {
    if (!t) throw new DlcError(`input ${i} is missing`);
    return t;
  });
}

/** Attributes that ONNX dropped from element-wise ops in later opsets and that change nothing here. */
const OBSOLETE_ATTRS = ['consumed_inputs'];

function withoutObsolete(attrs: Attrs): Attrs {
  const out: Attrs = {};
  for (const [k, v] of Object.entries(attrs)) if (!OBSOLETE_ATTRS.includes(k)) out[k] = v;
  return out;
}

/** Imports an ONNX op one-to-one, minus obsolete attributes (opset < 6). */
export function plainImport(op: string, canonical: string): OnnxImport {
  return { op, convert: (node, b) => b.emit(canonical, node.inputs, withoutObsolete(node.attrs), node.numOutputs) };
}

/**
 * Imports a binary ONNX op whose opset < 7 form may carry `broadcast`/`axis` (legacy broadcasting: B's dims
 * line up with A's starting at `axis`, instead of numpy's trailing alignment). B gets trailing 1-dims so that
 * numpy broadcasting means the same thing.
 */
export function binaryImport(op: string, canonical: string): OnnxImport {
  return {
    op,
    convert: (node, b) => {
      const { broadcast, axis, ...attrs } = withoutObsolete(node.attrs);
      const inputs = [...node.inputs];
      if (broadcast === 1 && axis !== undefined) inputs[1] = alignLegacyBroadcast(node, b, Number(axis));
      return b.emit(canonical, inputs, attrs, node.numOutputs);
    },
  };
}

function alignLegacyBroadcast(node: OnnxNode, b: ImportBuilder, axis: number): Value {
  const [a, y] = node.inputs;
  if (!a || !y) throw new DlcError('takes 2 inputs');
  const rankA = a.type.shape.length;
  const start = axis < 0 ? axis + rankA : axis;
  const trailing = rankA - start - y.type.shape.length;
  if (start < 0 || trailing < 0) {
    throw new DlcError(`legacy broadcast of [${y.type.shape}] at axis ${axis} does not fit [${a.type.shape}]`);
  }
  if (trailing === 0) return y;
  const ones = new Array<number>(trailing).fill(1);
  if (y.data) return b.constant(y.data.reshape([...y.data.shape, ...ones]));
  // Reshape's 0 copies the input's dim, so symbolic dims survive.
  const shape = Tensor.fromArray('i64', [y.type.shape.length + trailing], [...y.type.shape.map(() => 0), ...ones]);
  return b.emit('reshape', [y, b.constant(shape)])[0];
}

export interface UnarySpec {
  name: string;
  onnx: string;
  accepts: TypeClass;
  attrs?: Record<string, AttrSpec>;
  /** Output dtype when it is not the input's (bool for is_nan, say). */
  out?: DType;
  /** Rejects bad attribute values at inference time. */
  checkAttrs?(attrs: Attrs): void;
  /** The scalar function for these attributes and input dtype. */
  kernel(attrs: Attrs, dtype: DType): (x: number) => number;
}

export function unaryOp(spec: UnarySpec): OpDef {
  return {
    name: spec.name,
    attrs: spec.attrs ?? {},
    kind: 'elemwise',
    onnx: [plainImport(spec.onnx, spec.name)],
    infer: (ctx) => {
      const [x] = presentInputs(ctx, 1, 1);
      checkDType(x.dtype, spec.accepts, 'input 0');
      spec.checkAttrs?.(ctx.attrs);
      return [{ dtype: spec.out ?? x.dtype, shape: [...x.shape] }];
    },
    ref: (inputs, attrs) => {
      const x = required(inputs, 0);
      return [mapUnary(x, spec.kernel(attrs, x.dtype), spec.out ?? x.dtype)];
    },
  };
}

/** A unary op given by a plain function of the element. */
export function simpleUnary(name: string, onnx: string, accepts: TypeClass, f: (x: number) => number): OpDef {
  return unaryOp({ name, onnx, accepts, kernel: () => f });
}

export interface BroadcastSpec {
  name: string;
  onnx: string;
  accepts: TypeClass;
  attrs?: Record<string, AttrSpec>;
  /** Input count; variadic ops (sum, max...) take 1 to Infinity. */
  arity?: [number, number];
  /** Output dtype when it is not the first input's (bool for comparisons). */
  out?: DType;
  /** Whether every input must have the first one's dtype (default true; pow mixes them). */
  sameTypes?: boolean;
  checkAttrs?(attrs: Attrs): void;
  /** FLOPs per output element when not 1, from the input count (sum of k inputs: k - 1). */
  flopsPerElement?(numInputs: number): number;
  /** The scalar function for these attributes and input dtypes. */
  kernel(attrs: Attrs, dtypes: DType[]): (...v: number[]) => number;
}

/** An op over several inputs broadcast numpy-style to one output shape. */
export function broadcastOp(spec: BroadcastSpec): OpDef {
  const [min, max] = spec.arity ?? [2, 2];
  const flops = spec.flopsPerElement;
  return {
    name: spec.name,
    attrs: spec.attrs ?? {},
    kind: 'broadcast',
    onnx: [min === 2 && max === 2 ? binaryImport(spec.onnx, spec.name) : plainImport(spec.onnx, spec.name)],
    infer: (ctx) => {
      const ts = presentInputs(ctx, min, max);
      ts.forEach((t, i) => {
        checkDType(t.dtype, spec.accepts, `input ${i}`);
        if (spec.sameTypes !== false && t.dtype !== ts[0].dtype) {
          throw new DlcError(`input ${i} has dtype ${t.dtype}, input 0 has ${ts[0].dtype}; they must match`);
        }
      });
      spec.checkAttrs?.(ctx.attrs);
      return [{ dtype: spec.out ?? ts[0].dtype, shape: broadcastShapes(ts.map((t) => t.shape)) }];
    },
    ref: (inputs, attrs) => {
      const xs = inputs.map((_, i) => required(inputs, i));
      return [mapBroadcast(xs, spec.kernel(attrs, xs.map((x) => x.dtype)), spec.out ?? xs[0].dtype)];
    },
    cost: flops ? (ctx: CostContext) => ({ flops: (knownSize(ctx.outputs[0].shape) ?? 0) * flops(ctx.inputs.length) }) : undefined,
  };
}

/** A binary op on numbers given by one function for floats and another for integers of a dtype. */
export function arithmeticOp(
  name: string,
  onnx: string,
  floatFn: (x: number, y: number) => number,
  intFn: (dtype: DType) => (x: number, y: number) => number,
): OpDef {
  return broadcastOp({ name, onnx, accepts: 'numeric', kernel: (_, [d]) => (isFloat(d) ? floatFn : intFn(d)) });
}

/** A comparison or logical op: bool output. */
export function predicateOp(name: string, onnx: string, accepts: TypeClass, f: (x: number, y: number) => boolean): OpDef {
  return broadcastOp({ name, onnx, accepts, out: 'bool', kernel: () => (x, y) => (f(x, y) ? 1 : 0) });
}

/** Validates a 0/1 flag attribute. */
export function checkFlag(attrs: Attrs, name: string): void {
  const v = attrInt(attrs, name);
  if (v !== 0 && v !== 1) throw new DlcError(`attribute '${name}' must be 0 or 1, got ${v}`);
}

/** Validates a string attribute against its allowed values. */
export function checkChoice(attrs: Attrs, name: string, allowed: readonly string[]): void {
  const v = attrs[name];
  if (typeof v !== 'string' || !allowed.includes(v)) {
    throw new DlcError(`attribute '${name}' must be one of ${allowed.map((a) => `'${a}'`).join(', ')}, got ${JSON.stringify(v)}`);
  }
}
