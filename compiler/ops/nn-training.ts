// The optimizers of ONNX's training preview domain (ai.onnx.preview.training): adagrad, adam and momentum.
// Each updates n tensors at once: inputs R (learning rate), T (update count), then X_1..X_n, G_1..G_n and the
// optimizer's state tensors; outputs the new X_1..X_n followed by the new state tensors. Element-wise math
// throughout (passes/legalize-training.ts spells it as element-wise ops for the targets).
import { DlcError } from '../errors.js';
import { isFloat } from '../ir/dtype.js';
import type { Attrs, TensorType } from '../ir/graph.js';
import { Tensor } from '../ir/tensor.js';
import type { InferContext, OpDef } from './registry.js';
import { attrFloat, attrString, required } from './util.js';

const DOMAIN = 'ai.onnx.preview.training';

/**
 * How many tensors a node with `inputs` inputs optimizes, when each brings `perTensor` inputs (X, G and the
 * state tensors) after R and T.
 */
export function optimizedCount(inputs: number, perTensor: number, op: string): number {
  const n = (inputs - 2) / perTensor;
  if (!Number.isInteger(n) || n < 1) throw new DlcError(`${op} takes R, T and ${perTensor} inputs per optimized tensor, got ${inputs} inputs`);
  return n;
}

/** X_i's type for every output: the new X_1..X_n, then each state tensor's new value in the same order. */
function inferOptimizer(ctx: InferContext, perTensor: number, op: string): TensorType[] {
  const n = optimizedCount(ctx.inputs.length, perTensor, op);
  const types = ctx.inputs.map((t, i) => {
    if (!t) throw new DlcError(`${op} input ${i} is missing`);
    return t;
  });
  const [r, t] = types;
  if (!isFloat(r.dtype) || r.shape.length > 1) throw new DlcError(`${op}: R must be a float scalar, got ${r.dtype}[${r.shape}]`);
  if (t.dtype !== 'i64' || t.shape.length > 1) throw new DlcError(`${op}: T must be an i64 scalar, got ${t.dtype}[${t.shape}]`);
  const xs = types.slice(2, 2 + n);
  for (let k = 1; k < perTensor; k++) {
    types.slice(2 + k * n, 2 + (k + 1) * n).forEach((v, i) => {
      const x = xs[i];
      if (v.dtype !== x.dtype || v.shape.length !== x.shape.length || v.shape.some((d, j) => d !== x.shape[j])) {
        throw new DlcError(`${op}: input ${2 + k * n + i} (${v.dtype}[${v.shape}]) does not match X_${i + 1} (${x.dtype}[${x.shape}])`);
      }
    });
  }
  return Array.from({ length: perTensor - 1 }, () => xs.map((x) => ({ dtype: x.dtype, shape: [...x.shape] }))).flat();
}

/**
 * Runs `update` on every element of every optimized tensor: it receives the element of each of the tensor's
 * inputs (X, G, state…) and returns the element of each of its outputs (X_new, state_new…).
 */
function refOptimizer(inputs: (Tensor | null)[], perTensor: number, op: string, update: (r: number, t: number, v: number[]) => number[]): Tensor[] {
  const n = optimizedCount(inputs.length, perTensor, op);
  const r = required(inputs, 0).data[0];
  const t = required(inputs, 1).data[0];
  const outs: Tensor[] = [];
  for (let i = 0; i < n; i++) {
    const ins = Array.from({ length: perTensor }, (_, k) => required(inputs, 2 + k * n + i));
    const x = ins[0];
    const results = Array.from({ length: perTensor - 1 }, () => new Float64Array(x.size));
    for (let e = 0; e < x.size; e++) update(r, t, ins.map((a) => a.data[e])).forEach((y, k) => (results[k][e] = y));
    results.forEach((data, k) => (outs[k * n + i] = new Tensor(x.dtype, x.shape, data)));
  }
  return outs;
}

