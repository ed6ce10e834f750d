// Recurrent layers (rnn, gru, lstm) with every attribute of the reference (compiler/ops/control-rnn.ts), in f32.
//
// A step needs every hidden unit of the previous one, so steps are sequential. Two ways to run them:
// - a layer of at most 256 units (D·B·H, what one workgroup's invocations cover, and the size of most layers
//   ONNX models carry): ONE workgroup runs every step, an invocation per unit, the steps separated by
//   storage barriers: one dispatch instead of T (each a pass through the queue), at the cost of using one
//   compute unit, which such a layer could not fill anyway;
// - a larger layer: a dispatch per step over every unit (plus one that advances a step counter the step
//   reads), so that the units spread over the whole GPU. Not measured here (SwiftShader has no dispatch
//   cost worth the name); the threshold is where the one-workgroup form runs out of invocations.
// Each unit computes its own gate rows of X·Wᵀ and H·Rᵀ: every product is still computed once, and no
// [T·B × G·H] projection scratch is needed.
//
// Dispatches: one sets the states from initial_h/initial_c (or zero), the steps run every direction at once
// (the reverse one walks its sequence backwards), one copies the final states to Y_h/Y_c. H is double
// buffered (step s reads half s mod 2 and writes the other), so that a unit never overwrites a value another
// unit still reads. Shaders have no channel for run-time errors: a sequence_lens entry outside [0, T] is
// clamped into it (the reference interpreter rejects it).
import { recurrentActivations, type RecurrentActivation } from '../../../compiler/ops/control-rnn.js';
import { recurrentGeometry, type RecurrentGeometry } from '../../recurrent-geometry.js';
import type { Value } from '../../../compiler/ir/graph.js';
import { attrInt } from '../../../compiler/ops/util.js';
import { storageType, wgslLiteral, withHelpers } from '../wgsl-target.js';
import { WGSL_LIMITS, type WgslDispatch, type WgslKernelContext } from './kernel.js';
import { Bindings, perInvocation, unsupported } from './shader.js';


const f = (v: number) => wgslLiteral(v, 'f32');

/** ONNX's recurrent activations as WGSL f32 expressions of `x`. */
const ACTIVATIONS: Record<string, (x: string, alpha: string, beta: string) => string> = {
  // The dlc_ helpers (wgsl-target.ts) keep NaN where WGSL's max, clamp, exp and tanh may drop it.
  relu: (x) => `dlc_max(${x}, 0.0f)`,
  tanh: (x) => `dlc_tanh(${x})`,
  sigmoid: (x) => `1.0f / (1.0f + dlc_exp(-${x}))`,
  affine: (x, a, b) => `${a} * ${x} + ${b}`,
  leakyrelu: (x, a) => `select(${a} * ${x}, ${x}, ${x} >= 0.0f)`,
  thresholdedrelu: (x, a) => `select(0.0f, ${x}, ${x} > ${a})`,
  scaledtanh: (x, a, b) => `${a} * dlc_tanh(${b} * ${x})`,
  hardsigmoid: (x, a, b) => `dlc_max(dlc_min(${a} * ${x} + ${b}, 1.0f), 0.0f)`,
  elu: (x, a) => `select(${a} * (dlc_exp(${x}) - 1.0f), ${x}, ${x} >= 0.0f)`,
  softsign: (x) => `${x} / (1.0f + abs(${x}))`,
  // log(1 + eˣ) = max(x, 0) + log(1 + e^(−|x|)), finite for large x.
  softplus: (x) => `dlc_max(${x}, 0.0f) + log(1.0f + dlc_exp(-abs(${x})))`,
};

function activationFunction(name: string, a: RecurrentActivation): string {
  return `fn ${name}(x: f32) -> f32 { return ${ACTIVATIONS[a.name]('x', f(a.alpha), f(a.beta))}; }`;
}

/** One node's geometry (codegen/recurrent-geometry.ts). */
interface Layer extends Pick<RecurrentGeometry, 'op' | 'layout' | 'dirs' | 'steps' | 'batch' | 'inSize' | 'hidden' | 'rows'> {
  /** D·B·H: the units a step updates. */
  units: number;
}

// Element offsets (WGSL u32 expressions) of X's row for time t and batch entry b, of Y's row for t, direction
// d and b, and of a state row of d and b, in the node's layout (layout 0: X [T, B, I], Y [T, D, B, H],
// states [D, B, H]; layout 1 swaps the first two axes of each).
function xRow(l: Layer, t: string, b: string): string {
  return `(${l.layout === 0 ? `${t} * ${l.batch}u + ${b}` : `${b} * ${l.steps}u + ${t}`}) * ${l.inSize}u`;
}

