// Recurrent layers (rnn, gru, lstm) in f32 with every attribute of the reference (compiler/ops/control-rnn.ts).
// Per direction, the input projection of all time steps is one GEMM on the shared register-tiled helper,
// xw = B_w + B_r + X·Wᵀ ([T·B × G·H], W transposed to [D, I, G·H]: at compile time when it is a constant, into
// scratch otherwise); then each step computes hr = H·Rᵀ for the whole batch ([B × G·H], R read in its own
// layout) and runs the cell, which turns xw + hr into the next hidden (and cell) state of the batch entries
// still inside their sequence. The module has no channel for run-time errors: a sequence_lens entry outside
// [0, T] is clamped into it (the reference interpreter rejects it).
import { recurrentActivations, type RecurrentActivation } from '../../../compiler/ops/control-rnn.js';
import { recurrentGeometry, type RecurrentGeometry } from '../../recurrent-geometry.js';
import type { Value } from '../../../compiler/ir/graph.js';
import { Tensor } from '../../../compiler/ir/tensor.js';
import { attrInt } from '../../../compiler/ops/util.js';
import { asLiteral } from '../as-target.js';
import { GemmInit, gemmCall } from './gemm.js';
import { unsupported, type KernelContext } from './kernel.js';
import { activationOf, cellLoop, gruCandidatePhase, gruCellLinearBeforeReset, gruGatePhase, lstmCell, rnnCell, ROW, type CellContext } from './recurrent-cells.js';
import { loopNest } from '../../loops.js';


const lit = (v: number) => asLiteral(v, 'f32');

const f32At = (base: string, index: string) => `${base} + ((${index}) << 2)`;
const load = (base: string, index: string) => `load<f32>(${f32At(base, index)})`;
const store = (base: string, index: string, v: string) => `store<f32>(${f32At(base, index)}, ${v});`;

/**
 * out[b, i] = Σ_k a[b, k] · w[i, k] for i < rows, b < batch, with w's rows contiguous (R in its own layout)
 * and K = `depth` baked in. With batch 1 (the common case) the step product is a matrix-vector product,
 * where a GEMM tile has nothing to reuse: here blocks of 4 rows of w stream once per batch entry against
 * one f32x4 of a, the rows of a block are constant offsets from one pointer, and the block stays in cache
 * across the batch. Four accumulators measured faster than eight (which spill) on a 64×[1,64]→128 lstm.
 */
function matvec(k: KernelContext, depth: number): string {
  const name = `recurrent_rows_times_batch_k${depth}`;
  const rowStride = depth * 4;
  const vectorEnd = depth - (depth % 4);
  const rowBlock = (r: number) => {
    const each = (f: (i: number) => string) => Array.from({ length: r }, (_, i) => f(i)).join(' ');
    return `{
      const wi: usize = w + <usize>(i * ${rowStride});
      for (let b: i32 = 0; b < batch; b++) {
        const ab: usize = a + <usize>(b * lda << 2);
        ${each((i) => `let s${i} = f32x4.splat(0);`)}
        for (let kk: usize = 0; kk < ${vectorEnd * 4}; kk += 16) {
          const x = v128.load(ab + kk);
          const wk: usize = wi + kk;
          ${each((i) => `s${i} = f32x4.add(s${i}, f32x4.mul(v128.load(wk, ${i * rowStride}), x));`)}
        }
        ${each((i) => `let t${i}: f32 = f32x4.extract_lane(s${i}, 0) + f32x4.extract_lane(s${i}, 1) + f32x4.extract_lane(s${i}, 2) + f32x4.extract_lane(s${i}, 3);`)}
        for (let kk: usize = ${vectorEnd * 4}; kk < ${depth * 4}; kk += 4) {
          const x = load<f32>(ab + kk);
          ${each((i) => `t${i} += load<f32>(wi + kk, ${i * rowStride}) * x;`)}
        }
        const o: usize = out + <usize>((b * ldo + i) << 2);
        ${each((i) => `store<f32>(o, t${i}, ${4 * i});`)}
      }
    }`;
  };
  return k.helper(name, () => `
function ${name}(a: usize, lda: i32, w: usize, rows: i32, out: usize, ldo: i32, batch: i32): void {
  let i: i32 = 0;
  for (; i + 4 <= rows; i += 4) ${rowBlock(4)}
  for (; i < rows; i++) ${rowBlock(1)}
}
`);
}

/** The address of W (`[D, rows, cols]`) transposed per direction to `[D, cols, rows]`. */
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

