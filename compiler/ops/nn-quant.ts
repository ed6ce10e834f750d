// Linear quantization: quantize_linear / dequantize_linear (per tensor or per axis), dynamic_quantize_linear,
// and the integer anchors conv_integer, matmul_integer, qlinear_conv, qlinear_matmul.
//
// Integer products accumulate exactly in f64 (well inside 2^53). Requantization emulates f32 arithmetic
// (Math.fround after each step) and rounds half to even, as onnxruntime and ONNX's reference do.
import { DlcError } from '../errors.js';
import { isInteger, type DType } from '../ir/dtype.js';
import type { Attrs, TensorType } from '../ir/graph.js';
import { Tensor, sizeOf } from '../ir/tensor.js';
import type { OpDef } from './registry.js';
import { attrInt, normalizeAxis, required } from './util.js';
import { convAccumulate, convCost, convGeometry, convertWindowed, inferConvShape } from './nn-conv.js';
import { batchedMatmul, matmulCost, planMatmul } from './nn-matmul.js';
import { WINDOW_ATTRS } from './nn-window.js';

const RANGES: Partial<Record<DType, [number, number]>> = {
  u8: [0, 255], i8: [-128, 127], u16: [0, 65535], i16: [-32768, 32767], i32: [-2147483648, 2147483647],
};

function rangeOf(dtype: DType): [number, number] {
  const r = RANGES[dtype];
  if (!r) throw new DlcError(`quantization to ${dtype} is not supported`);
  return r;
}

