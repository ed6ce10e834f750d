// resize (ONNX opset 19 form) and the older Resize/Upsample forms that import to it.
//
// Interpolation is separable: the reference resizes one axis at a time, last axis first, exactly like ONNX's
// reference implementation nests its 1-D interpolations (which matters for tf_crop_and_resize, whose
// extrapolated values of inner axes take part in the interpolation along outer ones).
import { DlcError } from '../errors.js';
import { isFloat } from '../ir/dtype.js';
import type { Attrs, Dim, Value } from '../ir/graph.js';
import { Tensor, checkedSize, sizeOf } from '../ir/tensor.js';
import type { ImportBuilder, OnnxNode, OpDef } from './registry.js';
import { axisSampling } from './resize-sampling.js';
import { attrFloat, attrInts, attrString, normalizeAxis, required } from './util.js';

const MODES = ['nearest', 'linear', 'cubic'];
const COORDINATE_MODES = ['half_pixel', 'half_pixel_symmetric', 'pytorch_half_pixel', 'align_corners', 'asymmetric', 'tf_half_pixel_for_nn', 'tf_crop_and_resize'];
const NEAREST_MODES = ['round_prefer_floor', 'round_prefer_ceil', 'floor', 'ceil'];
const ASPECT_POLICIES = ['stretch', 'not_larger', 'not_smaller'];

export interface ResizePlan {
  outDims: number[];
  /** Per axis: the scale the coordinate transform uses (the given one, or out/in when sizes are given). */
  scales: number[];
  roiStart: number[];
  roiEnd: number[];
}

function resizeAxes(attrs: Attrs, rank: number): number[] {
  const axes = attrInts(attrs, 'axes');
  if (!axes) return Array.from({ length: rank }, (_, i) => i);
  const norm = axes.map((a) => normalizeAxis(a, rank));
  if (new Set(norm).size !== norm.length) throw new DlcError(`resize axes [${axes}] repeat an axis`);
  return norm;
}

/** Output dims and per-axis scales from whichever of scales/sizes is given (ONNX: exactly one). */
export function planResize(inDims: readonly number[], attrs: Attrs, scalesIn: number[] | undefined, sizesIn: number[] | undefined, roi: number[] | undefined): ResizePlan {
  const rank = inDims.length;
  const axes = resizeAxes(attrs, rank);
  const outDims = [...inDims];
  const scales = new Array<number>(rank).fill(1);
  if ((scalesIn === undefined) === (sizesIn === undefined)) throw new DlcError('resize needs exactly one of scales and sizes');
  const given = (scalesIn ?? sizesIn)!;
  if (given.length !== axes.length) throw new DlcError(`resize ${scalesIn ? 'scales' : 'sizes'} has ${given.length} values for ${axes.length} axes`);
  if (scalesIn) {
    axes.forEach((a, i) => {
      if (!(scalesIn[i] > 0)) throw new DlcError(`resize scale ${scalesIn[i]} must be positive`);
      scales[a] = scalesIn[i];
      outDims[a] = Math.floor(inDims[a] * scalesIn[i]);
    });
  } else {
    const policy = attrString(attrs, 'keep_aspect_ratio_policy');
    if (!ASPECT_POLICIES.includes(policy)) throw new DlcError(`unknown keep_aspect_ratio_policy '${policy}'`);
    const ratios = axes.map((a, i) => sizesIn![i] / inDims[a]);
    if (sizesIn!.some((s) => !Number.isInteger(s) || s < 0)) throw new DlcError(`resize sizes [${sizesIn}] must be non-negative integers`);
    if (policy === 'stretch') {
      axes.forEach((a, i) => {
        scales[a] = ratios[i];
        outDims[a] = sizesIn![i];
      });
    } else {
      // One scale for every listed axis, the smaller (not_larger) or larger (not_smaller) ratio; sizes round half up.
      const s = policy === 'not_larger' ? Math.min(...ratios) : Math.max(...ratios);
      for (const a of axes) {
        scales[a] = s;
        outDims[a] = Math.floor(s * inDims[a] + 0.5);
      }
    }
  }
  const roiStart = new Array<number>(rank).fill(0);
  const roiEnd = new Array<number>(rank).fill(1);
  if (roi) {
    if (roi.length !== 2 * axes.length) throw new DlcError(`resize roi has ${roi.length} values, expected ${2 * axes.length}`);
    axes.forEach((a, i) => {
      roiStart[a] = roi[i];
      roiEnd[a] = roi[i + axes.length];
    });
  }
  checkedSize(outDims);
  return { outDims, scales, roiStart, roiEnd };
}

