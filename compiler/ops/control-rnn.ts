// Recurrent layers: RNN, GRU, LSTM (ONNX opset 14 form, with `layout`). One driver walks directions,
// batch entries and time steps; each op contributes the cell that turns gate pre-activations into the
// next hidden (and cell) state.
//
// Shapes (layout 0; layout 1 swaps the first two axes of X, Y and the batch/direction axes of the states):
//   X [T, B, I]   W [D, G·H, I]   R [D, G·H, H]   B [D, 2·G·H]   sequence_lens [B]   initial_h/c [D, B, H]
//   Y [T, D, B, H]   Y_h, Y_c [D, B, H]        G = 1 (RNN), 3 (GRU: z r h), 4 (LSTM: i o f c)
import { DlcError } from '../errors.js';
import { castScalar, isFloat } from '../ir/dtype.js';
import type { Attrs, Dim, TensorType, Value } from '../ir/graph.js';
import { Tensor } from '../ir/tensor.js';
import type { CostContext, ImportBuilder, InferContext, OnnxNode, OpDef } from './registry.js';

type Activation = (x: number) => number;

interface ActivationSpec {
  alpha?: number;
  beta?: number;
  make(alpha: number, beta: number): Activation;
}

// ONNX's activation list for recurrent ops, by lower-cased name; alpha/beta hold their defaults.
const ACTIVATIONS: Record<string, ActivationSpec> = {
  relu: { make: () => (x) => Math.max(x, 0) },
  tanh: { make: () => Math.tanh },
  sigmoid: { make: () => (x) => 1 / (1 + Math.exp(-x)) },
  affine: { alpha: 1, beta: 0, make: (a, b) => (x) => a * x + b },
  leakyrelu: { alpha: 0.01, make: (a) => (x) => (x >= 0 ? x : a * x) },
  thresholdedrelu: { alpha: 1, make: (a) => (x) => (x > a ? x : 0) },
  scaledtanh: { alpha: 1, beta: 1, make: (a, b) => (x) => a * Math.tanh(b * x) },
  hardsigmoid: { alpha: 0.2, beta: 0.5, make: (a, b) => (x) => Math.min(1, Math.max(0, a * x + b)) },
  elu: { alpha: 1, make: (a) => (x) => (x >= 0 ? x : a * (Math.exp(x) - 1)) },
  softsign: { make: () => (x) => x / (1 + Math.abs(x)) },
  softplus: { make: () => (x) => Math.log1p(Math.exp(x)) },
};

/** One activation of a recurrent op as resolved from its attributes: lower-cased name, alpha and beta. */
export interface RecurrentActivation {
  name: string;
  alpha: number;
  beta: number;
}

/**
 * The activations of each direction. `activations` lists `perDirection` names per direction (forward
 * first); alpha and beta values are consumed in order by the functions that take them (onnxruntime's
 * reading), and functions left without one use their default.
 */
function resolveActivations(attrs: Attrs, defaults: string[], directions: number): RecurrentActivation[][] {
  const perDirection = defaults.length;
  let names = (attrs.activations as string[] | undefined) ?? [];
  if (names.length === 0) names = Array.from({ length: directions }, () => defaults).flat();
  else if (names.length === perDirection && directions === 2) names = [...names, ...names];
  if (names.length !== perDirection * directions) {
    throw new DlcError(`activations lists ${names.length} functions, expected ${perDirection * directions}`);
  }
  const alphas = (attrs.activation_alpha as number[] | undefined) ?? [];
  const betas = (attrs.activation_beta as number[] | undefined) ?? [];
  let ai = 0;
  let bi = 0;
  const resolved = names.map((name) => {
    const spec = ACTIVATIONS[name.toLowerCase()];
    if (!spec) throw new DlcError(`unsupported activation '${name}'`);
    const alpha = spec.alpha === undefined ? 0 : ai < alphas.length ? alphas[ai++] : spec.alpha;
    const beta = spec.beta === undefined ? 0 : bi < betas.length ? betas[bi++] : spec.beta;
    return { name: name.toLowerCase(), alpha, beta };
  });
  return Array.from({ length: directions }, (_, d) => resolved.slice(d * perDirection, (d + 1) * perDirection));
}

