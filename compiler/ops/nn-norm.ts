// Normalizations: batch (inference form), instance, layer, group, LRN, Lp and mean-variance.
import { DlcError } from '../errors.js';
import type { Attrs, Dim, TensorType } from '../ir/graph.js';
import { Tensor, sizeOf, stridesOf } from '../ir/tensor.js';
import type { CostContext, OpDef } from './registry.js';
import { attrFloat, attrInt, attrInts, broadcastIndex, inferSameAsInput, normalizeAxis, required } from './util.js';
import { knownProduct } from './nn-window.js';
import { trainingBatchNorm } from './nn-norm-training.js';

/** Mean and 1/√(variance + ε) of each of `rows` contiguous rows of `len` elements (two-pass variance). */
function rowStats(x: ArrayLike<number>, rows: number, len: number, epsilon: number): { mean: Float64Array; invStd: Float64Array } {
  const mean = new Float64Array(rows);
  const invStd = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    const base = r * len;
    let sum = 0;
    for (let i = 0; i < len; i++) sum += x[base + i];
    const m = sum / len;
    let sq = 0;
    for (let i = 0; i < len; i++) {
      const d = x[base + i] - m;
      sq += d * d;
    }
    mean[r] = m;
    invStd[r] = 1 / Math.sqrt(sq / len + epsilon);
  }
  return { mean, invStd };
}

/** Per-element cost of the ops that compute statistics and then rescale: sums, squares, subtract, scale. */
const STATS_FLOPS_PER_ELEMENT = 7;

const costPerElement = (flops: number) => (ctx: CostContext) => ({ flops: flops * knownProduct(ctx.outputs[0].shape) });

function requireRank(t: TensorType | null, min: number, what: string): TensorType {
  if (!t) throw new DlcError(`${what} needs an input`);
  if (t.shape.length < min) throw new DlcError(`${what} input must have rank >= ${min}, got [${t.shape}]`);
  return t;
}

/** y = (x − mean[c]) / √(var[c] + ε) · scale[c] + b[c], folded to y = x·a[c] + t[c]. */
function batchNorm(inputs: (Tensor | null)[], epsilon: number): Tensor {
  const [x, scale, bias, mean, variance] = [0, 1, 2, 3, 4].map((i) => required(inputs, i));
  if (x.rank < 2) throw new DlcError(`batch_normalization input must have rank >= 2, got [${x.shape}]`);
  const c = x.shape[1];
  const inner = sizeOf(x.shape.slice(2));
  // Opsets < 7 with spatial = 0 give statistics per (channel, position) rather than per channel.
  const per = scale.size === c ? 1 : scale.size === c * inner ? inner : 0;
  if (per === 0 || [bias, mean, variance].some((t) => t.size !== scale.size)) {
    throw new DlcError(`batch_normalization parameters [${scale.shape}] do not match input [${x.shape}]`);
  }
  const a = new Float64Array(scale.size);
  const t = new Float64Array(scale.size);
  for (let i = 0; i < scale.size; i++) {
    a[i] = scale.data[i] / Math.sqrt(variance.data[i] + epsilon);
    t[i] = bias.data[i] - mean.data[i] * a[i];
  }
  const out = new Float64Array(x.size);
  const planes = x.shape[0] * c;
  for (let p = 0; p < planes; p++) {
    const ch = p % c;
    const base = p * inner;
    for (let i = 0; i < inner; i++) {
      const k = per === 1 ? ch : ch * inner + i;
      out[base + i] = x.data[base + i] * a[k] + t[k];
    }
  }
  return new Tensor(x.dtype, x.shape, out);
}

/** Shapes of layer_normalization's outputs: Y like X; Mean and InvStdDev keep dims before `axis`, 1 after. */
function layerNormTypes(x: TensorType, axis: number): TensorType[] {
  const a = normalizeAxis(axis, x.shape.length);
  const stat: Dim[] = x.shape.map((d, i) => (i < a ? d : 1));
  return [{ dtype: x.dtype, shape: [...x.shape] }, { dtype: 'f32', shape: stat }, { dtype: 'f32', shape: [...stat] }];
}

