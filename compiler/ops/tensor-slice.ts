// Slicing and joining: slice, concat, split, pad, center_crop_pad.
import { DlcError } from '../errors.js';
import { allocData, castScalar } from '../ir/dtype.js';
import type { Dim, TensorType } from '../ir/graph.js';
import { Tensor, checkedSize, stridesOf } from '../ir/tensor.js';
import type { InferContext, OpDef } from './registry.js';
import { attrInt, attrInts, attrString, normalizeAxis, required } from './util.js';
import { constInts, freshShape, gatherByIndex, i64Vector, inType, normalizeAxes, without } from './tensor-common.js';

/** Past this, a Slice end is a "to the end" sentinel (INT_MAX, INT64_MAX) whatever the dim is. */
const END_SENTINEL = 2 ** 31 - 1;

interface AxisSlice {
  axis: number;
  start: number;
  end: number;
  step: number;
}

/** Slice's inputs paired per axis, axes normalized; `axes` defaults to 0..n-1 and `steps` to 1. */
function sliceSpec(rank: number, starts: number[], ends: number[], axes?: number[], steps?: number[]): AxisSlice[] {
  const ax = normalizeAxes(axes ?? starts.map((_, i) => i), rank);
  const st = steps ?? starts.map(() => 1);
  if (ends.length !== starts.length || ax.length !== starts.length || st.length !== starts.length) {
    throw new DlcError(`slice: starts, ends, axes and steps have different lengths (${starts.length}, ${ends.length}, ${ax.length}, ${st.length})`);
  }
  return ax.map((axis, i) => {
    if (st[i] === 0) throw new DlcError('slice: step is 0');
    return { axis, start: starts[i], end: ends[i], step: st[i] };
  });
}

/** First index and element count of one axis's slice (numpy semantics, clamped). */
function sliceAxis(d: number, s: AxisSlice): { first: number; len: number } {
  const norm = (v: number) => (v < 0 ? v + d : v);
  if (s.step > 0) {
    const first = Math.min(Math.max(norm(s.start), 0), d);
    const end = Math.min(Math.max(norm(s.end), 0), d);
    return { first, len: Math.max(0, Math.ceil((end - first) / s.step)) };
  }
  const first = Math.min(Math.max(norm(s.start), 0), d - 1);
  const end = Math.min(Math.max(norm(s.end), -1), d - 1);
  return { first, len: Math.max(0, Math.ceil((end - first) / s.step)) };
}

function inferSlice(ctx: InferContext): TensorType[] {
  const x = inType(ctx, 0);
  const [starts, ends, axes, steps] = [1, 2, 3, 4].map((i) => constInts(ctx, i));
  const axesKnown = !ctx.inputs[3] || axes !== undefined;
  if (!starts || !ends || !axesKnown || (ctx.inputs[4] && !steps)) {
    if (!axesKnown) return [{ dtype: x.dtype, shape: freshShape(ctx, x.shape.length, 'slice') }];
    const n = inType(ctx, 1).shape[0];
    if (typeof n !== 'number') return [{ dtype: x.dtype, shape: freshShape(ctx, x.shape.length, 'slice') }];
    const sliced = new Set(normalizeAxes(axes ?? Array.from({ length: n }, (_, i) => i), x.shape.length));
    return [{ dtype: x.dtype, shape: x.shape.map((d, i) => (sliced.has(i) ? ctx.freshDim('slice') : d)) }];
  }
  const shape = [...x.shape];
  for (const s of sliceSpec(x.shape.length, starts, ends, axes, steps)) {
    const d = x.shape[s.axis];
    if (typeof d === 'number') shape[s.axis] = sliceAxis(d, s).len;
    else if (s.start === 0 && s.step === 1 && s.end >= END_SENTINEL) shape[s.axis] = d;
    else shape[s.axis] = ctx.freshDim('slice');
  }
  return [{ dtype: x.dtype, shape }];
}