/** Resizes one axis of a row-major array [outer, inLen, inner] to [outer, outLen, inner]. */
function resizeAxis(src: ArrayLike<number>, outer: number, inLen: number, inner: number, outLen: number, axis: number, plan: ResizePlan, attrs: Attrs): Float64Array {
  const extrapolation = attrFloat(attrs, 'extrapolation_value');
  const table = axisSampling(attrs, inLen, outLen, plan.scales[axis], plan.roiStart[axis], plan.roiEnd[axis]);
  const out = new Float64Array(outer * outLen * inner);
  for (let b = 0; b < outer; b++) {
    for (let o = 0; o < outLen; o++) {
      const row = (b * outLen + o) * inner;
      const entry = table[o];
      if (!entry) {
        out.fill(extrapolation, row, row + inner);
        continue;
      }
      for (let t = 0; t < entry.idx.length; t++) {
        const wt = entry.weights[t];
        if (wt === 0) continue;
        const from = (b * inLen + entry.idx[t]) * inner;
        for (let i = 0; i < inner; i++) out[row + i] += wt * src[from + i];
      }
    }
  }
  return out;
}

function runResize(inputs: (Tensor | null)[], attrs: Attrs): Tensor {
  const [x, roi, scales, sizes] = [required(inputs, 0), inputs[1], inputs[2], inputs[3]];
  checkAttrs(attrs);
  const plan = planResize(x.shape, attrs, scales?.toNumbers(), sizes?.toNumbers(), roi?.toNumbers());
  let data: ArrayLike<number> = x.data;
  const dims = [...x.shape];
  const tf = attrString(attrs, 'coordinate_transformation_mode') === 'tf_crop_and_resize';
  for (let a = x.rank - 1; a >= 0; a--) {
    if (dims[a] === plan.outDims[a] && plan.scales[a] === 1 && !tf) continue;
    if (dims[a] === 0 && plan.outDims[a] > 0) throw new DlcError(`cannot resize an empty axis ${a} to ${plan.outDims[a]}`);
    data = resizeAxis(data, sizeOf(dims.slice(0, a)), dims[a], sizeOf(dims.slice(a + 1)), plan.outDims[a], a, plan, attrs);
    dims[a] = plan.outDims[a];
  }
  // Integer outputs of linear and cubic filters round to nearest, as onnxruntime does.
  const values = isFloat(x.dtype) || attrString(attrs, 'mode') === 'nearest' ? data : Array.from(data, (v) => Math.round(v));
  return new Tensor(x.dtype, plan.outDims, values);
}

function checkAttrs(attrs: Attrs): void {
  const check = (name: string, allowed: string[]) => {
    const v = attrString(attrs, name);
    if (!allowed.includes(v)) throw new DlcError(`unknown resize ${name} '${v}'`);
  };
  check('mode', MODES);
  check('coordinate_transformation_mode', COORDINATE_MODES);
  check('nearest_mode', NEAREST_MODES);
  check('keep_aspect_ratio_policy', ASPECT_POLICIES);
}

/** An input that is absent or an empty tensor (opset 11 passes '' or [] for "not given"). */
function present(v: Value | null | undefined): Value | null {
  if (!v || v.type.shape.some((d) => d === 0)) return null;
  return v;
}

/**
 * Resize opset 10 and Upsample: scales only, asymmetric coordinates and floor rounding for nearest
 * (ONNX's Upsample definition: out[i] = in[floor(i / scale)]).
 */
