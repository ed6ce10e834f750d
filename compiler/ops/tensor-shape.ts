// Shape ops: reshape, flatten, squeeze, unsqueeze, transpose, expand, tile, shape, size. Their outputs
// reuse or re-index the input's elements; the shape-giving input is read at compile time when constant.
import { DlcError } from '../errors.js';
import { isConcreteShape, type Dim, type TensorType, type Value } from '../ir/graph.js';
import { Tensor, stridesOf } from '../ir/tensor.js';
import { allocData } from '../ir/dtype.js';
import type { ImportBuilder, InferContext, OnnxNode, OpDef } from './registry.js';
import { attrInt, attrInts, broadcastIndex, broadcastShapes, knownSize, required } from './util.js';
import {
  constInts,
  dimProduct,
  freshShape,
  gatherByIndex,
  i64Vector,
  inType,
  normalizeAxes,
  vectorLength,
  without,
} from './tensor-common.js';

/**
 * Reshape's output dims: 0 copies the input dim (unless allowzero), one -1 takes what is left. Symbolic
 * dims common to input and output cancel, so [N,3,4] → [0,-1] gives [N,12]; `ctx` (inference only)
 * supplies a fresh dim when what is left is known only at run time.
 */
export function reshapeDims(inShape: readonly Dim[], spec: readonly number[], allowzero: boolean, ctx?: InferContext): Dim[] {
  let inferred = -1;
  const out: Dim[] = spec.map((d, i) => {
    if (!Number.isInteger(d) || d < -1) throw new DlcError(`reshape: invalid target dim ${d}`);
    if (d === -1) {
      if (inferred >= 0) throw new DlcError('reshape: more than one -1 in the target shape');
      inferred = i;
      return 1;
    }
    if (d === 0 && !allowzero) {
      if (i >= inShape.length) throw new DlcError(`reshape: target dim ${i} is 0 (copy) but the input has rank ${inShape.length}`);
      return inShape[i];
    }
    return d;
  });
  if (allowzero && inferred >= 0 && spec.includes(0)) throw new DlcError('reshape: allowzero with both 0 and -1 in the target shape');
  const inSym = inShape.filter((d): d is string => typeof d === 'string');
  const outSym = out.filter((d, i): d is string => typeof d === 'string' && i !== inferred);
  for (const s of [...outSym]) {
    const k = inSym.indexOf(s);
    if (k >= 0) {
      inSym.splice(k, 1);
      outSym.splice(outSym.indexOf(s), 1);
    }
  }
  const inKnown = inShape.reduce<number>((p, d) => (typeof d === 'number' ? p * d : p), 1);
  const outKnown = out.reduce<number>((p, d, i) => (typeof d === 'number' && i !== inferred ? p * d : p), 1);
  const describe = () => `reshape: cannot reshape [${inShape}] to [${spec}]`;
  if (inferred >= 0) {
    if (outSym.length === 0 && inSym.length === 0) {
      if (outKnown === 0 || inKnown % outKnown !== 0) throw new DlcError(describe());
      out[inferred] = inKnown / outKnown;
    } else if (outSym.length === 0 && outKnown !== 0 && inKnown % outKnown === 0 && ctx) {
      out[inferred] = dimProduct([...inSym, inKnown / outKnown], ctx, 'reshape');
    } else {
      if (!ctx) throw new DlcError(describe());
      out[inferred] = ctx.freshDim('reshape');
    }
  } else if (inSym.length === 0 && outSym.length === 0 && inKnown !== outKnown) {
    throw new DlcError(describe());
  }
  return out;
}

function inferReshape(ctx: InferContext): TensorType[] {
  const x = inType(ctx, 0);
  const spec = constInts(ctx, 1);
  if (!spec) return [{ dtype: x.dtype, shape: freshShape(ctx, vectorLength(ctx, 1, 'reshape shape'), 'reshape') }];
  return [{ dtype: x.dtype, shape: reshapeDims(x.shape, spec, attrInt(ctx.attrs, 'allowzero') !== 0, ctx) }];
}

/** Flatten's split point, in [0, rank]. */
function flattenAxis(axis: number, rank: number): number {
  const a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a > rank) throw new DlcError(`flatten: axis ${axis} is out of range for rank ${rank}`);
  return a;
}

/** Squeeze's axes: the given ones (each must be 1), or every dim known to be 1. */
function squeezeAxes(shape: readonly Dim[], axes: number[] | undefined): number[] {
  if (!axes) return shape.flatMap((d, i) => (d === 1 ? [i] : []));
  const norm = normalizeAxes(axes, shape.length);
  for (const a of norm) {
    if (typeof shape[a] === 'number' && shape[a] !== 1) throw new DlcError(`squeeze: dim ${a} has size ${shape[a]}, not 1`);
  }
  return norm;
}

function unsqueezeDims(shape: readonly Dim[], axes: readonly number[]): Dim[] {
  const rank = shape.length + axes.length;
  const norm = new Set(normalizeAxes(axes, rank));
  const out: Dim[] = [];
  let k = 0;
  for (let i = 0; i < rank; i++) out.push(norm.has(i) ? 1 : shape[k++]);
  return out;
}

