// Reductions over any set of axes (reduce_*), softmax, log_softmax and hardmax along an axis, arg_max/arg_min,
// and inference batch, layer and instance normalization. One invocation per output element or per row, which
// loops over the reduced elements; statistics take two passes (mean, then the squared deviations), in f32.
import type { Value } from '../../../compiler/ir/graph.js';
import { stridesOf } from '../../../compiler/ir/tensor.js';
import { reductionPlan } from '../../reduction-geometry.js';
import { attrFloat, attrInt, normalizeAxis } from '../../../compiler/ops/util.js';
import { broadcastStridesOf } from '../../loops.js';
import { shapeOf, sizeOfValue } from '../../shapes.js';
import { storageType, wgslLiteral } from '../wgsl-target.js';
import type { WgslDispatch, WgslKernelContext } from './kernel.js';
import { Bindings, offsetsOf, perInvocation, unsupported } from './shader.js';

const prod = (dims: readonly number[]) => dims.reduce((p, d) => p * d, 1);
const f = (x: number) => wgslLiteral(x, 'f32');

/** These kernels compute in f32: f16 and f64 inputs are stored as f32 (wgsl-target.ts), integers are refused. */
function checkF32(k: WgslKernelContext): void {
  const v = k.node.inputs[0];
  if (v && storageType(v.type.dtype) !== 'f32') unsupported(k.node, `${v.type.dtype} input (floats only)`);
}

interface Reducer {
  init: string;
  step(acc: string, v: string): string;
  finish(acc: string, count: number): string;
}

const sum = (term: (v: string) => string, finish: (acc: string, n: number) => string = (a) => a): Reducer => ({
  init: '0.0f',
  step: (acc, v) => `${acc} += ${term(v)};`,
  finish,
});

const REDUCERS: Record<string, Reducer> = {
  reduce_sum: sum((v) => v),
  reduce_mean: sum((v) => v, (a, n) => `${a} / ${f(n)}`),
  reduce_l1: sum((v) => `abs(${v})`),
  reduce_l2: sum((v) => `${v} * ${v}`, (a) => `sqrt(${a})`),
  reduce_sum_square: sum((v) => `${v} * ${v}`),
  reduce_log_sum: sum((v) => v, (a) => `dlc_log(${a})`),
  reduce_prod: { init: '1.0f', step: (a, v) => `${a} *= ${v};`, finish: (a) => a },
  reduce_max: { init: f(-Infinity), step: (a, v) => `${a} = dlc_max(${a}, ${v});`, finish: (a) => a },
  reduce_min: { init: f(Infinity), step: (a, v) => `${a} = dlc_min(${a}, ${v});`, finish: (a) => a },
};

/** WGSL loops over `dims` with element strides `strides`, the element's offset named `off` inside `body`. */
function loops(dims: readonly number[], strides: readonly number[], body: (off: string) => string, name: string): string {
  if (dims.length === 0) return `  { let ${name}off = 0u;\n${body(`${name}off`)}\n  }`;
  const open = dims.map((d, j) => `  for (var ${name}${j} = 0u; ${name}${j} < ${d}u; ${name}${j}++) {`).join('\n');
  const off = dims.map((_, j) => (strides[j] === 1 ? `${name}${j}` : `${name}${j} * ${strides[j]}u`)).join(' + ');
  return `${open}\n  let ${name}off = ${off};\n${body(`${name}off`)}\n${dims.map(() => '  }').join('\n')}`;
}

export function reduceKernel(k: WgslKernelContext): WgslDispatch[] {
  checkF32(k);
  const [x, y] = [k.input(0), k.output(0)];
  const xs = shapeOf(x);
  const { axes, kept, keptShape, count, strides: st, logSumExp: lse, accumulation } = reductionPlan(k, xs, (detail) => unsupported(k.node, detail));
  const r = REDUCERS[accumulation] ?? unsupported(k.node);
  if (sizeOfValue(y) === 0) return [];
  const b = new Bindings([y]);
  const [yb, xb] = [b.of(y), b.of(x)];
  const inner = (body: (off: string) => string) => loops(axes.map((a) => xs[a]), axes.map((a) => st[a]), body, 'r');
  const lines = [offsetsOf(keptShape, [kept.map((i) => st[i])], 'i')];
  const load = (off: string) => `${xb}[o0 + ${off}]`;
  if (lse) {
    // log Σ eˣ = m + log Σ e^(x − m) with m the max, so that exp() stays finite.
    lines.push(`  var m = ${f(-Infinity)};`, inner((off) => `    m = dlc_max(m, ${load(off)});`));
    lines.push(`  if ((bitcast<u32>(m) & 0x7fffffffu) >= 0x7f800000u) { m = 0.0f; }`, '  var acc = 0.0f;', inner((off) => `    acc += dlc_exp(${load(off)} - m);`));
    lines.push(`  ${yb}[i] = m + dlc_log(acc);`);
  } else {
    lines.push(`  var acc = ${r.init};`, inner((off) => `    ${r.step('acc', load(off))}`));
    lines.push(`  ${yb}[i] = ${r.finish('acc', count)};`);
  }
  return [perInvocation({ bindings: b.list, count: sizeOfValue(y), body: lines.join('\n') })];
}

