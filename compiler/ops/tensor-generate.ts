// Generators and masks: constant_of_shape, range, eye_like, trilu, reverse_sequence, the
// hann/hamming/blackman windows and the mel filter bank (mel_weight_matrix).
import { DlcError } from '../errors.js';
import { allocData, castScalar, type DType } from '../ir/dtype.js';
import type { Attrs, Dim, TensorType } from '../ir/graph.js';
import { Tensor, checkedSize, stridesOf } from '../ir/tensor.js';
import type { InferContext, OnnxImport, OpDef } from './registry.js';
import { attrInt, normalizeAxis, required } from './util.js';
import { constInts, dtypeAttrFromOnnx, freshShape, gatherByIndex, inType, vectorLength, without } from './tensor-common.js';

function fillValue(attrs: Attrs): Tensor {
  const v = attrs.value;
  if (v === undefined) return Tensor.scalar('f32', 0);
  if (!(v instanceof Tensor) || v.size !== 1) throw new DlcError('constant_of_shape: value must be a one-element tensor');
  return v;
}

/** Range's element count: max(ceil((limit - start) / delta), 0). */
function rangeCount(start: number, limit: number, delta: number): number {
  if (delta === 0) throw new DlcError('range: delta is 0');
  return Math.max(Math.ceil((limit - start) / delta), 0);
}

function scalarOf(t: Tensor, what: string): number {
  if (t.size !== 1) throw new DlcError(`${what} must be a scalar, got shape [${t.shape}]`);
  return t.data[0];
}

/** The value a window op has at position n of a window of `size`, given its cosine-series coefficients. */
function cosineWindow(coeffs: readonly number[]): (n: number, size: number, periodic: boolean) => number {
  return (n, size, periodic) => {
    const denom = periodic ? size : size - 1;
    let w = 0;
    coeffs.forEach((c, k) => (w += (k % 2 === 0 ? c : -c) * Math.cos((2 * Math.PI * k * n) / denom)));
    return w;
  };
}

const WINDOWS: [string, string, number[]][] = [
  // w[n] = Σ_k (-1)^k a_k cos(2πkn/N), N = size (periodic) or size - 1 (symmetric).
  ['HannWindow', 'hann_window', [0.5, 0.5]],
  ['HammingWindow', 'hamming_window', [25 / 46, 21 / 46]],
  ['BlackmanWindow', 'blackman_window', [0.42, 0.5, 0.08]],
];

/** ONNX gives the output type as a TensorProto.DataType code under `attr`; canonical ops hold a `dtype` name. */
function dtypeAttrImport(op: string, name: string, attr: string): OnnxImport {
  return {
    op,
    convert: (node, b) => {
      const attrs = without(node.attrs, attr);
      if (node.attrs[attr] !== undefined) attrs.dtype = dtypeAttrFromOnnx(node.attrs[attr]);
      return b.emit(name, node.inputs, attrs, node.numOutputs);
    },
  };
}

const windowOps: OpDef[] = WINDOWS.map(([onnxOp, name, coeffs]) => {
  const at = cosineWindow(coeffs);
  return {
    name,
    attrs: { periodic: { type: 'int', default: 1 }, dtype: { type: 'string', default: 'f32' } },
    kind: 'injective',
    onnx: [dtypeAttrImport(onnxOp, name, 'output_datatype')],
    shapeOperands: [0],
    infer: (ctx: InferContext): TensorType[] => {
      const size = constInts(ctx, 0);
      return [{ dtype: ctx.attrs.dtype as DType, shape: [size ? size[0] : ctx.freshDim(name)] }];
    },
    ref: (inputs: (Tensor | null)[], attrs: Attrs): Tensor[] => {
      const size = scalarOf(required(inputs, 0), `${name} size`);
      const dtype = attrs.dtype as DType;
      const periodic = attrInt(attrs, 'periodic') !== 0;
      const out = allocData(dtype, checkedSize([size]));
      for (let n = 0; n < size; n++) out[n] = castScalar(size === 1 && !periodic ? 1 : at(n, size, periodic), dtype);
      return [new Tensor(dtype, [size], out)];
    },
  };
});

/**
 * The mel filter bank of ONNX's reference (onnx 1.12): num_mel_bins + 2 points evenly spaced on the mel scale
 * (m = 2595·log10(1 + f/700)) between the edges, with step (high − low)/(num_mel_bins + 2) as the reference
 * takes it, mapped back to Hz and to DFT bins ⌊(dft_length + 1)·f / sample_rate⌋; filter i rises linearly from
 * bin i to bin i + 1 and falls to bin i + 2. Rows: the dft_length/2 + 1 spectrogram bins.
 */
