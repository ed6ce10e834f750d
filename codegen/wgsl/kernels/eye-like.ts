// eye_like: ones on the k-th diagonal of a 2-D tensor (above the main one for k > 0), zeros elsewhere, in the
// output's dtype; the input contributes only its shape.
import { attrInt } from '../../../compiler/ops/util.js';
import { shapeOf, sizeOfValue } from '../../shapes.js';
import { wgslLiteral } from '../wgsl-target.js';
import type { WgslDispatch, WgslKernelContext } from './kernel.js';
import { Bindings, perInvocation } from './shader.js';

export function eyeLikeKernel(k: WgslKernelContext): WgslDispatch[] {
  const y = k.output(0);
  const count = sizeOfValue(y);
  if (count === 0) return [];
  const cols = shapeOf(y)[1];
  const b = new Bindings([y]);
  const dt = y.type.dtype;
  const body = `  ${b.of(y)}[i] = select(${wgslLiteral(0, dt)}, ${wgslLiteral(1, dt)}, i32(i % ${cols}u) - i32(i / ${cols}u) == ${attrInt(k.node.attrs, 'k')});`;
  return [perInvocation({ bindings: b.list, count, body })];
}
