// resize (nearest and linear) over the last two axes, one invocation per output element. The sampling tables
// of codegen/resize-tables.ts travel as two constants: the source indices [rows i0 | rows i1 | cols i0 |
// cols i1] and the weights of the second neighbour [rows | cols].
import { Tensor } from '../../../compiler/ir/tensor.js';
import { shapeOf, sizeOfValue } from '../../shapes.js';
import { resizePlan } from '../../resize-tables.js';
import type { WgslDispatch, WgslKernelContext } from './kernel.js';
import { Bindings, perInvocation, unsupported } from './shader.js';

export function resizeKernel(k: WgslKernelContext): WgslDispatch[] {
  const [x, y] = [k.input(0), k.output(0)];
  if (x.type.dtype !== 'f32') unsupported(k.node, `${x.type.dtype} input (f32 only)`);
  const scalesT = k.node.inputs[2] ? k.constantOf(k.node.inputs[2]) : undefined;
  const p = resizePlan(k.node, shapeOf(x), shapeOf(y), scalesT, (d) => unsupported(k.node, d));
  if (sizeOfValue(y) === 0) return [];
  const index = k.constant(Tensor.fromArray('i32', [2 * (p.outH + p.outW)], [...p.rows.i0, ...p.rows.i1, ...p.cols.i0, ...p.cols.i1]));
  const b = new Bindings([y]);
  const [yb, xb, ib] = [b.of(y), b.of(x), b.of(index)];
  // Only linear blending reads the weights.
  const wb = p.mode === 'linear' ? b.of(k.constant(Tensor.fromArray('f32', [p.outH + p.outW], [...p.rows.w, ...p.cols.w]))) : '';
  const body = [
    `  let w = i % ${p.outW}u;`,
    `  let h = (i / ${p.outW}u) % ${p.outH}u;`,
    `  let plane = (i / ${p.outW * p.outH}u) * ${p.inH * p.inW}u;`,
    `  let r0 = plane + u32(${ib}[h]) * ${p.inW}u;`,
    `  let c0 = u32(${ib}[${2 * p.outH}u + w]);`,
    p.mode === 'nearest'
      ? `  ${yb}[i] = ${xb}[r0 + c0];`
      : [
          `  let r1 = plane + u32(${ib}[${p.outH}u + h]) * ${p.inW}u;`,
          `  let c1 = u32(${ib}[${2 * p.outH + p.outW}u + w]);`,
          `  let fh = ${wb}[h];`,
          `  let fw = ${wb}[${p.outH}u + w];`,
          `  let top = ${xb}[r0 + c0] + fw * (${xb}[r0 + c1] - ${xb}[r0 + c0]);`,
          `  let bottom = ${xb}[r1 + c0] + fw * (${xb}[r1 + c1] - ${xb}[r1 + c0]);`,
          `  ${yb}[i] = top + fh * (bottom - top);`,
        ].join('\n'),
  ].join('\n');
  return [perInvocation({ bindings: b.list, count: sizeOfValue(y), body })];
}
