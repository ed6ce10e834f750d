// Numeric ops on small matrices and signals: det (LU with partial pivoting, one invocation per matrix, the
// matrix copied into private memory) and dft (the direct O(n²) sum, one invocation per output frequency and
// position), in f32.
import { Tensor } from '../../../compiler/ir/tensor.js';
import { dftGeometry } from '../../dft-geometry.js';
import { shapeOf, sizeOfValue } from '../../shapes.js';
import { storageType } from '../wgsl-target.js';
import type { WgslDispatch, WgslKernelContext } from './kernel.js';
import { Bindings, perInvocation, unsupported } from './shader.js';

/** Elements of the private copy of one matrix: private memory is registers or scratch per invocation. */
const MAX_DET_ELEMENTS = 1024;

export function detKernel(k: WgslKernelContext): WgslDispatch[] {
  const [x, y] = [k.input(0), k.output(0)];
  if (storageType(x.type.dtype) !== 'f32') unsupported(k.node, `${x.type.dtype} input (floats only)`);
  const n = shapeOf(x).at(-1)!;
  if (n * n > MAX_DET_ELEMENTS) unsupported(k.node, `${n}×${n} matrices (at most ${MAX_DET_ELEMENTS} elements)`);
  const count = sizeOfValue(y);
  if (count === 0) return [];
  const b = new Bindings([y]);
  const [yb, xb] = [b.of(y), b.of(x)];
  const at = (r: string, c: string) => `a[${r} * ${n}u + ${c}]`;
  const body = [
    `  var a: array<f32, ${Math.max(n * n, 1)}>;`,
    `  for (var e = 0u; e < ${n * n}u; e++) { a[e] = ${xb}[i * ${n * n}u + e]; }`,
    '  var det = 1.0f;',
    `  for (var c = 0u; c < ${n}u; c++) {`,
    '    var p = c;',
    `    for (var r = c + 1u; r < ${n}u; r++) { if (abs(${at('r', 'c')}) > abs(${at('p', 'c')})) { p = r; } }`,
    `    if (${at('p', 'c')} == 0.0f) { det = 0.0f; break; }`,
    '    if (p != c) {',
    `      for (var q = 0u; q < ${n}u; q++) { let t = ${at('c', 'q')}; ${at('c', 'q')} = ${at('p', 'q')}; ${at('p', 'q')} = t; }`,
    '      det = -det;',
    '    }',
    `    let pivot = ${at('c', 'c')};`,
    '    det *= pivot;',
    `    for (var r = c + 1u; r < ${n}u; r++) {`,
    `      let g = ${at('r', 'c')} / pivot;`,
    `      for (var q = c; q < ${n}u; q++) { ${at('r', 'q')} -= g * ${at('c', 'q')}; }`,
    '    }',
    '  }',
    `  ${yb}[i] = det;`,
  ].join('\n');
  return [perInvocation({ bindings: b.list, count, body })];
}

/**
 * dft as the direct O(n²) sum (codegen/dft-geometry.ts). The twiddles come from a table computed in f64 at
 * compile time: WGSL's sin and cos are only accurate to 2⁻¹¹.
 */
export function dftKernel(k: WgslKernelContext): WgslDispatch[] {
  const [x, y] = [k.input(0), k.output(0)];
  if (storageType(x.type.dtype) !== 'f32') unsupported(k.node, `${x.type.dtype} input (floats only)`);
  const { d, n, outLen, inner, width, inverse, twiddles } = dftGeometry(k, shapeOf(x), shapeOf(y), (detail) => unsupported(k.node, detail));
  const count = sizeOfValue(y) / 2;
  if (count === 0) return [];
  const b = new Bindings([y]);
  const table = k.constant(new Tensor('f32', [n, 2], twiddles));
  const [yb, xb, tb] = [b.of(y), b.of(x), b.of(table)];
  const body = [
    `  let pos = i % ${inner}u;`,
    `  let kk = (i / ${inner}u) % ${outLen}u;`,
    `  let o = i / ${inner * outLen}u;`,
    '  var re = 0.0f;',
    '  var im = 0.0f;',
    `  for (var j = 0u; j < ${Math.min(n, d)}u; j++) {`,
    `    let at = ((o * ${d}u + j) * ${inner}u + pos) * ${width}u;`,
    `    let xr = ${xb}[at];`,
    `    let xi = ${width === 2 ? `${xb}[at + 1u]` : '0.0f'};`,
    `    let m = (j * kk) % ${n}u;`,
    `    let c = ${tb}[2u * m];`,
    `    let s = ${tb}[2u * m + 1u];`,
    '    re += xr * c - xi * s;',
    '    im += xr * s + xi * c;',
    '  }',
    `  ${yb}[2u * i] = re${inverse ? ` / ${n}.0f` : ''};`,
    `  ${yb}[2u * i + 1u] = im${inverse ? ` / ${n}.0f` : ''};`,
  ].join('\n');
  return [perInvocation({ bindings: b.list, count, body })];
}
