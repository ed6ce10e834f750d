// reverse_sequence: along the time axis, the first lens[b] elements of each batch entry b reversed, the rest
// copied. A length outside [0, T] is clamped into it.
import { stridesOf } from '../../../compiler/ir/tensor.js';
import { attrInt } from '../../../compiler/ops/util.js';
import { asType } from '../as-target.js';
import { at, shapeOf, sizeOfValue, type KernelContext } from './kernel.js';

export function reverseSequenceKernel(k: KernelContext): string {
  const [x, lens, y] = [k.input(0), k.input(1), k.output(0)];
  const xs = shapeOf(x);
  const count = sizeOfValue(y);
  if (count === 0) return '';
  const [batchAxis, timeAxis] = [attrInt(k.node.attrs, 'batch_axis'), attrInt(k.node.attrs, 'time_axis')];
  const st = stridesOf(xs);
  const steps = xs[timeAxis];
  const t = asType(x.type.dtype);
  return [
    `for (let i: i32 = 0; i < ${count}; i++) {`,
    `  const s = (i / ${st[timeAxis]}) % ${steps};`,
    `  const given = <i64>load<${asType(lens.type.dtype)}>(${at(k.ptr(lens), `(i / ${st[batchAxis]}) % ${xs[batchAxis]}`, lens.type.dtype)});`,
    `  const len = <i32>(given < 0 ? 0 : given > ${steps} ? ${steps} : given);`,
    '  const src = s < len ? len - 1 - s : s;',
    `  store<${t}>(${at(k.ptr(y), 'i', y.type.dtype)}, load<${t}>(${at(k.ptr(x), `i + (src - s) * ${st[timeAxis]}`, x.type.dtype)}));`,
    '}',
  ].join('\n');
}
