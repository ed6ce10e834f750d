// Recurrent layers (rnn, gru, lstm) in f32 with every attribute of the reference (compiler/ops/control-rnn.ts).
// Per direction, the input projection of all time steps is one GEMM, xw = B_w + B_r + X·Wᵀ ([T·B × G·H]); then
// each step runs one GEMM hr = H·Rᵀ over the whole batch ([B × G·H]) and the cell, which turns xw + hr into
// the next hidden (and cell) state of the batch entries still inside their sequence. Weights are read as the
// GEMM's right operand transposed per direction, [D, I, G·H] and [D, H, G·H]: at compile time when they are
// constants, into scratch otherwise. The module has no channel for run-time errors: a sequence_lens entry
// outside [0, T] is clamped into it (the reference interpreter rejects it).
import { layoutOf, numDirections, recurrentActivations, type RecurrentActivation } from '../../../compiler/ops/control-rnn.js';
import type { Value } from '../../../compiler/ir/graph.js';
import { Tensor } from '../../../compiler/ir/tensor.js';
import { attrInt } from '../../../compiler/ops/util.js';
import { asLiteral } from '../as-target.js';
import { GemmInit, gemmCall } from './gemm.js';
import { shapeOf, unsupported, type KernelContext } from './kernel.js';
import { loopNest } from './loops.js';

const GATES: Record<string, number> = { rnn: 1, gru: 3, lstm: 4 };

const lit = (v: number) => asLiteral(v, 'f32');

/** f32 expressions of ONNX's recurrent activations applied to the local `x`. */
const ACTIVATION_EXPRESSIONS: Record<string, (x: string, alpha: string, beta: string) => string> = {
  relu: (x) => `Mathf.max(${x}, ${lit(0)})`,
  tanh: (x) => `Mathf.tanh(${x})`,
  sigmoid: (x) => `${lit(1)} / (${lit(1)} + Mathf.exp(-${x}))`,
  affine: (x, a, b) => `${a} * ${x} + ${b}`,
  leakyrelu: (x, a) => `(${x} >= ${lit(0)} ? ${x} : ${a} * ${x})`,
  thresholdedrelu: (x, a) => `(${x} > ${a} ? ${x} : ${lit(0)})`,
  scaledtanh: (x, a, b) => `${a} * Mathf.tanh(${b} * ${x})`,
  hardsigmoid: (x, a, b) => `Mathf.min(${lit(1)}, Mathf.max(${lit(0)}, ${a} * ${x} + ${b}))`,
  elu: (x, a) => `(${x} >= ${lit(0)} ? ${x} : ${a} * Mathf.expm1(${x}))`,
  softsign: (x) => `${x} / (${lit(1)} + Mathf.abs(${x}))`,
  softplus: (x) => `Mathf.log1p(Mathf.exp(${x}))`,
};

/** Everything a cell generator needs about one direction, as AssemblyScript address expressions. */
interface Direction {
  hidden: number;
  /** Activations of this direction (f, g, h in ONNX's naming). */
  act: ((x: string) => string)[];
  /** Clips a pre-activation to [-clip, clip] when the attribute is set. */
  clip: (x: string) => string;
  /** Row of xw for this step and batch entry, row of hr for this batch entry, rows of H and C for it. */
  xw: string;
  hr: string;
  h: string;
  c: string;
  /** Where H_t is stored in Y, or null when Y is not an output. */
  y: string | null;
  /** Peephole vectors P_i, P_o, P_f of this direction (LSTM), null when absent. */
  peep: string | null;
  /** R_bh of this direction (GRU with linear_before_reset), null without biases. */
  rbh: string | null;
  /** For GRU without linear_before_reset: the rows of r ⊙ H (filled by the first phase). */
  rh: string;
}

const f32At = (base: string, index: string) => `${base} + ((${index}) << 2)`;
const load = (base: string, index: string) => `load<f32>(${f32At(base, index)})`;
const store = (base: string, index: string, v: string) => `store<f32>(${f32At(base, index)}, ${v});`;

/** Applies activation `i` to a pre-activation expression after clipping: `const name = act(clip(pre));`. */
function activate(d: Direction, i: number, name: string, pre: string): string[] {
  return [`const ${name}_pre: f32 = ${d.clip(pre)};`, `const ${name}: f32 = ${d.act[i](`${name}_pre`)};`];
}

/** Stores H_t[j] into the state and Y (the value is computed before either store, as it may read H_t-1[j]). */
function storeHidden(d: Direction, v: string): string[] {
  return [`const hNew: f32 = ${v};`, store(d.h, 'j', 'hNew'), ...(d.y ? [store(d.y, 'j', 'hNew')] : [])];
}