function melWeightMatrix(bins: number, dftLength: number, sampleRate: number, lowHz: number, highHz: number, dtype: DType): Tensor {
  const rows = Math.floor(dftLength / 2) + 1;
  const mel = (hz: number) => 2595 * Math.log10(1 + hz / 700);
  const [lowMel, highMel] = [mel(lowHz), mel(highHz)];
  const step = (highMel - lowMel) / (bins + 2);
  const points = Array.from({ length: bins + 2 }, (_, k) => Math.floor(((dftLength + 1) * 700 * (10 ** ((k * step + lowMel) / 2595) - 1)) / sampleRate));
  const out = new Float64Array(rows * bins);
  const set = (row: number, i: number, v: number) => {
    if (row < 0 || row >= rows) throw new DlcError(`mel_weight_matrix: the filter edges reach bin ${row}, outside the ${rows} spectrogram bins`);
    out[row * bins + i] = v;
  };
  for (let i = 0; i < bins; i++) {
    const [lo, center, hi] = [points[i], points[i + 1], points[i + 2]];
    if (center === lo) set(center, i, 1);
    else for (let j = lo; j <= center; j++) set(j, i, (j - lo) / (center - lo));
    for (let j = center; j < hi; j++) set(j, i, (hi - j) / (hi - center));
  }
  const data = allocData(dtype, rows * bins);
  out.forEach((v, j) => (data[j] = castScalar(v, dtype)));
  return new Tensor(dtype, [rows, bins], data);
}

function inferConstantOfShape(ctx: InferContext): TensorType[] {
  const dtype = fillValue(ctx.attrs).dtype;
  const shape = constInts(ctx, 0);
  if (!shape) return [{ dtype, shape: freshShape(ctx, vectorLength(ctx, 0, 'constant_of_shape shape'), 'constant_of_shape') }];
  return [{ dtype, shape }];
}

/** The matrix dims (last two) of an input of rank ≥ 2. */
function matrixDims(shape: readonly number[], what: string): [number, number] {
  if (shape.length < 2) throw new DlcError(`${what}: input must have rank ≥ 2, got [${shape}]`);
  return [shape[shape.length - 2], shape[shape.length - 1]];
}

function refReverseSequence(x: Tensor, lens: Tensor, attrs: Attrs): Tensor {
  const batchAxis = normalizeAxis(attrInt(attrs, 'batch_axis'), x.rank);
  const timeAxis = normalizeAxis(attrInt(attrs, 'time_axis'), x.rank);
  if (batchAxis === timeAxis) throw new DlcError('reverse_sequence: batch_axis and time_axis are the same');
  if (lens.size !== x.shape[batchAxis]) throw new DlcError(`reverse_sequence: ${lens.size} sequence lengths for a batch of ${x.shape[batchAxis]}`);
  const st = stridesOf(x.shape);
  return gatherByIndex(x.dtype, x.shape, x.data, (idx) => {
    const len = Math.min(Math.max(lens.data[idx[batchAxis]], 0), x.shape[timeAxis]);
    let o = 0;
    for (let k = 0; k < idx.length; k++) {
      const i = k === timeAxis && idx[k] < len ? len - 1 - idx[k] : idx[k];
      o += i * st[k];
    }
    return o;
  });
}