function layerNorm(inputs: (Tensor | null)[], axis: number, epsilon: number): Tensor[] {
  const [x, scale, bias] = [required(inputs, 0), required(inputs, 1), inputs[2]];
  const a = normalizeAxis(axis, x.rank);
  const normShape = x.shape.slice(a);
  const rows = sizeOf(x.shape.slice(0, a));
  const len = sizeOf(normShape);
  const [si] = broadcastIndex([scale.shape], normShape);
  const bi = bias ? broadcastIndex([bias.shape], normShape)[0] : undefined;
  const { mean, invStd } = rowStats(x.data, rows, len, epsilon);
  const out = new Float64Array(x.size);
  for (let r = 0; r < rows; r++) {
    const base = r * len;
    for (let i = 0; i < len; i++) {
      const y = (x.data[base + i] - mean[r]) * invStd[r] * scale.data[si[i]];
      out[base + i] = bias && bi ? y + bias.data[bi[i]] : y;
    }
  }
  const stat = x.shape.map((d, i) => (i < a ? d : 1));
  return [new Tensor(x.dtype, x.shape, out), new Tensor('f32', stat, mean), new Tensor('f32', stat, invStd)];
}

/**
 * Normalizes each of `groups` contiguous chunks per batch item, then applies per-channel scale and bias.
 * Instance norm is the case groups = C; group norm's opset-18 form gives scale per group, detected by size.
 */
function groupNorm(x: Tensor, scale: Tensor, bias: Tensor, groups: number, epsilon: number): Tensor {
  if (x.rank < 2) throw new DlcError(`normalization input must have rank >= 2, got [${x.shape}]`);
  const [n, c] = x.shape;
  if (groups < 1 || c % groups !== 0) throw new DlcError(`${c} channels do not split into ${groups} groups`);
  const inner = sizeOf(x.shape.slice(2));
  const perGroup = scale.size === groups && groups !== c;
  if ((scale.size !== c && !perGroup) || bias.size !== scale.size) {
    throw new DlcError(`scale [${scale.shape}] and bias [${bias.shape}] must have ${c} elements`);
  }
  const len = (c / groups) * inner;
  const { mean, invStd } = rowStats(x.data, n * groups, len, epsilon);
  const out = new Float64Array(x.size);
  for (let b = 0; b < n; b++) {
    for (let ch = 0; ch < c; ch++) {
      const g = Math.floor(ch / (c / groups));
      const row = b * groups + g;
      const k = perGroup ? g : ch;
      const base = (b * c + ch) * inner;
      for (let i = 0; i < inner; i++) out[base + i] = (x.data[base + i] - mean[row]) * invStd[row] * scale.data[k] + bias.data[k];
    }
  }
  return new Tensor(x.dtype, x.shape, out);
}

/** y = x / (bias + α/size · Σ_{c' near c} x[c']²)^β over a window of `size` channels. */
function lrn(x: Tensor, size: number, alpha: number, beta: number, bias: number): Tensor {
  if (x.rank < 2) throw new DlcError(`lrn input must have rank >= 2, got [${x.shape}]`);
  if (size < 1) throw new DlcError(`lrn size must be >= 1, got ${size}`);
  const [n, c] = x.shape;
  const inner = sizeOf(x.shape.slice(2));
  const before = Math.floor((size - 1) / 2);
  const after = Math.ceil((size - 1) / 2);
  const out = new Float64Array(x.size);
  for (let b = 0; b < n; b++) {
    for (let ch = 0; ch < c; ch++) {
      const lo = Math.max(0, ch - before);
      const hi = Math.min(c - 1, ch + after);
      const base = (b * c + ch) * inner;
      for (let i = 0; i < inner; i++) {
        let sq = 0;
        for (let k = lo; k <= hi; k++) {
          const v = x.data[(b * c + k) * inner + i];
          sq += v * v;
        }
        out[base + i] = x.data[base + i] / (bias + (alpha / size) * sq) ** beta;
      }
    }
  }
  return new Tensor(x.dtype, x.shape, out);
}

