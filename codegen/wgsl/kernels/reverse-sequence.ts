// reverse_sequence: along the time axis, the first lens[b] elements of each batch entry b reversed, the rest
// copied; one invocation per element reads its source. A length outside [0, T] is clamped into it.
import { stridesOf } from '../../../compiler/ir/tensor.js';
import { attrInt } from '../../../compiler/ops/util.js';
import { shapeOf, sizeOfValue } from '../../shapes.js';
import type { WgslDispatch, WgslKernelContext } from './kernel.js';
import { Bindings, perInvocation } from './shader.js';

export function reverseSequenceKernel(k: WgslKernelContext): WgslDispatch[] {
  const [x, lens, y] = [k.input(0), k.input(1), k.output(0)];
  const xs = shapeOf(x);
  const count = sizeOfValue(y);
  if (count === 0) return [];
  const [batchAxis, timeAxis] = [attrInt(k.node.attrs, 'batch_axis'), attrInt(k.node.attrs, 'time_axis')];
  const st = stridesOf(xs);
  const steps = xs[timeAxis];
  const b = new Bindings([y]);
  const [yb, xb, lb] = [b.of(y), b.of(x), b.of(lens)];
  const body = [
    `  let t = (i / ${st[timeAxis]}u) % ${steps}u;`,
    `  let len = u32(clamp(i32(${lb}[(i / ${st[batchAxis]}u) % ${xs[batchAxis]}u]), 0, ${steps}));`,
    '  let src = select(t, len - 1u - t, t < len);',
    `  ${yb}[i] = ${xb}[i - t * ${st[timeAxis]}u + src * ${st[timeAxis]}u];`,
  ].join('\n');
  return [perInvocation({ bindings: b.list, count, body })];
}