function convertLegacy(node: OnnxNode, b: ImportBuilder): Value[] {
  const x = node.inputs[0];
  let scales = node.inputs[1] ?? null;
  if (node.attrs.scales !== undefined) scales = b.constant(Tensor.fromArray('f32', [(node.attrs.scales as number[]).length], node.attrs.scales as number[]));
  const mode = (node.attrs.mode as string | undefined) ?? 'nearest';
  const attrs: Attrs = { mode: mode === 'bilinear' ? 'linear' : mode, coordinate_transformation_mode: 'asymmetric', nearest_mode: 'floor' };
  return b.emit('resize', [x, null, scales, null], attrs, node.numOutputs);
}

function convertResize(node: OnnxNode, b: ImportBuilder): Value[] {
  if (node.opset < 11) return convertLegacy(node, b);
  const [x, roi, scales, sizes] = node.inputs;
  // roi only matters to tf_crop_and_resize; elsewhere it is dropped so that passes see fewer inputs.
  const keepRoi = node.attrs.coordinate_transformation_mode === 'tf_crop_and_resize';
  return b.emit('resize', [x, keepRoi ? present(roi) : null, present(scales), present(sizes)], node.attrs, node.numOutputs);
}

export const resizeOps: OpDef[] = [
  {
    name: 'resize',
    attrs: {
      antialias: { type: 'int', default: 0 },
      axes: { type: 'ints', optional: true },
      coordinate_transformation_mode: { type: 'string', default: 'half_pixel' },
      cubic_coeff_a: { type: 'float', default: -0.75 },
      exclude_outside: { type: 'int', default: 0 },
      extrapolation_value: { type: 'float', default: 0 },
      keep_aspect_ratio_policy: { type: 'string', default: 'stretch' },
      mode: { type: 'string', default: 'nearest' },
      nearest_mode: { type: 'string', default: 'round_prefer_floor' },
    },
    // Every output element reads a fixed small neighbourhood of the input: injective in TVM's lattice.
    kind: 'injective',
    onnx: [{ op: 'Resize', convert: convertResize }, { op: 'Upsample', convert: convertLegacy }],
    shapeOperands: [2, 3],
    infer: (ctx) => {
      const [x, , scalesT, sizesT] = ctx.inputs;
      if (!x) throw new DlcError('resize needs X');
      checkAttrs(ctx.attrs);
      if (!scalesT && !sizesT) throw new DlcError('resize needs scales or sizes');
      const scales = ctx.constInput(2);
      const sizes = ctx.constInput(3);
      const roi = ctx.constInput(1);
      const rank = x.shape.length;
      const axes = resizeAxes(ctx.attrs, rank);
      const known = x.shape.every((d) => typeof d === 'number');
      if (known && (scalesT ? scales : sizes)) {
        const plan = planResize(x.shape as number[], ctx.attrs, scalesT ? scales!.toNumbers() : undefined, scalesT ? undefined : sizes!.toNumbers(), roi?.toNumbers());
        return [{ dtype: x.dtype, shape: plan.outDims }];
      }
      const shape: Dim[] = x.shape.map((d, i) => (axes.includes(i) ? ctx.freshDim('resize') : d));
      return [{ dtype: x.dtype, shape }];
    },
    ref: (inputs, attrs) => [runResize(inputs, attrs)],
    // Taps per output element: 1 (nearest), 2 per axis (linear), 4 per axis (cubic); a multiply-add each.
    cost: (ctx) => {
      const out = ctx.outputs[0].shape;
      const taps = { nearest: 1, linear: 2, cubic: 4 }[ctx.attrs.mode as 'nearest' | 'linear' | 'cubic'] ?? 1;
      const n = out.reduce<number>((acc, d) => acc * (typeof d === 'number' ? d : 1), 1);
      return { flops: n * (taps === 1 ? 1 : 2 * taps * out.length) };
    },
  },
];
