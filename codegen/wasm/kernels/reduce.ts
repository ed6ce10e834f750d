// Reductions over any set of axes (reduce_*), softmax and log_softmax along an axis, inference batch
// normalization and layer normalization. Sums accumulate in f64, so long rows keep f32 accuracy. In a threaded
// module each thread takes whole output elements, rows or planes, computed by the same code as with one thread.
import { stridesOf } from '../../../compiler/ir/tensor.js';
import { reductionPlan } from '../../reduction-geometry.js';
import { attrFloat, attrInt, normalizeAxis } from '../../../compiler/ops/util.js';
import { asLiteral, asType } from '../as-target.js';
import { at, shapeOf, unsupported, type KernelContext } from './kernel.js';
import { broadcastStridesOf, loopNest } from '../../loops.js';
import { exp4 } from './vector-math.js';
import { isThreaded, sharedLoop, sharedNest } from './threads.js';

function checkF32(k: KernelContext): void {
  for (const v of k.node.inputs.slice(0, 1)) if (v && v.type.dtype !== 'f32') unsupported(k.node, `${v.type.dtype} input (f32 only)`);
}

interface Reducer {
  /** f64 for sums; f32 where the accumulator keeps the input's type (max, min). */
  type: 'f64' | 'f32';
  init: string;
  step(acc: string, v: string): string;
  finish(acc: string, count: number): string;
}

const sum = (f: (v: string) => string, finish: (acc: string, n: number) => string = (a) => a): Reducer => ({
  type: 'f64',
  init: '0.0',
  step: (acc, v) => `${acc} += ${f(`<f64>${v}`)};`,
  finish,
});

const REDUCERS: Record<string, Reducer> = {
  reduce_sum: sum((v) => v),
  reduce_mean: sum((v) => v, (a, n) => `${a} / ${n}.0`),
  reduce_l1: sum((v) => `Math.abs(${v})`),
  reduce_l2: sum((v) => `${v} * ${v}`, (a) => `Math.sqrt(${a})`),
  reduce_sum_square: sum((v) => `${v} * ${v}`),
  reduce_log_sum: sum((v) => v, (a) => `Math.log(${a})`),
  reduce_prod: { type: 'f64', init: '1.0', step: (a, v) => `${a} *= <f64>${v};`, finish: (a) => a },
  reduce_max: { type: 'f32', init: '-Infinity', step: (a, v) => `${a} = max(${a}, ${v});`, finish: (a) => a },
  reduce_min: { type: 'f32', init: 'Infinity', step: (a, v) => `${a} = min(${a}, ${v});`, finish: (a) => a },
};

/** reduce_* of f32 or f64 input (sums accumulate in f64 either way; max and min in the input's type). */
export function reduceKernel(k: KernelContext): string {
  const [x, y] = [k.input(0), k.output(0)];
  const t = x.type.dtype;
  if (t !== 'f32' && t !== 'f64') unsupported(k.node, `${t} input (f32 and f64 only)`);
  const xs = shapeOf(x);
  const { axes, kept, keptShape, count, strides: st, logSumExp: lse, accumulation } = reductionPlan(k, xs, (detail) => unsupported(k.node, detail));
  const r = REDUCERS[accumulation] ?? unsupported(k.node);
  const inner = (body: (off: string) => string) => loopNest({ dims: axes.map((a) => xs[a]), strides: [axes.map((a) => st[a])] }, ([o]) => body(o), 'r');
  const load = (base: string, off: string) => `load<${t}>(${at(k.ptr(x), `${base} + ${off}`, t)})`;
  return sharedNest(k, { dims: keptShape, strides: [stridesOf(keptShape), kept.map((i) => st[i])] }, ([o, base]) => {
    const lines = [`const base: i32 = ${base};`];
    if (lse) {
      // log Σ eˣ = m + log Σ e^(x − m) with m the max, so that exp() stays finite.
      lines.push(`let m: ${t} = -Infinity;`, inner((off) => `m = max(m, ${load('base', off)});`));
      lines.push(`if (!isFinite<${t}>(m)) m = 0;`, 'let acc: f64 = 0.0;', inner((off) => `acc += Math.exp(<f64>(${load('base', off)} - m));`));
      lines.push(`store<${t}>(${at(k.ptr(y), o, t)}, <${t}>(<f64>m + Math.log(acc)));`);
    } else {
      lines.push(`let acc: ${r.type === 'f32' ? t : 'f64'} = ${r.init};`, inner((off) => r.step('acc', load('base', off))));
      lines.push(`store<${t}>(${at(k.ptr(y), o, t)}, <${t}>(${r.finish('acc', count)}));`);
    }
    return lines.join('\n');
  }, 'q');
}

