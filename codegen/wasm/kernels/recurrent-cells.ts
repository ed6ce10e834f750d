// The cells of the recurrent kernels (rnn, gru, lstm): per batch entry and step, they turn the gate
// pre-activations xw + hr into the next hidden (and cell) state. Each cell is written once over `Lanes`, the
// arithmetic it needs, and rendered twice: on f32x4 vectors of four hidden units, then on f32 scalars for the
// units left over. tanh and sigmoid, which nearly every gate applies, go through a rational approximation
// instead of Mathf.tanh/exp, which took about two thirds of an lstm's time.
import type { RecurrentActivation } from '../../../compiler/ops/control-rnn.js';
import { asLiteral } from '../as-target.js';
import type { KernelContext } from './kernel.js';

const lit = (v: number) => asLiteral(v, 'f32');

/** Element-wise f32 arithmetic on one unit (f32) or four (v128): AssemblyScript expressions. */
export interface Lanes {
  type: 'f32' | 'v128';
  width: 1 | 4;
  /** Units j… of the f32 row at `base`, `index` elements in. */
  load(base: string, index: string): string;
  store(base: string, index: string, v: string): string;
  lit(v: number): string;
  add(a: string, b: string): string;
  sub(a: string, b: string): string;
  mul(a: string, b: string): string;
  min(a: string, b: string): string;
  max(a: string, b: string): string;
  tanh(x: string): string;
}

// tanh(x) ≈ x·p(x²)/q(x²) on [-9, 9] (±1 beyond): the rational approximation of Eigen and onnxruntime's MLAS,
// within 3.3e-7 of tanh on f32. Coefficients from the highest power down.
const TANH_P = ['-2.76076847742355e-16', '2.00018790482477e-13', '-8.60467152213735e-11', '5.12229709037114e-08', '1.48572235717979e-05', '6.37261928875436e-04', '4.89352455891786e-03'];
const TANH_Q = ['1.19825839466702e-06', '1.18534705686654e-04', '2.26843463243900e-03', '4.89352518554385e-03'];

function tanhSource(name: string, L: Lanes): string {
  const c = (v: string) => (L.width === 1 ? `<f32>${v}` : `f32x4.splat(<f32>${v})`);
  const horner = (p: string, cs: string[]) => [`let ${p}: ${L.type} = ${c(cs[0])};`, ...cs.slice(1).map((v) => `  ${p} = ${L.add(L.mul(p, 'x2'), c(v))};`)].join('\n');
  return `
function ${name}(x: ${L.type}): ${L.type} {
  const y: ${L.type} = ${L.min(L.max('x', L.lit(-9)), L.lit(9))};
  const x2: ${L.type} = ${L.mul('y', 'y')};
  ${horner('p', TANH_P)}
  ${horner('q', TANH_Q)}
  return ${L.width === 1 ? 'y * p / q' : 'f32x4.div(f32x4.mul(y, p), q)'};
}
`;
}

const f32At = (base: string, index: string) => `${base} + ((${index}) << 2)`;

export function scalarLanes(k: KernelContext): Lanes {
  const L: Lanes = {
    type: 'f32',
    width: 1,
    load: (base, index) => `load<f32>(${f32At(base, index)})`,
    store: (base, index, v) => `store<f32>(${f32At(base, index)}, ${v});`,
    lit,
    add: (a, b) => `(${a} + ${b})`,
    sub: (a, b) => `(${a} - ${b})`,
    mul: (a, b) => `(${a} * ${b})`,
    min: (a, b) => `Mathf.min(${a}, ${b})`,
    max: (a, b) => `Mathf.max(${a}, ${b})`,
    tanh: (x) => `${k.helper('recurrent_tanh', () => tanhSource('recurrent_tanh', L))}(${x})`,
  };
  return L;
}

export function vectorLanes(k: KernelContext): Lanes {
  const L: Lanes = {
    type: 'v128',
    width: 4,
    load: (base, index) => `v128.load(${f32At(base, index)})`,
    store: (base, index, v) => `v128.store(${f32At(base, index)}, ${v});`,
    lit: (v) => `f32x4.splat(${lit(v)})`,
    add: (a, b) => `f32x4.add(${a}, ${b})`,
    sub: (a, b) => `f32x4.sub(${a}, ${b})`,
    mul: (a, b) => `f32x4.mul(${a}, ${b})`,
    min: (a, b) => `f32x4.min(${a}, ${b})`,
    max: (a, b) => `f32x4.max(${a}, ${b})`,
    tanh: (x) => `${k.helper('recurrent_tanh_x4', () => tanhSource('recurrent_tanh_x4', L))}(${x})`,
  };
  return L;
}

type Expression = (L: Lanes, x: string, alpha: string, beta: string) => string;