/** One node's geometry (codegen/recurrent-geometry.ts), attributes and buffers (address expressions). */
interface Layer extends RecurrentGeometry {
  k: KernelContext;
  inputForget: boolean;
  activations: RecurrentActivation[][];
  clip: number | undefined;
  /** W transposed per direction, [D, I, G·H] (the GEMM's right operand). */
  wt: string;
  /** Scratch: xw [T·B × G·H], hr [B × G·H], H, C and r ⊙ H [B × H], the summed bias row [G·H], lengths [B] (i32). */
  xw: string;
  hr: string;
  h: string;
  c?: string;
  rh?: string;
  biasRow?: string;
  lens?: string;
}

// Element offsets of X's row, Y's row and a state row for time t, direction d and batch entry b (layout 0:
// X [T, B, I], Y [T, D, B, H], states [D, B, H]; layout 1 swaps the first two axes of each).
function xRow(l: Layer, t: string, b: string): string {
  return l.layout === 0 ? `(${t}) * ${l.batch} + ${b}` : `${b} * ${l.steps} + (${t})`;
}

function yRow(l: Layer, t: string, d: number, b: string): string {
  return l.layout === 0 ? `((${t}) * ${l.dirs} + ${d}) * ${l.batch} + ${b}` : `(${b} * ${l.steps} + (${t})) * ${l.dirs} + ${d}`;
}

function stateRow(l: Layer, d: number, b: string): string {
  return l.layout === 0 ? `${d * l.batch} + ${b}` : `${b} * ${l.dirs} + ${d}`;
}

/** The loop over batch entries at step s: the entry's rows, then the cell; entries past their length are skipped. */
function batchEntries(l: Layer, d: number, reverse: boolean, cell: string[]): string[] {
  const { k, batch, steps, rows, hidden: n } = l;
  const rowOf = (name: string, base: string | undefined, offset: string) => (base ? [`  const ${name}: i32 = ${base} + ${offset};`] : []);
  return [
    `for (let b: i32 = 0; b < ${batch}; b++) {`,
    `  const len: i32 = ${l.lens ? `load<i32>(${l.lens} + (b << 2))` : steps};`,
    '  if (s >= len) continue;',
    `  const t: i32 = ${reverse ? 'len - 1 - s' : 's'};`,
    ...rowOf(ROW.xw, l.xw, `(${xRow(l, 't', 'b')}) * ${rows * 4}`),
    ...rowOf(ROW.hr, l.hr, `b * ${rows * 4}`),
    ...rowOf(ROW.h, l.h, `b * ${n * 4}`),
    ...rowOf(ROW.c, l.c, `b * ${n * 4}`),
    ...rowOf(ROW.rh, l.rh, `b * ${n * 4}`),
    ...rowOf(ROW.y, l.y && k.ptr(l.y), `(${yRow(l, 't', d, 'b')}) * ${n * 4}`),
    ...cell.map((line) => `  ${line}`),
    '}',
  ];
}

