// Operands given at run time that kernels otherwise want as constants. trilu's k and cum_sum's axis: the
// kernel reads the scalar from its binding (a constant operand goes to the compile-time kernels of
// movement.ts, which bake it in); neither changes the output's shape, so the dispatch's size is known either
// way. (An operand with no elements is known from its shape alone: withEmptyOperandsKnown in
// codegen/movement-geometry.ts.)
import { stridesOf } from '../../../compiler/ir/tensor.js';
import { attrInt } from '../../../compiler/ops/util.js';
import { shapeOf, sizeOfValue } from '../../shapes.js';
import { wgslLiteral } from '../wgsl-target.js';
import type { WgslDispatch, WgslKernelContext } from './kernel.js';
import { cumSumKernel, triluKernel } from './movement.js';
import { Bindings, perInvocation } from './shader.js';

/** y = x where column − row ≥ k (upper) or ≤ k (lower), else 0, over the last two axes. */
export function runTimeTriluKernel(k: WgslKernelContext): WgslDispatch[] {
  const kv = k.node.inputs[1];
  if (!kv || k.constantOf(kv)) return triluKernel(k);
  const [x, y] = [k.input(0), k.output(0)];
  const count = sizeOfValue(y);
  if (count === 0) return [];
  const [rows, cols] = shapeOf(x).slice(-2);
  const b = new Bindings([y]);
  const [yb, xb, kb] = [b.of(y), b.of(x), b.of(kv)];
  const keep = attrInt(k.node.attrs, 'upper') !== 0 ? 'j - r >= diag' : 'j - r <= diag';
  const body = [
    `  let diag = i32(${kb}[0]);`,
    `  let j = i32(i % ${cols}u);`,
    `  let r = i32((i / ${cols}u) % ${rows}u);`,
    `  ${yb}[i] = select(${wgslLiteral(0, x.type.dtype)}, ${xb}[i], ${keep});`,
  ].join('\n');
  return [perInvocation({ bindings: b.list, count, body })];
}

/**
 * y[… c …] = Σ x[… s …] over s ≤ c along the run-time axis (s < c exclusive; s ≥ c, s > c reversed). One
 * invocation per element sums its own prefix: the number of lines along the axis depends on the axis, the
 * number of elements does not, and the O(d) sum per element is small next to a dispatch for the sizes these
 * ops see.
 */
export function runTimeCumSumKernel(k: WgslKernelContext): WgslDispatch[] {
  if (k.constantOf(k.input(1))) return cumSumKernel(k);
  const [x, axis, y] = [k.input(0), k.input(1), k.output(0)];
  const xs = shapeOf(x);
  const count = sizeOfValue(y);
  if (count === 0) return [];
  const rank = Math.max(xs.length, 1);
  const b = new Bindings([y]);
  const [yb, xb, ab] = [b.of(y), b.of(x), b.of(axis)];
  const list = (values: number[]) => `array<u32, ${rank}>(${(values.length ? values : [1]).map((v) => `${v}u`).join(', ')})`;
  const exclusive = attrInt(k.node.attrs, 'exclusive') !== 0;
  const reverse = attrInt(k.node.attrs, 'reverse') !== 0;
  // The range of s along the axis: [0, c] forward, [c, d) reversed, without c itself when exclusive.
  const [from, to] = reverse ? [exclusive ? 'c + 1u' : 'c', 'd'] : ['0u', exclusive ? 'c' : 'c + 1u'];
  const body = [
    `  let dims = ${list(xs)};`,
    `  let strides = ${list(stridesOf(xs))};`,
    `  let a = u32(select(i32(${ab}[0]), i32(${ab}[0]) + ${rank}, i32(${ab}[0]) < 0));`,
    '  let d = dims[a];',
    '  let inner = strides[a];',
    '  let c = (i / inner) % d;',
    '  let base = i - c * inner;',
    `  var acc = ${wgslLiteral(0, x.type.dtype)};`,
    `  for (var s = ${from}; s < ${to}; s++) { acc += ${xb}[base + s * inner]; }`,
    `  ${yb}[i] = acc;`,
  ].join('\n');
  return [perInvocation({ bindings: b.list, count, body })];
}
