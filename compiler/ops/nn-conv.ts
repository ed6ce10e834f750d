// Convolutions: conv and conv_transpose over 1-D to 3-D, with groups (depthwise included) and dilations.
// The reference loops are direct (no im2col): for each weight tap they sweep a whole output row, so the
// innermost loop walks contiguous memory; accumulation is in f64.
import { DlcError } from '../errors.js';
import type { Attrs, Dim, TensorType } from '../ir/graph.js';
import { Tensor } from '../ir/tensor.js';
import type { CostContext, InferContext, OnnxNode, ImportBuilder, OpDef } from './registry.js';
import { attrInt, attrInts, required } from './util.js';
import { explicitWindowAttrs, knownProduct, liftTo3d, readWindow, resolvePads, windowOutputDims, WINDOW_ATTRS, type Geom3 } from './nn-window.js';

/**
 * out[n, m, o] = bias[m] + Σ_{c in m's group, k} w[m, c, k] · x[n, c, o·s − p + k·d] over a 3-D geometry.
 * `x` is [n, c, inDims], `w` is [m, c/group, kernel].
 */
export function convAccumulate(
  x: ArrayLike<number>, w: ArrayLike<number>, bias: ArrayLike<number> | null,
  n: number, c: number, m: number, group: number, g: Geom3,
): Float64Array {
  const [iD, iH, iW] = g.inDims;
  const [oD, oH, oW] = g.outDims;
  const [kD, kH, kW] = g.kernel;
  const [sD, sH, sW] = g.strides;
  const [dD, dH, dW] = g.dilations;
  const [pD, pH, pW] = g.padBegin;
  const cg = c / group;
  const mg = m / group;
  const inPlane = iD * iH * iW;
  const outPlane = oD * oH * oW;
  const kVol = kD * kH * kW;
  const out = new Float64Array(n * m * outPlane);
  // Output columns whose input column o·sW − pW + kw·dW lies inside the row, per kernel column.
  const lo = new Int32Array(kW);
  const hi = new Int32Array(kW);
  for (let kw = 0; kw < kW; kw++) {
    const off = kw * dW - pW;
    lo[kw] = Math.max(0, Math.ceil(-off / sW));
    hi[kw] = Math.min(oW, Math.floor((iW - 1 - off) / sW) + 1);
  }
  for (let b = 0; b < n; b++) {
    for (let oc = 0; oc < m; oc++) {
      const grp = Math.floor(oc / mg);
      const o0 = (b * m + oc) * outPlane;
      if (bias) out.fill(bias[oc], o0, o0 + outPlane);
      for (let icg = 0; icg < cg; icg++) {
        const xBase = (b * c + grp * cg + icg) * inPlane;
        const wBase = (oc * cg + icg) * kVol;
        for (let kd = 0; kd < kD; kd++) {
          for (let od = 0; od < oD; od++) {
            const id = od * sD - pD + kd * dD;
            if (id < 0 || id >= iD) continue;
            for (let kh = 0; kh < kH; kh++) {
              const wk = wBase + (kd * kH + kh) * kW;
              for (let oh = 0; oh < oH; oh++) {
                const ih = oh * sH - pH + kh * dH;
                if (ih < 0 || ih >= iH) continue;
                const xRow = xBase + (id * iH + ih) * iW;
                const or = o0 + (od * oH + oh) * oW;
                // All kernel columns while this output row is hot in cache.
                for (let kw = 0; kw < kW; kw++) {
                  const wv = w[wk + kw];
                  const xr = xRow + kw * dW - pW;
                  const owHi = hi[kw];
                  if (sW === 1) {
                    for (let ow = lo[kw]; ow < owHi; ow++) out[or + ow] += wv * x[xr + ow];
                  } else {
                    for (let ow = lo[kw]; ow < owHi; ow++) out[or + ow] += wv * x[xr + ow * sW];
                  }
                }
              }
            }
          }
        }
      }
    }
  }
  return out;
}

/**
 * The transpose (gradient) of conv: each input element scatters x[n, c, i] · w[c, m, k] to
 * out[n, m, i·s − p + k·d]. `x` is [n, c, inDims], `w` is [c, m/group, kernel].
 */
