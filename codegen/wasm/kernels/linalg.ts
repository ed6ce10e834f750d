// Numeric ops on small matrices and signals, in f64 as the reference computes them: det (LU with partial
// pivoting on a copy of each matrix in scratch) and dft (the direct O(n²) sum over a twiddle table computed at
// compile time, codegen/dft-geometry.ts).
import type { Value } from '../../../compiler/ir/graph.js';
import { Tensor } from '../../../compiler/ir/tensor.js';
import { dftGeometry } from '../../dft-geometry.js';
import { asType } from '../as-target.js';
import { at, shapeOf, sizeOfValue, unsupported, type KernelContext } from './kernel.js';

function checkFloat(k: KernelContext, x: Value): string {
  const t = x.type.dtype;
  if (t !== 'f32' && t !== 'f64') unsupported(k.node, `${t} input (f32 and f64 only)`);
  return asType(t);
}

export function detKernel(k: KernelContext): string {
  const [x, y] = [k.input(0), k.output(0)];
  const t = checkFloat(k, x);
  const n = shapeOf(x).at(-1)!;
  const count = sizeOfValue(y);
  if (count === 0) return '';
  const a = k.scratch(Math.max(n * n, 1) * 8);
  const el = (r: string, c: string) => `${a} + (${r} * ${n} + ${c}) * 8`;
  return [
    `for (let b: i32 = 0; b < ${count}; b++) {`,
    `  for (let e: i32 = 0; e < ${n * n}; e++) store<f64>(${a} + e * 8, <f64>load<${t}>(${at(k.ptr(x), `b * ${n * n} + e`, x.type.dtype)}));`,
    '  let det: f64 = 1.0;',
    `  for (let c: i32 = 0; c < ${n}; c++) {`,
    '    let p = c;',
    `    for (let r = c + 1; r < ${n}; r++) if (Math.abs(load<f64>(${el('r', 'c')})) > Math.abs(load<f64>(${el('p', 'c')}))) p = r;`,
    `    if (load<f64>(${el('p', 'c')}) == 0) { det = 0; break; }`,
    '    if (p != c) {',
    `      for (let q: i32 = 0; q < ${n}; q++) { const s = load<f64>(${el('c', 'q')}); store<f64>(${el('c', 'q')}, load<f64>(${el('p', 'q')})); store<f64>(${el('p', 'q')}, s); }`,
    '      det = -det;',
    '    }',
    `    const pivot = load<f64>(${el('c', 'c')});`,
    '    det *= pivot;',
    `    for (let r = c + 1; r < ${n}; r++) {`,
    `      const g = load<f64>(${el('r', 'c')}) / pivot;`,
    `      for (let q = c; q < ${n}; q++) store<f64>(${el('r', 'q')}, load<f64>(${el('r', 'q')}) - g * load<f64>(${el('c', 'q')}));`,
    '    }',
    '  }',
    `  store<${t}>(${at(k.ptr(y), 'b', y.type.dtype)}, <${t}>det);`,
    '}',
  ].join('\n');
}

export function dftKernel(k: KernelContext): string {
  const [x, y] = [k.input(0), k.output(0)];
  const t = checkFloat(k, x);
  const { d, n, outLen, inner, width, inverse, twiddles } = dftGeometry(k, shapeOf(x), shapeOf(y), (detail) => unsupported(k.node, detail));
  const count = sizeOfValue(y) / 2;
  if (count === 0) return '';
  const table = k.constant(new Tensor('f64', [n, 2], twiddles));
  const scale = inverse ? ` * ${1 / n}` : '';
  return [
    `for (let o: i32 = 0; o < ${count / (outLen * inner)}; o++) for (let kk: i32 = 0; kk < ${outLen}; kk++) for (let pos: i32 = 0; pos < ${inner}; pos++) {`,
    '  let re: f64 = 0;',
    '  let im: f64 = 0;',
    `  for (let j: i32 = 0; j < ${Math.min(n, d)}; j++) {`,
    `    const e = ((o * ${d} + j) * ${inner} + pos) * ${width};`,
    `    const xr = <f64>load<${t}>(${at(k.ptr(x), 'e', x.type.dtype)});`,
    `    const xi: f64 = ${width === 2 ? `<f64>load<${t}>(${at(k.ptr(x), 'e + 1', x.type.dtype)})` : '0'};`,
    `    const m = <i32>((<i64>j * kk) % ${n});`,
    `    const c = load<f64>(${table} + m * 16);`,
    `    const s = load<f64>(${table} + m * 16 + 8);`,
    '    re += xr * c - xi * s;',
    '    im += xr * s + xi * c;',
    '  }',
    `  const out = ((o * ${outLen} + kk) * ${inner} + pos) * 2;`,
    `  store<${t}>(${at(k.ptr(y), 'out', y.type.dtype)}, <${t}>(re${scale}));`,
    `  store<${t}>(${at(k.ptr(y), 'out + 1', y.type.dtype)}, <${t}>(im${scale}));`,
    '}',
  ].join('\n');
}