function yRow(l: Layer, t: string, d: string, b: string): string {
  return `(${l.layout === 0 ? `(${t} * ${l.dirs}u + ${d}) * ${l.batch}u + ${b}` : `(${b} * ${l.steps}u + ${t}) * ${l.dirs}u + ${d}`}) * ${l.hidden}u`;
}

function stateRow(l: Layer, d: string, b: string): string {
  return `(${l.layout === 0 ? `${d} * ${l.batch}u + ${b}` : `${b} * ${l.dirs}u + ${d}`}) * ${l.hidden}u`;
}

/** Lines that split unit index `u` into direction d, batch entry b and hidden unit j. */
const unitIndices = (l: Layer, u: string) => [`  let j = ${u} % ${l.hidden}u;`, `  let b = (${u} / ${l.hidden}u) % ${l.batch}u;`, `  let d = ${u} / ${l.hidden * l.batch}u;`];

/**
 * The state scratch: H twice ([2, D, B, H], step s reads half s mod 2), then C (lstm) or r ⊙ H (gru without
 * linear_before_reset), [D, B, H] and indexed by unit, then the step counter of dispatchPerStep (an f32,
 * exact for any step count); the offsets of C, r ⊙ H and the counter.
 */
function stateLayout(l: Layer, linearBeforeReset: boolean): Regions {
  const third = l.op === 'lstm' || (l.op === 'gru' && !linearBeforeReset);
  return { c: 2 * l.units, rh: 2 * l.units, counter: (third ? 3 : 2) * l.units };
}

/** The dispatch that sets H (half 0) and C from the initial states, or to zero, and the step counter to 0. */
function initialStates(l: Layer, state: Value, initH: Value | undefined, initC: Value | undefined, st: Regions): WgslDispatch {
  const b = new Bindings([state]);
  const sb = b.of(state);
  const from = (v: Value | undefined) => (v ? `${b.of(v)}[${stateRow(l, 'd', 'b')} + j]` : '0.0f');
  const lines = [...unitIndices(l, 'i'), `  ${sb}[i] = ${from(initH)};`];
  if (l.op === 'lstm') lines.push(`  ${sb}[${st.c}u + i] = ${from(initC)};`);
  lines.push(`  if (i == 0u) { ${sb}[${st.counter}u] = 0.0f; }`);
  return perInvocation({ bindings: b.list, count: l.units, body: lines.join('\n') });
}

/** The dispatch that copies the final H (and C) to Y_h (and Y_c). */
function finalStates(l: Layer, state: Value, yh: Value | undefined, yc: Value | undefined, cOffset: number): WgslDispatch[] {
  const outs = [yh, yc].filter((v): v is Value => !!v);
  if (outs.length === 0) return [];
  const b = new Bindings(outs);
  const sb = b.of(state);
  const lines = unitIndices(l, 'i');
  const last = (l.steps % 2) * l.units;
  if (yh) lines.push(`  ${b.of(yh)}[${stateRow(l, 'd', 'b')} + j] = ${sb}[${last}u + i];`);
  if (yc) lines.push(`  ${b.of(yc)}[${stateRow(l, 'd', 'b')} + j] = ${sb}[${cOffset}u + i];`);
  return [perInvocation({ bindings: b.list, count: l.units, body: lines.join('\n') })];
}

export function recurrentKernel(k: WgslKernelContext): WgslDispatch[] {
  const { op, x, w, r, bias, seqLens, initH, initC, peep, y, yh, yc, layout, dirs, steps, batch, inSize, hidden, rows, linearBeforeReset } = recurrentGeometry(k);
  for (const v of [x, w, r, bias, initH, initC, peep]) if (v && storageType(v.type.dtype) !== 'f32') unsupported(k.node, `${v.type.dtype} operands (floats only)`);
  if (seqLens && storageType(seqLens.type.dtype) !== 'i32') unsupported(k.node, `${seqLens.type.dtype} sequence_lens`);
  const l: Layer = { op, layout, dirs, steps, batch, inSize, hidden, rows, units: dirs * batch * hidden };
  if (l.units === 0) return [];
  const regions = stateLayout(l, linearBeforeReset);
  const state = k.scratch('f32', [regions.counter + 1]);
  const dispatches = [initialStates(l, state, initH, initC, regions)];
  const operands: Operands = { x, w, r, bias, seqLens, peep, y, state };
  if (steps > 0 && l.units <= WGSL_LIMITS.invocationsPerWorkgroup) dispatches.push(oneWorkgroup(k, l, operands, linearBeforeReset, regions));
  else if (steps > 0) dispatches.push(...dispatchPerStep(k, l, operands, linearBeforeReset, regions));
  return [...dispatches, ...finalStates(l, state, yh, yc, regions.c)];
}

interface Operands {
  x: Value;
  w: Value;
  r: Value;
  bias?: Value;
  seqLens?: Value;
  peep?: Value;
  y?: Value;
  state: Value;
}