function refSlice(inputs: (Tensor | null)[]): Tensor {
  const x = required(inputs, 0);
  const spec = sliceSpec(x.rank, required(inputs, 1).toNumbers(), required(inputs, 2).toNumbers(), inputs[3]?.toNumbers(), inputs[4]?.toNumbers());
  const first = x.shape.map(() => 0);
  const step = x.shape.map(() => 1);
  const outShape = [...x.shape];
  for (const s of spec) {
    const r = sliceAxis(x.shape[s.axis], s);
    first[s.axis] = r.first;
    step[s.axis] = s.step;
    outShape[s.axis] = r.len;
  }
  const st = stridesOf(x.shape);
  return gatherByIndex(x.dtype, outShape, x.data, (idx) => {
    let o = 0;
    for (let k = 0; k < idx.length; k++) o += (first[k] + idx[k] * step[k]) * st[k];
    return o;
  });
}

function inferConcat(ctx: InferContext): TensorType[] {
  const ts = ctx.inputs.filter((t): t is TensorType => t !== null);
  if (ts.length === 0) throw new DlcError('concat: no inputs');
  const rank = ts[0].shape.length;
  const axis = normalizeAxis(attrInt(ctx.attrs, 'axis'), rank);
  const shape: Dim[] = [...ts[0].shape];
  let total = 0;
  let totalKnown = true;
  for (const t of ts) {
    if (t.shape.length !== rank) throw new DlcError(`concat: inputs have ranks ${rank} and ${t.shape.length}`);
    if (t.dtype !== ts[0].dtype) throw new DlcError(`concat: inputs have dtypes ${ts[0].dtype} and ${t.dtype}`);
    t.shape.forEach((d, i) => {
      if (i === axis) return;
      if (typeof d === 'number' && typeof shape[i] === 'number' && d !== shape[i]) {
        throw new DlcError(`concat: inputs differ in dim ${i} (${shape[i]} and ${d})`);
      }
      if (typeof d === 'number') shape[i] = d;
    });
    const d = t.shape[axis];
    if (typeof d === 'number') total += d;
    else totalKnown = false;
  }
  shape[axis] = totalKnown ? total : ctx.freshDim('concat');
  return [{ dtype: ts[0].dtype, shape }];
}

function refConcat(inputs: (Tensor | null)[], axisAttr: number): Tensor {
  const ts = inputs.filter((t): t is Tensor => t !== null);
  if (ts.length === 0) throw new DlcError('concat: no inputs');
  const axis = normalizeAxis(axisAttr, ts[0].rank);
  const outShape = [...ts[0].shape];
  outShape[axis] = ts.reduce((s, t) => s + t.shape[axis], 0);
  for (const t of ts) {
    if (t.rank !== outShape.length || t.shape.some((d, i) => i !== axis && d !== outShape[i])) {
      throw new DlcError(`concat: shapes [${ts[0].shape}] and [${t.shape}] do not concatenate along axis ${axis}`);
    }
  }
  const out = allocData(ts[0].dtype, checkedSize(outShape));
  const outer = outShape.slice(0, axis).reduce((p, d) => p * d, 1);
  const inner = outShape.slice(axis + 1).reduce((p, d) => p * d, 1);
  let o = 0;
  for (let i = 0; i < outer; i++) {
    for (const t of ts) {
      const chunk = t.shape[axis] * inner;
      out.set(t.data.subarray(i * chunk, (i + 1) * chunk), o);
      o += chunk;
    }
  }
  return new Tensor(ts[0].dtype, outShape, out);
}

