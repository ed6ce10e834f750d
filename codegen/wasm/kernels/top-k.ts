// top_k: the K largest (or smallest) elements of each line along the axis, sorted, with their indices, by
// the partial selection of codegen/top-k-geometry.ts (K passes over the line, no scratch).
import { asType } from '../as-target.js';
import { topKComparisons, topKGeometry } from '../../top-k-geometry.js';
import { at, shapeOf, sizeOfValue, unsupported, type KernelContext } from './kernel.js';

export function topKKernel(k: KernelContext): string {
  const [x, values, indices] = [k.input(0), k.output(0), k.outputs[1]];
  const { outer, d, inner, k: count, largest } = topKGeometry(k.node.attrs, shapeOf(x), shapeOf(values), (detail) => unsupported(k.node, detail));
  if (sizeOfValue(values) === 0) return '';
  const t = asType(x.type.dtype);
  const { after, better } = topKComparisons(largest);
  const out = `(o * ${count} + r) * ${inner} + i`;
  return [
    `for (let o: i32 = 0; o < ${outer}; o++) for (let i: i32 = 0; i < ${inner}; i++) {`,
    `  const base: i32 = o * ${d * inner} + i;`,
    `  let pv: ${t} = 0;`,
    '  let pj: i32 = -1;',
    `  for (let r: i32 = 0; r < ${count}; r++) {`,
    `    let bv: ${t} = 0;`,
    '    let bj: i32 = -1;',
    `    for (let j: i32 = 0; j < ${d}; j++) {`,
    `      const v = load<${t}>(${at(k.ptr(x), `base + j * ${inner}`, x.type.dtype)});`,
    `      if (pj >= 0 && !${after}) continue;`,
    `      if (bj < 0 || ${better}) { bv = v; bj = j; }`,
    '    }',
    `    store<${t}>(${at(k.ptr(values), out, values.type.dtype)}, bv);`,
    indices ? `    store<i64>(${at(k.ptr(indices), out, 'i64')}, <i64>bj);` : '',
    '    pv = bv;',
    '    pj = bj;',
    '  }',
    '}',
  ].filter((l) => l !== '').join('\n');
}