export function convTransposeAccumulate(
  x: ArrayLike<number>, w: ArrayLike<number>, bias: ArrayLike<number> | null,
  n: number, c: number, m: number, group: number, g: Geom3,
): Float64Array {
  const [iD, iH, iW] = g.inDims;
  const [oD, oH, oW] = g.outDims;
  const [kD, kH, kW] = g.kernel;
  const [sD, sH, sW] = g.strides;
  const [dD, dH, dW] = g.dilations;
  const [pD, pH, pW] = g.padBegin;
  const cg = c / group;
  const mg = m / group;
  const inPlane = iD * iH * iW;
  const outPlane = oD * oH * oW;
  const kVol = kD * kH * kW;
  const out = new Float64Array(n * m * outPlane);
  const lo = new Int32Array(kW);
  const hi = new Int32Array(kW);
  for (let kw = 0; kw < kW; kw++) {
    const off = kw * dW - pW;
    lo[kw] = Math.max(0, Math.ceil(-off / sW));
    hi[kw] = Math.min(iW, Math.floor((oW - 1 - off) / sW) + 1);
  }
  for (let b = 0; b < n; b++) {
    for (let oc = 0; oc < m; oc++) {
      const grp = Math.floor(oc / mg);
      const ocg = oc - grp * mg;
      const o0 = (b * m + oc) * outPlane;
      if (bias) out.fill(bias[oc], o0, o0 + outPlane);
      for (let icg = 0; icg < cg; icg++) {
        const ic = grp * cg + icg;
        const xBase = (b * c + ic) * inPlane;
        const wBase = (ic * mg + ocg) * kVol;
        for (let kd = 0; kd < kD; kd++) {
          for (let kh = 0; kh < kH; kh++) {
            for (let kw = 0; kw < kW; kw++) {
              const wv = w[wBase + (kd * kH + kh) * kW + kw];
              const iwLo = lo[kw];
              const iwHi = hi[kw];
              if (iwLo >= iwHi) continue;
              const offW = kw * dW - pW;
              for (let id = 0; id < iD; id++) {
                const od = id * sD - pD + kd * dD;
                if (od < 0 || od >= oD) continue;
                for (let ih = 0; ih < iH; ih++) {
                  const oh = ih * sH - pH + kh * dH;
                  if (oh < 0 || oh >= oH) continue;
                  const xr = xBase + (id * iH + ih) * iW;
                  const or = o0 + (od * oH + oh) * oW + offW;
                  for (let iw = iwLo; iw < iwHi; iw++) out[or + iw * sW] += wv * x[xr + iw];
                }
              }
            }
          }
        }
      }
    }
  }
  return out;
}

/** Checks conv operand shapes and returns [N, M, spatial...] with the window applied. */
export function inferConvShape(ctx: InferContext, x: TensorType, w: TensorType): Dim[] {
  const r = x.shape.length - 2;
  if (r < 1) throw new DlcError(`conv input must have rank >= 3, got [${x.shape}]`);
  if (w.shape.length !== x.shape.length) throw new DlcError(`conv weight [${w.shape}] must have the input's rank ${x.shape.length}`);
  const group = attrInt(ctx.attrs, 'group');
  const win = readWindow(ctx.attrs, r, w.shape.slice(2));
  const [c, cw, m] = [x.shape[1], w.shape[1], w.shape[0]];
  if (group < 1) throw new DlcError(`group must be >= 1, got ${group}`);
  if (typeof c === 'number' && typeof cw === 'number' && c !== cw * group) {
    throw new DlcError(`input has ${c} channels, weight expects ${cw} × group ${group}`);
  }
  if (typeof m === 'number' && m % group !== 0) throw new DlcError(`${m} output channels do not split into ${group} groups`);
  return [x.shape[0], m, ...windowOutputDims(win, x.shape.slice(2), false, ctx.freshDim)];
}

/** The geometry of a conv ref call, with auto_pad resolved against the actual input. */
export function convGeometry(attrs: Attrs, x: Tensor, w: Tensor): { geo: Geom3; outShape: number[] } {
  const r = x.rank - 2;
  if (r < 1 || w.rank !== x.rank) throw new DlcError(`conv of input [${x.shape}] with weight [${w.shape}]`);
  const group = attrInt(attrs, 'group');
  if (x.shape[1] !== w.shape[1] * group || w.shape[0] % group !== 0) {
    throw new DlcError(`conv of input [${x.shape}] with weight [${w.shape}] in ${group} groups`);
  }
  const win = readWindow(attrs, r, w.shape.slice(2));
  const inDims = x.shape.slice(2);
  const outDims = windowOutputDims(win, inDims, false, () => '') as number[];
  const geo = liftTo3d(win, inDims, outDims, resolvePads(win, inDims));
  return { geo, outShape: [x.shape[0], w.shape[0], ...outDims] };
}

