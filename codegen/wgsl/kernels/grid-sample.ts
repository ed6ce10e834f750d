// grid_sample over two spatial axes (4-D X), one invocation per output point: the taps of each axis from the
// run-time grid point (in f32; compiler/ops/nn-grid-sample.ts has the same steps in f64), then every channel
// blends the same taps(rows) × taps(cols) input elements.
import { attrInt, attrString } from '../../../compiler/ops/util.js';
import { GRID_SAMPLE_CUBIC_A, reflectionBounds } from '../../../compiler/ops/nn-grid-sample.js';
import { shapeOf, sizeOfValue } from '../../shapes.js';
import { wgslLiteral } from '../wgsl-target.js';
import type { WgslDispatch, WgslKernelContext } from './kernel.js';
import { Bindings, perInvocation, unsupported } from './shader.js';

const REFLECT = `fn gs_reflect(x: f32, lo: f32, hi: f32) -> f32 {
  let range = hi - lo;
  if (range <= 0.0) { return lo; }
  if (x < lo) {
    let d = lo - x;
    let n = floor(d / range);
    let r = d - n * range;
    return select(hi - r, lo + r, n % 2.0 == 0.0);
  }
  if (x > hi) {
    let d = x - hi;
    let n = floor(d / range);
    let r = d - n * range;
    return select(lo + r, hi - r, n % 2.0 == 0.0);
  }
  return x;
}`;

const CUBIC = `fn gs_cubic(x: f32) -> f32 {
  let a = ${wgslLiteral(GRID_SAMPLE_CUBIC_A, 'f32')};
  let t = abs(x);
  if (t <= 1.0) { return ((a + 2.0) * t - (a + 3.0)) * t * t + 1.0; }
  if (t < 2.0) { return ((a * t - 5.0 * a) * t + 8.0 * a) * t - 4.0 * a; }
  return 0.0;
}`;

const TAPS = { nearest: 1, linear: 2, cubic: 4 } as Record<string, number>;
const f = (v: number) => wgslLiteral(v, 'f32');

/** Lines declaring `<v>i<t>` (index) and `<v>w<t>` (weight) of each tap of one axis of `len` at grid value `g`. */
function axisTaps(k: WgslKernelContext, v: string, g: string, len: number): string[] {
  const attrs = k.node.attrs;
  const [mode, padding, align] = [attrString(attrs, 'mode'), attrString(attrs, 'padding_mode'), attrInt(attrs, 'align_corners') !== 0];
  const [lo, hi] = reflectionBounds(len, align).map(f);
  const lines = [`var ${v} = ${align ? `(${g} + 1.0) / 2.0 * ${f(len - 1)}` : `((${g} + 1.0) * ${f(len)} - 1.0) / 2.0`};`];
  // WGSL's round() rounds half to even, as PyTorch's nearest mode does.
  if (mode === 'nearest') lines.push(`${v} = round(${v});`);
  // The point is first brought inside the bounds, then each tap index again (as ONNX's reference).
  if (padding === 'border') lines.push(`if (${v} < ${lo} || ${v} > ${hi}) { ${v} = clamp(${v}, 0.0, ${f(len - 1)}); }`);
  if (padding === 'reflection') lines.push(`if (${v} < ${lo} || ${v} > ${hi}) { ${v} = gs_reflect(${v}, ${lo}, ${hi}); }`);
  const taps = TAPS[mode];
  const weights: string[] = [];
  if (mode === 'nearest') {
    lines.push(`let ${v}f = i32(${v});`);
    weights.push('1.0');
  } else {
    lines.push(`let ${v}l = floor(${v});`, `let ${v}r = ${v} - ${v}l;`, `let ${v}f = i32(${v}l)${mode === 'cubic' ? ' - 1' : ''};`);
    if (mode === 'linear') weights.push(`1.0 - ${v}r`, `${v}r`);
    else for (let t = 0; t < taps; t++) weights.push(`gs_cubic(${f(t - 1)} - ${v}r)`);
  }
  for (let t = 0; t < taps; t++) {
    const [i, w] = [`${v}i${t}`, `${v}w${t}`];
    lines.push(`var ${i} = ${v}f + ${t};`, `var ${w} = ${weights[t]};`);
    if (padding === 'zeros') lines.push(`if (${i} < 0 || ${i} >= ${len}) { ${i} = 0; ${w} = 0.0; }`);
    if (padding === 'border') lines.push(`${i} = clamp(${i}, 0, ${len - 1});`);
    if (padding === 'reflection') lines.push(`${i} = i32(gs_reflect(f32(${i}), ${lo}, ${hi}));`);
  }
  return lines;
}

export function gridSampleKernel(k: WgslKernelContext): WgslDispatch[] {
  const [x, grid, y] = [k.input(0), k.input(1), k.output(0)];
  if (x.type.dtype !== 'f32' || grid.type.dtype !== 'f32') unsupported(k.node, `${x.type.dtype} X and ${grid.type.dtype} grid (f32 only)`);
  const xs = shapeOf(x);
  if (xs.length !== 4) unsupported(k.node, `${xs.length - 2} spatial axes (2 only)`);
  if (sizeOfValue(y) === 0) return [];
  const [n, c, h, w] = xs;
  const points = sizeOfValue(y) / (n * c);
  const mode = attrString(k.node.attrs, 'mode');
  const taps = TAPS[mode];
  const pairs: [number, number][] = [];
  for (let ty = 0; ty < taps; ty++) for (let tx = 0; tx < taps; tx++) pairs.push([ty, tx]);
  const b = new Bindings([y]);
  const [yb, xb, gb] = [b.of(y), b.of(x), b.of(grid)];
  const body = [
    `  let batch = i / ${points}u;`,
    // grid lists the axes last first: x (columns), then y (rows).
    ...axisTaps(k, 'sx', `${gb}[i * 2u]`, w).map((l) => `  ${l}`),
    ...axisTaps(k, 'sy', `${gb}[i * 2u + 1u]`, h).map((l) => `  ${l}`),
    ...pairs.map(([ty, tx]) => `  let o${ty}${tx} = u32(syi${ty} * ${w} + sxi${tx});\n  let k${ty}${tx} = syw${ty} * sxw${tx};`),
    `  for (var ch = 0u; ch < ${c}u; ch++) {`,
    `    let plane = (batch * ${c}u + ch) * ${h * w}u;`,
    `    ${yb}[(batch * ${c}u + ch) * ${points}u + i % ${points}u] = ${pairs.map(([ty, tx]) => `k${ty}${tx} * ${xb}[plane + o${ty}${tx}]`).join(' + ')};`,
    '  }',
  ].join('\n');
  const globals = [attrString(k.node.attrs, 'padding_mode') === 'reflection' ? REFLECT : '', mode === 'cubic' ? CUBIC : ''].filter((s) => s).join('\n');
  return [perInvocation({ bindings: b.list, count: n * points, body, globals })];
}