function transposePerm(perm: number[] | undefined, rank: number): number[] {
  const p = perm ?? Array.from({ length: rank }, (_, i) => rank - 1 - i);
  if (p.length !== rank || new Set(normalizeAxes(p, rank)).size !== rank || p.some((a) => a < 0)) {
    throw new DlcError(`transpose: perm [${p}] is not a permutation of rank ${rank}`);
  }
  return p;
}

/** Expand's output when the target shape is known only at run time: dims the input fixes stay. */
function expandUnknown(ctx: InferContext, x: TensorType, len: number): Dim[] {
  const rank = Math.max(x.shape.length, len);
  return Array.from({ length: rank }, (_, i) => {
    const d = x.shape[i - (rank - x.shape.length)];
    return d !== undefined && d !== 1 ? d : ctx.freshDim('expand');
  });
}

/** Shape's [start, end) clamped into [0, rank]. */
function shapeRange(attrs: Record<string, unknown>, rank: number): [number, number] {
  const clamp = (v: number) => Math.min(Math.max(v < 0 ? v + rank : v, 0), rank);
  const start = clamp(attrs.start as number);
  const end = attrs.end === undefined ? rank : clamp(attrs.end as number);
  return [start, Math.max(start, end)];
}

/** Old opsets pass the axes of squeeze/unsqueeze as an attribute. */
function axesAttrToInput(name: string) {
  return (node: OnnxNode, b: ImportBuilder): Value[] => {
    const axes = attrInts(node.attrs, 'axes');
    if (node.opset >= 13 || axes === undefined) return b.emit(name, node.inputs, without(node.attrs, 'axes'), node.numOutputs);
    return b.emit(name, [node.inputs[0], b.constant(i64Vector(axes))], without(node.attrs, 'axes'), node.numOutputs);
  };
}

