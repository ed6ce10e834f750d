// Pooling: max (with optional argmax indices), average, Lp, their global forms, and max_unpool.
import { DlcError } from '../errors.js';
import { castScalar, type TensorData } from '../ir/dtype.js';
import type { Attrs, Dim, TensorType } from '../ir/graph.js';
import { Tensor, sizeOf, stridesOf } from '../ir/tensor.js';
import type { CostContext, ImportBuilder, InferContext, OnnxImport, OnnxNode, OpDef } from './registry.js';
import { attrInt, attrInts, required } from './util.js';
import { explicitWindowAttrs, knownProduct, liftTo3d, poolPads, readWindow, windowOutputDims, WINDOW_ATTRS, type Geom3 } from './nn-window.js';

const enum PoolMode { Max, Average, Lp }

interface PoolResult {
  values: Float64Array;
  /** Flat argmax indices into the input (max pooling only). */
  indices?: Float64Array;
}

/**
 * One window reduction per output element over `planes` = N·C independent planes. Average divides by the
 * in-bounds count, or with `countPad` by the count inside the padded input; Lp gives (Σ|x|^p)^(1/p).
 * Indices are row-major in the input, or column-major within each plane for `columnMajor` (storage_order 1).
 */
function poolPlanes(x: TensorData, planes: number, g: Geom3, mode: PoolMode, opts: { countPad?: boolean; p?: number; indices?: boolean; columnMajor?: boolean }): PoolResult {
  const [iD, iH, iW] = g.inDims;
  const [oD, oH, oW] = g.outDims;
  const [kD, kH, kW] = g.kernel;
  const [sD, sH, sW] = g.strides;
  const [dD, dH, dW] = g.dilations;
  const [pD, pH, pW] = g.padBegin;
  const [eD, eH, eW] = g.padEnd;
  const inPlane = iD * iH * iW;
  const outPlane = oD * oH * oW;
  const values = new Float64Array(planes * outPlane);
  const indices = opts.indices ? new Float64Array(planes * outPlane) : undefined;
  const p = opts.p ?? 2;
  for (let pl = 0; pl < planes; pl++) {
    const xb = pl * inPlane;
    let o = pl * outPlane;
    for (let od = 0; od < oD; od++) {
      for (let oh = 0; oh < oH; oh++) {
        for (let ow = 0; ow < oW; ow++, o++) {
          let acc = mode === PoolMode.Max ? -Infinity : 0;
          let arg = -1;
          let count = 0;
          let padCount = 0;
          for (let kd = 0; kd < kD; kd++) {
            const id = od * sD - pD + kd * dD;
            if (id < -pD || id >= iD + eD) continue;
            for (let kh = 0; kh < kH; kh++) {
              const ih = oh * sH - pH + kh * dH;
              if (ih < -pH || ih >= iH + eH) continue;
              for (let kw = 0; kw < kW; kw++) {
                const iw = ow * sW - pW + kw * dW;
                if (iw < -pW || iw >= iW + eW) continue;
                padCount++;
                if (id < 0 || id >= iD || ih < 0 || ih >= iH || iw < 0 || iw >= iW) continue;
                const at = (id * iH + ih) * iW + iw;
                const v = x[xb + at];
                count++;
                if (mode === PoolMode.Max) {
                  // NaN is the maximum (the first in the window): IEEE's maximum, as the targets compute it.
                  if (v > acc || arg < 0 || (Number.isNaN(v) && !Number.isNaN(acc))) {
                    acc = v;
                    arg = opts.columnMajor ? id + (ih + iw * iH) * iD : at;
                  }
                } else if (mode === PoolMode.Average) acc += v;
                else acc += Math.abs(v) ** p;
              }
            }
          }
          if (mode === PoolMode.Average) acc /= opts.countPad ? padCount : count;
          else if (mode === PoolMode.Lp) acc = acc ** (1 / p);
          values[o] = acc;
          if (indices) indices[o] = xb + arg;
        }
      }
    }
  }
  return { values, indices };
}

function inferPool(ctx: InferContext, withIndices: boolean): TensorType[] {
  const x = ctx.inputs[0];
  if (!x) throw new DlcError('missing input 0');
  const r = x.shape.length - 2;
  if (r < 1) throw new DlcError(`pooling input must have rank >= 3, got [${x.shape}]`);
  const ceil = attrInt(ctx.attrs, 'ceil_mode') !== 0;
  const shape = [x.shape[0], x.shape[1], ...windowOutputDims(readWindow(ctx.attrs, r), x.shape.slice(2), ceil, ctx.freshDim, true)];
  const out: TensorType[] = [{ dtype: x.dtype, shape }];
  if (withIndices) out.push({ dtype: 'i64', shape: [...shape] });
  return out;
}

