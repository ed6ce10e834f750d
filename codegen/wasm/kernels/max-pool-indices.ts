// max_pool in the forms the kernel of pool.ts refuses: with the indices output (the flat position of each
// maximum in the input: row-major, or column-major within each plane for storage_order 1) or on operands other
// than f32. Each output element scans its window; other max pools go to pool.ts.
import { isFloat } from '../../../compiler/ir/dtype.js';
import { attrInt } from '../../../compiler/ops/util.js';
import { poolWindow } from '../../window-geometry.js';
import { asType } from '../as-target.js';
import { at, shapeOf, sizeOfValue, unsupported, type KernelContext } from './kernel.js';
import { poolKernel } from './pool.js';

const prod = (d: readonly number[]) => d.reduce((p, v) => p * v, 1);

export function maxPoolKernel(k: KernelContext): string {
  const x = k.input(0);
  if (k.node.outputs.length < 2 && x.type.dtype === 'f32') return poolKernel(k);
  const [y, indices] = [k.output(0), k.node.outputs[1] ? k.output(1) : undefined];
  const g = poolWindow(k.node, shapeOf(x), (detail) => unsupported(k.node, detail));
  if (sizeOfValue(y) === 0) return '';
  const t = asType(x.type.dtype);
  const [iD, iH, iW] = g.inDims;
  const [oD, oH, oW] = g.outDims;
  const [inPlane, outPlane] = [prod(g.inDims), prod(g.outDims)];
  const columnMajor = attrInt(k.node.attrs, 'storage_order') === 1;
  // A NaN is the maximum (the first one in the window), as max_pool without indices propagates it.
  const better = isFloat(x.type.dtype) ? 'v > best || (v != v && best == best)' : 'v > best';
  const coordinate = (name: string, j: number, size: number) =>
    `const ${name} = o${name} * ${g.strides[j]} - ${g.padBegin[j]} + k${name} * ${g.dilations[j]}; if (${name} < 0 || ${name} >= ${size}) continue;`;
  return [
    `for (let p: i32 = 0; p < ${sizeOfValue(y) / outPlane}; p++) {`,
    `  const base = p * ${inPlane};`,
    `  for (let od: i32 = 0; od < ${oD}; od++) for (let oh: i32 = 0; oh < ${oH}; oh++) for (let ow: i32 = 0; ow < ${oW}; ow++) {`,
    `    let best = load<${t}>(${at(k.ptr(x), 'base', x.type.dtype)});`,
    '    let arg: i32 = -1;',
    `    for (let kd: i32 = 0; kd < ${g.kernel[0]}; kd++) { ${coordinate('d', 0, iD)}`,
    `    for (let kh: i32 = 0; kh < ${g.kernel[1]}; kh++) { ${coordinate('h', 1, iH)}`,
    `    for (let kw: i32 = 0; kw < ${g.kernel[2]}; kw++) { ${coordinate('w', 2, iW)}`,
    `      const v = load<${t}>(${at(k.ptr(x), `base + (d * ${iH} + h) * ${iW} + w`, x.type.dtype)});`,
    `      if (arg < 0 || ${better}) { best = v; arg = ${columnMajor ? `d + (h + w * ${iH}) * ${iD}` : `(d * ${iH} + h) * ${iW} + w`}; }`,
    '    }}}',
    `    const o = (p * ${oD} + od) * ${oH * oW} + oh * ${oW} + ow;`,
    `    store<${t}>(${at(k.ptr(y), 'o', y.type.dtype)}, best);`,
    ...(indices ? [`    store<${asType(indices.type.dtype)}>(${at(k.ptr(indices), 'o', indices.type.dtype)}, <${asType(indices.type.dtype)}>(base + arg));`] : []),
    '  }',
    '}',
  ].join('\n');
}
