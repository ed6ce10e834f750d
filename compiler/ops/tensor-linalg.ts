// Data-dependent and numeric ops: unique, det, dft.
import { DlcError } from '../errors.js';
import { allocData, castScalar, isFloat } from '../ir/dtype.js';
import type { Dim, TensorType } from '../ir/graph.js';
import { Tensor, checkedSize } from '../ir/tensor.js';
import type { InferContext, OpDef } from './registry.js';
import { attrInt, knownSize, normalizeAxis, required } from './util.js';
import { constInts, dimProduct, freshShape, i64Vector, inType, without } from './tensor-common.js';
import { refGather } from './tensor-index.js';

function inferUnique(ctx: InferContext): TensorType[] {
  const x = inType(ctx, 0);
  const u = ctx.freshDim('unique');
  let y: Dim[];
  let inverse: Dim;
  if (ctx.attrs.axis === undefined) {
    y = [u];
    inverse = dimProduct(x.shape, ctx, 'unique');
  } else {
    const axis = normalizeAxis(attrInt(ctx.attrs, 'axis'), x.shape.length);
    y = x.shape.map((d, i) => (i === axis ? u : d));
    inverse = x.shape[axis];
  }
  return [{ dtype: x.dtype, shape: y }, { dtype: 'i64', shape: [u] }, { dtype: 'i64', shape: [inverse] }, { dtype: 'i64', shape: [u] }];
}

/** Lexicographic order of two equally long number lists. */
function compareLists(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i] < b[i] ? -1 : 1;
  return 0;
}

/**
 * Unique slices along an axis (or unique elements of the flattened input): Y, the index of each one's first
 * occurrence, each input slice's position in Y, and the counts. Sorted ascending, or in first-occurrence order.
 */
function refUnique(x0: Tensor, axisAttr: number | undefined, sorted: boolean): Tensor[] {
  const x = axisAttr === undefined ? x0.reshape([x0.size]) : x0;
  const axis = axisAttr === undefined ? 0 : normalizeAxis(axisAttr, x.rank);
  const d = x.shape[axis];
  const inner = x.shape.slice(axis + 1).reduce((p, v) => p * v, 1);
  const outer = d * inner === 0 ? 0 : x.size / (d * inner);
  const slices = Array.from({ length: d }, (_, j) => {
    const s: number[] = [];
    for (let o = 0; o < outer; o++) for (let i = 0; i < inner; i++) s.push(x.data[(o * d + j) * inner + i]);
    return s;
  });
  const firstOf = new Map<string, number>();
  const firsts: number[] = [];
  for (let j = 0; j < d; j++) {
    const key = slices[j].join(',');
    if (!firstOf.has(key)) {
      firstOf.set(key, j);
      firsts.push(j);
    }
  }
  if (sorted) firsts.sort((a, b) => compareLists(slices[a], slices[b]));
  const position = new Map(firsts.map((j, k) => [slices[j].join(','), k]));
  const inverse = slices.map((s) => position.get(s.join(','))!);
  const counts = firsts.map(() => 0);
  for (const k of inverse) counts[k]++;
  return [refGather(x, i64Vector(firsts), axis), i64Vector(firsts), i64Vector(inverse), i64Vector(counts)];
}

/** Determinant of an n×n row-major matrix by LU decomposition with partial pivoting. */
function determinant(a: Float64Array, n: number): number {
  let det = 1;
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(a[r * n + c]) > Math.abs(a[p * n + c])) p = r;
    if (a[p * n + c] === 0) return 0;
    if (p !== c) {
      for (let k = 0; k < n; k++) [a[c * n + k], a[p * n + k]] = [a[p * n + k], a[c * n + k]];
      det = -det;
    }
    const pivot = a[c * n + c];
    det *= pivot;
    for (let r = c + 1; r < n; r++) {
      const f = a[r * n + c] / pivot;
      for (let k = c; k < n; k++) a[r * n + k] -= f * a[c * n + k];
    }
  }
  return det;
}

