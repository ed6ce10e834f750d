// max_pool in the forms the anchor kernel of pool.ts refuses: with the indices output (the flat position of
// each maximum in the input: row-major, or column-major within each plane for storage_order 1) or on
// integer operands. One invocation per output element scans its window; other max pools go to the anchor.
import { attrInt } from '../../../compiler/ops/util.js';
import { shapeOf, sizeOfValue } from '../../shapes.js';
import { poolWindow } from '../../window-geometry.js';
import { storageType } from '../wgsl-target.js';
import { poolKernel } from './pool.js';
import type { WgslDispatch, WgslKernelContext } from './kernel.js';
import { Bindings, perInvocation, unsupported } from './shader.js';

const prod = (d: readonly number[]) => d.reduce((p, v) => p * v, 1);

export function maxPoolKernel(k: WgslKernelContext): WgslDispatch[] | null {
  const x = k.input(0);
  if (k.node.outputs.length < 2 && storageType(x.type.dtype) === 'f32') return poolKernel(k);
  const [y, indices] = [k.output(0), k.node.outputs[1] ? k.output(1) : undefined];
  const g = poolWindow(k.node, shapeOf(x), (detail) => unsupported(k.node, detail));
  const count = sizeOfValue(y);
  if (count === 0) return [];
  const [iD, iH, iW] = g.inDims;
  const [oD, oH, oW] = g.outDims;
  const [inPlane, outPlane] = [prod(g.inDims), prod(g.outDims)];
  const columnMajor = attrInt(k.node.attrs, 'storage_order') === 1;
  const b = new Bindings(indices ? [y, indices] : [y]);
  const [yb, xb] = [b.of(y), b.of(x)];
  const coordinate = (name: string, o: string, j: number, size: number) => [
    `    let ${name} = i32(${o}) * ${g.strides[j]} - ${g.padBegin[j]} + i32(k${name}) * ${g.dilations[j]};`,
    `    if (${name} < 0 || ${name} >= ${size}) { continue; }`,
  ];
  // A NaN is the maximum (the first one in the window), as max_pool without indices propagates it.
  const better = storageType(x.type.dtype) === 'f32' ? 'v > best || (dlc_isnan(v) && !dlc_isnan(best))' : 'v > best';
  const body = [
    `  let ow = i % ${oW}u;`,
    `  let oh = (i / ${oW}u) % ${oH}u;`,
    `  let od = (i / ${oW * oH}u) % ${oD}u;`,
    `  let base = (i / ${outPlane}u) * ${inPlane}u;`,
    `  var best = ${xb}[base];`,
    '  var arg = -1;',
    `  for (var kd = 0; kd < ${g.kernel[0]}; kd++) {`,
    ...coordinate('d', 'od', 0, iD),
    `  for (var kh = 0; kh < ${g.kernel[1]}; kh++) {`,
    ...coordinate('h', 'oh', 1, iH),
    `  for (var kw = 0; kw < ${g.kernel[2]}; kw++) {`,
    ...coordinate('w', 'ow', 2, iW),
    `    let v = ${xb}[base + u32((d * ${iH} + h) * ${iW} + w)];`,
    `    if (arg < 0 || ${better}) { best = v; arg = ${columnMajor ? `d + (h + w * ${iH}) * ${iD}` : `(d * ${iH} + h) * ${iW} + w`}; }`,
    '  }',
    '  }',
    '  }',
    `  ${yb}[i] = best;`,
    ...(indices ? [`  ${b.of(indices)}[i] = i32(base) + arg;`] : []),
  ].join('\n');
  return [perInvocation({ bindings: b.list, count, body })];
}