/** The activations of a `rnn`, `gru` or `lstm` node per direction, as its reference implementation applies them. */
export function recurrentActivations(op: string, attrs: Attrs): RecurrentActivation[][] {
  const kind = KINDS.find((k) => k.name === op);
  if (!kind) throw new DlcError(`'${op}' is not a recurrent op`);
  return resolveActivations(attrs, kind.defaultActivations, numDirections(attrs));
}

export function numDirections(attrs: Attrs): number {
  const dir = attrs.direction;
  if (dir === 'forward' || dir === 'reverse') return 1;
  if (dir === 'bidirectional') return 2;
  throw new DlcError(`direction must be forward, reverse or bidirectional, got '${String(dir)}'`);
}

export function layoutOf(attrs: Attrs): 0 | 1 {
  const l = attrs.layout;
  if (l !== 0 && l !== 1) throw new DlcError(`layout must be 0 or 1, got ${String(l)}`);
  return l;
}

interface RecurrentKind {
  name: string;
  onnx: string;
  gates: number;
  defaultActivations: string[];
  /** Outputs: Y, Y_h, and Y_c for LSTM. */
  outputs: number;
  /** Element-wise FLOPs per hidden unit and step besides the two matrix products (activations, gating). */
  cellFlops: number;
  extraAttrs: OpDef['attrs'];
  cell: CellFactory;
}

function requiredRank3(ctx: InferContext, i: number, what: string): TensorType {
  const t = ctx.inputs[i];
  if (!t) throw new DlcError(`missing input ${i} (${what})`);
  if (t.shape.length !== 3) throw new DlcError(`${what} must have rank 3, got [${t.shape}]`);
  return t;
}

function inferRecurrent(kind: RecurrentKind, ctx: InferContext): TensorType[] {
  const x = requiredRank3(ctx, 0, 'X');
  const w = requiredRank3(ctx, 1, 'W');
  requiredRank3(ctx, 2, 'R');
  if (!isFloat(x.dtype)) throw new DlcError(`X must be a float tensor, got ${x.dtype}`);
  const d = numDirections(ctx.attrs);
  if (typeof w.shape[0] === 'number' && w.shape[0] !== d) throw new DlcError(`W has ${w.shape[0]} directions, direction '${String(ctx.attrs.direction)}' needs ${d}`);
  const hidden = hiddenSize(kind, ctx.attrs, w.shape[1]);
  const layout = layoutOf(ctx.attrs);
  const [seq, batch] = layout === 0 ? [x.shape[0], x.shape[1]] : [x.shape[1], x.shape[0]];
  const y: Dim[] = layout === 0 ? [seq, d, batch, hidden] : [batch, seq, d, hidden];
  const state: Dim[] = layout === 0 ? [d, batch, hidden] : [batch, d, hidden];
  const types = [{ dtype: x.dtype, shape: y }, { dtype: x.dtype, shape: state }];
  if (kind.outputs === 3) types.push({ dtype: x.dtype, shape: [...state] });
  return types;
}

function hiddenSize(kind: RecurrentKind, attrs: Attrs, wRows: Dim): Dim {
  const h = attrs.hidden_size;
  if (typeof h === 'number') {
    if (!Number.isInteger(h) || h < 1) throw new DlcError(`hidden_size must be a positive integer, got ${h}`);
    if (typeof wRows === 'number' && wRows !== kind.gates * h) throw new DlcError(`W has ${wRows} rows, hidden_size ${h} needs ${kind.gates * h}`);
    return h;
  }
  if (typeof wRows !== 'number') return wRows;
  if (wRows % kind.gates !== 0) throw new DlcError(`W has ${wRows} rows, not a multiple of ${kind.gates} gates`);
  return wRows / kind.gates;
}