/** softmax(x) = e^(x − max) / Σ e^(x − max) along the axis (log_softmax: x − max − log Σ; hardmax: one-hot of the max). */
/**
 * (log-)softmax over contiguous rows of n: the maximum, the sum of e^(x − max) and the outputs four lanes at a
 * time (exp4), the ragged end of each row in scalars.
 */
function contiguousSoftmax(k: KernelContext, rows: number, n: number, log: boolean): string {
  const e4 = exp4(k);
  const vec = n - (n % 4);
  const fold = (v: string, f: string) => `${f}(${f}(f32x4.extract_lane(${v}, 0), f32x4.extract_lane(${v}, 1)), ${f}(f32x4.extract_lane(${v}, 2), f32x4.extract_lane(${v}, 3)))`;
  const add = (v: string) => `(f32x4.extract_lane(${v}, 0) + f32x4.extract_lane(${v}, 1) + f32x4.extract_lane(${v}, 2) + f32x4.extract_lane(${v}, 3))`;
  return [
    sharedLoop(k, 'o', rows),
    `  const xr: usize = ${k.ptr(k.input(0))} + o * ${n * 4};`,
    `  const yr: usize = ${k.ptr(k.output(0))} + o * ${n * 4};`,
    '  let m4 = f32x4.splat(-Infinity);',
    `  for (let j: i32 = 0; j < ${vec}; j += 4) m4 = f32x4.max(m4, v128.load(xr + j * 4));`,
    `  let m: f32 = ${fold('m4', 'max')};`,
    `  for (let j: i32 = ${vec}; j < ${n}; j++) m = max(m, load<f32>(xr + j * 4));`,
    '  const mv = f32x4.splat(m);',
    '  let s4 = f32x4.splat(0);',
    `  for (let j: i32 = 0; j < ${vec}; j += 4) {`,
    `    const e = ${e4}(f32x4.sub(v128.load(xr + j * 4), mv));`,
    log ? '' : '    v128.store(yr + j * 4, e);',
    '    s4 = f32x4.add(s4, e);',
    '  }',
    `  let sum: f32 = ${add('s4')};`,
    `  for (let j: i32 = ${vec}; j < ${n}; j++) { const e = Mathf.exp(load<f32>(xr + j * 4) - m);${log ? '' : ' store<f32>(yr + j * 4, e);'} sum += e; }`,
    ...(log
      ? [
          '  const ls: f32 = m + Mathf.log(sum);',
          '  const ls4 = f32x4.splat(ls);',
          `  for (let j: i32 = 0; j < ${vec}; j += 4) v128.store(yr + j * 4, f32x4.sub(v128.load(xr + j * 4), ls4));`,
          `  for (let j: i32 = ${vec}; j < ${n}; j++) store<f32>(yr + j * 4, load<f32>(xr + j * 4) - ls);`,
        ]
      : [
          '  const inv: f32 = <f32>1 / sum;',
          '  const inv4 = f32x4.splat(inv);',
          `  for (let j: i32 = 0; j < ${vec}; j += 4) v128.store(yr + j * 4, f32x4.mul(v128.load(yr + j * 4), inv4));`,
          `  for (let j: i32 = ${vec}; j < ${n}; j++) store<f32>(yr + j * 4, load<f32>(yr + j * 4) * inv);`,
        ]),
    '}',
  ].filter(Boolean).join('\n');
}