/** Split sizes: the given ones, or `num_outputs` chunks of ceil(d / n) with a smaller last one. */
function splitSizes(d: number, split: number[] | undefined, numOutputs: number | undefined): number[] {
  if (split) {
    if (split.some((s) => s < 0) || split.reduce((a, b) => a + b, 0) !== d) {
      throw new DlcError(`split: sizes [${split}] do not add up to the dim ${d}`);
    }
    return split;
  }
  if (numOutputs === undefined || numOutputs < 1) throw new DlcError('split: needs split sizes or num_outputs');
  const chunk = Math.ceil(d / numOutputs);
  return Array.from({ length: numOutputs }, (_, i) => Math.max(0, Math.min(chunk, d - i * chunk)));
}

function inferSplit(ctx: InferContext): TensorType[] {
  const x = inType(ctx, 0);
  const axis = normalizeAxis(attrInt(ctx.attrs, 'axis'), x.shape.length);
  const numOutputs = ctx.attrs.num_outputs as number | undefined;
  const split = constInts(ctx, 1);
  const d = x.shape[axis];
  const withDim = (s: Dim): TensorType => ({ dtype: x.dtype, shape: x.shape.map((e, i) => (i === axis ? s : e)) });
  if (ctx.inputs[1] && !split) {
    const n = inType(ctx, 1).shape[0];
    if (typeof n !== 'number') throw new DlcError('split: the number of outputs is known only at run time');
    return Array.from({ length: n }, () => withDim(ctx.freshDim('split')));
  }
  if (typeof d !== 'number') {
    const n = split?.length ?? numOutputs;
    if (n === undefined) throw new DlcError('split: needs split sizes or num_outputs');
    return Array.from({ length: n }, (_, i) => withDim(split ? split[i] : ctx.freshDim('split')));
  }
  return splitSizes(d, split, numOutputs).map(withDim);
}

function refSplit(inputs: (Tensor | null)[], axisAttr: number, numOutputs: number | undefined): Tensor[] {
  const x = required(inputs, 0);
  const axis = normalizeAxis(axisAttr, x.rank);
  const sizes = splitSizes(x.shape[axis], inputs[1]?.toNumbers(), numOutputs);
  const outer = x.shape.slice(0, axis).reduce((p, d) => p * d, 1);
  const inner = x.shape.slice(axis + 1).reduce((p, d) => p * d, 1);
  let offset = 0;
  return sizes.map((s) => {
    const shape = x.shape.map((d, i) => (i === axis ? s : d));
    const out = allocData(x.dtype, checkedSize(shape));
    for (let i = 0; i < outer; i++) {
      const from = (i * x.shape[axis] + offset) * inner;
      out.set(x.data.subarray(from, from + s * inner), i * s * inner);
    }
    offset += s;
    return new Tensor(x.dtype, shape, out);
  });
}

/** Per-axis [before, after] pads of a full-rank pads list, from the canonical (pads, axes) inputs. */
function padsPerAxis(rank: number, pads: number[], axes: number[] | undefined): [number, number][] {
  const ax = axes ? normalizeAxes(axes, rank) : Array.from({ length: rank }, (_, i) => i);
  if (pads.length !== 2 * ax.length) throw new DlcError(`pad: ${pads.length} pads for ${ax.length} axes`);
  const out: [number, number][] = Array.from({ length: rank }, () => [0, 0]);
  ax.forEach((a, i) => (out[a] = [pads[i], pads[i + ax.length]]));
  return out;
}

function inferPad(ctx: InferContext): TensorType[] {
  const x = inType(ctx, 0);
  const pads = constInts(ctx, 1);
  const axes = constInts(ctx, 3);
  if (!pads || (ctx.inputs[3] && !axes)) return [{ dtype: x.dtype, shape: freshShape(ctx, x.shape.length, 'pad') }];
  const per = padsPerAxis(x.shape.length, pads, axes);
  const shape = x.shape.map((d, i) => {
    const [b, a] = per[i];
    if (typeof d === 'number') {
      if (d + b + a < 0) throw new DlcError(`pad: pads [${per[i]}] remove more than dim ${i} (${d}) holds`);
      return d + b + a;
    }
    return b === 0 && a === 0 ? d : ctx.freshDim('pad');
  });
  return [{ dtype: x.dtype, shape }];
}

