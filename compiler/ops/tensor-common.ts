// Helpers shared by the tensor op family: reading constant inputs during inference, symbolic dim
// arithmetic, multi-index iteration, and converting old ONNX attributes into canonical inputs.
import { DlcError } from '../errors.js';
import { allocData, type DType, type TensorData } from '../ir/dtype.js';
import type { Attrs, Dim, TensorType } from '../ir/graph.js';
import { Tensor, checkedSize } from '../ir/tensor.js';
import { dtypeFromOnnx } from '../onnx/proto.js';
import type { InferContext } from './registry.js';

/** The type of input `i`, which the op requires. */
export function inType(ctx: InferContext, i: number): TensorType {
  const t = ctx.inputs[i];
  if (!t) throw new DlcError(`missing required input ${i}`);
  return t;
}

/** The integer elements of constant input `i`; undefined when the input is absent or computed at run time. */
export function constInts(ctx: InferContext, i: number): number[] | undefined {
  return ctx.constInput(i)?.toNumbers();
}

/** A 1-D i64 tensor: what shapes, axes, pads and the like are as canonical inputs. */
export function i64Vector(values: readonly number[]): Tensor {
  return Tensor.fromArray('i64', [values.length], values);
}

/** The attributes without the named ones (those a convert turned into inputs). */
export function without(attrs: Attrs, ...names: string[]): Attrs {
  const out: Attrs = {};
  for (const [k, v] of Object.entries(attrs)) if (!names.includes(k)) out[k] = v;
  return out;
}

/** A canonical dtype attribute from an ONNX TensorProto.DataType code. */
export function dtypeAttrFromOnnx(code: unknown): DType {
  if (typeof code !== 'number') throw new DlcError('dtype attribute must be an int');
  return dtypeFromOnnx(code);
}

/** Product of dims: concrete when all are, the dim itself for a lone symbolic dim, else a fresh dim. */
export function dimProduct(dims: readonly Dim[], ctx: InferContext, hint: string): Dim {
  let known = 1;
  const symbolic: string[] = [];
  for (const d of dims) {
    if (typeof d === 'number') known *= d;
    else symbolic.push(d);
  }
  if (symbolic.length === 0) return known;
  if (known === 0) return 0;
  if (symbolic.length === 1 && known === 1) return symbolic[0];
  return ctx.freshDim(hint);
}

/** `rank` fresh dims: the shape of a value whose rank is known but whose sizes are only known at run time. */
export function freshShape(ctx: InferContext, rank: number, hint: string): Dim[] {
  return Array.from({ length: rank }, () => ctx.freshDim(hint));
}

/** The length of a 1-D input (shape, axes, pads...), when its type says so. */
export function vectorLength(ctx: InferContext, i: number, what: string): number {
  const t = inType(ctx, i);
  if (t.shape.length !== 1) throw new DlcError(`${what} must be 1-D, got rank ${t.shape.length}`);
  const n = t.shape[0];
  if (typeof n !== 'number') throw new DlcError(`${what} has a length known only at run time, so the output rank is unknown`);
  return n;
}

/** Normalizes a list of axes (negative allowed) and rejects duplicates. */
export function normalizeAxes(axes: readonly number[], rank: number): number[] {
  const out = axes.map((a) => {
    const n = a < 0 ? a + rank : a;
    if (!Number.isInteger(n) || n < 0 || n >= rank) throw new DlcError(`axis ${a} is out of range for rank ${rank}`);
    return n;
  });
  if (new Set(out).size !== out.length) throw new DlcError(`axes [${axes}] repeat an axis`);
  return out;
}

/** Advances a row-major multi-index over `shape` in place. */
export function nextIndex(idx: number[], shape: readonly number[]): void {
  for (let d = shape.length - 1; d >= 0; d--) {
    if (++idx[d] < shape[d]) return;
    idx[d] = 0;
  }
}

/**
 * Builds a tensor of `outShape` whose element at multi-index `idx` is `src[from(idx)]`, or `fill` where
 * `from` returns -1 (padding, masked elements). `idx` is reused between calls: do not keep it.
 */
export function gatherByIndex(dtype: DType, outShape: readonly number[], src: TensorData, from: (idx: number[]) => number, fill = 0): Tensor {
  const n = checkedSize(outShape);
  const out = allocData(dtype, n);
  const idx = new Array<number>(outShape.length).fill(0);
  for (let e = 0; e < n; e++) {
    const s = from(idx);
    out[e] = s < 0 ? fill : src[s];
    nextIndex(idx, outShape);
  }
  return new Tensor(dtype, outShape, out);
}

/** Checks an index against an axis of size `dim` and maps a negative one to its positive form. */
export function wrapIndex(i: number, dim: number, what: string): number {
  const j = i < 0 ? i + dim : i;
  if (!(j >= 0 && j < dim)) throw new DlcError(`${what} ${i} is out of range for a dimension of size ${dim}`);
  return j;
}
