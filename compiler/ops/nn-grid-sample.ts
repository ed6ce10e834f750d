// grid_sample (ONNX GridSample, opsets 16 and 20): Y[n, c, p] samples X[n, c] at the point grid[n, p], given in
// [-1, 1] per spatial axis in reverse order (x = width first). Any number of spatial axes. The sampling is
// separable: per axis, taps (indices and weights) from the point, combined as a tensor product, so that
// the kernels (codegen/*/kernels/grid-sample.ts) compute the same taps per axis.
import { DlcError } from '../errors.js';
import type { Attrs, Value } from '../ir/graph.js';
import { Tensor, checkedSize, sizeOf } from '../ir/tensor.js';
import type { ImportBuilder, OnnxNode, OpDef } from './registry.js';
import { cubicKernel } from './resize-sampling.js';
import { attrInt, attrString, required } from './util.js';

const MODES = ['linear', 'nearest', 'cubic'];
const PADDING_MODES = ['zeros', 'border', 'reflection'];
/** Opset 16's names of the modes. */
const OPSET16_MODES: Record<string, string> = { bilinear: 'linear', nearest: 'nearest', bicubic: 'cubic' };
/** GridSample's cubic filter has PyTorch's fixed A. */
export const GRID_SAMPLE_CUBIC_A = -0.75;

/** Where normalized coordinate g ∈ [-1, 1] lands on an axis of `len` elements. */
export function denormalize(g: number, len: number, alignCorners: boolean): number {
  return alignCorners ? ((g + 1) / 2) * (len - 1) : ((g + 1) * len - 1) / 2;
}

/** The reflection bounds of an axis: the outer edges of its end pixels, or (align_corners) their centres. */
export function reflectionBounds(len: number, alignCorners: boolean): [number, number] {
  return alignCorners ? [0, len - 1] : [-0.5, len - 0.5];
}

/** x folded back into [lo, hi] by reflecting off the bounds as many times as it takes. */
export function reflect(x: number, lo: number, hi: number): number {
  const range = hi - lo;
  if (range <= 0) return lo;
  if (x < lo) {
    const d = lo - x;
    const n = Math.floor(d / range);
    const r = d - n * range;
    return n % 2 === 0 ? lo + r : hi - r;
  }
  if (x > hi) {
    const d = x - hi;
    const n = Math.floor(d / range);
    const r = d - n * range;
    return n % 2 === 0 ? hi - r : lo + r;
  }
  return x;
}

/** Round half to even, as PyTorch's (and ONNX's) nearest mode does. */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

interface AxisTaps {
  idx: number[];
  weights: number[];
}

/** The taps of one axis of `len` elements at normalized coordinate g; an index outside the input weighs 0. */
function axisTaps(g: number, len: number, mode: string, padding: string, alignCorners: boolean): AxisTaps {
  const [lo, hi] = reflectionBounds(len, alignCorners);
  let x = denormalize(g, len, alignCorners);
  if (mode === 'nearest') x = roundHalfEven(x);
  // The point itself is first brought inside the bounds, then each tap index again (as ONNX's reference).
  if (x < lo || x > hi) {
    if (padding === 'border') x = Math.min(len - 1, Math.max(0, x));
    else if (padding === 'reflection') x = reflect(x, lo, hi);
  }
  let first: number;
  let weights: number[];
  if (mode === 'nearest') {
    first = Math.trunc(x);
    weights = [1];
  } else {
    first = Math.floor(x);
    const r = x - first;
    if (mode === 'linear') {
      weights = [1 - r, r];
    } else {
      first -= 1;
      weights = [-1, 0, 1, 2].map((t) => cubicKernel(t - r, GRID_SAMPLE_CUBIC_A));
    }
  }
  const idx: number[] = [];
  weights = weights.map((w, t) => {
    const i = first + t;
    if (padding === 'zeros') {
      const inside = i >= 0 && i < len;
      idx.push(inside ? i : 0);
      return inside ? w : 0;
    }
    idx.push(padding === 'border' ? Math.min(len - 1, Math.max(0, i)) : Math.trunc(reflect(i, lo, hi)));
    return w;
  });
  return { idx, weights };
}