export const tensorShapeOps: OpDef[] = [
  {
    name: 'reshape',
    attrs: { allowzero: { type: 'int', default: 0 } },
    kind: 'injective',
    onnx: [
      {
        op: 'Reshape',
        convert: (node, b) => {
          // Reshape-1 gives the target shape as an attribute.
          const shape = attrInts(node.attrs, 'shape');
          const inputs = shape ? [node.inputs[0], b.constant(i64Vector(shape))] : node.inputs;
          return b.emit('reshape', inputs, without(node.attrs, 'shape', 'consumed_inputs'), node.numOutputs);
        },
      },
    ],
    shapeOperands: [1],
    infer: inferReshape,
    ref: (inputs, attrs) => {
      const x = required(inputs, 0);
      const shape = reshapeDims(x.shape, required(inputs, 1).toNumbers(), attrInt(attrs, 'allowzero') !== 0) as number[];
      return [x.reshape(shape)];
    },
  },
  {
    name: 'flatten',
    attrs: { axis: { type: 'int', default: 1 } },
    kind: 'injective',
    onnx: [{ op: 'Flatten' }],
    infer: (ctx) => {
      const x = inType(ctx, 0);
      const a = flattenAxis(attrInt(ctx.attrs, 'axis'), x.shape.length);
      return [{ dtype: x.dtype, shape: [dimProduct(x.shape.slice(0, a), ctx, 'flatten'), dimProduct(x.shape.slice(a), ctx, 'flatten')] }];
    },
    ref: (inputs, attrs) => {
      const x = required(inputs, 0);
      const a = flattenAxis(attrInt(attrs, 'axis'), x.rank);
      const outer = x.shape.slice(0, a).reduce((p, d) => p * d, 1);
      return [x.reshape([outer, x.shape.slice(a).reduce((p, d) => p * d, 1)])];
    },
  },
  {
    name: 'squeeze',
    attrs: {},
    kind: 'injective',
    onnx: [{ op: 'Squeeze', convert: axesAttrToInput('squeeze') }],
    shapeOperands: [1],
    infer: (ctx) => {
      const x = inType(ctx, 0);
      if (ctx.inputs[1] && !ctx.constInput(1)) {
        return [{ dtype: x.dtype, shape: freshShape(ctx, x.shape.length - vectorLength(ctx, 1, 'squeeze axes'), 'squeeze') }];
      }
      const axes = squeezeAxes(x.shape, constInts(ctx, 1));
      return [{ dtype: x.dtype, shape: x.shape.filter((_, i) => !axes.includes(i)) }];
    },
    ref: (inputs) => {
      const x = required(inputs, 0);
      const axes = squeezeAxes(x.shape, inputs[1]?.toNumbers());
      return [x.reshape(x.shape.filter((_, i) => !axes.includes(i)))];
    },
  },
  {
    name: 'unsqueeze',
    attrs: {},
    kind: 'injective',
    onnx: [{ op: 'Unsqueeze', convert: axesAttrToInput('unsqueeze') }],
    shapeOperands: [1],
    infer: (ctx) => {
      const x = inType(ctx, 0);
      const axes = constInts(ctx, 1);
      if (!axes) return [{ dtype: x.dtype, shape: freshShape(ctx, x.shape.length + vectorLength(ctx, 1, 'unsqueeze axes'), 'unsqueeze') }];
      return [{ dtype: x.dtype, shape: unsqueezeDims(x.shape, axes) }];
    },
    ref: (inputs) => {
      const x = required(inputs, 0);
      return [x.reshape(unsqueezeDims(x.shape, required(inputs, 1).toNumbers()) as number[])];
    },
  },
  {
    name: 'transpose',
    attrs: { perm: { type: 'ints', optional: true } },
    kind: 'injective',
    onnx: [{ op: 'Transpose' }],
    infer: (ctx) => {
      const x = inType(ctx, 0);
      const perm = transposePerm(attrInts(ctx.attrs, 'perm'), x.shape.length);
      return [{ dtype: x.dtype, shape: perm.map((p) => x.shape[p]) }];
    },
    ref: (inputs, attrs) => {
      const x = required(inputs, 0);
      const perm = transposePerm(attrInts(attrs, 'perm'), x.rank);
      const st = stridesOf(x.shape);
      const outStrides = perm.map((p) => st[p]);
      return [gatherByIndex(x.dtype, perm.map((p) => x.shape[p]), x.data, (idx) => {
        let s = 0;
        for (let k = 0; k < idx.length; k++) s += idx[k] * outStrides[k];
        return s;
      })];
    },
  },
  {
    name: 'expand',
    attrs: {},
    kind: 'injective',
    onnx: [{ op: 'Expand' }],
    shapeOperands: [1],
    infer: (ctx) => {
      const x = inType(ctx, 0);
      const shape = constInts(ctx, 1);
      if (!shape) return [{ dtype: x.dtype, shape: expandUnknown(ctx, x, vectorLength(ctx, 1, 'expand shape')) }];
      return [{ dtype: x.dtype, shape: broadcastShapes([x.shape, shape]) }];
    },
    ref: (inputs) => {
      const x = required(inputs, 0);
      const outShape = broadcastShapes([x.shape, required(inputs, 1).toNumbers()]) as number[];
      const [idx] = broadcastIndex([x.shape], outShape);
      const out = allocData(x.dtype, idx.length);
      for (let e = 0; e < idx.length; e++) out[e] = x.data[idx[e]];
      return [new Tensor(x.dtype, outShape, out)];
    },
  },
  {
    name: 'tile',
    attrs: {},
    kind: 'injective',
    onnx: [{ op: 'Tile' }],
    shapeOperands: [1],
    infer: (ctx) => {
      const x = inType(ctx, 0);
      const reps = constInts(ctx, 1);
      if (!reps) return [{ dtype: x.dtype, shape: freshShape(ctx, x.shape.length, 'tile') }];
      if (reps.length !== x.shape.length) throw new DlcError(`tile: ${reps.length} repeats for rank ${x.shape.length}`);
      return [{ dtype: x.dtype, shape: x.shape.map((d, i) => dimProduct([d, reps[i]], ctx, 'tile')) }];
    },
    ref: (inputs) => {
      const x = required(inputs, 0);
      const reps = required(inputs, 1).toNumbers();
      if (reps.length !== x.rank || reps.some((r) => !Number.isInteger(r) || r < 0)) {
        throw new DlcError(`tile: invalid repeats [${reps}] for shape [${x.shape}]`);
      }
      const st = stridesOf(x.shape);
      return [gatherByIndex(x.dtype, x.shape.map((d, i) => d * reps[i]), x.data, (idx) => {
        let s = 0;
        for (let k = 0; k < idx.length; k++) s += (idx[k] % x.shape[k]) * st[k];
        return s;
      })];
    },
  },
  {
    name: 'shape',
    attrs: { start: { type: 'int', default: 0 }, end: { type: 'int', optional: true } },
    kind: 'injective',
    onnx: [{ op: 'Shape' }],
    infer: (ctx) => {
      const [start, end] = shapeRange(ctx.attrs, inType(ctx, 0).shape.length);
      return [{ dtype: 'i64', shape: [end - start] }];
    },
    propagate: (ctx) => {
      const shape = inType(ctx, 0).shape;
      if (!isConcreteShape(shape)) return undefined;
      const [start, end] = shapeRange(ctx.attrs, shape.length);
      return [i64Vector(shape.slice(start, end))];
    },
    // Depends on the input's shape only, never its elements: a pass may fold it once shapes are concrete.
    ref: (inputs, attrs) => {
      const x = required(inputs, 0);
      const [start, end] = shapeRange(attrs, x.rank);
      return [i64Vector(x.shape.slice(start, end))];
    },
  },
  {
    name: 'size',
    attrs: {},
    kind: 'injective',
    onnx: [{ op: 'Size' }],
    infer: () => [{ dtype: 'i64', shape: [] }],
    propagate: (ctx) => {
      const n = knownSize(inType(ctx, 0).shape);
      return n === undefined ? undefined : [Tensor.scalar('i64', n)];
    },
    ref: (inputs) => [Tensor.scalar('i64', required(inputs, 0).size)],
  },
];