/** DFT's transformed axis, the signal length n after padding/truncation, and the output length along the axis. */
function dftGeometry(shape: readonly Dim[], axisT: Tensor | null | undefined, length: number | undefined, onesided: boolean) {
  const rank = shape.length;
  if (rank < 2) throw new DlcError(`dft: input must have rank ≥ 2, got ${rank}`);
  const last = shape[rank - 1];
  if (last !== 1 && last !== 2 && typeof last === 'number') throw new DlcError(`dft: the last dim must be 1 (real) or 2 (complex), got ${last}`);
  const axis = normalizeAxis(axisT ? axisT.data[0] : -2, rank);
  if (axis === rank - 1) throw new DlcError('dft: cannot transform along the complex dim');
  const n = length ?? shape[axis];
  const outLen: Dim | undefined = typeof n !== 'number' ? (onesided ? undefined : n) : onesided ? Math.floor(n / 2) + 1 : n;
  return { axis, n, outLen };
}

export function refDft(x: Tensor, lengthT: Tensor | null, axisT: Tensor | null, inverse: boolean, onesided: boolean): Tensor {
  const length = lengthT ? lengthT.data[0] : undefined;
  if (length !== undefined && !(Number.isInteger(length) && length > 0)) throw new DlcError(`dft: dft_length ${length} is not positive`);
  const g = dftGeometry(x.shape, axisT, length, onesided);
  const n = g.n as number;
  const outLen = g.outLen as number;
  const d = x.shape[g.axis];
  const complex = x.shape[x.rank - 1] === 2;
  const inner = x.shape.slice(g.axis + 1, -1).reduce((p, v) => p * v, 1);
  const outer = x.shape.slice(0, g.axis).reduce((p, v) => p * v, 1);
  const outShape = [...x.shape.slice(0, -1), 2];
  outShape[g.axis] = outLen;
  const out = allocData(x.dtype, checkedSize(outShape));
  const sign = inverse ? 1 : -1;
  const width = complex ? 2 : 1;
  // X[k] = s Σ_j x[j] e^{∓2πi jk/n}, s = 1/n for the inverse; x is zero-padded or truncated to n.
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      for (let k = 0; k < outLen; k++) {
        let re = 0;
        let im = 0;
        for (let j = 0; j < Math.min(n, d); j++) {
          const at = ((o * d + j) * inner + i) * width;
          const xr = x.data[at];
          const xi = complex ? x.data[at + 1] : 0;
          const t = (sign * 2 * Math.PI * ((j * k) % n)) / n;
          re += xr * Math.cos(t) - xi * Math.sin(t);
          im += xr * Math.sin(t) + xi * Math.cos(t);
        }
        const scale = inverse ? 1 / n : 1;
        const at = ((o * outLen + k) * inner + i) * 2;
        out[at] = castScalar(re * scale, x.dtype);
        out[at + 1] = castScalar(im * scale, x.dtype);
      }
    }
  }
  return new Tensor(x.dtype, outShape, out);
}