/** The regions of the state scratch: offsets of C, r ⊙ H and the step counter (see stateLayout). */
interface Regions {
  c: number;
  rh: number;
  counter: number;
}

/**
 * The WGSL of one step for unit `u` at step `s` (H read from half `cur`, written to half `next`), as the
 * module-scope functions it calls and its phases: `gate` (GRU without linear_before_reset: r ⊙ H, which
 * the next phase reads for every unit) and `step`. `skip` leaves the unit (continue in a loop, return in a
 * dispatch of its own). Bindings are taken from `bs` as the code refers to them.
 */
function stepCode(k: WgslKernelContext, l: Layer, o: Operands, linearBeforeReset: boolean, st: Regions, bs: Bindings, skip: string) {
  const { op, attrs } = k.node;
  const { hidden: n, rows } = l;
  const sb = bs.of(o.state);
  const acts = recurrentActivations(op, attrs);
  const clip = attrs.clip as number | undefined;
  const clipped = (v: string) => (clip === undefined ? v : `clamp(${v}, ${f(-clip)}, ${f(clip)})`);
  // act(i, v): activation i of the unit's direction (directions may differ).
  const act = (i: number, v: string) => (l.dirs === 2 && JSON.stringify(acts[0][i]) !== JSON.stringify(acts[1][i]) ? `select(act0_${i}(${v}), act1_${i}(${v}), d == 1u)` : `act0_${i}(${v})`);
  const functions = [
    ...acts.flatMap((perDir, d) => perDir.map((a, i) => activationFunction(`act${d}_${i}`, a))),
    `fn xdot(row: u32, xo: u32) -> f32 { var a = 0.0f; for (var i = 0u; i < ${l.inSize}u; i++) { a += ${bs.of(o.x)}[xo + i] * ${bs.of(o.w)}[row * ${l.inSize}u + i]; } return a; }`,
    `fn hdot(row: u32, ho: u32) -> f32 { var a = 0.0f; for (var i = 0u; i < ${n}u; i++) { a += ${sb}[ho + i] * ${bs.of(o.r)}[row * ${n}u + i]; } return a; }`,
  ];
  // Row g·H + j of direction d's W and R; Σ over X's row and over an H-long state row.
  const row = (g: number) => `d * ${rows}u + ${g * n}u + j`;
  const wBias = (g: number) => (o.bias ? ` + ${bs.of(o.bias)}[d * ${2 * rows}u + ${g * n}u + j]` : '');
  const rBias = (g: number) => (o.bias ? ` + ${bs.of(o.bias)}[d * ${2 * rows}u + ${rows + g * n}u + j]` : '');
  const xw = (g: number) => `xdot(${row(g)}, xo)${wBias(g)}`;
  const hr = (g: number) => `hdot(${row(g)}, hc)${rBias(g)}`;
  const pre = (g: number) => `${xw(g)} + ${hr(g)}`;
  const peephole = (g: number, c: string) => (o.peep ? ` + ${bs.of(o.peep)}[d * ${3 * n}u + ${g * n}u + j] * ${c}` : '');
  // Per unit: its direction, batch entry and hidden unit, the entry's length and the time step's rows.
  const reverse = attrs.direction === 'reverse' ? 'true' : l.dirs === 2 ? 'd == 1u' : 'false';
  const unit = [...unitIndices(l, 'u'), `  let len = ${o.seqLens ? `u32(clamp(${bs.of(o.seqLens)}[b], 0, ${l.steps}))` : `${l.steps}u`};`];
  const timed = [
    `  let t = select(s, len - 1u - s, ${reverse});`,
    `  let xo = ${xRow(l, 't', 'b')};`,
    `  let hc = cur + (d * ${l.batch}u + b) * ${n}u;`,
  ];
  const cell: string[] = [];
  if (op === 'rnn') cell.push(`  let hNew = ${act(0, clipped(pre(0)))};`);
  else if (op === 'lstm') {
    // i, o, f, c gate rows; peepholes P in order i, o, f.
    const inputForget = attrInt(attrs, 'input_forget') !== 0;
    cell.push(
      `  let cOld = ${sb}[${st.c}u + u];`,
      `  let ig = ${act(0, clipped(`${pre(0)}${peephole(0, 'cOld')}`))};`,
      `  let fg = ${inputForget ? '1.0f - ig' : act(0, clipped(`${pre(2)}${peephole(2, 'cOld')}`))};`,
      `  let cand = ${act(1, clipped(pre(3)))};`,
      '  let cNew = fg * cOld + ig * cand;',
      `  ${sb}[${st.c}u + u] = cNew;`,
      `  let og = ${act(0, clipped(`${pre(1)}${peephole(1, 'cNew')}`))};`,
      `  let hNew = og * ${act(2, 'cNew')};`,
    );
  } else {
    // z, r, h gate rows; ht = g(Xt·Whᵀ + Wbh + rt ⊙ (Ht-1·Rhᵀ + Rbh)) under linear_before_reset, else
    // g(Xt·Whᵀ + Wbh + Rbh + (rt ⊙ Ht-1)·Rhᵀ) from the r ⊙ H the gate phase stored.
    const candidate = linearBeforeReset
      ? `${xw(2)} + ${act(0, clipped(pre(1)))} * (${hr(2)})`
      : `${xw(2)}${rBias(2)} + hdot(${row(2)}, ${st.rh}u + (d * ${l.batch}u + b) * ${n}u)`;
    cell.push(
      `  let zg = ${act(0, clipped(pre(0)))};`,
      `  let cand = ${act(1, clipped(candidate))};`,
      `  let hNew = (1.0f - zg) * cand + zg * ${sb}[cur + u];`,
    );
  }
  const gate = op === 'gru' && !linearBeforeReset
    ? [...unit, `  if (s >= len) { ${skip}; }`, ...timed, `  ${sb}[${st.rh}u + u] = ${act(0, clipped(pre(1)))} * ${sb}[cur + u];`]
    : undefined;
  // A unit past its entry's length keeps its state (copied to the next half) and leaves zero in Y.
  const yAt = (t: string) => `${bs.of(o.y!)}[${yRow(l, t, 'd', 'b')} + j]`;
  const step = [
    ...unit,
    '  if (s >= len) {',
    `    ${sb}[next + u] = ${sb}[cur + u];`,
    ...(o.y ? [`    ${yAt('s')} = 0.0f;`] : []),
    `    ${skip};`,
    '  }',
    ...timed,
    ...cell,
    `  ${sb}[next + u] = hNew;`,
    ...(o.y ? [`  ${yAt('t')} = hNew;`] : []),
  ];
  return { functions, gate, step };
}

