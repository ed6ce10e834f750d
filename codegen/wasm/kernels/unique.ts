// unique: the distinct slices of x along its axis (of the flattened x without one), in first-occurrence or
// ascending order, with each one's first index, each input slice's position among them and their counts.
// O(d²) slice comparisons over d slices: the op is small post-processing, not a hot path. The count of
// distinct slices is the extent of outputs 0, 1 and 3 (compiler/run-time-dims.ts), written compactly.
import type { Value } from '../../../compiler/ir/graph.js';
import { asLoad } from '../as-target.js';
import { aroundAxis } from '../../run-time-extent.js';
import { at, elementBytes, shapeOf, type KernelContext } from './kernel.js';
import { storeExtent } from './run-time-sized.js';

/** A helper comparing slices i and j of `x` lexicographically: -1, 0 or 1. */
function compareSlices(k: KernelContext, x: Value, outer: number, extent: number, inner: number): string {
  const t = x.type.dtype;
  const name = `unique_compare_${t}_${outer}_${extent}_${inner}`;
  return k.helper(name, () => [
    `function ${name}(x: i32, i: i32, j: i32): i32 {`,
    `  for (let o: i32 = 0; o < ${outer}; o++) for (let q: i32 = 0; q < ${inner}; q++) {`,
    `    const a = ${asLoad(at('x', `(o * ${extent} + i) * ${inner} + q`, t), t)};`,
    `    const b = ${asLoad(at('x', `(o * ${extent} + j) * ${inner} + q`, t), t)};`,
    '    if (a != b) return a < b ? -1 : 1;',
    '  }',
    '  return 0;',
    '}',
  ].join('\n'));
}

export function uniqueKernel(k: KernelContext): string {
  const x = k.input(0);
  const [y, indices, inverse, counts] = [0, 1, 2, 3].map((i) => k.outputs[i] as Value | undefined);
  const { outer, extent, inner } = aroundAxis(shapeOf(x), k.node.attrs.axis as number | undefined);
  const sorted = k.node.attrs.sorted !== 0;
  const cmp = compareSlices(k, x, outer, extent, inner);
  const xp = k.ptr(x);
  // firsts[u]: the first index of the u-th distinct slice (in output order once sorted).
  const firsts = k.scratch(Math.max(extent, 1) * 4);
  const first = (u: string) => `load<i32>(${firsts} + (${u}) * 4)`;
  const rowBytes = inner * elementBytes(x.type.dtype);
  const lines = [
    'let u: i32 = 0;',
    `for (let i: i32 = 0; i < ${extent}; i++) {`,
    '  let seen = false;',
    `  for (let v: i32 = 0; v < u; v++) if (${cmp}(${xp}, ${first('v')}, i) == 0) { seen = true; break; }`,
    `  if (!seen) { store<i32>(${firsts} + u * 4, i); u++; }`,
    '}',
  ];
  if (sorted) {
    // Insertion sort of the distinct slices (no two compare equal).
    lines.push(
      'for (let a: i32 = 1; a < u; a++) {',
      `  const f = ${first('a')};`,
      '  let b = a - 1;',
      `  while (b >= 0 && ${cmp}(${xp}, ${first('b')}, f) > 0) { store<i32>(${firsts} + (b + 1) * 4, ${first('b')}); b--; }`,
      `  store<i32>(${firsts} + (b + 1) * 4, f);`,
      '}',
    );
  }
  if (y) {
    lines.push(
      `for (let o: i32 = 0; o < ${outer}; o++) for (let v: i32 = 0; v < u; v++) {`,
      `  memory.copy(${k.ptr(y)} + (o * u + v) * ${rowBytes}, ${xp} + (o * ${extent} + ${first('v')}) * ${rowBytes}, ${rowBytes});`,
      '}',
      storeExtent(k, y, 'u'),
    );
  }
  if (indices) lines.push(`for (let v: i32 = 0; v < u; v++) store<i64>(${at(k.ptr(indices), 'v', 'i64')}, <i64>${first('v')});`, storeExtent(k, indices, 'u'));
  if (counts) lines.push(`for (let v: i32 = 0; v < u; v++) store<i64>(${at(k.ptr(counts), 'v', 'i64')}, 0);`);
  if (inverse || counts) {
    lines.push(
      `for (let i: i32 = 0; i < ${extent}; i++) {`,
      '  let v: i32 = 0;',
      `  while (${cmp}(${xp}, ${first('v')}, i) != 0) v++;`,
      ...(inverse ? [`  store<i64>(${at(k.ptr(inverse), 'i', 'i64')}, <i64>v);`] : []),
      ...(counts ? [`  store<i64>(${at(k.ptr(counts), 'v', 'i64')}, load<i64>(${at(k.ptr(counts), 'v', 'i64')}) + 1);`] : []),
      '}',
    );
  }
  if (counts) lines.push(storeExtent(k, counts, 'u'));
  return lines.join('\n');
}