export function softmaxKernel(k: KernelContext): string {
  checkF32(k);
  const [x, y] = [k.input(0), k.output(0)];
  const xs = shapeOf(x);
  const axis = normalizeAxis(attrInt(k.node.attrs, 'axis'), Math.max(xs.length, 1));
  const outer = xs.slice(0, axis).reduce((p, d) => p * d, 1);
  const coerce = attrInt(k.node.attrs, 'coerce_2d') !== 0;
  const n = coerce ? xs.slice(axis).reduce((p, d) => p * d, 1) : (xs[axis] ?? 1);
  const inner = coerce ? 1 : xs.slice(axis + 1).reduce((p, d) => p * d, 1);
  const log = k.node.op === 'log_softmax';
  const px = (j: string) => `${k.ptr(x)} + (base + ${j} * ${inner}) * 4`;
  const py = (j: string) => `${k.ptr(y)} + (base + ${j} * ${inner}) * 4`;
  // Every (outer, inner) position, base its first element: threaded, a share of their flat index p.
  const positions = isThreaded(k)
    ? [sharedLoop(k, 'p', outer * inner), `  const base = p / ${inner} * ${n * inner} + p % ${inner};`]
    : [`for (let o: i32 = 0; o < ${outer}; o++) for (let i: i32 = 0; i < ${inner}; i++) {`, `  const base = o * ${n * inner} + i;`];
  if (k.node.op === 'hardmax') {
    // 1 at the first largest element, 0 elsewhere.
    return [
      ...positions,
      '  let best: i32 = 0;',
      `  for (let j: i32 = 1; j < ${n}; j++) if (load<f32>(${px('j')}) > load<f32>(${px('best')})) best = j;`,
      `  for (let j: i32 = 0; j < ${n}; j++) store<f32>(${py('j')}, j == best ? <f32>1 : <f32>0);`,
      '}',
    ].join('\n');
  }
  if (inner === 1) return contiguousSoftmax(k, outer, n, log);
  return [
    ...positions,
    '  let m: f32 = -Infinity;',
    `  for (let j: i32 = 0; j < ${n}; j++) m = max(m, load<f32>(${px('j')}));`,
    '  let sum: f32 = 0;',
    log
      ? `  for (let j: i32 = 0; j < ${n}; j++) sum += Mathf.exp(load<f32>(${px('j')}) - m);`
      : `  for (let j: i32 = 0; j < ${n}; j++) { const e = Mathf.exp(load<f32>(${px('j')}) - m); store<f32>(${py('j')}, e); sum += e; }`,
    log
      ? `  const ls = m + Mathf.log(sum);\n  for (let j: i32 = 0; j < ${n}; j++) store<f32>(${py('j')}, load<f32>(${px('j')}) - ls);`
      : `  const inv: f32 = <f32>1 / sum;\n  for (let j: i32 = 0; j < ${n}; j++) store<f32>(${py('j')}, load<f32>(${py('j')}) * inv);`,
    '}',
  ].join('\n');
}

/** y = x·a[c] + t[c] with a = scale / √(var + ε), t = bias − mean·a, computed per channel at run time. */
export function batchNormKernel(k: KernelContext): string {
  checkF32(k);
  const [x, scale, bias, mean, variance, y] = [k.input(0), k.input(1), k.input(2), k.input(3), k.input(4), k.output(0)];
  if (k.node.outputs.length > 1) unsupported(k.node, 'training-mode outputs');
  const xs = shapeOf(x);
  const c = xs[1] ?? 1;
  const inner = xs.slice(2).reduce((p, d) => p * d, 1);
  if (shapeOf(scale).reduce((p, d) => p * d, 1) !== c) unsupported(k.node, 'per-position statistics (spatial = 0)');
  const eps = asLiteral(attrFloat(k.node.attrs, 'epsilon'), 'f32');
  const ld = (v: typeof x) => `load<f32>(${k.ptr(v)} + ch * 4)`;
  return [
    sharedLoop(k, 'p', xs[0] * c),
    `  const ch = p % ${c};`,
    `  const a: f32 = ${ld(scale)} / Mathf.sqrt(${ld(variance)} + ${eps});`,
    `  const t: f32 = ${ld(bias)} - ${ld(mean)} * a;`,
    `  const xp: usize = ${k.ptr(x)} + p * ${inner * 4};`,
    `  const yp: usize = ${k.ptr(y)} + p * ${inner * 4};`,
    '  const a4 = f32x4.splat(a);',
    '  const t4 = f32x4.splat(t);',
    '  let i: i32 = 0;',
    `  for (; i + 4 <= ${inner}; i += 4) v128.store(yp + i * 4, f32x4.add(f32x4.mul(v128.load(xp + i * 4), a4), t4));`,
    `  for (; i < ${inner}; i++) store<f32>(yp + i * 4, load<f32>(xp + i * 4) * a + t);`,
    '}',
  ].join('\n');
}

