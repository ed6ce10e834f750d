// max_unpool: every input element stored at the position its index names, zeros elsewhere. Indices address
// the natural unpooled shape (codegen/window-geometry.ts); a larger output_shape keeps their coordinates. The
// elements are stored in order, so where indices repeat the last one stays, as in the reference. An index
// outside the natural shape (an error in the reference) is skipped.
import { stridesOf } from '../../../compiler/ir/tensor.js';
import { unpooledShape } from '../../window-geometry.js';
import { asLiteral, asType } from '../as-target.js';
import { at, shapeOf, sizeOfValue, type KernelContext } from './kernel.js';

export function maxUnpoolKernel(k: KernelContext): string {
  const [x, idx, y] = [k.input(0), k.input(1), k.output(0)];
  const count = sizeOfValue(y);
  if (count === 0) return '';
  const natural = unpooledShape(k.node, shapeOf(x));
  const [ns, ys] = [stridesOf(natural), stridesOf(shapeOf(y))];
  const total = natural.reduce((p, d) => p * d, 1);
  const t = asType(y.type.dtype);
  return [
    `for (let o: i32 = 0; o < ${count}; o++) store<${t}>(${at(k.ptr(y), 'o', y.type.dtype)}, ${asLiteral(0, y.type.dtype)});`,
    `for (let e: i32 = 0; e < ${sizeOfValue(x)}; e++) {`,
    `  const v = <i64>load<${asType(idx.type.dtype)}>(${at(k.ptr(idx), 'e', idx.type.dtype)});`,
    `  if (v < 0 || v >= ${total}) continue;`,
    '  let rest = <i32>v;',
    '  let to: i32 = 0;',
    ...natural.map((_, d) => `  to += (rest / ${ns[d]}) * ${ys[d]}; rest %= ${ns[d]};`),
    `  store<${t}>(${at(k.ptr(y), 'to', y.type.dtype)}, load<${t}>(${at(k.ptr(x), 'e', x.type.dtype)}));`,
    '}',
  ].join('\n');
}