function runGridSample(x: Tensor, grid: Tensor, attrs: Attrs): Tensor {
  const mode = attrString(attrs, 'mode');
  const padding = attrString(attrs, 'padding_mode');
  const alignCorners = attrInt(attrs, 'align_corners') !== 0;
  const [n, c, ...dims] = x.shape;
  const outDims = grid.shape.slice(1, -1);
  const rank = dims.length;
  const points = sizeOf(outDims);
  const planeSize = sizeOf(dims);
  const out = new Float64Array(checkedSize([n, c, ...outDims]));
  // Element strides of the spatial axes.
  const strides = dims.map((_, a) => sizeOf(dims.slice(a + 1)));
  for (let b = 0; b < n; b++) {
    for (let p = 0; p < points; p++) {
      const at = (b * points + p) * rank;
      // grid lists the axes last first: its component j is spatial axis rank − 1 − j.
      const taps = dims.map((len, a) => axisTaps(grid.data[at + rank - 1 - a], len, mode, padding, alignCorners));
      // The tensor product of the axes' taps: offsets and weights of every combination.
      let offsets = [0];
      let weights = [1];
      taps.forEach((t, a) => {
        offsets = offsets.flatMap((o) => t.idx.map((i) => o + i * strides[a]));
        weights = weights.flatMap((w) => t.weights.map((v) => w * v));
      });
      for (let ch = 0; ch < c; ch++) {
        const base = (b * c + ch) * planeSize;
        let sum = 0;
        offsets.forEach((o, k) => {
          if (weights[k] !== 0) sum += weights[k] * x.data[base + o];
        });
        out[(b * c + ch) * points + p] = sum;
      }
    }
  }
  return new Tensor(x.dtype, [n, c, ...outDims], out);
}

function checkAttrs(attrs: Attrs): void {
  if (!MODES.includes(attrString(attrs, 'mode'))) throw new DlcError(`unknown grid_sample mode '${attrString(attrs, 'mode')}'`);
  if (!PADDING_MODES.includes(attrString(attrs, 'padding_mode'))) throw new DlcError(`unknown grid_sample padding_mode '${attrString(attrs, 'padding_mode')}'`);
}

function convertGridSample(node: OnnxNode, b: ImportBuilder): Value[] {
  const mode = (node.attrs.mode as string | undefined) ?? (node.opset < 20 ? 'bilinear' : 'linear');
  const canonical = node.opset < 20 ? OPSET16_MODES[mode] : mode;
  if (canonical === undefined) throw new DlcError(`unknown GridSample mode '${mode}' at opset ${node.opset}`);
  return b.emit('grid_sample', node.inputs, { ...node.attrs, mode: canonical }, node.numOutputs);
}

export const gridSampleOps: OpDef[] = [
  {
    name: 'grid_sample',
    attrs: {
      align_corners: { type: 'int', default: 0 },
      mode: { type: 'string', default: 'linear' },
      padding_mode: { type: 'string', default: 'zeros' },
    },
    // Every output element reads a small neighbourhood of the input, found at run time: injective, like gather.
    kind: 'injective',
    onnx: [{ op: 'GridSample', convert: convertGridSample }],
    infer: (ctx) => {
      const [x, grid] = ctx.inputs;
      if (!x || !grid) throw new DlcError('grid_sample needs X and grid');
      checkAttrs(ctx.attrs);
      const rank = x.shape.length - 2;
      if (rank < 1) throw new DlcError(`grid_sample needs X of rank 3 or more, got ${x.shape.length}`);
      if (grid.shape.length !== rank + 2) throw new DlcError(`grid_sample grid has rank ${grid.shape.length}, expected ${rank + 2} for X of rank ${x.shape.length}`);
      const last = grid.shape[rank + 1];
      if (typeof last === 'number' && last !== rank) throw new DlcError(`grid_sample grid's last dim is ${last}, expected ${rank}`);
      return [{ dtype: x.dtype, shape: [x.shape[0], x.shape[1], ...grid.shape.slice(1, -1)] }];
    },
    ref: (inputs, attrs) => {
      checkAttrs(attrs);
      return [runGridSample(required(inputs, 0), required(inputs, 1), attrs)];
    },
    // Taps per output element: 1 (nearest), 2 per axis (linear), 4 per axis (cubic); a multiply-add each.
    cost: (ctx) => {
      const n = ctx.outputs[0].shape.reduce<number>((acc, d) => acc * (typeof d === 'number' ? d : 1), 1);
      const perAxis = { nearest: 1, linear: 2, cubic: 4 }[ctx.attrs.mode as 'nearest' | 'linear' | 'cubic'] ?? 1;
      return { flops: 2 * n * perAxis ** (ctx.outputs[0].shape.length - 2) };
    },
  },
];