/** softmax(x) = e^(x − max) / Σ e^(x − max) along the axis (log_softmax: x − max − log Σ; hardmax: one-hot of the max). */
export function softmaxKernel(k: WgslKernelContext): WgslDispatch[] {
  checkF32(k);
  const [x, y] = [k.input(0), k.output(0)];
  const xs = shapeOf(x);
  const axis = normalizeAxis(attrInt(k.node.attrs, 'axis'), Math.max(xs.length, 1));
  const outer = prod(xs.slice(0, axis));
  const coerce = attrInt(k.node.attrs, 'coerce_2d') !== 0;
  const n = coerce ? prod(xs.slice(axis)) : (xs[axis] ?? 1);
  const inner = coerce ? 1 : prod(xs.slice(axis + 1));
  if (outer * n * inner === 0) return [];
  const b = new Bindings([y]);
  const [yb, xb] = [b.of(y), b.of(x)];
  const px = (j: string) => `${xb}[base + ${j} * ${inner}u]`;
  const py = (j: string) => `${yb}[base + ${j} * ${inner}u]`;
  const lines = [`  let base = (i / ${inner}u) * ${n * inner}u + i % ${inner}u;`];
  if (k.node.op === 'hardmax') {
    // 1 at the first largest element, 0 elsewhere.
    lines.push(
      '  var best = 0u;',
      `  for (var j = 1u; j < ${n}u; j++) { if (${px('j')} > ${px('best')}) { best = j; } }`,
      `  for (var j = 0u; j < ${n}u; j++) { ${py('j')} = select(0.0f, 1.0f, j == best); }`,
    );
  } else {
    lines.push(`  var m = ${f(-Infinity)};`, `  for (var j = 0u; j < ${n}u; j++) { m = dlc_max(m, ${px('j')}); }`, '  var sum = 0.0f;');
    if (k.node.op === 'log_softmax') {
      lines.push(
        `  for (var j = 0u; j < ${n}u; j++) { sum += dlc_exp(${px('j')} - m); }`,
        '  let ls = m + dlc_log(sum);',
        `  for (var j = 0u; j < ${n}u; j++) { ${py('j')} = ${px('j')} - ls; }`,
      );
    } else {
      lines.push(
        `  for (var j = 0u; j < ${n}u; j++) { let e = dlc_exp(${px('j')} - m); ${py('j')} = e; sum += e; }`,
        '  let inv = 1.0f / sum;',
        `  for (var j = 0u; j < ${n}u; j++) { ${py('j')} = ${py('j')} * inv; }`,
      );
    }
  }
  return [perInvocation({ bindings: b.list, count: outer * inner, body: lines.join('\n') })];
}

/** y = (x − mean_c)·scale_c / √(var_c + ε) + bias_c, per element. */
export function batchNormKernel(k: WgslKernelContext): WgslDispatch[] {
  checkF32(k);
  const [x, scale, bias, mean, variance, y] = [k.input(0), k.input(1), k.input(2), k.input(3), k.input(4), k.output(0)];
  if (k.node.outputs.length > 1) unsupported(k.node, 'training-mode outputs');
  const xs = shapeOf(x);
  const c = xs[1] ?? 1;
  const inner = prod(xs.slice(2));
  if (sizeOfValue(scale) !== c) unsupported(k.node, 'per-position statistics (spatial = 0)');
  if (sizeOfValue(y) === 0) return [];
  const bs = new Bindings([y]);
  const [yb, xb, sb, bb, mb, vb] = [y, x, scale, bias, mean, variance].map((v) => bs.of(v));
  const body = [
    `  let ch = (i / ${inner}u) % ${c}u;`,
    `  let a = ${sb}[ch] / sqrt(${vb}[ch] + ${f(attrFloat(k.node.attrs, 'epsilon'))});`,
    `  ${yb}[i] = (${xb}[i] - ${mb}[ch]) * a + ${bb}[ch];`,
  ].join('\n');
  return [perInvocation({ bindings: bs.list, count: sizeOfValue(y), body })];
}

/** Mean and 1/√(var + ε) of `len` elements from `base`, as locals m and inv. */
function statistics(xb: string, len: number, eps: number): string[] {
  return [
    '  var sum = 0.0f;',
    `  for (var j = 0u; j < ${len}u; j++) { sum += ${xb}[base + j]; }`,
    `  let m = sum / ${f(len)};`,
    '  var sq = 0.0f;',
    `  for (var j = 0u; j < ${len}u; j++) { let d = ${xb}[base + j] - m; sq += d * d; }`,
    `  let inv = 1.0f / sqrt(sq / ${f(len)} + ${f(eps)});`,
  ];
}

