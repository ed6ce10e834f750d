// max_unpool: zeros, then every input element stored at the position its index names. Indices address
// the natural unpooled shape [N, C, (in − 1)·s − pads + k…]; a larger output_shape keeps their coordinates.
// The stores run in one invocation, in input order, so that a repeated index keeps the last value as the
// reference does (max_pool's indices never repeat, so this is cheap where the op is used as intended).
// Shaders have no channel for run-time errors: an index outside the natural shape is skipped.
import { stridesOf } from '../../../compiler/ir/tensor.js';
import { attrInts } from '../../../compiler/ops/util.js';
import { shapeOf, sizeOfValue } from '../../wasm/kernels/kernel.js';
import { wgslLiteral } from '../wgsl-target.js';
import type { WgslDispatch, WgslKernelContext } from './kernel.js';
import { Bindings, perInvocation } from './shader.js';

export function maxUnpoolKernel(k: WgslKernelContext): WgslDispatch[] {
  const [x, idx, y] = [k.input(0), k.input(1), k.output(0)];
  const xs = shapeOf(x);
  const spatial = xs.slice(2);
  const given = (name: string, fill: number) => {
    const v = attrInts(k.node.attrs, name) ?? [];
    return v.length ? v : [...spatial, ...spatial].map(() => fill);
  };
  const [kernel, strides, pads] = [given('kernel_shape', 1), given('strides', 1), given('pads', 0)];
  const natural = [xs[0], xs[1], ...spatial.map((d, i) => (d - 1) * strides[i] - pads[i] - pads[i + spatial.length] + kernel[i])];
  const count = sizeOfValue(y);
  if (count === 0) return [];
  const zero = new Bindings([y]);
  const dispatches = [perInvocation({ bindings: zero.list, count, body: `  ${zero.of(y)}[i] = ${wgslLiteral(0, y.type.dtype)};` })];
  const n = sizeOfValue(x);
  if (n === 0) return dispatches;
  const b = new Bindings([y]);
  const [yb, xb, ib] = [b.of(y), b.of(x), b.of(idx)];
  const [ns, os] = [stridesOf(natural), stridesOf(shapeOf(y))];
  const total = natural.reduce((p, d) => p * d, 1);
  const body = [
    `  for (var e = 0u; e < ${n}u; e++) {`,
    `    let v = i32(${ib}[e]);`,
    `    if (v < 0 || v >= ${total}) { continue; }`,
    '    var rest = u32(v);',
    '    var at = 0u;',
    ...natural.map((_, d) => `    at += (rest / ${ns[d]}u) * ${os[d]}u; rest = rest % ${ns[d]}u;`),
    `    ${yb}[at] = ${xb}[e];`,
    '  }',
  ].join('\n');
  return [...dispatches, perInvocation({ bindings: b.list, count: 1, body })];
}