/** Index into an axis of size d for a padded position j (may be outside [0, d)), or -1 for the fill value. */
function padSource(j: number, d: number, mode: string): number {
  if (j >= 0 && j < d) return j;
  switch (mode) {
    case 'constant': return -1;
    case 'edge': return j < 0 ? 0 : d - 1;
    case 'wrap': return ((j % d) + d) % d;
    case 'reflect': {
      if (d === 1) return 0;
      // Reflection without repeating the edge is periodic with period 2(d-1).
      const p = 2 * (d - 1);
      const m = ((j % p) + p) % p;
      return m < d ? m : p - m;
    }
    default: throw new DlcError(`pad: unknown mode '${mode}'`);
  }
}

function refPad(inputs: (Tensor | null)[], mode: string): Tensor {
  const x = required(inputs, 0);
  const per = padsPerAxis(x.rank, required(inputs, 1).toNumbers(), inputs[3]?.toNumbers());
  const outShape = x.shape.map((d, i) => d + per[i][0] + per[i][1]);
  if (outShape.some((d) => d < 0)) throw new DlcError(`pad: pads [${per}] remove more than the input [${x.shape}] holds`);
  if (mode !== 'constant' && x.shape.some((d, i) => d === 0 && outShape[i] > 0)) {
    throw new DlcError(`pad: mode '${mode}' cannot pad an empty dim`);
  }
  const fill = castScalar(inputs[2] && inputs[2].size > 0 ? inputs[2].data[0] : 0, x.dtype);
  const st = stridesOf(x.shape);
  return gatherByIndex(x.dtype, outShape, x.data, (idx) => {
    let o = 0;
    for (let k = 0; k < idx.length; k++) {
      const s = padSource(idx[k] - per[k][0], x.shape[k], mode);
      if (s < 0) return -1;
      o += s * st[k];
    }
    return o;
  }, fill);
}

function refCenterCropPad(inputs: (Tensor | null)[], axesAttr: number[] | undefined): Tensor {
  const x = required(inputs, 0);
  const target = required(inputs, 1).toNumbers();
  const axes = normalizeAxes(axesAttr ?? x.shape.map((_, i) => i), x.rank);
  if (target.length !== axes.length) throw new DlcError(`center_crop_pad: ${target.length} sizes for ${axes.length} axes`);
  const outShape = [...x.shape];
  // Output position i reads input position i + shift: shift > 0 crops, shift < 0 pads (with zeros).
  const shift = x.shape.map(() => 0);
  axes.forEach((a, i) => {
    if (!Number.isInteger(target[i]) || target[i] < 0) throw new DlcError(`center_crop_pad: invalid size ${target[i]}`);
    outShape[a] = target[i];
    const d = x.shape[a];
    shift[a] = target[i] <= d ? Math.floor((d - target[i]) / 2) : -Math.floor((target[i] - d) / 2);
  });
  const st = stridesOf(x.shape);
  return gatherByIndex(x.dtype, outShape, x.data, (idx) => {
    let o = 0;
    for (let k = 0; k < idx.length; k++) {
      const s = idx[k] + shift[k];
      if (s < 0 || s >= x.shape[k]) return -1;
      o += s * st[k];
    }
    return o;
  });
}

