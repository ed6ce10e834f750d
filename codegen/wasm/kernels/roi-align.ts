// roi_align: per roi its bins and sampling grid (read at run time from the rois), then per channel and bin
// the bilinear samples averaged or maxed (codegen/roi-align-geometry.ts), in the input's float type.
import { asLiteral, asType } from '../as-target.js';
import { roiAlignGeometry } from '../../roi-align-geometry.js';
import { at, shapeOf, sizeOfValue, unsupported, type KernelContext } from './kernel.js';

export function roiAlignKernel(k: KernelContext): string {
  const [x, rois, batch, y] = [k.input(0), k.input(1), k.input(2), k.output(0)];
  if (x.type.dtype !== 'f32' && x.type.dtype !== 'f64') unsupported(k.node, `${x.type.dtype} input (f32 and f64 only)`);
  if (rois.type.dtype !== x.type.dtype) unsupported(k.node, `rois of ${rois.type.dtype} for X of ${x.type.dtype}`);
  const g = roiAlignGeometry(k.node, shapeOf(x), shapeOf(rois));
  if (sizeOfValue(y) === 0) return '';
  const t = asType(x.type.dtype);
  const lit = (v: number) => asLiteral(v, x.type.dtype);
  const math = t === 'f32' ? 'Mathf' : 'Math';
  const px = (offset: string) => `load<${t}>(${at(k.ptr(x), `plane + ${offset}`, x.type.dtype)})`;
  const corner = (r: number) => `load<${t}>(${at(k.ptr(rois), `r * 4 + ${r}`, rois.type.dtype)}) * ${lit(g.spatialScale)} - ${lit(g.halfPixel ? 0.5 : 0)}`;
  const size = (hi: string, lo: string) => (g.halfPixel ? `${hi} - ${lo}` : `${math}.max(${hi} - ${lo}, ${lit(1)})`);
  const grid = (extent: string, bins: number) => (g.samplingRatio > 0 ? `${g.samplingRatio}` : `<i32>${math}.ceil(${extent} / ${lit(bins)})`);
  const avg = g.mode === 'avg';
  return [
    `for (let r: i32 = 0; r < ${g.rois}; r++) {`,
    `  const b = <i32>load<${asType(batch.type.dtype)}>(${at(k.ptr(batch), 'r', batch.type.dtype)});`,
    `  const x1: ${t} = ${corner(0)};`,
    `  const y1: ${t} = ${corner(1)};`,
    `  const roiW: ${t} = ${size(corner(2), 'x1')};`,
    `  const roiH: ${t} = ${size(corner(3), 'y1')};`,
    `  const binH: ${t} = roiH / ${lit(g.pooledH)};`,
    `  const binW: ${t} = roiW / ${lit(g.pooledW)};`,
    `  const gridH: i32 = ${grid('roiH', g.pooledH)};`,
    `  const gridW: i32 = ${grid('roiW', g.pooledW)};`,
    `  for (let ch: i32 = 0; ch < ${g.c}; ch++) for (let ph: i32 = 0; ph < ${g.pooledH}; ph++) for (let pw: i32 = 0; pw < ${g.pooledW}; pw++) {`,
    `    let acc: ${t} = ${avg ? lit(0) : `<${t}>-Infinity`};`,
    `    const plane: i32 = (b * ${g.c} + ch) * ${g.h * g.w};`,
    `    if (b >= 0 && b < ${g.n}) for (let iy: i32 = 0; iy < gridH; iy++) for (let ix: i32 = 0; ix < gridW; ix++) {`,
    `      let sy: ${t} = y1 + <${t}>ph * binH + (<${t}>iy + ${lit(0.5)}) * binH / <${t}>gridH;`,
    `      let sx: ${t} = x1 + <${t}>pw * binW + (<${t}>ix + ${lit(0.5)}) * binW / <${t}>gridW;`,
    `      if (sy < ${lit(-1)} || sy > ${lit(g.h)} || sx < ${lit(-1)} || sx > ${lit(g.w)}) { ${avg ? '' : `acc = ${math}.max(acc, ${lit(0)});`} continue; }`,
    `      sy = ${math}.max(sy, ${lit(0)});`,
    `      sx = ${math}.max(sx, ${lit(0)});`,
    '      let y0 = <i32>sy;',
    '      let x0 = <i32>sx;',
    '      let y1i = y0 + 1;',
    '      let x1i = x0 + 1;',
    `      if (y0 >= ${g.h - 1}) { y0 = ${g.h - 1}; y1i = ${g.h - 1}; sy = <${t}>y0; }`,
    `      if (x0 >= ${g.w - 1}) { x0 = ${g.w - 1}; x1i = ${g.w - 1}; sx = <${t}>x0; }`,
    `      const ly: ${t} = sy - <${t}>y0;`,
    `      const lx: ${t} = sx - <${t}>x0;`,
    `      const hy: ${t} = ${lit(1)} - ly;`,
    `      const hx: ${t} = ${lit(1)} - lx;`,
    `      const v00: ${t} = hy * hx * ${px(`y0 * ${g.w} + x0`)};`,
    `      const v01: ${t} = hy * lx * ${px(`y0 * ${g.w} + x1i`)};`,
    `      const v10: ${t} = ly * hx * ${px(`y1i * ${g.w} + x0`)};`,
    `      const v11: ${t} = ly * lx * ${px(`y1i * ${g.w} + x1i`)};`,
    avg ? '      acc += v00 + v01 + v10 + v11;' : `      acc = ${math}.max(acc, ${math}.max(${math}.max(v00, v01), ${math}.max(v10, v11)));`,
    '    }',
    avg
      ? `    acc = acc / <${t}>max(gridH * gridW, 1);`
      : `    if (gridH * gridW == 0 || b < 0 || b >= ${g.n}) acc = ${lit(0)};`,
    `    store<${t}>(${at(k.ptr(y), `((r * ${g.c} + ch) * ${g.pooledH} + ph) * ${g.pooledW} + pw`, y.type.dtype)}, acc);`,
    '  }',
    '}',
  ].join('\n');
}