// Ht = f(Xt·Wᵀ + Ht-1·Rᵀ + Wb + Rb)
function rnnCell(d: Direction): string[] {
  const n = d.hidden;
  return [
    `for (let j: i32 = 0; j < ${n}; j++) {`,
    ...activate(d, 0, 'hv', `${load(d.xw, 'j')} + ${load(d.hr, 'j')}`),
    ...storeHidden(d, 'hv'),
    '}',
  ];
}

// it = f(..i + Pi ⊙ Ct-1), ft = f(..f + Pf ⊙ Ct-1) (or 1 - it with input_forget), ct = g(..c),
// Ct = ft ⊙ Ct-1 + it ⊙ ct, ot = f(..o + Po ⊙ Ct), Ht = ot ⊙ h(Ct). Gate rows are in the order i, o, f, c.
function lstmCell(d: Direction, inputForget: boolean): string[] {
  const n = d.hidden;
  const pre = (gate: number) => `${load(d.xw, `${gate * n} + j`)} + ${load(d.hr, `${gate * n} + j`)}`;
  const peep = (gate: number, c: string) => (d.peep ? ` + ${load(d.peep, `${gate * n} + j`)} * ${c}` : '');
  return [
    `for (let j: i32 = 0; j < ${n}; j++) {`,
    `const cOld: f32 = ${load(d.c, 'j')};`,
    ...activate(d, 0, 'ig', `${pre(0)}${peep(0, 'cOld')}`),
    ...(inputForget ? [`const fg: f32 = ${lit(1)} - ig;`] : activate(d, 0, 'fg', `${pre(2)}${peep(2, 'cOld')}`)),
    ...activate(d, 1, 'cand', pre(3)),
    'const cNew: f32 = fg * cOld + ig * cand;',
    store(d.c, 'j', 'cNew'),
    ...activate(d, 0, 'og', `${pre(1)}${peep(1, 'cNew')}`),
    ...storeHidden(d, `og * ${d.act[2]('cNew')}`),
    '}',
  ];
}

// zt = f(..z), rt = f(..r), Ht = (1 - zt) ⊙ ht + zt ⊙ Ht-1 with, under linear_before_reset,
// ht = g(Xt·Whᵀ + Wbh + rt ⊙ (Ht-1·Rhᵀ + Rbh)), here in one pass over j. Gate rows are in the order z, r, h.
function gruCellLinearBeforeReset(d: Direction): string[] {
  const n = d.hidden;
  const pre = (gate: number) => `${load(d.xw, `${gate * n} + j`)} + ${load(d.hr, `${gate * n} + j`)}`;
  const rh = `${load(d.hr, `${2 * n} + j`)}${d.rbh ? ` + ${load(d.rbh, 'j')}` : ''}`;
  return [
    `for (let j: i32 = 0; j < ${n}; j++) {`,
    ...activate(d, 0, 'zg', pre(0)),
    ...activate(d, 0, 'rg', pre(1)),
    ...activate(d, 1, 'cand', `${load(d.xw, `${2 * n} + j`)} + rg * (${rh})`),
    ...storeHidden(d, `(${lit(1)} - zg) * cand + zg * ${load(d.h, 'j')}`),
    '}',
  ];
}

/** GRU without linear_before_reset, first phase: z into hr's z row, r ⊙ Ht-1 into rh (for (rt ⊙ Ht-1)·Rhᵀ). */
function gruGatePhase(d: Direction): string[] {
  const n = d.hidden;
  const pre = (gate: number) => `${load(d.xw, `${gate * n} + j`)} + ${load(d.hr, `${gate * n} + j`)}`;
  return [
    `for (let j: i32 = 0; j < ${n}; j++) {`,
    ...activate(d, 0, 'zg', pre(0)),
    ...activate(d, 0, 'rg', pre(1)),
    store(d.hr, 'j', 'zg'),
    store(d.rh, 'j', `rg * ${load(d.h, 'j')}`),
    '}',
  ];
}

/** Second phase: ht = g(Xt·Whᵀ + Wbh + Rbh + (rt ⊙ Ht-1)·Rhᵀ) (both biases are in xw), then Ht. */
function gruCandidatePhase(d: Direction): string[] {
  const n = d.hidden;
  return [
    `for (let j: i32 = 0; j < ${n}; j++) {`,
    `const zg: f32 = ${load(d.hr, 'j')};`,
    ...activate(d, 1, 'cand', `${load(d.xw, `${2 * n} + j`)} + ${load(d.hr, `${2 * n} + j`)}`),
    ...storeHidden(d, `(${lit(1)} - zg) * cand + zg * ${load(d.h, 'j')}`),
    '}',
  ];
}