export const tensorGenerateOps: OpDef[] = [
  {
    name: 'constant_of_shape',
    attrs: { value: { type: 'tensor', optional: true } },
    kind: 'injective',
    onnx: [{ op: 'ConstantOfShape' }],
    shapeOperands: [0],
    infer: inferConstantOfShape,
    ref: (inputs, attrs) => {
      const v = fillValue(attrs);
      const shape = required(inputs, 0).toNumbers();
      const out = allocData(v.dtype, checkedSize(shape));
      out.fill(v.data[0]);
      return [new Tensor(v.dtype, shape, out)];
    },
  },
  {
    name: 'range',
    attrs: {},
    kind: 'injective',
    onnx: [{ op: 'Range' }],
    shapeOperands: [0, 1, 2],
    infer: (ctx) => {
      const ts = [0, 1, 2].map((i) => inType(ctx, i));
      if (ts.some((t) => t.dtype !== ts[0].dtype)) throw new DlcError(`range: start, limit and delta differ in dtype (${ts.map((t) => t.dtype)})`);
      const [start, limit, delta] = [0, 1, 2].map((i) => ctx.constInput(i));
      const n: Dim = start && limit && delta
        ? rangeCount(scalarOf(start, 'range start'), scalarOf(limit, 'range limit'), scalarOf(delta, 'range delta'))
        : ctx.freshDim('range');
      return [{ dtype: ts[0].dtype, shape: [n] }];
    },
    ref: (inputs) => {
      const start = scalarOf(required(inputs, 0), 'range start');
      const delta = scalarOf(required(inputs, 2), 'range delta');
      const n = rangeCount(start, scalarOf(required(inputs, 1), 'range limit'), delta);
      const dtype = required(inputs, 0).dtype;
      const out = allocData(dtype, checkedSize([n]));
      for (let i = 0; i < n; i++) out[i] = castScalar(start + i * delta, dtype);
      return [new Tensor(dtype, [n], out)];
    },
  },
  {
    name: 'eye_like',
    attrs: { dtype: { type: 'string', optional: true }, k: { type: 'int', default: 0 } },
    kind: 'injective',
    onnx: [dtypeAttrImport('EyeLike', 'eye_like', 'dtype')],
    infer: (ctx) => {
      const x = inType(ctx, 0);
      if (x.shape.length !== 2) throw new DlcError(`eye_like: input must be 2-D, got rank ${x.shape.length}`);
      return [{ dtype: (ctx.attrs.dtype as DType | undefined) ?? x.dtype, shape: [...x.shape] }];
    },
    ref: (inputs, attrs) => {
      const x = required(inputs, 0);
      const dtype = (attrs.dtype as DType | undefined) ?? x.dtype;
      const [rows, cols] = matrixDims(x.shape, 'eye_like');
      const k = attrInt(attrs, 'k');
      const out = allocData(dtype, rows * cols);
      for (let i = 0; i < rows; i++) if (i + k >= 0 && i + k < cols) out[i * cols + i + k] = 1;
      return [new Tensor(dtype, [rows, cols], out)];
    },
  },
  {
    name: 'trilu',
    attrs: { upper: { type: 'int', default: 1 } },
    kind: 'injective',
    onnx: [{ op: 'Trilu' }],
    infer: (ctx) => {
      const x = inType(ctx, 0);
      if (x.shape.length < 2) throw new DlcError(`trilu: input must have rank ≥ 2, got ${x.shape.length}`);
      return [{ dtype: x.dtype, shape: [...x.shape] }];
    },
    ref: (inputs, attrs) => {
      const x = required(inputs, 0);
      const k = inputs[1] ? scalarOf(inputs[1], 'trilu k') : 0;
      const upper = attrInt(attrs, 'upper') !== 0;
      const [rows, cols] = matrixDims(x.shape, 'trilu');
      const out = allocData(x.dtype, x.size);
      // Upper keeps the elements on or above the k-th diagonal (j - i ≥ k); lower those on or below it.
      for (let e = 0; e < x.size; e++) {
        const j = e % cols;
        const i = Math.floor(e / cols) % rows;
        if (upper ? j - i >= k : j - i <= k) out[e] = x.data[e];
      }
      return [new Tensor(x.dtype, x.shape, out)];
    },
  },
  {
    name: 'reverse_sequence',
    attrs: { batch_axis: { type: 'int', default: 1 }, time_axis: { type: 'int', default: 0 } },
    kind: 'injective',
    onnx: [{ op: 'ReverseSequence' }],
    infer: (ctx) => {
      const x = inType(ctx, 0);
      return [{ dtype: x.dtype, shape: [...x.shape] }];
    },
    ref: (inputs, attrs) => [refReverseSequence(required(inputs, 0), required(inputs, 1), attrs)],
  },
  ...windowOps,
  {
    name: 'mel_weight_matrix',
    attrs: { dtype: { type: 'string', default: 'f32' } },
    kind: 'injective',
    onnx: [dtypeAttrImport('MelWeightMatrix', 'mel_weight_matrix', 'output_datatype')],
    shapeOperands: [0, 1],
    infer: (ctx) => {
      const [bins, dft] = [constInts(ctx, 0), constInts(ctx, 1)];
      return [{ dtype: ctx.attrs.dtype as DType, shape: [dft ? Math.floor(dft[0] / 2) + 1 : ctx.freshDim('mel_rows'), bins ? bins[0] : ctx.freshDim('mel_bins')] }];
    },
    ref: (inputs, attrs) => {
      const [bins, dft, rate, low, high] = [0, 1, 2, 3, 4].map((i) => scalarOf(required(inputs, i), `mel_weight_matrix input ${i}`));
      return [melWeightMatrix(bins, dft, rate, low, high, attrs.dtype as DType)];
    },
  },
];
