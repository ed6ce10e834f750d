// einsum (compiler/ops/nn-einsum.ts plans it: ellipses, repeated labels, the implicit output form): one
// invocation per output element, which loops over the summed labels and accumulates the product of the
// operands' elements. Each operand walks every label with its own element stride, summed over a label it
// repeats (a diagonal) and 0 where it lacks the label or broadcasts it.
import { stridesOf } from '../../../compiler/ir/tensor.js';
import { planEinsum } from '../../../compiler/ops/nn-einsum.js';
import { attrString } from '../../../compiler/ops/util.js';
import { shapeOf, sizeOfValue } from '../../shapes.js';
import { wgslLiteral } from '../wgsl-target.js';
import type { WgslDispatch, WgslKernelContext } from './kernel.js';
import { Bindings, offsetsOf, perInvocation, stored } from './shader.js';

export function einsumKernel(k: WgslKernelContext): WgslDispatch[] {
  const xs = k.node.inputs.map((_, i) => k.input(i));
  const y = k.output(0);
  const shapes = xs.map(shapeOf);
  const plan = planEinsum(attrString(k.node.attrs, 'equation'), shapes);
  const sizes = plan.labels.map((l) => plan.sizes.get(l) as number);
  const strides = shapes.map((shape, i) => {
    const st = stridesOf(shape);
    return plan.labels.map((l) => plan.terms[i].reduce((acc, t, d) => (t === l && shape[d] !== 1 ? acc + st[d] : acc), 0));
  });
  const kept = plan.output.length;
  const count = sizeOfValue(y);
  if (count === 0) return [];
  const b = new Bindings([y]);
  const yb = b.of(y);
  const operands = xs.map((x) => b.of(x));
  const dtype = y.type.dtype;
  const summed = sizes.slice(kept);
  const lines = [offsetsOf(sizes.slice(0, kept), strides.map((s) => s.slice(0, kept)), 'i'), `  var acc = ${wgslLiteral(0, dtype)};`];
  summed.forEach((n, j) => lines.push(`  for (var s${j} = 0u; s${j} < ${n}u; s${j}++) {`));
  const element = (x: string, i: number) => {
    const terms = summed.flatMap((_, j) => (strides[i][kept + j] === 0 ? [] : [`s${j} * ${strides[i][kept + j]}u`]));
    return `${x}[${[`o${i}`, ...terms].join(' + ')}]`;
  };
  lines.push(`  acc += ${operands.map(element).join(' * ')};`, ...summed.map(() => '  }'));
  lines.push(`  ${yb}[i] = ${stored('acc', dtype)};`);
  return [perInvocation({ bindings: b.list, count, body: lines.join('\n') })];
}