export function roundHalfEven(v: number): number {
  const f = Math.floor(v);
  const d = v - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

/** Rounds to nearest even and clamps into the range of an integer dtype. */
function saturate(v: number, dtype: DType): number {
  const [lo, hi] = rangeOf(dtype);
  return Math.min(hi, Math.max(lo, roundHalfEven(v)));
}

/**
 * For each element of `shape`, the index of its quantization parameter: 0 for a per-tensor parameter
 * (one element), the coordinate along `axis` for a per-axis one.
 */
function paramIndex(shape: readonly number[], paramSize: number, axis: number): (e: number) => number {
  if (paramSize === 1) return () => 0;
  const a = normalizeAxis(axis, shape.length);
  if (shape[a] !== paramSize) throw new DlcError(`quantization parameter of ${paramSize} elements does not match axis ${a} of [${shape}]`);
  const inner = sizeOf(shape.slice(a + 1));
  return (e) => Math.floor(e / inner) % paramSize;
}

/** x − zero_point as f64, the zero point per tensor or along `axis`. */
function shifted(x: Tensor, zp: Tensor | null, axis: number): Float64Array {
  const out = new Float64Array(x.size);
  if (!zp) {
    for (let i = 0; i < x.size; i++) out[i] = x.data[i];
    return out;
  }
  const at = paramIndex(x.shape, zp.size, axis);
  for (let i = 0; i < x.size; i++) out[i] = x.data[i] - zp.data[at(i)];
  return out;
}

/** y = saturate(round(acc · (s_in[i] / s_out)) + zp_out), `inScale(i)` giving the combined input scale. */
function requantize(acc: Float64Array, shape: number[], inScale: (e: number) => number, yScale: Tensor, yZp: Tensor | null | undefined): Tensor {
  const dtype = yZp?.dtype ?? 'u8';
  const ys = yScale.data[0];
  const zp = yZp ? yZp.data[0] : 0;
  const out = new Tensor(dtype, shape);
  for (let e = 0; e < acc.length; e++) {
    const mult = Math.fround(Math.fround(inScale(e)) / ys);
    out.data[e] = saturate(Math.fround(acc[e] * mult) + zp, dtype);
  }
  return out;
}

function quantizeRef(inputs: (Tensor | null)[], attrs: Attrs): Tensor {
  const [x, scale, zp] = [required(inputs, 0), required(inputs, 1), inputs[2]];
  const dtype = zp?.dtype ?? 'u8';
  const at = paramIndex(x.shape, scale.size, attrInt(attrs, 'axis'));
  const zat = zp ? paramIndex(x.shape, zp.size, attrInt(attrs, 'axis')) : () => 0;
  const out = new Tensor(dtype, x.shape);
  for (let e = 0; e < x.size; e++) {
    const q = Math.fround(x.data[e] / scale.data[at(e)]);
    out.data[e] = Math.min(rangeOf(dtype)[1], Math.max(rangeOf(dtype)[0], roundHalfEven(q) + (zp ? zp.data[zat(e)] : 0)));
  }
  return out;
}

function dequantizeRef(inputs: (Tensor | null)[], attrs: Attrs): Tensor {
  const [x, scale, zp] = [required(inputs, 0), required(inputs, 1), inputs[2]];
  const at = paramIndex(x.shape, scale.size, attrInt(attrs, 'axis'));
  const zat = zp ? paramIndex(x.shape, zp.size, attrInt(attrs, 'axis')) : () => 0;
  const out = new Float64Array(x.size);
  for (let e = 0; e < x.size; e++) out[e] = (x.data[e] - (zp ? zp.data[zat(e)] : 0)) * scale.data[at(e)];
  return new Tensor(scale.dtype, x.shape, out);
}

/** scale = (max(0, max x) − min(0, min x)) / 255, zero point = round(−min / scale), y = saturate(round(x / scale) + zp). */
function dynamicQuantizeRef(x: Tensor): Tensor[] {
  let lo = 0;
  let hi = 0;
  for (let i = 0; i < x.size; i++) {
    lo = Math.min(lo, x.data[i]);
    hi = Math.max(hi, x.data[i]);
  }
  const scale = Math.fround(Math.fround(hi - lo) / 255);
  const zp = scale === 0 ? 0 : saturate(Math.fround(0 - lo / scale), 'u8');
  const y = new Tensor('u8', x.shape);
  for (let i = 0; i < x.size; i++) y.data[i] = scale === 0 ? zp : saturate(roundHalfEven(Math.fround(x.data[i] / scale)) + zp, 'u8');
  return [y, Tensor.scalar('f32', scale), Tensor.scalar('u8', zp)];
}

function needInputs(ctx: { inputs: (TensorType | null)[] }, indices: number[], op: string): TensorType[] {
  return indices.map((i) => {
    const t = ctx.inputs[i];
    if (!t) throw new DlcError(`${op} needs input ${i}`);
    return t;
  });
}

/** Conv of zero-point-shifted operands, accumulated exactly; w's zero point may be per output channel. */
function integerConv(x: Tensor, xZp: Tensor | null, w: Tensor, wZp: Tensor | null, bias: Tensor | null, attrs: Attrs): { acc: Float64Array; shape: number[] } {
  const { geo, outShape } = convGeometry(attrs, x, w);
  const acc = convAccumulate(shifted(x, xZp, 1), shifted(w, wZp, 0), bias?.data ?? null, x.shape[0], x.shape[1], w.shape[0], attrInt(attrs, 'group'), geo);
  return { acc, shape: outShape };
}

/** Matmul of zero-point-shifted operands: A's zero point per row (axis −2), B's per column (axis −1). */
function integerMatmul(a: Tensor, aZp: Tensor | null, b: Tensor, bZp: Tensor | null): { out: Float64Array; shape: number[] } {
  const aAxis = a.rank >= 2 ? a.rank - 2 : 0;
  return batchedMatmul(shifted(a, aZp, aAxis), a.shape, shifted(b, bZp, b.rank - 1), b.shape);
}

const CONV_ATTRS = { ...WINDOW_ATTRS, group: { type: 'int' as const, default: 1 } };

export const quantOps: OpDef[] = [
  {
    name: 'quantize_linear',
    attrs: { axis: { type: 'int', default: 1 } },
    kind: 'broadcast',
    onnx: [
      {
        op: 'QuantizeLinear',
        // saturate only concerns float8 outputs, which are not supported; blocked quantization is refused.
        convert: (node, b) => {
          if ((node.attrs.block_size as number | undefined) || (node.attrs.output_dtype as number | undefined)) {
            throw new DlcError('QuantizeLinear with block_size or output_dtype is not supported');
          }
          const attrs: Attrs = node.attrs.axis === undefined ? {} : { axis: node.attrs.axis };
          return b.emit('quantize_linear', node.inputs, attrs, node.numOutputs);
        },
      },
    ],
    infer: (ctx) => {
      const [x] = needInputs(ctx, [0, 1], 'quantize_linear');
      const dtype = ctx.inputs[2]?.dtype ?? 'u8';
      rangeOf(dtype);
      return [{ dtype, shape: [...x.shape] }];
    },
    ref: (inputs, attrs) => [quantizeRef(inputs, attrs)],
  },
  {
    name: 'dequantize_linear',
    attrs: { axis: { type: 'int', default: 1 } },
    kind: 'broadcast',
    onnx: [
      {
        op: 'DequantizeLinear',
        convert: (node, b) => {
          if (node.attrs.block_size as number | undefined) throw new DlcError('DequantizeLinear with block_size is not supported');
          const attrs: Attrs = node.attrs.axis === undefined ? {} : { axis: node.attrs.axis };
          return b.emit('dequantize_linear', node.inputs, attrs, node.numOutputs);
        },
      },
    ],
    infer: (ctx) => {
      const [x, scale] = needInputs(ctx, [0, 1], 'dequantize_linear');
      if (!isInteger(x.dtype)) throw new DlcError(`dequantize_linear of ${x.dtype} is not supported`);
      return [{ dtype: scale.dtype, shape: [...x.shape] }];
    },
    ref: (inputs, attrs) => [dequantizeRef(inputs, attrs)],
  },
  {
    name: 'dynamic_quantize_linear',
    attrs: {},
    // Needs the global min and max before any element can be quantized.
    kind: 'opaque',
    onnx: [{ op: 'DynamicQuantizeLinear' }],
    infer: (ctx) => {
      const [x] = needInputs(ctx, [0], 'dynamic_quantize_linear');
      return [{ dtype: 'u8', shape: [...x.shape] }, { dtype: 'f32', shape: [] }, { dtype: 'u8', shape: [] }];
    },
    ref: (inputs) => dynamicQuantizeRef(required(inputs, 0)),
  },
  {
    name: 'conv_integer',
    attrs: CONV_ATTRS,
    kind: 'out-elemwise-fusable',
    onnx: [{ op: 'ConvInteger', convert: (node, b) => convertWindowed('conv_integer', node, b, 1) }],
    infer: (ctx) => {
      const [x, w] = needInputs(ctx, [0, 1], 'conv_integer');
      return [{ dtype: 'i32', shape: inferConvShape(ctx, x, w) }];
    },
    ref: (inputs, attrs) => {
      const { acc, shape } = integerConv(required(inputs, 0), inputs[2], required(inputs, 1), inputs[3], null, attrs);
      return [new Tensor('i32', shape, acc)];
    },
    cost: (ctx) => convCost(ctx, ctx.inputs[1]),
  },
  {
    name: 'qlinear_conv',
    attrs: CONV_ATTRS,
    kind: 'out-elemwise-fusable',
    onnx: [{ op: 'QLinearConv', convert: (node, b) => convertWindowed('qlinear_conv', node, b, 3) }],
    infer: (ctx) => {
      const [x, , , w, , , , yZp] = needInputs(ctx, [0, 1, 2, 3, 4, 5, 6, 7], 'qlinear_conv');
      return [{ dtype: yZp.dtype, shape: inferConvShape(ctx, x, w) }];
    },
    ref: (inputs, attrs) => {
      const [xZp, wZp, yZp, bias] = [inputs[2], inputs[5], inputs[7], inputs[8]];
      const { acc, shape } = integerConv(required(inputs, 0), xZp, required(inputs, 3), wZp, bias, attrs);
      const xs = required(inputs, 1).data[0];
      const ws = required(inputs, 4);
      const channelOf = paramIndex(shape, ws.size, 1);
      return [requantize(acc, shape, (e) => xs * ws.data[channelOf(e)], required(inputs, 6), yZp)];
    },
    cost: (ctx) => convCost(ctx, ctx.inputs[3]),
  },
  {
    name: 'matmul_integer',
    attrs: {},
    kind: 'out-elemwise-fusable',
    onnx: [{ op: 'MatMulInteger' }],
    infer: (ctx) => {
      const [a, b] = needInputs(ctx, [0, 1], 'matmul_integer');
      return [{ dtype: 'i32', shape: planMatmul(a.shape, b.shape).shape }];
    },
    ref: (inputs) => {
      const { out, shape } = integerMatmul(required(inputs, 0), inputs[2], required(inputs, 1), inputs[3]);
      return [new Tensor('i32', shape, out)];
    },
    cost: (ctx) => matmulCost(ctx.inputs[0], ctx.inputs[1]),
  },
  {
    name: 'qlinear_matmul',
    attrs: {},
    kind: 'out-elemwise-fusable',
    onnx: [{ op: 'QLinearMatMul' }],
    infer: (ctx) => {
      const [a, , , b, , , , yZp] = needInputs(ctx, [0, 1, 2, 3, 4, 5, 6, 7], 'qlinear_matmul');
      return [{ dtype: yZp.dtype, shape: planMatmul(a.shape, b.shape).shape }];
    },
    ref: (inputs) => {
      const [a, aScale, aZp, b, bScale, bZp, yScale, yZp] = [0, 1, 2, 3, 4, 5, 6, 7].map((i) => required(inputs, i));
      const { out, shape } = integerMatmul(a, aZp, b, bZp);
      const columnOf = paramIndex(shape, bScale.size, shape.length - 1);
      const as = aScale.data[0];
      return [requantize(out, shape, (e) => as * bScale.data[columnOf(e)], yScale, yZp)];
    },
    cost: (ctx) => matmulCost(ctx.inputs[0], ctx.inputs[3]),
  },
];