function checkBias(b: TensorType | null, m: Dim): void {
  if (b && (b.shape.length !== 1 || (typeof b.shape[0] === 'number' && typeof m === 'number' && b.shape[0] !== m))) {
    throw new DlcError(`bias [${b.shape}] must be [${m}]`);
  }
}

/** Imports an ONNX conv-like node with its window spelled out: explicit kernel, strides, dilations, pads. */
export function convertWindowed(op: string, node: OnnxNode, b: ImportBuilder, weightInput: number): ReturnType<ImportBuilder['emit']> {
  const [x, w] = [node.inputs[0], node.inputs[weightInput]];
  if (!x || !w) return b.emit(op, node.inputs, node.attrs, node.numOutputs);
  const r = x.type.shape.length - 2;
  return b.emit(op, node.inputs, explicitWindowAttrs(node.attrs, r, x.type.shape.slice(2), w.type.shape.slice(2)), node.numOutputs);
}

/** 2 FLOPs per multiply-add: output elements × (C / group) × kernel volume. */
export function convCost(ctx: CostContext, weight: TensorType | null): { flops: number } {
  const out = ctx.outputs[0];
  const perOutput = weight ? knownProduct(weight.shape.slice(1)) : 1;
  return { flops: 2 * knownProduct(out.shape) * perOutput };
}

interface TransposePlan {
  outDims: Dim[];
  /** Known only when every input spatial dim is. */
  pads?: number[];
  outputPadding?: number[];
}

/**
 * Output dims and pads of conv_transpose: out = s·(in − 1) + output_padding + (k − 1)·d + 1 − pads.
 * A given output_shape (or auto_pad SAME, which asks for out = in·s) fixes `out` and implies the pads
 * instead; padding that would be negative becomes extra output_padding.
 */
function convTransposePlan(attrs: Attrs, inDims: readonly Dim[], kernel: readonly Dim[]): TransposePlan {
  const r = inDims.length;
  const win = readWindow(attrs, r, kernel);
  const outputPadding = attrInts(attrs, 'output_padding') ?? new Array<number>(r).fill(0);
  if (outputPadding.length !== r) throw new DlcError(`output_padding has ${outputPadding.length} values, expected ${r}`);
  const given = attrInts(attrs, 'output_shape');
  if (given && given.length < r) throw new DlcError(`output_shape has ${given.length} values, expected ${r}`);
  const target = given ? given.slice(given.length - r) : undefined;
  const concrete = inDims.every((d): d is number => typeof d === 'number');
  const pads = new Array<number>(2 * r).fill(0);
  const extra = [...outputPadding];
  const outDims: Dim[] = [];
  for (let i = 0; i < r; i++) {
    const d = inDims[i];
    const span = (win.kernel[i] - 1) * win.dilations[i] + 1;
    const s = win.strides[i];
    const want = target ? target[i] : win.autoPad === 'SAME_UPPER' || win.autoPad === 'SAME_LOWER' ? (typeof d === 'number' ? d * s : undefined) : undefined;
    if (typeof d !== 'number') {
      outDims.push(want ?? `?conv_transpose_${i}`);
      continue;
    }
    const full = s * (d - 1) + outputPadding[i] + span;
    if (want !== undefined) {
      const total = full - want;
      const t = Math.max(0, total);
      // ONNX: SAME_UPPER puts the odd pad at the end, every other mode at the beginning.
      pads[i] = win.autoPad === 'SAME_UPPER' ? Math.floor(t / 2) : t - Math.floor(t / 2);
      pads[i + r] = t - pads[i];
      extra[i] = outputPadding[i] + Math.max(0, -total);
      outDims.push(want);
    } else {
      pads[i] = win.autoPad === 'VALID' ? 0 : win.pads[i];
      pads[i + r] = win.autoPad === 'VALID' ? 0 : win.pads[i + r];
      const out = full - pads[i] - pads[i + r];
      if (out < 1) throw new DlcError(`conv_transpose output dim ${i} would be ${out}`);
      outDims.push(out);
    }
  }
  return concrete ? { outDims, pads, outputPadding: extra } : { outDims };
}

const CONV_ATTRS = { ...WINDOW_ATTRS, group: { type: 'int' as const, default: 1 } };