/** y = x / ‖x‖_p along one axis. */
function lpNormalize(x: Tensor, axis: number, p: number): Tensor {
  if (p !== 1 && p !== 2) throw new DlcError(`lp_normalization supports p = 1 or 2, got ${p}`);
  const a = normalizeAxis(axis, x.rank);
  const n = x.shape[a];
  const inner = sizeOf(x.shape.slice(a + 1));
  const outer = sizeOf(x.shape.slice(0, a));
  const out = new Float64Array(x.size);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * n * inner + i;
      let acc = 0;
      for (let j = 0; j < n; j++) {
        const v = x.data[base + j * inner];
        acc += p === 1 ? Math.abs(v) : v * v;
      }
      const norm = p === 1 ? acc : Math.sqrt(acc);
      for (let j = 0; j < n; j++) out[base + j * inner] = x.data[base + j * inner] / norm;
    }
  }
  return new Tensor(x.dtype, x.shape, out);
}

/** y = (x − E[x]) / (√(E[x²] − E[x]²) + 1e-9), statistics over `axes` (ONNX's function body). */
function meanVarianceNormalize(x: Tensor, axes: number[]): Tensor {
  const reduced = new Set(axes.map((a) => normalizeAxis(a, x.rank)));
  const keptShape = x.shape.map((d, i) => (reduced.has(i) ? 1 : d));
  const groups = sizeOf(keptShape);
  const keptStrides = stridesOf(keptShape).map((s, i) => (reduced.has(i) ? 0 : s));
  const groupOf = new Int32Array(x.size);
  const counter = new Array<number>(x.rank).fill(0);
  let g = 0;
  for (let e = 0; e < x.size; e++) {
    groupOf[e] = g;
    for (let d = x.rank - 1; d >= 0; d--) {
      counter[d]++;
      g += keptStrides[d];
      if (counter[d] < x.shape[d]) break;
      g -= keptStrides[d] * x.shape[d];
      counter[d] = 0;
    }
  }
  const sum = new Float64Array(groups);
  const sumSq = new Float64Array(groups);
  for (let e = 0; e < x.size; e++) {
    sum[groupOf[e]] += x.data[e];
    sumSq[groupOf[e]] += x.data[e] * x.data[e];
  }
  const count = x.size / Math.max(groups, 1);
  const out = new Float64Array(x.size);
  for (let e = 0; e < x.size; e++) {
    const m = sum[groupOf[e]] / count;
    const std = Math.sqrt(Math.max(0, sumSq[groupOf[e]] / count - m * m));
    out[e] = (x.data[e] - m) / (std + 1e-9);
  }
  return new Tensor(x.dtype, x.shape, out);
}