/** y = (x − mean) / √(var + ε) · scale + bias over the axes from `axis` on, one invocation per row. */
export function layerNormKernel(k: WgslKernelContext): WgslDispatch[] {
  checkF32(k);
  const [x, scale, bias, y] = [k.input(0), k.input(1), k.node.inputs[2], k.output(0)];
  const xs = shapeOf(x);
  const axis = normalizeAxis(attrInt(k.node.attrs, 'axis'), xs.length);
  const norm = xs.slice(axis);
  const rows = prod(xs.slice(0, axis));
  const len = prod(norm);
  if (rows * len === 0) return [];
  const [meanOut, invStdOut] = [k.node.outputs[1], k.node.outputs[2]];
  const bs = new Bindings(k.node.outputs.filter((v): v is Value => !!v));
  const [yb, xb, sb] = [bs.of(y), bs.of(x), bs.of(scale)];
  const biasB = bias ? bs.of(bias) : '';
  const strides = [stridesOf(norm), broadcastStridesOf(shapeOf(scale), norm), bias ? broadcastStridesOf(shapeOf(bias), norm) : norm.map(() => 0)];
  const lines = [`  let base = i * ${len}u;`, ...statistics(xb, len, attrFloat(k.node.attrs, 'epsilon'))];
  lines.push(`  for (var e = 0u; e < ${len}u; e++) {`, offsetsOf(norm, strides, 'e', 'n'));
  lines.push(`  ${yb}[base + n0] = (${xb}[base + n0] - m) * inv * ${sb}[n1]${bias ? ` + ${biasB}[n2]` : ''};`, '  }');
  if (meanOut) lines.push(`  ${bs.of(meanOut)}[i] = m;`);
  if (invStdOut) lines.push(`  ${bs.of(invStdOut)}[i] = inv;`);
  return [perInvocation({ bindings: bs.list, count: rows, body: lines.join('\n') })];
}

/** y = (x − mean) / √(var + ε) · scale[c] + bias[c] over each (n, c) plane, one invocation per plane. */
export function instanceNormKernel(k: WgslKernelContext): WgslDispatch[] {
  checkF32(k);
  const [x, scale, bias, y] = [k.input(0), k.input(1), k.input(2), k.output(0)];
  const xs = shapeOf(x);
  const c = xs[1];
  const len = prod(xs.slice(2));
  if (sizeOfValue(y) === 0) return [];
  const bs = new Bindings([y]);
  const [yb, xb, sb, bb] = [y, x, scale, bias].map((v) => bs.of(v));
  const lines = [`  let base = i * ${len}u;`, ...statistics(xb, len, attrFloat(k.node.attrs, 'epsilon'))];
  lines.push(`  let a = ${sb}[i % ${c}u] * inv;`, `  let t = ${bb}[i % ${c}u] - m * a;`);
  lines.push(`  for (var j = 0u; j < ${len}u; j++) { ${yb}[base + j] = ${xb}[base + j] * a + t; }`);
  return [perInvocation({ bindings: bs.list, count: xs[0] * c, body: lines.join('\n') })];
}

/** The index of the first (or, with select_last_index, last) largest or smallest element along the axis. */
export function argReduceKernel(k: WgslKernelContext): WgslDispatch[] {
  const [x, y] = [k.input(0), k.output(0)];
  const xs = shapeOf(x);
  const axis = normalizeAxis(attrInt(k.node.attrs, 'axis'), xs.length);
  const d = xs[axis];
  if (d === 0) unsupported(k.node, 'an empty axis');
  const inner = prod(xs.slice(axis + 1));
  if (sizeOfValue(y) === 0) return [];
  const b = new Bindings([y]);
  const [yb, xb] = [b.of(y), b.of(x)];
  const cmp = k.node.op === 'arg_max' ? '>' : '<';
  const last = attrInt(k.node.attrs, 'select_last_index') !== 0;
  const px = (j: string) => `${xb}[base + ${j} * ${inner}u]`;
  const body = [
    `  let base = (i / ${inner}u) * ${d * inner}u + i % ${inner}u;`,
    '  var best = 0u;',
    `  var bestV = ${px('0u')};`,
    `  for (var j = 1u; j < ${d}u; j++) {`,
    `    let v = ${px('j')};`,
    `    if (v ${cmp} bestV${last ? ' || v == bestV' : ''}) { best = j; bestV = v; }`,
    '  }',
    `  ${yb}[i] = ${y.type.dtype.startsWith('u') ? 'best' : 'i32(best)'};`,
  ].join('\n');
  return [perInvocation({ bindings: b.list, count: sizeOfValue(y), body })];
}