// σ(x) = (1 + tanh(x/2)) / 2
const sigmoid: Expression = (L, x) => L.add(L.lit(0.5), L.mul(L.lit(0.5), L.tanh(L.mul(L.lit(0.5), x))));

/** ONNX's recurrent activations on any lanes. */
const ON_LANES: Record<string, Expression> = {
  relu: (L, x) => L.max(x, L.lit(0)),
  tanh: (L, x) => L.tanh(x),
  sigmoid,
  affine: (L, x, a, b) => L.add(L.mul(a, x), b),
  scaledtanh: (L, x, a, b) => L.mul(a, L.tanh(L.mul(b, x))),
  hardsigmoid: (L, x, a, b) => L.min(L.lit(1), L.max(L.lit(0), L.add(L.mul(a, x), b))),
};

/** The rest on one f32 `x` (vectors apply them lane by lane). */
const ON_SCALARS: Record<string, (x: string, alpha: string) => string> = {
  leakyrelu: (x, a) => `(${x} >= ${lit(0)} ? ${x} : ${a} * ${x})`,
  thresholdedrelu: (x, a) => `(${x} > ${a} ? ${x} : ${lit(0)})`,
  elu: (x, a) => `(${x} >= ${lit(0)} ? ${x} : ${a} * Mathf.expm1(${x}))`,
  softsign: (x) => `${x} / (${lit(1)} + Mathf.abs(${x}))`,
  softplus: (x) => `Mathf.log1p(Mathf.exp(${x}))`,
};

/** An activation applied to a local `x` on the given lanes. */
export type Activation = (L: Lanes, x: string) => string;

export function activationOf(k: KernelContext, a: RecurrentActivation): Activation {
  const onLanes = ON_LANES[a.name];
  if (onLanes) return (L, x) => onLanes(L, x, L.lit(a.alpha), L.lit(a.beta));
  const onScalar = ON_SCALARS[a.name];
  return (L, x) => {
    if (L.width === 1) return onScalar(x, lit(a.alpha));
    const name = k.helper(`recurrent_${a.name}_x4`, () => {
      const lanes = [0, 1, 2, 3].map((i) => `  const x${i}: f32 = f32x4.extract_lane(x, ${i});\n  r = f32x4.replace_lane(r, ${i}, ${onScalar(`x${i}`, 'alpha')});`);
      return `\nfunction recurrent_${a.name}_x4(x: v128, alpha: f32): v128 {\n  let r = x;\n${lanes.join('\n')}\n  return r;\n}\n`;
    });
    return `${name}(${x}, ${lit(a.alpha)})`;
  };
}

/**
 * The locals a cell reads and writes for one batch entry at one step: its row of xw (for time t), its row
 * of hr, its rows of H and C (LSTM), its row of r ⊙ H (GRU without linear_before_reset) and its row of Y.
 */
export const ROW = { xw: 'xwRow', hr: 'hrRow', h: 'hRow', c: 'cRow', rh: 'rhRow', y: 'yRow' } as const;

/** What a cell generator needs to know about one direction. */
export interface CellContext {
  hidden: number;
  /** Activations of this direction (f, g, h in ONNX's naming). */
  act: Activation[];
  /** The clip attribute: pre-activations are clipped to [-clip, clip]. */
  clip: number | undefined;
  /** Whether Y is an output (H_t is then stored in its row too). */
  storeY: boolean;
  /** Address of the peephole vectors P_i, P_o, P_f of this direction (LSTM), null when absent. */
  peep: string | null;
  /** Address of R_bh of this direction (GRU with linear_before_reset), null without biases. */
  rbh: string | null;
}

/** A cell's body for units j… of one batch entry. */
export type Cell = (L: Lanes, d: CellContext) => string[];

/** The cell over every hidden unit: four at a time, then one at a time. */
export function cellLoop(k: KernelContext, d: CellContext, cell: Cell): string[] {
  const n = d.hidden;
  const lines = ['{', 'let j: i32 = 0;'];
  if (n >= 4) lines.push(`for (; j + 4 <= ${n}; j += 4) {`, ...cell(vectorLanes(k), d).map((l) => `  ${l}`), '}');
  if (n % 4 !== 0) lines.push(`for (; j < ${n}; j++) {`, ...cell(scalarLanes(k), d).map((l) => `  ${l}`), '}');
  lines.push('}');
  return lines;
}

/** xw + hr of gate row `gate`·H + j. */
function gatePre(L: Lanes, d: CellContext, gate: number): string {
  return L.add(L.load(ROW.xw, `${gate * d.hidden} + j`), L.load(ROW.hr, `${gate * d.hidden} + j`));
}