function checkMode(attrs: Attrs): string {
  const mode = attrString(attrs, 'mode');
  if (mode !== 'standard' && mode !== 'nesterov') throw new DlcError(`momentum: unknown mode '${mode}' (standard or nesterov)`);
  return mode;
}

export const trainingOps: OpDef[] = [
  {
    // r = R / (1 + T·decay); g = norm·X + G; H' = H + g²; X' = X − r·g / (√H' + ε)
    name: 'adagrad',
    attrs: { decay_factor: { type: 'float', default: 0 }, epsilon: { type: 'float', default: 1e-6 }, norm_coefficient: { type: 'float', default: 0 } },
    kind: 'opaque',
    onnx: [{ op: 'Adagrad', domain: DOMAIN }],
    infer: (ctx) => inferOptimizer(ctx, 3, 'adagrad'),
    ref: (inputs, attrs) => {
      const [decay, eps, norm] = ['decay_factor', 'epsilon', 'norm_coefficient'].map((k) => attrFloat(attrs, k));
      return refOptimizer(inputs, 3, 'adagrad', (r, t, [x, g, h]) => {
        const rate = r / (1 + t * decay);
        const gr = norm * x + g;
        const hNew = h + gr * gr;
        return [x - (rate * gr) / (Math.sqrt(hNew) + eps), hNew];
      });
    },
  },
  {
    // g = norm·X + G; V' = α·V + (1 − α)·g; H' = β·H + (1 − β)·g²;
    // X' = (1 − norm_post)·(X − r·V' / (√H' + ε)), r = R·√(1 − β^T) / (1 − α^T) for T > 0, else R
    name: 'adam',
    attrs: {
      alpha: { type: 'float', default: 0.9 },
      beta: { type: 'float', default: 0.999 },
      epsilon: { type: 'float', default: 1e-6 },
      norm_coefficient: { type: 'float', default: 0 },
      norm_coefficient_post: { type: 'float', default: 0 },
    },
    kind: 'opaque',
    onnx: [{ op: 'Adam', domain: DOMAIN }],
    infer: (ctx) => inferOptimizer(ctx, 4, 'adam'),
    ref: (inputs, attrs) => {
      const [alpha, beta, eps, norm, post] = ['alpha', 'beta', 'epsilon', 'norm_coefficient', 'norm_coefficient_post'].map((k) => attrFloat(attrs, k));
      return refOptimizer(inputs, 4, 'adam', (r, t, [x, g, v, h]) => {
        const gr = norm * x + g;
        const vNew = alpha * v + (1 - alpha) * gr;
        const hNew = beta * h + (1 - beta) * gr * gr;
        const rate = t > 0 ? (r * Math.sqrt(1 - beta ** t)) / (1 - alpha ** t) : r;
        return [(1 - post) * (x - (rate * vNew) / (Math.sqrt(hNew) + eps)), vNew, hNew];
      });
    },
  },
  {
    // g = norm·X + G; b = β for T > 0, else 1; V' = α·V + b·g;
    // standard: X' = X − R·V'; nesterov: X' = X − R·(g + α·V')
    name: 'momentum',
    attrs: { alpha: { type: 'float' }, beta: { type: 'float' }, mode: { type: 'string' }, norm_coefficient: { type: 'float' } },
    kind: 'opaque',
    onnx: [{ op: 'Momentum', domain: DOMAIN }],
    infer: (ctx) => {
      checkMode(ctx.attrs);
      return inferOptimizer(ctx, 3, 'momentum');
    },
    ref: (inputs, attrs) => {
      const [alpha, beta, norm] = ['alpha', 'beta', 'norm_coefficient'].map((k) => attrFloat(attrs, k));
      const nesterov = checkMode(attrs) === 'nesterov';
      return refOptimizer(inputs, 3, 'momentum', (r, t, [x, g, v]) => {
        const gr = norm * x + g;
        const vNew = alpha * v + (t > 0 ? beta : 1) * gr;
        return [nesterov ? x - r * (gr + alpha * vNew) : x - r * vNew, vNew];
      });
    },
  },
];
