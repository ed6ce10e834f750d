// Kernels of outputs whose size depends on data (compiler/run-time-dims.ts): non_zero and compress. Each counts
// first, then writes the elements compactly (row-major of the actual shape) and the count as the output's
// extent word (codegen/run-time-extent.ts).
import type { Value } from '../../../compiler/ir/graph.js';
import { asLoad } from '../as-target.js';
import { aroundAxis, extentByteOffset } from '../../run-time-extent.js';
import { at, elementBytes, shapeOf, sizeOfValue, type KernelContext } from './kernel.js';

/** Stores `count` (an i32 expression) as `y`'s extent word. */
export function storeExtent(k: KernelContext, y: Value, count: string): string {
  return `store<i32>(${k.ptr(y)} + ${extentByteOffset(y, elementBytes(y.type.dtype))}, ${count});`;
}

/** Whether element `index` of `v` is non-zero (NaN counts as non-zero). */
function isNonZero(k: KernelContext, v: Value, index: string): string {
  return `${asLoad(at(k.ptr(v), index, v.type.dtype), v.type.dtype)} != 0`;
}

/** non_zero: y[d, j] is coordinate d of the j-th non-zero element of x in row-major order; y is [rank, count]. */
export function nonZeroKernel(k: KernelContext): string {
  const [x, y] = [k.input(0), k.output(0)];
  const shape = shapeOf(x);
  const n = sizeOfValue(x);
  const coordinates = shape
    .map((_, d) => d)
    .reverse()
    .map((d) => `    store<i64>(${at(k.ptr(y), `${d} * count + j`, 'i64')}, <i64>(rest % ${shape[d]})); rest /= ${shape[d]};`);
  return [
    'let count: i32 = 0;',
    `for (let e: i32 = 0; e < ${n}; e++) if (${isNonZero(k, x, 'e')}) count++;`,
    'let j: i32 = 0;',
    `for (let e: i32 = 0; e < ${n}; e++) {`,
    `  if (${isNonZero(k, x, 'e')}) {`,
    '    let rest = e;',
    ...coordinates,
    '    j++;',
    '  }',
    '}',
    storeExtent(k, y, 'count'),
  ].join('\n');
}

/** compress: the slices of x along the axis (the flattened x without one) whose condition is non-zero. */
export function compressKernel(k: KernelContext): string {
  const [x, cond, y] = [k.input(0), k.input(1), k.output(0)];
  const axis = k.node.attrs.axis as number | undefined;
  const { outer, extent, inner } = aroundAxis(shapeOf(x), axis);
  const considered = Math.min(extent, sizeOfValue(cond));
  const rowBytes = inner * elementBytes(x.type.dtype);
  return [
    'let kept: i32 = 0;',
    `for (let i: i32 = 0; i < ${considered}; i++) if (${isNonZero(k, cond, 'i')}) kept++;`,
    `for (let o: i32 = 0; o < ${outer}; o++) {`,
    '  let j: i32 = 0;',
    `  for (let i: i32 = 0; i < ${considered}; i++) {`,
    `    if (${isNonZero(k, cond, 'i')}) {`,
    `      memory.copy(${k.ptr(y)} + (o * kept + j) * ${rowBytes}, ${k.ptr(x)} + (o * ${extent} + i) * ${rowBytes}, ${rowBytes});`,
    '      j++;',
    '    }',
    '  }',
    '}',
    storeExtent(k, y, 'kept'),
  ].join('\n');
}