export const normOps: OpDef[] = [
  {
    name: 'batch_normalization',
    attrs: { epsilon: { type: 'float', default: 1e-5 } },
    // Inference batch norm is a per-channel affine map: it fuses like any broadcast op (into conv epilogues).
    kind: 'broadcast',
    onnx: [
      {
        op: 'BatchNormalization',
        convert: (node, b) => {
          // Training mode (opset 14+) computes the batch's statistics: decomposed into reductions. The older
          // opsets' training outputs (saved mean and variance) are not supported. momentum, spatial, is_test and
          // consumed_inputs only matter for training or older layouts.
          if (node.attrs.training_mode === 1 && node.opset >= 14) return trainingBatchNorm(node, b);
          if (node.attrs.training_mode === 1 || node.numOutputs > 1) throw new DlcError('training-mode BatchNormalization before opset 14 is not supported');
          const attrs: Attrs = node.attrs.epsilon === undefined ? {} : { epsilon: node.attrs.epsilon };
          return b.emit('batch_normalization', node.inputs, attrs, 1);
        },
      },
    ],
    infer: (ctx) => {
      requireRank(ctx.inputs[0], 2, 'batch_normalization');
      for (let i = 1; i < 5; i++) if (!ctx.inputs[i]) throw new DlcError(`batch_normalization needs input ${i}`);
      return inferSameAsInput(ctx);
    },
    ref: (inputs, attrs) => [batchNorm(inputs, attrFloat(attrs, 'epsilon'))],
    cost: costPerElement(2),
  },
  {
    name: 'instance_normalization',
    attrs: { epsilon: { type: 'float', default: 1e-5 } },
    kind: 'opaque',
    onnx: [{ op: 'InstanceNormalization' }],
    infer: (ctx) => {
      requireRank(ctx.inputs[0], 2, 'instance_normalization');
      return inferSameAsInput(ctx);
    },
    ref: (inputs, attrs) => {
      const x = required(inputs, 0);
      return [groupNorm(x, required(inputs, 1), required(inputs, 2), x.shape[1], attrFloat(attrs, 'epsilon'))];
    },
    cost: costPerElement(STATS_FLOPS_PER_ELEMENT),
  },
  {
    name: 'layer_normalization',
    attrs: { axis: { type: 'int', default: -1 }, epsilon: { type: 'float', default: 1e-5 }, stash_type: { type: 'int', default: 1 } },
    kind: 'opaque',
    onnx: [{ op: 'LayerNormalization' }],
    infer: (ctx) => {
      const x = requireRank(ctx.inputs[0], 1, 'layer_normalization');
      if (!ctx.inputs[1]) throw new DlcError('layer_normalization needs Scale');
      return layerNormTypes(x, attrInt(ctx.attrs, 'axis'));
    },
    ref: (inputs, attrs) => layerNorm(inputs, attrInt(attrs, 'axis'), attrFloat(attrs, 'epsilon')),
    cost: costPerElement(STATS_FLOPS_PER_ELEMENT),
  },
  {
    name: 'group_normalization',
    attrs: { num_groups: { type: 'int' }, epsilon: { type: 'float', default: 1e-5 }, stash_type: { type: 'int', default: 1 } },
    kind: 'opaque',
    onnx: [{ op: 'GroupNormalization' }],
    infer: (ctx) => {
      requireRank(ctx.inputs[0], 2, 'group_normalization');
      if (!ctx.inputs[1] || !ctx.inputs[2]) throw new DlcError('group_normalization needs scale and bias');
      return inferSameAsInput(ctx);
    },
    ref: (inputs, attrs) => [groupNorm(required(inputs, 0), required(inputs, 1), required(inputs, 2), attrInt(attrs, 'num_groups'), attrFloat(attrs, 'epsilon'))],
    cost: costPerElement(STATS_FLOPS_PER_ELEMENT),
  },
  {
    name: 'lrn',
    attrs: { size: { type: 'int' }, alpha: { type: 'float', default: 1e-4 }, beta: { type: 'float', default: 0.75 }, bias: { type: 'float', default: 1 } },
    kind: 'opaque',
    onnx: [{ op: 'LRN' }],
    infer: (ctx) => {
      requireRank(ctx.inputs[0], 2, 'lrn');
      return inferSameAsInput(ctx);
    },
    ref: (inputs, attrs) => [lrn(required(inputs, 0), attrInt(attrs, 'size'), attrFloat(attrs, 'alpha'), attrFloat(attrs, 'beta'), attrFloat(attrs, 'bias'))],
    cost: (ctx) => ({ flops: (2 * attrInt(ctx.attrs, 'size') + 4) * knownProduct(ctx.outputs[0].shape) }),
  },
  {
    name: 'lp_normalization',
    attrs: { axis: { type: 'int', default: -1 }, p: { type: 'int', default: 2 } },
    kind: 'opaque',
    onnx: [{ op: 'LpNormalization' }],
    infer: (ctx) => {
      const x = requireRank(ctx.inputs[0], 1, 'lp_normalization');
      normalizeAxis(attrInt(ctx.attrs, 'axis'), x.shape.length);
      return inferSameAsInput(ctx);
    },
    ref: (inputs, attrs) => [lpNormalize(required(inputs, 0), attrInt(attrs, 'axis'), attrInt(attrs, 'p'))],
    cost: costPerElement(3),
  },
  {
    name: 'mean_variance_normalization',
    attrs: { axes: { type: 'ints', default: [0, 2, 3] } },
    kind: 'opaque',
    onnx: [{ op: 'MeanVarianceNormalization' }],
    infer: (ctx) => {
      const x = requireRank(ctx.inputs[0], 0, 'mean_variance_normalization');
      for (const a of attrInts(ctx.attrs, 'axes') ?? []) normalizeAxis(a, x.shape.length);
      return inferSameAsInput(ctx);
    },
    ref: (inputs, attrs) => [meanVarianceNormalize(required(inputs, 0), attrInts(attrs, 'axes') ?? [])],
    cost: costPerElement(STATS_FLOPS_PER_ELEMENT),
  },
];
