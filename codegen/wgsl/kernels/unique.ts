// unique: the distinct slices of x along its axis (of the flattened x without one), in first-occurrence or
// ascending order, with each one's first index, each input slice's position among them and their counts.
// One invocation, O(d²) slice comparisons over d slices (see run-time-sized.ts for why one invocation). The
// count of distinct slices is the extent of outputs 0, 1 and 3 (compiler/run-time-dims.ts).
import type { Value } from '../../../compiler/ir/graph.js';
import { aroundAxis } from '../../run-time-extent.js';
import { shapeOf } from '../../shapes.js';
import type { WgslDispatch, WgslKernelContext } from './kernel.js';
import { Bindings } from './shader.js';
import { singleInvocation, storeExtent } from './run-time-sized.js';

export function uniqueKernel(k: WgslKernelContext): WgslDispatch[] {
  const x = k.input(0);
  const [y, indices, inverse, counts] = [0, 1, 2, 3].map((i) => k.outputs[i] as Value | undefined);
  const { outer, extent, inner } = aroundAxis(shapeOf(x), k.node.attrs.axis as number | undefined);
  const sorted = k.node.attrs.sorted !== 0;
  // firsts[u]: the first index of the u-th distinct slice (in output order once sorted).
  const firsts = k.scratch('i32', [Math.max(extent, 1)]);
  const written = [y, indices, inverse, counts].filter((v): v is Value => v !== undefined);
  const b = new Bindings([...written, firsts]);
  const xb = b.of(x);
  const fb = b.of(firsts);
  b.declare([
    'fn compareSlices(i: i32, j: i32) -> i32 {',
    `  for (var o = 0i; o < ${outer}; o++) {`,
    `    for (var q = 0i; q < ${inner}; q++) {`,
    `      let a = ${xb}[(o * ${extent} + i) * ${inner} + q];`,
    `      let c = ${xb}[(o * ${extent} + j) * ${inner} + q];`,
    '      if (a != c) { return select(1i, -1i, a < c); }',
    '    }',
    '  }',
    '  return 0i;',
    '}',
  ].join('\n'));
  const body = [
    '  var u = 0i;',
    `  for (var e = 0i; e < ${extent}; e++) {`,
    '    var seen = false;',
    `    for (var v = 0i; v < u; v++) { if (compareSlices(${fb}[v], e) == 0) { seen = true; break; } }`,
    `    if (!seen) { ${fb}[u] = e; u++; }`,
    '  }',
  ];
  if (sorted) {
    // Insertion sort of the distinct slices (no two compare equal).
    body.push(
      '  for (var a = 1i; a < u; a++) {',
      `    let f = ${fb}[a];`,
      '    var p = a - 1;',
      `    while (p >= 0) { if (compareSlices(${fb}[p], f) <= 0) { break; } ${fb}[p + 1] = ${fb}[p]; p--; }`,
      `    ${fb}[p + 1] = f;`,
      '  }',
    );
  }
  if (y) {
    const yb = b.of(y);
    body.push(
      `  for (var o = 0i; o < ${outer}; o++) { for (var v = 0i; v < u; v++) { for (var q = 0i; q < ${inner}; q++) {`,
      `    ${yb}[(o * u + v) * ${inner} + q] = ${xb}[(o * ${extent} + ${fb}[v]) * ${inner} + q];`,
      '  } } }',
      storeExtent(y, yb, 'u'),
    );
  }
  if (indices) {
    const ib = b.of(indices);
    body.push(`  for (var v = 0i; v < u; v++) { ${ib}[v] = ${fb}[v]; }`, storeExtent(indices, ib, 'u'));
  }
  if (counts) body.push(`  for (var v = 0i; v < u; v++) { ${b.of(counts)}[v] = 0i; }`);
  if (inverse || counts) {
    body.push(
      `  for (var e = 0i; e < ${extent}; e++) {`,
      '    var v = 0i;',
      `    while (compareSlices(${fb}[v], e) != 0) { v++; }`,
      ...(inverse ? [`    ${b.of(inverse)}[e] = v;`] : []),
      ...(counts ? [`    ${b.of(counts)}[v] += 1i;`] : []),
      '  }',
    );
  }
  if (counts) body.push(storeExtent(counts, b.of(counts), 'u'));
  return singleInvocation(b, body);
}