function runPool(inputs: (Tensor | null)[], attrs: Attrs, mode: PoolMode, opts: { countPad?: boolean; p?: number; indices?: boolean; columnMajor?: boolean }): Tensor[] {
  const x = required(inputs, 0);
  const r = x.rank - 2;
  if (r < 1) throw new DlcError(`pooling input must have rank >= 3, got [${x.shape}]`);
  const win = readWindow(attrs, r);
  const inDims = x.shape.slice(2);
  const ceil = attrInt(attrs, 'ceil_mode') !== 0;
  const outDims = windowOutputDims(win, inDims, ceil, () => '', true) as number[];
  const geo = liftTo3d(win, inDims, outDims, poolPads(win, inDims, outDims, ceil));
  const shape = [x.shape[0], x.shape[1], ...outDims];
  const res = poolPlanes(x.data, x.shape[0] * x.shape[1], geo, mode, opts);
  const out = [new Tensor(x.dtype, shape, res.values)];
  if (res.indices) out.push(new Tensor('i64', shape, res.indices));
  return out;
}

/** Output elements × kernel volume. */
function windowCost(ctx: CostContext): { flops: number } {
  const k = attrInts(ctx.attrs, 'kernel_shape') ?? [];
  return { flops: knownProduct(ctx.outputs[0].shape) * knownProduct(k) };
}

/** Imports a pool with its window spelled out (explicit kernel, strides, dilations, pads). */
const windowImport = (onnxOp: string, op: string): OnnxImport => ({
  op: onnxOp,
  convert: (node: OnnxNode, b: ImportBuilder) => {
    const x = node.inputs[0];
    if (!x) return b.emit(op, node.inputs, node.attrs, node.numOutputs);
    return b.emit(op, node.inputs, explicitWindowAttrs(node.attrs, x.type.shape.length - 2, x.type.shape.slice(2)), node.numOutputs);
  },
});

/** Global pools reduce every spatial dim to 1. */
function inferGlobal(ctx: InferContext): TensorType[] {
  const x = ctx.inputs[0];
  if (!x || x.shape.length < 3) throw new DlcError(`global pooling needs an input of rank >= 3`);
  return [{ dtype: x.dtype, shape: [x.shape[0], x.shape[1], ...x.shape.slice(2).map(() => 1)] }];
}

function runGlobal(x: Tensor, mode: PoolMode, p: number): Tensor {
  if (x.rank < 3) throw new DlcError(`global pooling needs an input of rank >= 3, got [${x.shape}]`);
  const planes = x.shape[0] * x.shape[1];
  const plane = sizeOf(x.shape.slice(2));
  const out = new Float64Array(planes);
  for (let pl = 0; pl < planes; pl++) {
    const base = pl * plane;
    let acc = mode === PoolMode.Max ? -Infinity : 0;
    for (let i = 0; i < plane; i++) {
      const v = x.data[base + i];
      if (mode === PoolMode.Max) acc = v > acc || Number.isNaN(v) ? v : acc;
      else if (mode === PoolMode.Average) acc += v;
      else acc += Math.abs(v) ** p;
    }
    out[pl] = mode === PoolMode.Average ? acc / plane : mode === PoolMode.Lp ? acc ** (1 / p) : acc;
  }
  return new Tensor(x.dtype, [x.shape[0], x.shape[1], ...x.shape.slice(2).map(() => 1)], out);
}

const globalCost = (ctx: CostContext) => ({ flops: ctx.inputs[0] ? knownProduct(ctx.inputs[0].shape) : 0 });

/** max_unpool's default output dims: (in − 1)·s − pads + k. */
export function unpoolDims(attrs: Attrs, inDims: readonly Dim[]): Dim[] {
  const r = inDims.length;
  const w = readWindow({ ...attrs, auto_pad: 'NOTSET' }, r);
  return inDims.map((d, i) => (typeof d === 'number' ? (d - 1) * w.strides[i] - w.pads[i] - w.pads[i + r] + w.kernel[i] : `?unpool_${i}`));
}

const POOL_ATTRS = { ...WINDOW_ATTRS, ceil_mode: { type: 'int' as const, default: 0 } };