/** The address of W or R (`[D, rows, cols]`) transposed per direction to `[D, cols, rows]`. */
function transposedPerDirection(k: KernelContext, v: Value, dirs: number, rows: number, cols: number, code: string[]): string {
  const c = k.constantOf(v);
  if (c) {
    const out = new Float32Array(dirs * rows * cols);
    for (let d = 0; d < dirs; d++) {
      const base = d * rows * cols;
      for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[base + j * rows + i] = c.data[base + i * cols + j];
    }
    return k.constant(new Tensor('f32', [dirs, cols, rows], out));
  }
  const dst = k.scratch(dirs * rows * cols * 4);
  const space = { dims: [dirs, cols, rows], strides: [[rows * cols, rows, 1], [rows * cols, 1, cols]] };
  code.push(loopNest(space, ([o, s]) => store(dst, o, load(k.ptr(v), s)), 't'));
  return dst;
}

function optionalInput(k: KernelContext, i: number): Value | undefined {
  return k.node.inputs[i] ?? undefined;
}

function optionalOutput(k: KernelContext, i: number): Value | undefined {
  return k.node.outputs.length > i ? k.output(i) : undefined;
}

export function recurrentKernel(k: KernelContext): string {
  const op = k.node.op;
  const gates = GATES[op];
  const attrs = k.node.attrs;
  const [x, w, r] = [k.input(0), k.input(1), k.input(2)];
  const [bias, seqLens, initH, initC, peep] = [3, 4, 5, 6, 7].map((i) => optionalInput(k, i));
  for (const v of [x, w, r, bias, initH, initC, peep]) if (v && v.type.dtype !== 'f32') unsupported(k.node, `${v.type.dtype} operands (f32 only)`);
  if (seqLens && seqLens.type.dtype !== 'i32' && seqLens.type.dtype !== 'i64') unsupported(k.node, `${seqLens.type.dtype} sequence_lens`);
  const layout = layoutOf(attrs);
  const dirs = numDirections(attrs);
  const xs = shapeOf(x);
  const [steps, batch, inSize] = layout === 0 ? [xs[0], xs[1], xs[2]] : [xs[1], xs[0], xs[2]];
  const rows = shapeOf(w)[1];
  const n = rows / gates;
  const activations = recurrentActivations(op, attrs);
  const clipValue = attrs.clip as number | undefined;
  const clip = clipValue === undefined ? (v: string) => v : (v: string) => `Mathf.min(${lit(clipValue)}, Mathf.max(${lit(-clipValue)}, ${v}))`;
  const linearBeforeReset = op === 'gru' && attrInt(attrs, 'linear_before_reset') !== 0;
  const inputForget = op === 'lstm' && attrInt(attrs, 'input_forget') !== 0;
  const [y, yh, yc] = [0, 1, 2].map((i) => optionalOutput(k, i));

  const code: string[] = [];
  const wt = transposedPerDirection(k, w, dirs, rows, inSize, code);
  const rt = transposedPerDirection(k, r, dirs, rows, n, code);
  const xw = k.scratch(steps * batch * rows * 4);
  const hr = k.scratch(batch * rows * 4);
  const h = k.scratch(batch * n * 4);
  const c = op === 'lstm' ? k.scratch(batch * n * 4) : '0';
  const rh = op === 'gru' && !linearBeforeReset ? k.scratch(batch * n * 4) : '0';
  const biasRow = bias ? k.scratch(rows * 4) : '0';
  const lens = seqLens ? k.scratch(batch * 4) : '0';

  // Element offsets of X's row, Y's row and a state row for time t, direction d, batch entry b (layout 0: X [T, B, I],
  // Y [T, D, B, H], states [D, B, H]; layout 1 swaps the first two axes of each).
  const xRow = (t: string, b: string) => (layout === 0 ? `(${t}) * ${batch} + ${b}` : `${b} * ${steps} + (${t})`);
  const yRow = (t: string, d: number, b: string) => (layout === 0 ? `((${t}) * ${dirs} + ${d}) * ${batch} + ${b}` : `(${b} * ${steps} + (${t})) * ${dirs} + ${d}`);
  const stateRow = (d: number, b: string) => (layout === 0 ? `${d * batch} + ${b}` : `${b} * ${dirs} + ${d}`);

  if (seqLens) {
    const ty = seqLens.type.dtype === 'i64' ? 'i64' : 'i32';
    code.push(
      `for (let b: i32 = 0; b < ${batch}; b++) {`,
      `  const len: ${ty} = load<${ty}>(${k.ptr(seqLens)} + (b << ${ty === 'i64' ? 3 : 2}));`,
      `  store<i32>(${lens} + (b << 2), len < 0 ? 0 : len > ${steps} ? ${steps} : <i32>len);`,
      '}',
    );
    // Steps past a sequence's length stay zero in Y.
    if (y) code.push(`memory.fill(${k.ptr(y)}, 0, ${steps * dirs * batch * n * 4});`);
  }

  for (let d = 0; d < dirs; d++) {
    const reverse = attrs.direction === 'reverse' || d === 1;
    const acts = activations[d].map((a: RecurrentActivation) => (v: string) => ACTIVATION_EXPRESSIONS[a.name](v, lit(a.alpha), lit(a.beta)));
    const wtD = `${wt} + ${d * inSize * rows * 4}`;
    const rtD = `${rt} + ${d * n * rows * 4}`;
    // xw = Wb + Rb + X·Wᵀ: every row starts from the summed biases (R_bh stays apart under linear_before_reset).
    if (bias) {
      const wb = `${k.ptr(bias)} + ${d * 2 * rows * 4}`;
      const rb = `${wb} + ${rows * 4}`;
      const summed = linearBeforeReset ? 2 * n : rows;
      code.push(
        `for (let j: i32 = 0; j < ${rows}; j++) ${store(biasRow, 'j', `${load(wb, 'j')} + (j < ${summed} ? ${load(rb, 'j')} : ${lit(0)})`)}`,
        `for (let i: i32 = 0; i < ${steps * batch}; i++) memory.copy(${xw} + i * ${rows * 4}, ${biasRow}, ${rows * 4});`,
      );
    }
    code.push(gemmCall(k, k.schedules.matmul, { a: k.ptr(x), b: wtD, c: xw, m: steps * batch, n: rows, k: inSize, lda: inSize, ldb: rows, ldc: rows, init: bias ? GemmInit.Accumulate : GemmInit.Zero }));
    const initialize = (state: string, init: Value | undefined) => (init
      ? `for (let b: i32 = 0; b < ${batch}; b++) memory.copy(${state} + b * ${n * 4}, ${k.ptr(init)} + (${stateRow(d, 'b')}) * ${n * 4}, ${n * 4});`
      : `memory.fill(${state}, 0, ${batch * n * 4});`);
    code.push(initialize(h, initH));
    if (op === 'lstm') code.push(initialize(c, initC));
    const dir: Direction = {
      hidden: n, act: acts, clip,
      xw: 'xwRow', hr: 'hrRow', h: 'hRow', c: 'cRow', y: y ? 'yRow' : null, rh: 'rhRow',
      peep: peep ? `${k.ptr(peep)} + ${d * 3 * n * 4}` : null,
      rbh: bias && linearBeforeReset ? `${k.ptr(bias)} + ${(d * 2 * rows + rows + 2 * n) * 4}` : null,
    };
    // The rows one batch entry works on at step s; entries past their length are skipped.
    const entry = (cell: string[]) => [
      `for (let b: i32 = 0; b < ${batch}; b++) {`,
      `  const len: i32 = ${seqLens ? `load<i32>(${lens} + (b << 2))` : steps};`,
      '  if (s >= len) continue;',
      `  const t: i32 = ${reverse ? 'len - 1 - s' : 's'};`,
      `  const xwRow: i32 = ${xw} + (${xRow('t', 'b')}) * ${rows * 4};`,
      `  const hrRow: i32 = ${hr} + b * ${rows * 4};`,
      `  const hRow: i32 = ${h} + b * ${n * 4};`,
      `  const cRow: i32 = ${c} + b * ${n * 4};`,
      `  const rhRow: i32 = ${rh} + b * ${n * 4};`,
      ...(y ? [`  const yRow: i32 = ${k.ptr(y)} + (${yRow('t', d, 'b')}) * ${n * 4};`] : []),
      ...cell.map((l) => `  ${l}`),
      '}',
    ];
    const hProduct = (cols: number, a: string, colOffset: number) =>
      gemmCall(k, k.schedules.matmul, { a, b: `${rtD} + ${colOffset * 4}`, c: `${hr} + ${colOffset * 4}`, m: batch, n: cols, k: n, lda: n, ldb: rows, ldc: rows, init: GemmInit.Zero });
    code.push(`for (let s: i32 = 0; s < ${steps}; s++) {`);
    if (op === 'gru' && !linearBeforeReset) {
      code.push(hProduct(2 * n, h, 0), ...entry(gruGatePhase(dir)), hProduct(n, rh, 2 * n), ...entry(gruCandidatePhase(dir)));
    } else {
      const cell = op === 'rnn' ? rnnCell(dir) : op === 'lstm' ? lstmCell(dir, inputForget) : gruCellLinearBeforeReset(dir);
      code.push(hProduct(rows, h, 0), ...entry(cell));
    }
    code.push('}');
    // The final states are those of each entry's last step.
    for (const [out, state] of [[yh, h], [yc, c]] as const) {
      if (out) code.push(`for (let b: i32 = 0; b < ${batch}; b++) memory.copy(${k.ptr(out)} + (${stateRow(d, 'b')}) * ${n * 4}, ${state} + b * ${n * 4}, ${n * 4});`);
    }
  }
  return code.join('\n');
}