export const convOps: OpDef[] = [
  {
    name: 'conv',
    attrs: CONV_ATTRS,
    kind: 'out-elemwise-fusable',
    onnx: [{ op: 'Conv', convert: (node, b) => convertWindowed('conv', node, b, 1) }],
    infer: (ctx) => {
      const [x, w, bias] = ctx.inputs;
      if (!x || !w) throw new DlcError('conv needs X and W');
      const shape = inferConvShape(ctx, x, w);
      checkBias(bias, shape[1]);
      return [{ dtype: x.dtype, shape }];
    },
    ref: (inputs, attrs) => {
      const [x, w, bias] = [required(inputs, 0), required(inputs, 1), inputs[2]];
      const { geo, outShape } = convGeometry(attrs, x, w);
      const acc = convAccumulate(x.data, w.data, bias?.data ?? null, x.shape[0], x.shape[1], w.shape[0], attrInt(attrs, 'group'), geo);
      return [new Tensor(x.dtype, outShape, acc)];
    },
    cost: (ctx) => convCost(ctx, ctx.inputs[1]),
  },
  {
    name: 'conv_transpose',
    attrs: { ...CONV_ATTRS, output_padding: { type: 'ints', optional: true }, output_shape: { type: 'ints', optional: true } },
    kind: 'out-elemwise-fusable',
    onnx: [
      {
        op: 'ConvTranspose',
        convert: (node, b) => {
          const [x, w] = node.inputs;
          if (!x || !w) return b.emit('conv_transpose', node.inputs, node.attrs, node.numOutputs);
          const r = x.type.shape.length - 2;
          const attrs = explicitWindowAttrs({ ...node.attrs, auto_pad: 'NOTSET' }, r, [], w.type.shape.slice(2));
          const plan = convTransposePlan({ auto_pad: 'NOTSET', ...node.attrs }, x.type.shape.slice(2), w.type.shape.slice(2));
          if (plan.pads && plan.outputPadding) {
            // Canonical form: explicit pads and output_padding; output_shape and auto_pad are resolved away.
            delete attrs.output_shape;
            Object.assign(attrs, { pads: plan.pads, output_padding: plan.outputPadding, auto_pad: 'NOTSET' });
          } else {
            attrs.auto_pad = node.attrs.auto_pad ?? 'NOTSET';
          }
          return b.emit('conv_transpose', node.inputs, attrs, node.numOutputs);
        },
      },
    ],
    infer: (ctx) => {
      const [x, w, bias] = ctx.inputs;
      if (!x || !w) throw new DlcError('conv_transpose needs X and W');
      const r = x.shape.length - 2;
      if (r < 1 || w.shape.length !== x.shape.length) throw new DlcError(`conv_transpose of input [${x.shape}] with weight [${w.shape}]`);
      const group = attrInt(ctx.attrs, 'group');
      if (typeof x.shape[1] === 'number' && typeof w.shape[0] === 'number' && x.shape[1] !== w.shape[0]) {
        throw new DlcError(`input has ${x.shape[1]} channels, weight [${w.shape}] expects ${w.shape[0]}`);
      }
      const m = typeof w.shape[1] === 'number' ? w.shape[1] * group : ctx.freshDim('channels');
      checkBias(bias, m);
      const plan = convTransposePlan(ctx.attrs, x.shape.slice(2), w.shape.slice(2));
      const outDims = plan.outDims.map((d) => (typeof d === 'number' ? d : ctx.freshDim('conv_transpose')));
      return [{ dtype: x.dtype, shape: [x.shape[0], m, ...outDims] }];
    },
    ref: (inputs, attrs) => {
      const [x, w, bias] = [required(inputs, 0), required(inputs, 1), inputs[2]];
      const r = x.rank - 2;
      const group = attrInt(attrs, 'group');
      if (r < 1 || w.rank !== x.rank || x.shape[1] !== w.shape[0] || x.shape[1] % group !== 0) {
        throw new DlcError(`conv_transpose of input [${x.shape}] with weight [${w.shape}] in ${group} groups`);
      }
      const win = readWindow(attrs, r, w.shape.slice(2));
      const inDims = x.shape.slice(2);
      const plan = convTransposePlan(attrs, inDims, w.shape.slice(2));
      const outDims = plan.outDims as number[];
      const m = w.shape[1] * group;
      const geo = liftTo3d(win, inDims, outDims, plan.pads!);
      const acc = convTransposeAccumulate(x.data, w.data, bias?.data ?? null, x.shape[0], x.shape[1], m, group, geo);
      return [new Tensor(x.dtype, [x.shape[0], m, ...outDims], acc)];
    },
    // Each input element meets every tap of its group's weights: 2 · |x| · (M / group) · kernel volume.
    cost: (ctx) => {
      const [x, w] = ctx.inputs;
      if (!x || !w) return { flops: 0 };
      return { flops: 2 * knownProduct(x.shape) * knownProduct(w.shape.slice(1)) };
    },
  },
];
