// Kernels of outputs whose size depends on data (compiler/run-time-dims.ts): non_zero and compress. Each counts
// first, then writes the elements compactly (row-major of the actual shape) and the count as the output's
// extent word (codegen/run-time-extent.ts). One invocation does the whole op: the outputs' positions depend on
// every element before them (a prefix count), and these ops are small post-processing, not hot paths.
import type { Value } from '../../../compiler/ir/graph.js';
import { aroundAxis, extentByteOffset } from '../../run-time-extent.js';
import { shapeOf, sizeOfValue } from '../../shapes.js';
import { STORAGE_BYTES, storageType } from '../wgsl-target.js';
import type { WgslDispatch, WgslKernelContext } from './kernel.js';
import { Bindings, perInvocation } from './shader.js';

/** Stores `count` (an i32 expression) as the extent word of `y`, bound as `yb`, in y's storage type. */
export function storeExtent(y: Value, yb: string, count: string): string {
  const word = { i32: count, u32: `u32(${count})`, f32: `bitcast<f32>(${count})` }[storageType(y.type.dtype)];
  return `  ${yb}[${extentByteOffset(y, STORAGE_BYTES) / STORAGE_BYTES}] = ${word};`;
}

/** One invocation running `body` over `bindings`. */
export function singleInvocation(b: Bindings, body: string[]): WgslDispatch[] {
  return [perInvocation({ bindings: b.list, count: 1, body: body.join('\n'), globals: b.globals() })];
}

/** non_zero: y[d, j] is coordinate d of the j-th non-zero element of x in row-major order; y is [rank, count]. */
export function nonZeroKernel(k: WgslKernelContext): WgslDispatch[] {
  const [x, y] = [k.input(0), k.output(0)];
  const shape = shapeOf(x);
  const n = sizeOfValue(x);
  const b = new Bindings([y]);
  const [yb, xb] = [b.of(y), b.of(x)];
  const coordinates = shape
    .map((_, d) => d)
    .reverse()
    .map((d) => `      ${yb}[${d} * count + j] = rest % ${shape[d]}; rest /= ${shape[d]};`);
  return singleInvocation(b, [
    '  var count = 0i;',
    `  for (var e = 0i; e < ${n}; e++) { if (${xb}[e] != 0) { count++; } }`,
    '  var j = 0i;',
    `  for (var e = 0i; e < ${n}; e++) {`,
    `    if (${xb}[e] != 0) {`,
    '      var rest = e;',
    ...coordinates,
    '      j++;',
    '    }',
    '  }',
    storeExtent(y, yb, 'count'),
  ]);
}

/** compress: the slices of x along the axis (the flattened x without one) whose condition is non-zero. */
export function compressKernel(k: WgslKernelContext): WgslDispatch[] {
  const [x, cond, y] = [k.input(0), k.input(1), k.output(0)];
  const { outer, extent, inner } = aroundAxis(shapeOf(x), k.node.attrs.axis as number | undefined);
  const considered = Math.min(extent, sizeOfValue(cond));
  const b = new Bindings([y]);
  const [yb, xb, cb] = [b.of(y), b.of(x), b.of(cond)];
  return singleInvocation(b, [
    '  var kept = 0i;',
    `  for (var e = 0i; e < ${considered}; e++) { if (${cb}[e] != 0) { kept++; } }`,
    `  for (var o = 0i; o < ${outer}; o++) {`,
    '    var j = 0i;',
    `    for (var e = 0i; e < ${considered}; e++) {`,
    `      if (${cb}[e] == 0) { continue; }`,
    `      for (var q = 0i; q < ${inner}; q++) { ${yb}[(o * kept + j) * ${inner} + q] = ${xb}[(o * ${extent} + e) * ${inner} + q]; }`,
    '      j++;',
    '    }',
    '  }',
    storeExtent(y, yb, 'kept'),
  ]);
}