/** Applies activation `i` to a pre-activation after clipping: `const name = act(clip(pre));`. */
function activate(L: Lanes, d: CellContext, i: number, name: string, pre: string): string[] {
  const clipped = d.clip === undefined ? pre : L.min(L.lit(d.clip), L.max(L.lit(-d.clip), pre));
  return [`const ${name}_pre: ${L.type} = ${clipped};`, `const ${name}: ${L.type} = ${d.act[i](L, `${name}_pre`)};`];
}

/** Stores H_t[j] into the state and Y (the value is computed before either store, as it may read H_t-1[j]). */
function storeHidden(L: Lanes, d: CellContext, v: string): string[] {
  return [`const hNew: ${L.type} = ${v};`, L.store(ROW.h, 'j', 'hNew'), ...(d.storeY ? [L.store(ROW.y, 'j', 'hNew')] : [])];
}

// Ht = f(Xt·Wᵀ + Ht-1·Rᵀ + Wb + Rb)
export const rnnCell: Cell = (L, d) => [...activate(L, d, 0, 'hv', gatePre(L, d, 0)), ...storeHidden(L, d, 'hv')];

// it = f(..i + Pi ⊙ Ct-1), ft = f(..f + Pf ⊙ Ct-1) (or 1 - it with input_forget), ct = g(..c),
// Ct = ft ⊙ Ct-1 + it ⊙ ct, ot = f(..o + Po ⊙ Ct), Ht = ot ⊙ h(Ct). Gate rows are in the order i, o, f, c.
export function lstmCell(inputForget: boolean): Cell {
  return (L, d) => {
    const n = d.hidden;
    const withPeephole = (gate: number, c: string) => (d.peep ? L.add(gatePre(L, d, gate), L.mul(L.load(d.peep, `${gate * n} + j`), c)) : gatePre(L, d, gate));
    return [
      `const cOld: ${L.type} = ${L.load(ROW.c, 'j')};`,
      ...activate(L, d, 0, 'ig', withPeephole(0, 'cOld')),
      ...(inputForget ? [`const fg: ${L.type} = ${L.sub(L.lit(1), 'ig')};`] : activate(L, d, 0, 'fg', withPeephole(2, 'cOld'))),
      ...activate(L, d, 1, 'cand', gatePre(L, d, 3)),
      `const cNew: ${L.type} = ${L.add(L.mul('fg', 'cOld'), L.mul('ig', 'cand'))};`,
      L.store(ROW.c, 'j', 'cNew'),
      ...activate(L, d, 0, 'og', withPeephole(1, 'cNew')),
      ...storeHidden(L, d, L.mul('og', d.act[2](L, 'cNew'))),
    ];
  };
}

/** Ht = (1 - zt) ⊙ ht + zt ⊙ Ht-1. */
function gruUpdate(L: Lanes, d: CellContext): string[] {
  return storeHidden(L, d, L.add(L.mul(L.sub(L.lit(1), 'zg'), 'cand'), L.mul('zg', L.load(ROW.h, 'j'))));
}

// zt = f(..z), rt = f(..r), ht = g(Xt·Whᵀ + Wbh + rt ⊙ (Ht-1·Rhᵀ + Rbh)) under linear_before_reset, here in
// one pass. Gate rows are in the order z, r, h.
export const gruCellLinearBeforeReset: Cell = (L, d) => {
  const n = d.hidden;
  const hr = L.load(ROW.hr, `${2 * n} + j`);
  const recurrent = d.rbh ? L.add(hr, L.load(d.rbh, 'j')) : hr;
  return [
    ...activate(L, d, 0, 'zg', gatePre(L, d, 0)),
    ...activate(L, d, 0, 'rg', gatePre(L, d, 1)),
    ...activate(L, d, 1, 'cand', L.add(L.load(ROW.xw, `${2 * n} + j`), L.mul('rg', recurrent))),
    ...gruUpdate(L, d),
  ];
};

/** GRU without linear_before_reset, first phase: z into hr's z row, r ⊙ Ht-1 into rh (for (rt ⊙ Ht-1)·Rhᵀ). */
export const gruGatePhase: Cell = (L, d) => [
  ...activate(L, d, 0, 'zg', gatePre(L, d, 0)),
  ...activate(L, d, 0, 'rg', gatePre(L, d, 1)),
  L.store(ROW.hr, 'j', 'zg'),
  L.store(ROW.rh, 'j', L.mul('rg', L.load(ROW.h, 'j'))),
];

/** Second phase: ht = g(Xt·Whᵀ + Wbh + Rbh + (rt ⊙ Ht-1)·Rhᵀ) (both biases are in xw), then Ht. */
export const gruCandidatePhase: Cell = (L, d) => [
  `const zg: ${L.type} = ${L.load(ROW.hr, 'j')};`,
  ...activate(L, d, 1, 'cand', gatePre(L, d, 2)),
  ...gruUpdate(L, d),
];