export const tensorLinalgOps: OpDef[] = [
  {
    name: 'unique',
    attrs: { axis: { type: 'int', optional: true }, sorted: { type: 'int', default: 1 } },
    kind: 'opaque',
    onnx: [{ op: 'Unique' }],
    infer: inferUnique,
    ref: (inputs, attrs) => refUnique(required(inputs, 0), attrs.axis as number | undefined, attrInt(attrs, 'sorted') !== 0),
  },
  {
    name: 'det',
    attrs: {},
    kind: 'opaque',
    onnx: [{ op: 'Det' }],
    infer: (ctx) => {
      const x = inType(ctx, 0);
      const r = x.shape.length;
      if (r < 2) throw new DlcError(`det: input must have rank ≥ 2, got ${r}`);
      if (!isFloat(x.dtype)) throw new DlcError(`det: input must be floating point, got ${x.dtype}`);
      const [m, n] = x.shape.slice(-2);
      if (typeof m === 'number' && typeof n === 'number' && m !== n) throw new DlcError(`det: matrices are ${m}×${n}, not square`);
      return [{ dtype: x.dtype, shape: x.shape.slice(0, -2) }];
    },
    ref: (inputs) => {
      const x = required(inputs, 0);
      const n = x.shape[x.rank - 1];
      if (x.shape[x.rank - 2] !== n) throw new DlcError(`det: matrices of shape [${x.shape}] are not square`);
      const outShape = x.shape.slice(0, -2);
      const count = checkedSize(outShape);
      const out = allocData(x.dtype, count);
      for (let b = 0; b < count; b++) out[b] = castScalar(determinant(Float64Array.from(x.data.subarray(b * n * n, (b + 1) * n * n)), n), x.dtype);
      return [new Tensor(x.dtype, outShape, out)];
    },
    cost: (ctx) => {
      const x = ctx.inputs[0];
      const n = x ? x.shape[x.shape.length - 1] : 0;
      const batch = x ? knownSize(x.shape.slice(0, -2)) ?? 0 : 0;
      return { flops: typeof n === 'number' ? (batch * 2 * n ** 3) / 3 : 0 };
    },
  },
  {
    name: 'dft',
    attrs: { inverse: { type: 'int', default: 0 }, onesided: { type: 'int', default: 0 } },
    kind: 'opaque',
    onnx: [
      {
        op: 'DFT',
        convert: (node, b) => {
          if (node.opset >= 20) return b.emit('dft', node.inputs, node.attrs, node.numOutputs);
          // DFT-17 gives the axis as an attribute defaulting to 1; from opset 20 it is an input defaulting to -2.
          const axis = (node.attrs.axis as number | undefined) ?? 1;
          const ins = [node.inputs[0], node.inputs[1] ?? null, b.constant(Tensor.scalar('i64', axis))];
          return b.emit('dft', ins, without(node.attrs, 'axis'), node.numOutputs);
        },
      },
    ],
    shapeOperands: [1, 2],
    infer: (ctx) => {
      const x = inType(ctx, 0);
      if (!isFloat(x.dtype)) throw new DlcError(`dft: input must be floating point, got ${x.dtype}`);
      // A run-time axis leaves unknown which dim changes: all but the complex one become fresh.
      if (ctx.inputs[2] && !ctx.constInput(2)) return [{ dtype: x.dtype, shape: [...freshShape(ctx, x.shape.length - 1, 'dft'), 2] }];
      const length = constInts(ctx, 1);
      const onesided = attrInt(ctx.attrs, 'onesided') !== 0;
      const g = dftGeometry(x.shape, ctx.constInput(2), length?.[0], onesided);
      const shape: Dim[] = [...x.shape.slice(0, -1), 2];
      const lengthKnown = !ctx.inputs[1] || length !== undefined;
      shape[g.axis] = lengthKnown && g.outLen !== undefined ? g.outLen : ctx.freshDim('dft');
      return [{ dtype: x.dtype, shape }];
    },
    ref: (inputs, attrs) => [refDft(required(inputs, 0), inputs[1] ?? null, inputs[2] ?? null, attrInt(attrs, 'inverse') !== 0, attrInt(attrs, 'onesided') !== 0)],
    cost: (ctx) => {
      const x = ctx.inputs[0];
      if (!x) return { flops: 0 };
      // A direct DFT: n complex multiply-adds (8 FLOPs) per complex output element.
      const outN = knownSize(ctx.outputs[0].shape) ?? 0;
      const { n } = dftGeometry(x.shape, ctx.node.inputs[2]?.data, ctx.node.inputs[1]?.data?.data[0], false);
      return { flops: typeof n === 'number' ? (outN / 2) * 8 * n : 0 };
    },
  },
];