/** What a cell sees at one step for one batch entry and direction. */
interface StepInput {
  /** X·Wᵀ + Wb for every gate row, G·H values. */
  xw: Float64Array;
  /** H_{t-1}·Rᵀ + Rb for every gate row, G·H values. */
  hr: Float64Array;
  /** H_{t-1}, updated in place to H_t. */
  h: Float64Array;
  /** C_{t-1} (LSTM), updated in place to C_t. */
  c: Float64Array;
}

interface CellContext {
  hidden: number;
  acts: Activation[];
  clip: (x: number) => number;
  attrs: Attrs;
  /** R of this direction as [G·H, H] rows and its bias Rb (for GRU's reset-before-linear form). */
  r: ArrayLike<number>;
  rOffset: number;
  rb: (row: number) => number;
  /** Peepholes of this direction, [3·H] in order i, o, f (LSTM); zeros when absent. */
  p: (k: number) => number;
}

type Cell = (s: StepInput) => void;
type CellFactory = (ctx: CellContext) => Cell;

// Ht = f(Xt·Wᵀ + Ht-1·Rᵀ + Wb + Rb)
const rnnCell: CellFactory = ({ hidden, acts: [f], clip }) => ({ xw, hr, h }) => {
  for (let j = 0; j < hidden; j++) h[j] = f(clip(xw[j] + hr[j]));
};

// zt = f(..z), rt = f(..r); ht = g(Xt·Whᵀ + (rt ⊙ Ht-1)·Rhᵀ + Rbh + Wbh), or with linear_before_reset
// ht = g(Xt·Whᵀ + rt ⊙ (Ht-1·Rhᵀ + Rbh) + Wbh); Ht = (1 - zt) ⊙ ht + zt ⊙ Ht-1.
const gruCell: CellFactory = ({ hidden: n, acts: [f, g], clip, attrs, r, rOffset, rb }) => {
  const linearBeforeReset = attrs.linear_before_reset !== 0;
  const z = new Float64Array(n);
  const reset = new Float64Array(n);
  const cand = new Float64Array(n);
  return ({ xw, hr, h }) => {
    for (let j = 0; j < n; j++) {
      z[j] = f(clip(xw[j] + hr[j]));
      reset[j] = f(clip(xw[n + j] + hr[n + j]));
    }
    for (let j = 0; j < n; j++) {
      let hPart: number;
      if (linearBeforeReset) {
        hPart = reset[j] * hr[2 * n + j];
      } else {
        hPart = rb(2 * n + j);
        const row = rOffset + (2 * n + j) * n;
        for (let k = 0; k < n; k++) hPart += reset[k] * h[k] * r[row + k];
      }
      cand[j] = g(clip(xw[2 * n + j] + hPart));
    }
    for (let j = 0; j < n; j++) h[j] = (1 - z[j]) * cand[j] + z[j] * h[j];
  };
};

// it = f(..i + Pi ⊙ Ct-1), ft = f(..f + Pf ⊙ Ct-1) (or 1 - it with input_forget), ct = g(..c),
// Ct = ft ⊙ Ct-1 + it ⊙ ct, ot = f(..o + Po ⊙ Ct), Ht = ot ⊙ h(Ct).
const lstmCell: CellFactory = ({ hidden: n, acts: [f, g, hAct], clip, attrs, p }) => {
  const inputForget = attrs.input_forget !== 0;
  return ({ xw, hr, h, c }) => {
    for (let j = 0; j < n; j++) {
      const pre = (gate: number) => xw[gate * n + j] + hr[gate * n + j];
      const i = f(clip(pre(0) + p(j) * c[j]));
      const fg = inputForget ? 1 - i : f(clip(pre(2) + p(2 * n + j) * c[j]));
      const cand = g(clip(pre(3)));
      c[j] = fg * c[j] + i * cand;
      const o = f(clip(pre(1) + p(n + j) * c[j]));
      h[j] = o * hAct(c[j]);
    }
  };
};

