// roi_align: one invocation per output element (roi, channel, bin) reads its roi, derives the bin and
// sampling grid, and averages or maxes the bilinear samples (codegen/roi-align-geometry.ts), in f32.
import { roiAlignGeometry } from '../../roi-align-geometry.js';
import { shapeOf, sizeOfValue } from '../../shapes.js';
import { storageType } from '../wgsl-target.js';
import type { WgslDispatch, WgslKernelContext } from './kernel.js';
import { Bindings, perInvocation, unsupported } from './shader.js';

/** A WGSL f32 literal. */
const f = (v: number) => (Number.isInteger(v) ? `${v}.0f` : `${v}f`);

export function roiAlignKernel(k: WgslKernelContext): WgslDispatch[] {
  const [x, rois, batch, y] = [k.input(0), k.input(1), k.input(2), k.output(0)];
  if (storageType(x.type.dtype) !== 'f32' || storageType(rois.type.dtype) !== 'f32') unsupported(k.node, `${x.type.dtype} input (floats only)`);
  const g = roiAlignGeometry(k.node, shapeOf(x), shapeOf(rois));
  const count = sizeOfValue(y);
  if (count === 0) return [];
  const b = new Bindings([y]);
  const [yb, xb, rb, bb] = [b.of(y), b.of(x), b.of(rois), b.of(batch)];
  const corner = (c: number) => `${rb}[r * 4u + ${c}u] * ${f(g.spatialScale)} - ${f(g.halfPixel ? 0.5 : 0)}`;
  const size = (hi: string, lo: string) => (g.halfPixel ? `${hi} - ${lo}` : `max(${hi} - ${lo}, 1.0f)`);
  const grid = (extent: string, bins: number) => (g.samplingRatio > 0 ? `${g.samplingRatio}` : `i32(ceil(${extent} / ${f(bins)}))`);
  const px = (offset: string) => `${xb}[plane + u32(${offset})]`;
  const avg = g.mode === 'avg';
  const body = [
    `  let pw = i32(i % ${g.pooledW}u);`,
    `  let ph = i32((i / ${g.pooledW}u) % ${g.pooledH}u);`,
    `  let ch = (i / ${g.pooledW * g.pooledH}u) % ${g.c}u;`,
    `  let r = i / ${g.pooledW * g.pooledH * g.c}u;`,
    `  let bi = i32(${bb}[r]);`,
    `  let x1 = ${corner(0)};`,
    `  let y1 = ${corner(1)};`,
    `  let roiW = ${size(corner(2), 'x1')};`,
    `  let roiH = ${size(corner(3), 'y1')};`,
    `  let binH = roiH / ${f(g.pooledH)};`,
    `  let binW = roiW / ${f(g.pooledW)};`,
    `  let gridH = ${grid('roiH', g.pooledH)};`,
    `  let gridW = ${grid('roiW', g.pooledW)};`,
    `  let plane = (u32(bi) * ${g.c}u + ch) * ${g.h * g.w}u;`,
    `  var acc = ${avg ? '0.0f' : '-3.402823466e38f'};`,
    `  if (bi >= 0 && bi < ${g.n}) {`,
    '    for (var iy = 0; iy < gridH; iy++) {',
    '      for (var ix = 0; ix < gridW; ix++) {',
    '        var sy = y1 + f32(ph) * binH + (f32(iy) + 0.5f) * binH / f32(gridH);',
    '        var sx = x1 + f32(pw) * binW + (f32(ix) + 0.5f) * binW / f32(gridW);',
    `        if (sy < -1.0f || sy > ${f(g.h)} || sx < -1.0f || sx > ${f(g.w)}) { ${avg ? '' : 'acc = max(acc, 0.0f);'} continue; }`,
    '        sy = max(sy, 0.0f);',
    '        sx = max(sx, 0.0f);',
    '        var y0 = i32(sy);',
    '        var x0 = i32(sx);',
    '        var y1i = y0 + 1;',
    '        var x1i = x0 + 1;',
    `        if (y0 >= ${g.h - 1}) { y0 = ${g.h - 1}; y1i = ${g.h - 1}; sy = f32(y0); }`,
    `        if (x0 >= ${g.w - 1}) { x0 = ${g.w - 1}; x1i = ${g.w - 1}; sx = f32(x0); }`,
    '        let ly = sy - f32(y0);',
    '        let lx = sx - f32(x0);',
    '        let hy = 1.0f - ly;',
    '        let hx = 1.0f - lx;',
    `        let v00 = hy * hx * ${px(`y0 * ${g.w} + x0`)};`,
    `        let v01 = hy * lx * ${px(`y0 * ${g.w} + x1i`)};`,
    `        let v10 = ly * hx * ${px(`y1i * ${g.w} + x0`)};`,
    `        let v11 = ly * lx * ${px(`y1i * ${g.w} + x1i`)};`,
    avg ? '        acc += v00 + v01 + v10 + v11;' : '        acc = max(acc, max(max(v00, v01), max(v10, v11)));',
    '      }',
    '    }',
    '  }',
    avg ? '  acc = acc / f32(max(gridH * gridW, 1));' : `  if (gridH * gridW == 0 || bi < 0 || bi >= ${g.n}) { acc = 0.0f; }`,
    `  ${yb}[i] = acc;`,
  ].join('\n');
  return [perInvocation({ bindings: b.list, count, body })];
}