/** y = (x − mean) / √(var + ε) · scale + bias over the axes from `axis` on, statistics in f64 (two passes). */
export function layerNormKernel(k: KernelContext): string {
  checkF32(k);
  const [x, scale, bias, y] = [k.input(0), k.input(1), k.node.inputs[2], k.output(0)];
  const xs = shapeOf(x);
  const axis = normalizeAxis(attrInt(k.node.attrs, 'axis'), xs.length);
  const norm = xs.slice(axis);
  const rows = xs.slice(0, axis).reduce((p, d) => p * d, 1);
  const len = norm.reduce((p, d) => p * d, 1);
  const eps = attrFloat(k.node.attrs, 'epsilon');
  const [meanOut, invStdOut] = [k.node.outputs[1], k.node.outputs[2]];
  const px = (o: string) => `load<f32>(${k.ptr(x)} + (base + ${o}) * 4)`;
  const strides = [stridesOf(norm), broadcastStridesOf(shapeOf(scale), norm), bias ? broadcastStridesOf(shapeOf(bias), norm) : norm.map(() => 0)];
  const apply = loopNest({ dims: norm, strides }, ([o, os, ob]) => {
    const b = bias ? ` + load<f32>(${at(k.ptr(bias), ob, 'f32')})` : '';
    return `store<f32>(${k.ptr(y)} + (base + ${o}) * 4, <f32>((<f64>${px(o)} - m) * inv) * load<f32>(${at(k.ptr(scale), os, 'f32')})${b});`;
  }, 'n');
  return [
    sharedLoop(k, 'r', rows),
    `  const base: i32 = r * ${len};`,
    '  let sum: f64 = 0;',
    `  for (let i: i32 = 0; i < ${len}; i++) sum += <f64>${px('i')};`,
    `  const m: f64 = sum / ${len}.0;`,
    '  let sq: f64 = 0;',
    `  for (let i: i32 = 0; i < ${len}; i++) { const d = <f64>${px('i')} - m; sq += d * d; }`,
    `  const inv: f64 = 1.0 / Math.sqrt(sq / ${len}.0 + ${eps});`,
    apply,
    meanOut ? `  store<f32>(${k.ptr(meanOut)} + r * 4, <f32>m);` : '',
    invStdOut ? `  store<f32>(${k.ptr(invStdOut)} + r * 4, <f32>inv);` : '',
    '}',
  ].filter(Boolean).join('\n');
}

/** The index of the first (or, with select_last_index, last) largest or smallest element along the axis. */
export function argReduceKernel(k: KernelContext): string {
  const [x, y] = [k.input(0), k.output(0)];
  const xs = shapeOf(x);
  const axis = normalizeAxis(attrInt(k.node.attrs, 'axis'), xs.length);
  const d = xs[axis];
  if (d === 0) unsupported(k.node, 'an empty axis');
  const inner = xs.slice(axis + 1).reduce((p, v) => p * v, 1);
  const outer = xs.slice(0, axis).reduce((p, v) => p * v, 1);
  const t = asType(x.type.dtype);
  const cmp = k.node.op === 'arg_max' ? '>' : '<';
  const last = attrInt(k.node.attrs, 'select_last_index') !== 0;
  const px = (j: string) => `load<${t}>(${at(k.ptr(x), `(o * ${d} + ${j}) * ${inner} + i`, x.type.dtype)})`;
  return [
    ...(isThreaded(k)
      ? [sharedLoop(k, 'p', outer * inner), `  const o: i32 = p / ${inner}, i: i32 = p % ${inner};`]
      : [`for (let o: i32 = 0; o < ${outer}; o++) for (let i: i32 = 0; i < ${inner}; i++) {`]),
    '  let best: i32 = 0;',
    `  let bestV = ${px('0')};`,
    `  for (let j: i32 = 1; j < ${d}; j++) {`,
    `    const v = ${px('j')};`,
    `    if (v ${cmp} bestV${last ? ' || v == bestV' : ''}) { best = j; bestV = v; }`,
    '  }',
    `  store<i64>(${at(k.ptr(y), `o * ${inner} + i`, 'i64')}, <i64>best);`,
    '}',
  ].join('\n');
}

/** y = (x − mean) / √(var + ε) · scale[c] + bias[c] over each (n, c) plane, statistics in f64. */
export function instanceNormKernel(k: KernelContext): string {
  checkF32(k);
  const [x, scale, bias, y] = [k.input(0), k.input(1), k.input(2), k.output(0)];
  const xs = shapeOf(x);
  const c = xs[1];
  const len = xs.slice(2).reduce((p, d) => p * d, 1);
  const eps = attrFloat(k.node.attrs, 'epsilon');
  const px = (i: string) => `load<f32>(${k.ptr(x)} + (base + ${i}) * 4)`;
  return [
    sharedLoop(k, 'p', xs[0] * c),
    `  const base: i32 = p * ${len};`,
    '  let sum: f64 = 0;',
    `  for (let i: i32 = 0; i < ${len}; i++) sum += <f64>${px('i')};`,
    `  const m: f64 = sum / ${len}.0;`,
    '  let sq: f64 = 0;',
    `  for (let i: i32 = 0; i < ${len}; i++) { const d = <f64>${px('i')} - m; sq += d * d; }`,
    `  const a: f64 = <f64>load<f32>(${k.ptr(scale)} + (p % ${c}) * 4) / Math.sqrt(sq / ${len}.0 + ${eps});`,
    `  const t: f64 = <f64>load<f32>(${k.ptr(bias)} + (p % ${c}) * 4) - m * a;`,
    `  for (let i: i32 = 0; i < ${len}; i++) store<f32>(${k.ptr(y)} + (base + i) * 4, <f32>(<f64>${px('i')} * a + t));`,
    '}',
  ].join('\n');
}