/** All steps of direction d, from the input projection to the final states. */
function directionCode(l: Layer, d: number): string[] {
  const { k, op, steps, batch, inSize, rows, hidden: n } = l;
  const reverse = k.node.attrs.direction === 'reverse' || d === 1;
  const code: string[] = [];
  // xw = Wb + Rb + X·Wᵀ: every row starts from the summed biases (R_bh stays apart under linear_before_reset).
  if (l.bias && l.biasRow) {
    const wb = `${k.ptr(l.bias)} + ${d * 2 * rows * 4}`;
    const rb = `${wb} + ${rows * 4}`;
    const summed = l.linearBeforeReset ? 2 * n : rows;
    code.push(
      `for (let j: i32 = 0; j < ${rows}; j++) ${store(l.biasRow, 'j', `${load(wb, 'j')} + (j < ${summed} ? ${load(rb, 'j')} : ${lit(0)})`)}`,
      `for (let i: i32 = 0; i < ${steps * batch}; i++) memory.copy(${l.xw} + i * ${rows * 4}, ${l.biasRow}, ${rows * 4});`,
    );
  }
  code.push(gemmCall(k, k.schedules.matmul, {
    a: k.ptr(l.x), b: `${l.wt} + ${d * inSize * rows * 4}`, c: l.xw, m: steps * batch, n: rows, k: inSize, lda: inSize, ldb: rows, ldc: rows,
    init: l.bias ? GemmInit.Accumulate : GemmInit.Zero,
  }));
  const initialize = (state: string, init: Value | undefined) => (init
    ? `for (let b: i32 = 0; b < ${batch}; b++) memory.copy(${state} + b * ${n * 4}, ${k.ptr(init)} + (${stateRow(l, d, 'b')}) * ${n * 4}, ${n * 4});`
    : `memory.fill(${state}, 0, ${batch * n * 4});`);
  code.push(initialize(l.h, l.initH));
  if (l.c) code.push(initialize(l.c, l.initC));

  const cell: CellContext = {
    hidden: n,
    act: l.activations[d].map((a) => activationOf(k, a)),
    clip: l.clip,
    storeY: !!l.y,
    peep: l.peep ? `${k.ptr(l.peep)} + ${d * 3 * n * 4}` : null,
    rbh: l.bias && l.linearBeforeReset ? `${k.ptr(l.bias)} + ${(d * 2 * rows + rows + 2 * n) * 4}` : null,
  };
  // hr[:, from, from + cols) = A·Rᵀ[:, from, from + cols) for the whole batch (A: H or r ⊙ H, [B × H]).
  const hProduct = (a: string, from: number, cols: number) =>
    `${matvec(k, n)}(${a}, ${n}, ${k.ptr(l.r)} + ${(d * rows + from) * n * 4}, ${cols}, ${l.hr} + ${from * 4}, ${rows}, ${batch});`;
  code.push(`for (let s: i32 = 0; s < ${steps}; s++) {`);
  if (l.rh) {
    // GRU without linear_before_reset: z and r first, then (r ⊙ H)·Rhᵀ, then the candidate and H_t.
    code.push(
      hProduct(l.h, 0, 2 * n), ...batchEntries(l, d, reverse, cellLoop(k, cell, gruGatePhase)),
      hProduct(l.rh, 2 * n, n), ...batchEntries(l, d, reverse, cellLoop(k, cell, gruCandidatePhase)),
    );
  } else {
    const step = op === 'rnn' ? rnnCell : op === 'lstm' ? lstmCell(l.inputForget) : gruCellLinearBeforeReset;
    code.push(hProduct(l.h, 0, rows), ...batchEntries(l, d, reverse, cellLoop(k, cell, step)));
  }
  code.push('}');
  // The final states are those of each entry's last step.
  for (const [out, state] of [[l.yh, l.h], [l.yc, l.c]] as const) {
    if (out && state) code.push(`for (let b: i32 = 0; b < ${batch}; b++) memory.copy(${k.ptr(out)} + (${stateRow(l, d, 'b')}) * ${n * 4}, ${state} + b * ${n * 4}, ${n * 4});`);
  }
  return code;
}

export function recurrentKernel(k: KernelContext): string {
  const attrs = k.node.attrs;
  const geometry = recurrentGeometry(k);
  const { op, x, w, r, bias, seqLens, initH, initC, peep, y, dirs, steps, batch, inSize, hidden: n, rows, linearBeforeReset } = geometry;
  for (const v of [x, w, r, bias, initH, initC, peep]) if (v && v.type.dtype !== 'f32') unsupported(k.node, `${v.type.dtype} operands (f32 only)`);
  if (seqLens && seqLens.type.dtype !== 'i32') unsupported(k.node, `${seqLens.type.dtype} sequence_lens (ONNX's int32 only)`);

  const code: string[] = [];
  const l: Layer = {
    ...geometry,
    k,
    inputForget: op === 'lstm' && attrInt(attrs, 'input_forget') !== 0,
    activations: recurrentActivations(op, attrs),
    clip: attrs.clip as number | undefined,
    wt: transposedPerDirection(k, w, dirs, rows, inSize, code),
    xw: k.scratch(steps * batch * rows * 4),
    hr: k.scratch(batch * rows * 4),
    h: k.scratch(batch * n * 4),
    c: op === 'lstm' ? k.scratch(batch * n * 4) : undefined,
    rh: op === 'gru' && !linearBeforeReset ? k.scratch(batch * n * 4) : undefined,
    biasRow: bias ? k.scratch(rows * 4) : undefined,
    lens: seqLens ? k.scratch(batch * 4) : undefined,
  };
  if (seqLens && l.lens) {
    code.push(
      `for (let b: i32 = 0; b < ${batch}; b++) {`,
      `  const len: i32 = load<i32>(${k.ptr(seqLens)} + (b << 2));`,
      `  store<i32>(${l.lens} + (b << 2), len < 0 ? 0 : len > ${steps} ? ${steps} : len);`,
      '}',
    );
    // Steps past a sequence's length stay zero in Y.
    if (y) code.push(`memory.fill(${k.ptr(y)}, 0, ${steps * dirs * batch * n * 4});`);
  }
  for (let d = 0; d < dirs; d++) code.push(...directionCode(l, d));
  return code.join('\n');
}
