// Losses: negative_log_likelihood_loss and softmax_cross_entropy_loss (which is log_softmax over axis 1
// followed by the former), with class weights, ignore_index and none/sum/mean reductions.
import { DlcError } from '../errors.js';
import type { Attrs, TensorType } from '../ir/graph.js';
import { Tensor, sizeOf } from '../ir/tensor.js';
import type { InferContext, OpDef } from './registry.js';
import { attrString, required } from './util.js';
import { knownProduct } from './nn-window.js';

const REDUCTIONS = ['none', 'sum', 'mean'];

const LOSS_ATTRS = { reduction: { type: 'string' as const, default: 'mean' }, ignore_index: { type: 'int' as const, optional: true } };

function checkReduction(attrs: Attrs): string {
  const r = attrString(attrs, 'reduction');
  if (!REDUCTIONS.includes(r)) throw new DlcError(`unknown reduction '${r}'`);
  return r;
}

/** Loss type: per-sample [N, d1, …] without reduction, a scalar otherwise. */
function inferLoss(ctx: InferContext, scores: TensorType, target: TensorType): TensorType {
  if (scores.shape.length < 2) throw new DlcError(`loss input must have rank >= 2, got [${scores.shape}]`);
  if (target.shape.length !== scores.shape.length - 1) throw new DlcError(`target [${target.shape}] must have rank ${scores.shape.length - 1}`);
  const shape = checkReduction(ctx.attrs) === 'none' ? [...target.shape] : [];
  return { dtype: scores.dtype, shape };
}

/**
 * loss[n, d] = −input[n, t, d] · w[t] with t = target[n, d] (0 where t is ignore_index); `mean` divides the
 * sum by the total weight of the counted targets.
 */
function nllLoss(input: ArrayLike<number>, shape: readonly number[], target: Tensor, weight: Tensor | null, attrs: Attrs, dtype: Tensor['dtype']): Tensor {
  const reduction = checkReduction(attrs);
  const ignore = attrs.ignore_index as number | undefined;
  const [n, c] = shape;
  const inner = sizeOf(shape.slice(2));
  if (target.size !== n * inner) throw new DlcError(`target [${target.shape}] does not match input [${shape}]`);
  if (weight && weight.size !== c) throw new DlcError(`weight [${weight.shape}] must have ${c} elements`);
  const losses = new Float64Array(n * inner);
  let sum = 0;
  let weightSum = 0;
  for (let b = 0; b < n; b++) {
    for (let i = 0; i < inner; i++) {
      const k = b * inner + i;
      const t = target.data[k];
      if (t === ignore) continue;
      if (!(Number.isInteger(t) && t >= 0 && t < c)) throw new DlcError(`target ${t} is not a class in [0, ${c})`);
      const w = weight ? weight.data[t] : 1;
      losses[k] = -input[(b * c + t) * inner + i] * w;
      sum += losses[k];
      weightSum += w;
    }
  }
  if (reduction === 'none') return new Tensor(dtype, target.shape, losses);
  return Tensor.scalar(dtype, reduction === 'sum' ? sum : sum / weightSum);
}

/** log_softmax over axis 1 of [N, C, d…]. */
function logSoftmaxAxis1(x: Tensor): Float64Array {
  const [n, c] = x.shape;
  const inner = sizeOf(x.shape.slice(2));
  const out = new Float64Array(x.size);
  for (let b = 0; b < n; b++) {
    for (let i = 0; i < inner; i++) {
      const base = b * c * inner + i;
      let max = -Infinity;
      for (let j = 0; j < c; j++) max = Math.max(max, x.data[base + j * inner]);
      let sum = 0;
      for (let j = 0; j < c; j++) sum += Math.exp(x.data[base + j * inner] - max);
      const logSum = Math.log(sum) + max;
      for (let j = 0; j < c; j++) out[base + j * inner] = x.data[base + j * inner] - logSum;
    }
  }
  return out;
}

function needInputs(ctx: InferContext, op: string): [TensorType, TensorType] {
  const [x, t] = ctx.inputs;
  if (!x || !t) throw new DlcError(`${op} needs scores and labels`);
  return [x, t];
}

export const lossOps: OpDef[] = [
  {
    name: 'negative_log_likelihood_loss',
    attrs: LOSS_ATTRS,
    kind: 'opaque',
    onnx: [{ op: 'NegativeLogLikelihoodLoss' }],
    infer: (ctx) => [inferLoss(ctx, ...needInputs(ctx, 'negative_log_likelihood_loss'))],
    ref: (inputs, attrs) => {
      const x = required(inputs, 0);
      if (x.rank < 2) throw new DlcError(`loss input must have rank >= 2, got [${x.shape}]`);
      return [nllLoss(x.data, x.shape, required(inputs, 1), inputs[2], attrs, x.dtype)];
    },
    cost: (ctx) => ({ flops: 2 * (ctx.inputs[1] ? knownProduct(ctx.inputs[1].shape) : 0) }),
  },
  {
    name: 'softmax_cross_entropy_loss',
    attrs: LOSS_ATTRS,
    kind: 'opaque',
    onnx: [{ op: 'SoftmaxCrossEntropyLoss' }],
    infer: (ctx) => {
      const [x, t] = needInputs(ctx, 'softmax_cross_entropy_loss');
      return [inferLoss(ctx, x, t), { dtype: x.dtype, shape: [...x.shape] }];
    },
    ref: (inputs, attrs, ctx) => {
      const x = required(inputs, 0);
      if (x.rank < 2) throw new DlcError(`loss input must have rank >= 2, got [${x.shape}]`);
      const logProb = logSoftmaxAxis1(x);
      const loss = nllLoss(logProb, x.shape, required(inputs, 1), inputs[2], attrs, x.dtype);
      return ctx.numOutputs > 1 ? [loss, new Tensor(x.dtype, x.shape, logProb)] : [loss];
    },
    // log_softmax (about 5 per score) plus the gather and reduction.
    cost: (ctx) => ({ flops: 5 * (ctx.inputs[0] ? knownProduct(ctx.inputs[0].shape) : 0) }),
  },
];