function runRecurrent(kind: RecurrentKind, inputs: (Tensor | null)[], attrs: Attrs): Tensor[] {
  const [x, w, r, bias, seqLens, initH, initC, peep] = inputs;
  if (!x || !w || !r) throw new DlcError('X, W and R are required');
  const layout = layoutOf(attrs);
  const dirs = numDirections(attrs);
  const [steps, batch, inSize] = layout === 0 ? [x.shape[0], x.shape[1], x.shape[2]] : [x.shape[1], x.shape[0], x.shape[2]];
  const hidden = hiddenSize(kind, attrs, w.shape[1]) as number;
  const rows = kind.gates * hidden;
  const expect = (t: Tensor | null | undefined, shape: number[], what: string) => {
    if (t && (t.rank !== shape.length || t.shape.some((d, i) => d !== shape[i]))) throw new DlcError(`${what} has shape [${t.shape}], expected [${shape}]`);
  };
  expect(w, [dirs, rows, inSize], 'W');
  expect(r, [dirs, rows, hidden], 'R');
  expect(bias, [dirs, 2 * rows], 'B');
  expect(seqLens, [batch], 'sequence_lens');
  const stateShape = layout === 0 ? [dirs, batch, hidden] : [batch, dirs, hidden];
  expect(initH, stateShape, 'initial_h');
  expect(initC, stateShape, 'initial_c');
  expect(peep, [dirs, 3 * hidden], 'P');

  const xAt = (t: number, b: number) => (layout === 0 ? t * batch + b : b * steps + t) * inSize;
  const stateAt = (d: number, b: number) => (layout === 0 ? d * batch + b : b * dirs + d) * hidden;
  const yAt = (t: number, d: number, b: number) =>
    (layout === 0 ? (t * dirs + d) * batch + b : (b * steps + t) * dirs + d) * hidden;
  const y = new Tensor(x.dtype, layout === 0 ? [steps, dirs, batch, hidden] : [batch, steps, dirs, hidden]);
  const yh = new Tensor(x.dtype, stateShape);
  const yc = new Tensor(x.dtype, stateShape);
  const clipValue = attrs.clip as number | undefined;
  const clip = clipValue === undefined ? (v: number) => v : (v: number) => Math.min(clipValue, Math.max(-clipValue, v));
  const acts = resolveActivations(attrs, kind.defaultActivations, dirs).map((fns) => fns.map((a) => ACTIVATIONS[a.name].make(a.alpha, a.beta)));
  const store = (dst: Tensor, off: number, v: Float64Array) => {
    for (let j = 0; j < hidden; j++) dst.data[off + j] = castScalar(v[j], x.dtype);
  };

  const xw = new Float64Array(rows);
  const hr = new Float64Array(rows);
  const h = new Float64Array(hidden);
  const c = new Float64Array(hidden);
  for (let d = 0; d < dirs; d++) {
    const reverse = attrs.direction === 'reverse' || d === 1;
    const wOff = d * rows * inSize;
    const rOff = d * rows * hidden;
    const wb = (row: number) => (bias ? bias.data[d * 2 * rows + row] : 0);
    const rb = (row: number) => (bias ? bias.data[d * 2 * rows + rows + row] : 0);
    const cell = kind.cell({
      hidden, acts: acts[d], clip, attrs, r: r.data, rOffset: rOff, rb,
      p: (k) => (peep ? peep.data[d * 3 * hidden + k] : 0),
    });
    for (let b = 0; b < batch; b++) {
      const len = seqLens ? seqLens.data[b] : steps;
      if (!Number.isInteger(len) || len < 0 || len > steps) throw new DlcError(`sequence_lens[${b}] = ${len} is outside [0, ${steps}]`);
      for (let j = 0; j < hidden; j++) {
        h[j] = initH ? initH.data[stateAt(d, b) + j] : 0;
        c[j] = initC ? initC.data[stateAt(d, b) + j] : 0;
      }
      for (let s = 0; s < len; s++) {
        const t = reverse ? len - 1 - s : s;
        const xo = xAt(t, b);
        for (let row = 0; row < rows; row++) {
          let accX = wb(row);
          for (let i = 0; i < inSize; i++) accX += x.data[xo + i] * w.data[wOff + row * inSize + i];
          let accH = rb(row);
          for (let k = 0; k < hidden; k++) accH += h[k] * r.data[rOff + row * hidden + k];
          xw[row] = accX;
          hr[row] = accH;
        }
        cell({ xw, hr, h, c });
        store(y, yAt(t, d, b), h);
      }
      // Steps past a sequence's length stay zero in Y; the states are those of its last step.
      store(yh, stateAt(d, b), h);
      store(yc, stateAt(d, b), c);
    }
  }
  return kind.outputs === 3 ? [y, yh, yc] : [y, yh];
}

