// top_k: the K largest (or smallest) elements of each line along the axis, sorted, with their indices: one
// invocation per line runs the partial selection of codegen/top-k-geometry.ts (K passes over the line).
import { shapeOf, sizeOfValue } from '../../shapes.js';
import { topKComparisons, topKGeometry } from '../../top-k-geometry.js';
import { storageType } from '../wgsl-target.js';
import type { WgslDispatch, WgslKernelContext } from './kernel.js';
import { Bindings, perInvocation, unsupported } from './shader.js';

export function topKKernel(k: WgslKernelContext): WgslDispatch[] {
  const [x, values, indices] = [k.input(0), k.output(0), k.outputs[1]];
  const { outer, d, inner, k: count, largest } = topKGeometry(k.node.attrs, shapeOf(x), shapeOf(values), (detail) => unsupported(k.node, detail));
  if (sizeOfValue(values) === 0) return [];
  const t = storageType(x.type.dtype);
  const b = new Bindings(k.outputs);
  const [vb, xb] = [b.of(values), b.of(x)];
  const ib = indices ? b.of(indices) : undefined;
  const { after, better } = topKComparisons(largest);
  const body = [
    `  let base = (i / ${inner}u) * ${d * inner}u + i % ${inner}u;`,
    `  let out = (i / ${inner}u) * ${count * inner}u + i % ${inner}u;`,
    `  var pv: ${t} = ${t}(0);`,
    '  var pj = -1;',
    `  for (var r = 0u; r < ${count}u; r++) {`,
    `    var bv: ${t} = ${t}(0);`,
    '    var bj = -1;',
    `    for (var j = 0; j < ${d}; j++) {`,
    `      let v = ${xb}[base + u32(j) * ${inner}u];`,
    `      if (pj >= 0 && !${after}) { continue; }`,
    `      if (bj < 0 || ${better}) { bv = v; bj = j; }`,
    '    }',
    `    ${vb}[out + r * ${inner}u] = bv;`,
    ib ? `    ${ib}[out + r * ${inner}u] = ${indices!.type.dtype.startsWith('u') ? 'u32(bj)' : 'bj'};` : '',
    '    pv = bv;',
    '    pj = bj;',
    '  }',
  ].filter((l) => l !== '').join('\n');
  return [perInvocation({ bindings: b.list, count: outer * inner, body })];
}
