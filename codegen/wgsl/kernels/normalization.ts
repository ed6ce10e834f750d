// Normalizations reduce.ts lacks: lrn (across a window of channels, one invocation per element) and
// mean_variance_normalization (over any set of axes, one invocation per group of the kept axes), in f32.
import { stridesOf } from '../../../compiler/ir/tensor.js';
import { attrFloat, attrInt, attrInts, normalizeAxis } from '../../../compiler/ops/util.js';
import { shapeOf, sizeOfValue } from '../../shapes.js';
import { storageType, wgslLiteral } from '../wgsl-target.js';
import type { WgslDispatch, WgslKernelContext } from './kernel.js';
import { Bindings, offsetsOf, perInvocation, unsupported } from './shader.js';

const prod = (dims: readonly number[]) => dims.reduce((p, d) => p * d, 1);
const f = (x: number) => wgslLiteral(x, 'f32');

function checkF32(k: WgslKernelContext): void {
  const v = k.input(0);
  if (storageType(v.type.dtype) !== 'f32') unsupported(k.node, `${v.type.dtype} input (floats only)`);
}

/** y = x / (bias + α/size · Σ x[c']²)^β, c' over the channels from c − ⌊(size − 1)/2⌋ to c + ⌈(size − 1)/2⌉. */
export function lrnKernel(k: WgslKernelContext): WgslDispatch[] {
  checkF32(k);
  const [x, y] = [k.input(0), k.output(0)];
  const xs = shapeOf(x);
  const count = sizeOfValue(y);
  if (count === 0) return [];
  const c = xs[1];
  const inner = prod(xs.slice(2));
  const size = attrInt(k.node.attrs, 'size');
  const [before, after] = [Math.floor((size - 1) / 2), Math.ceil((size - 1) / 2)];
  const b = new Bindings([y]);
  const [yb, xb] = [b.of(y), b.of(x)];
  const body = [
    `  let ch = i32((i / ${inner}u) % ${c}u);`,
    `  let plane = i - u32(ch) * ${inner}u;`,
    '  var sq = 0.0f;',
    `  for (var j = max(ch - ${before}, 0); j <= min(ch + ${after}, ${c - 1}); j++) { let v = ${xb}[plane + u32(j) * ${inner}u]; sq += v * v; }`,
    `  ${yb}[i] = ${xb}[i] / pow(${f(attrFloat(k.node.attrs, 'bias'))} + ${f(attrFloat(k.node.attrs, 'alpha') / size)} * sq, ${f(attrFloat(k.node.attrs, 'beta'))});`,
  ].join('\n');
  return [perInvocation({ bindings: b.list, count, body })];
}

/** WGSL loops over the reduced dims, the element's offset from the group's first named `off` inside `body`. */
function overReduced(dims: readonly number[], strides: readonly number[], body: string): string {
  const open = dims.map((d, j) => `  for (var r${j} = 0u; r${j} < ${d}u; r${j}++) {`);
  const off = dims.map((_, j) => `r${j} * ${strides[j]}u`).join(' + ') || '0u';
  return [...open, `  {\n  let off = o0 + ${off};`, body, '  }', ...dims.map(() => '  }')].join('\n');
}

/** y = (x − mean) / (std + 1e-9) with mean and the (biased) std over `axes`, per group of the other axes. */
export function meanVarianceNormKernel(k: WgslKernelContext): WgslDispatch[] {
  checkF32(k);
  const [x, y] = [k.input(0), k.output(0)];
  const xs = shapeOf(x);
  if (sizeOfValue(y) === 0) return [];
  const axes = new Set((attrInts(k.node.attrs, 'axes') ?? []).map((a) => normalizeAxis(a, xs.length)));
  const st = stridesOf(xs);
  const kept = xs.map((_, i) => i).filter((i) => !axes.has(i));
  const reduced = xs.map((_, i) => i).filter((i) => axes.has(i));
  const [rd, rs] = [reduced.map((i) => xs[i]), reduced.map((i) => st[i])];
  const n = prod(rd);
  const b = new Bindings([y]);
  const [yb, xb] = [b.of(y), b.of(x)];
  // Two passes (the mean, then the squared deviations) keep f32 accurate where E[x²] − mean² would cancel.
  const body = [
    offsetsOf(kept.map((i) => xs[i]), [kept.map((i) => st[i])], 'i'),
    '  var sum = 0.0f;',
    overReduced(rd, rs, `    sum += ${xb}[off];`),
    `  let m = sum / ${f(n)};`,
    '  var sq = 0.0f;',
    overReduced(rd, rs, `    let dv = ${xb}[off] - m; sq += dv * dv;`),
    `  let inv = 1.0f / (sqrt(sq / ${f(n)}) + 1e-9f);`,
    overReduced(rd, rs, `    ${yb}[off] = (${xb}[off] - m) * inv;`),
  ].join('\n');
  return [perInvocation({ bindings: b.list, count: prod(kept.map((i) => xs[i])), body })];
}