const halves = (units: number) => [`  let cur = (s % 2u) * ${units}u;`, `  let next = ${units}u - cur;`];
const indent = (lines: string[], by: string) => lines.map((line) => by + line);

/**
 * Layers of at most one workgroup's invocations: one workgroup runs every step, each invocation a unit, the
 * steps separated by storage barriers.
 */
function oneWorkgroup(k: WgslKernelContext, l: Layer, o: Operands, linearBeforeReset: boolean, st: Regions): WgslDispatch {
  const bs = new Bindings([o.state, ...(o.y ? [o.y] : [])]);
  const { functions, gate, step } = stepCode(k, l, o, linearBeforeReset, st, bs, 'continue');
  const size = Math.ceil(l.units / 32) * 32;
  const overUnits = (body: string[]) => [`    for (var u = lid; u < ${l.units}u; u += ${size}u) {`, ...indent(body, '    '), '    }'];
  const code = [
    ...bs.list.map((b, i) => `@group(0) @binding(${i}) var<storage, ${b.access}> b${i}: array<${storageType(b.value.type.dtype)}>;`),
    ...functions,
    `@compute @workgroup_size(${size})`,
    'fn main(@builtin(local_invocation_index) lid: u32) {',
    `  for (var s = 0u; s < ${l.steps}u; s++) {`,
    ...indent(halves(l.units), '  '),
    ...(gate ? [...overUnits(gate), '    storageBarrier();'] : []),
    ...overUnits(step),
    '    storageBarrier();',
    '  }',
    '}',
  ].join('\n');
  return { code: withHelpers(code), bindings: bs.list, workgroups: [1, 1, 1] };
}

/**
 * Larger layers: a dispatch per step (and per phase) over every unit, the step number read from the state's
 * counter, which a one-invocation dispatch advances after each step. The modules are the same for every
 * step, so the artifact holds each once.
 */
function dispatchPerStep(k: WgslKernelContext, l: Layer, o: Operands, linearBeforeReset: boolean, st: Regions): WgslDispatch[] {
  const phase = (pick: 'gate' | 'step') => {
    const bs = new Bindings(pick === 'step' ? [o.state, ...(o.y ? [o.y] : [])] : [o.state]);
    const code = stepCode(k, l, o, linearBeforeReset, st, bs, 'return');
    const body = [`  let u = i;`, `  let s = u32(${bs.of(o.state)}[${st.counter}u]);`, ...halves(l.units), ...code[pick]!].join('\n');
    return perInvocation({ bindings: bs.list, count: l.units, body, globals: code.functions.join('\n') });
  };
  const counter = new Bindings([o.state]);
  const advance = perInvocation({ bindings: counter.list, count: 1, body: `  ${counter.of(o.state)}[${st.counter}u] += 1.0f;` });
  const gru = k.node.op === 'gru' && !linearBeforeReset;
  const perStep = [...(gru ? [phase('gate')] : []), phase('step'), advance];
  return Array.from({ length: l.steps }, () => perStep).flat();
}