/** 2 FLOPs per multiply-add of X·Wᵀ and H·Rᵀ, plus the cell's element-wise work, per step and direction. */
function recurrentCost(kind: RecurrentKind, ctx: CostContext): { flops: number } {
  // Symbolic dims count as 1: the estimate is then a lower bound.
  const n = (dim: Dim | undefined) => (typeof dim === 'number' ? dim : 1);
  const [y] = ctx.outputs;
  const layout = ctx.attrs.layout === 1 ? 1 : 0;
  const steps = n(y.shape[layout === 0 ? 0 : 1]);
  const batch = n(y.shape[layout === 0 ? 2 : 0]);
  const dirs = n(y.shape[layout === 0 ? 1 : 2]);
  const hidden = n(y.shape[3]);
  const inSize = n(ctx.inputs[0]?.shape[2]);
  return { flops: dirs * steps * batch * (2 * kind.gates * hidden * (inSize + hidden) + kind.cellFlops * hidden) };
}

const commonAttrs: OpDef['attrs'] = {
  activation_alpha: { type: 'floats', optional: true },
  activation_beta: { type: 'floats', optional: true },
  activations: { type: 'strings', optional: true },
  clip: { type: 'float', optional: true },
  direction: { type: 'string', default: 'forward' },
  hidden_size: { type: 'int', optional: true },
  layout: { type: 'int', default: 0 },
};

/** Opsets before 7 had `output_sequence` (whether Y is produced); the node's outputs already say that. */
function dropOutputSequence(name: string) {
  return (node: OnnxNode, b: ImportBuilder): Value[] => {
    const attrs: Attrs = { ...node.attrs };
    delete attrs.output_sequence;
    return b.emit(name, node.inputs, attrs, node.numOutputs);
  };
}

function recurrentOp(kind: RecurrentKind): OpDef {
  return {
    name: kind.name,
    attrs: { ...commonAttrs, ...kind.extraAttrs },
    kind: 'opaque',
    onnx: [{ op: kind.onnx, convert: dropOutputSequence(kind.name) }],
    infer: (ctx) => inferRecurrent(kind, ctx),
    ref: (inputs, attrs) => runRecurrent(kind, inputs, attrs),
    cost: (ctx) => recurrentCost(kind, ctx),
  };
}

const KINDS: RecurrentKind[] = [
  {
    name: 'rnn', onnx: 'RNN', gates: 1, defaultActivations: ['Tanh'], outputs: 2, cellFlops: 2, extraAttrs: {}, cell: rnnCell,
  },
  {
    name: 'gru', onnx: 'GRU', gates: 3, defaultActivations: ['Sigmoid', 'Tanh'], outputs: 2, cellFlops: 10,
    extraAttrs: { linear_before_reset: { type: 'int', default: 0 } }, cell: gruCell,
  },
  {
    name: 'lstm', onnx: 'LSTM', gates: 4, defaultActivations: ['Sigmoid', 'Tanh', 'Tanh'], outputs: 3, cellFlops: 12,
    extraAttrs: { input_forget: { type: 'int', default: 0 } }, cell: lstmCell,
  },
];

export const rnnOps: OpDef[] = KINDS.map(recurrentOp);