export const poolOps: OpDef[] = [
  {
    name: 'max_pool',
    attrs: { ...POOL_ATTRS, storage_order: { type: 'int', default: 0 } },
    kind: 'reduce',
    onnx: [windowImport('MaxPool', 'max_pool')],
    infer: (ctx) => inferPool(ctx, true),
    ref: (inputs, attrs, ctx) =>
      runPool(inputs, attrs, PoolMode.Max, { indices: ctx.numOutputs > 1, columnMajor: attrInt(attrs, 'storage_order') === 1 }),
    cost: windowCost,
  },
  {
    name: 'average_pool',
    attrs: { ...POOL_ATTRS, count_include_pad: { type: 'int', default: 0 } },
    kind: 'reduce',
    onnx: [windowImport('AveragePool', 'average_pool')],
    infer: (ctx) => inferPool(ctx, false),
    ref: (inputs, attrs) => runPool(inputs, attrs, PoolMode.Average, { countPad: attrInt(attrs, 'count_include_pad') !== 0 }),
    cost: windowCost,
  },
  {
    name: 'lp_pool',
    attrs: { ...POOL_ATTRS, p: { type: 'int', default: 2 } },
    kind: 'reduce',
    onnx: [windowImport('LpPool', 'lp_pool')],
    infer: (ctx) => inferPool(ctx, false),
    ref: (inputs, attrs) => runPool(inputs, attrs, PoolMode.Lp, { p: attrInt(attrs, 'p') }),
    cost: windowCost,
  },
  {
    name: 'global_average_pool',
    attrs: {},
    kind: 'reduce',
    onnx: [{ op: 'GlobalAveragePool' }],
    infer: inferGlobal,
    ref: (inputs) => [runGlobal(required(inputs, 0), PoolMode.Average, 1)],
    cost: globalCost,
  },
  {
    name: 'global_max_pool',
    attrs: {},
    kind: 'reduce',
    onnx: [{ op: 'GlobalMaxPool' }],
    infer: inferGlobal,
    ref: (inputs) => [runGlobal(required(inputs, 0), PoolMode.Max, 1)],
    cost: globalCost,
  },
  {
    name: 'global_lp_pool',
    attrs: { p: { type: 'int', default: 2 } },
    kind: 'reduce',
    onnx: [{ op: 'GlobalLpPool' }],
    infer: inferGlobal,
    ref: (inputs, attrs) => [runGlobal(required(inputs, 0), PoolMode.Lp, attrInt(attrs, 'p'))],
    cost: globalCost,
  },
  {
    name: 'max_unpool',
    attrs: { kernel_shape: { type: 'ints' }, pads: { type: 'ints', optional: true }, strides: { type: 'ints', optional: true } },
    kind: 'opaque',
    onnx: [{ op: 'MaxUnpool' }],
    shapeOperands: [2],
    infer: (ctx) => {
      const [x, idx, shapeIn] = ctx.inputs;
      if (!x || !idx) throw new DlcError('max_unpool needs X and I');
      if (x.shape.length < 3) throw new DlcError(`max_unpool input must have rank >= 3, got [${x.shape}]`);
      if (shapeIn) {
        const given = ctx.constInput(2);
        const shape: Dim[] = given ? given.toNumbers() : x.shape.map(() => ctx.freshDim('unpool'));
        if (shape.length !== x.shape.length) throw new DlcError(`output_shape [${shape}] must have rank ${x.shape.length}`);
        return [{ dtype: x.dtype, shape }];
      }
      const dims = unpoolDims(ctx.attrs, x.shape.slice(2)).map((d) => (typeof d === 'number' ? d : ctx.freshDim('unpool')));
      return [{ dtype: x.dtype, shape: [x.shape[0], x.shape[1], ...dims] }];
    },
    ref: (inputs, attrs) => {
      const [x, idx, shapeIn] = [required(inputs, 0), required(inputs, 1), inputs[2]];
      if (idx.size !== x.size) throw new DlcError(`indices [${idx.shape}] must match X [${x.shape}]`);
      const natural = [x.shape[0], x.shape[1], ...(unpoolDims(attrs, x.shape.slice(2)) as number[])];
      const shape = shapeIn ? shapeIn.toNumbers() : natural;
      if (shape.length !== natural.length || shape.some((d, i) => d < natural[i])) {
        throw new DlcError(`output_shape [${shape}] is smaller than the unpooled shape [${natural}]`);
      }
      // Indices address the natural unpooled shape; a larger output_shape keeps their coordinates.
      const natStrides = stridesOf(natural);
      const outStrides = stridesOf(shape);
      const total = sizeOf(natural);
      const out = new Tensor(x.dtype, shape);
      for (let i = 0; i < x.size; i++) {
        let rest = idx.data[i];
        if (!(Number.isInteger(rest) && rest >= 0 && rest < total)) throw new DlcError(`max_unpool index ${rest} is outside [${natural}]`);
        let at = 0;
        for (let d = 0; d < natural.length; d++) {
          const q = Math.floor(rest / natStrides[d]);
          rest -= q * natStrides[d];
          at += q * outStrides[d];
        }
        out.data[at] = castScalar(x.data[i], x.dtype);
      }
      return [out];
    },
  },
];