export const tensorSliceOps: OpDef[] = [
  {
    name: 'slice',
    attrs: {},
    kind: 'injective',
    onnx: [
      {
        op: 'Slice',
        convert: (node, b) => {
          if (node.opset >= 10) return b.emit('slice', node.inputs, node.attrs, node.numOutputs);
          // Slice-1 passes starts, ends and axes as attributes.
          const [starts, ends, axes] = ['starts', 'ends', 'axes'].map((k) => attrInts(node.attrs, k));
          if (!starts || !ends) throw new DlcError('Slice-1 needs starts and ends attributes');
          const ins = [node.inputs[0], b.constant(i64Vector(starts)), b.constant(i64Vector(ends)), axes ? b.constant(i64Vector(axes)) : null];
          return b.emit('slice', ins, {}, node.numOutputs);
        },
      },
    ],
    shapeOperands: [1, 2, 3, 4],
    infer: inferSlice,
    ref: (inputs) => [refSlice(inputs)],
  },
  {
    name: 'concat',
    attrs: { axis: { type: 'int' } },
    kind: 'injective',
    onnx: [
      {
        op: 'Concat',
        // Before opset 4 the axis is optional and defaults to 1.
        convert: (node, b) => b.emit('concat', node.inputs, { axis: 1, ...node.attrs }, node.numOutputs),
      },
    ],
    infer: inferConcat,
    ref: (inputs, attrs) => [refConcat(inputs, attrInt(attrs, 'axis'))],
  },
  {
    name: 'split',
    attrs: { axis: { type: 'int', default: 0 }, num_outputs: { type: 'int', optional: true } },
    kind: 'injective',
    onnx: [
      {
        op: 'Split',
        convert: (node, b) => {
          // Before opset 13 the sizes are an attribute; without sizes, the node's output count splits evenly.
          const split = attrInts(node.attrs, 'split');
          const inputs = split ? [node.inputs[0], b.constant(i64Vector(split))] : node.inputs;
          const attrs = without(node.attrs, 'split');
          if (!inputs[1] && attrs.num_outputs === undefined) attrs.num_outputs = node.numOutputs;
          return b.emit('split', inputs, attrs, node.numOutputs);
        },
      },
    ],
    shapeOperands: [1],
    infer: inferSplit,
    ref: (inputs, attrs) => refSplit(inputs, attrInt(attrs, 'axis'), attrs.num_outputs as number | undefined),
  },
  {
    name: 'pad',
    attrs: { mode: { type: 'string', default: 'constant' } },
    kind: 'injective',
    onnx: [
      {
        op: 'Pad',
        convert: (node, b) => {
          if (node.opset >= 11) return b.emit('pad', node.inputs, node.attrs, node.numOutputs);
          // Pad-1 calls the pads 'paddings'; Pad-2 'pads'; both give the fill as the float attribute 'value'.
          const pads = attrInts(node.attrs, 'pads') ?? attrInts(node.attrs, 'paddings');
          if (!pads) throw new DlcError('Pad needs a pads attribute before opset 11');
          const x = node.inputs[0];
          if (!x) throw new DlcError('Pad needs an input');
          const value = b.constant(Tensor.scalar(x.type.dtype, (node.attrs.value as number | undefined) ?? 0));
          return b.emit('pad', [x, b.constant(i64Vector(pads)), value], without(node.attrs, 'pads', 'paddings', 'value'), node.numOutputs);
        },
      },
    ],
    shapeOperands: [1, 3],
    infer: inferPad,
    ref: (inputs, attrs) => [refPad(inputs, attrString(attrs, 'mode'))],
  },
  {
    name: 'center_crop_pad',
    attrs: { axes: { type: 'ints', optional: true } },
    kind: 'injective',
    onnx: [{ op: 'CenterCropPad' }],
    shapeOperands: [1],
    infer: (ctx) => {
      const x = inType(ctx, 0);
      const axes = normalizeAxes(attrInts(ctx.attrs, 'axes') ?? x.shape.map((_, i) => i), x.shape.length);
      const target = constInts(ctx, 1);
      const shape = [...x.shape];
      axes.forEach((a, i) => (shape[a] = target ? target[i] : ctx.freshDim('center_crop_pad')));
      return [{ dtype: x.dtype, shape }];
    },
    ref: (inputs, attrs) => [refCenterCropPad(inputs, attrInts(attrs, 'axes'))],
  },
];
