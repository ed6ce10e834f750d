// grid_sample over two spatial axes (4-D X): per output point, the taps of each axis from the run-time grid
// point (in f64, as compiler/ops/nn-grid-sample.ts computes them), then every channel blends the same
// taps(rows) × taps(cols) input elements. In a threaded module each thread takes a share of the points.
import { attrInt, attrString } from '../../../compiler/ops/util.js';
import { GRID_SAMPLE_CUBIC_A, reflectionBounds } from '../../../compiler/ops/nn-grid-sample.js';
import { shapeOf, sizeOfValue, unsupported, type KernelContext } from './kernel.js';
import { sharedLoop } from './threads.js';

const REFLECT = `function gs_reflect(x: f64, lo: f64, hi: f64): f64 {
  const range = hi - lo;
  if (range <= 0) return lo;
  if (x < lo) {
    const d = lo - x;
    const n = Math.floor(d / range);
    const r = d - n * range;
    return n % 2 == 0 ? lo + r : hi - r;
  }
  if (x > hi) {
    const d = x - hi;
    const n = Math.floor(d / range);
    const r = d - n * range;
    return n % 2 == 0 ? hi - r : lo + r;
  }
  return x;
}`;

const CUBIC = `function gs_cubic(x: f64): f64 {
  const a: f64 = ${GRID_SAMPLE_CUBIC_A};
  const t = Math.abs(x);
  if (t <= 1) return ((a + 2) * t - (a + 3)) * t * t + 1;
  if (t < 2) return ((a * t - 5 * a) * t + 8 * a) * t - 4 * a;
  return 0;
}`;

const TAPS = { nearest: 1, linear: 2, cubic: 4 } as Record<string, number>;

/** Lines declaring `<v>i<t>` (index) and `<v>w<t>` (weight) of each tap of one axis of `len` at grid value `g`. */
function axisTaps(k: KernelContext, v: string, g: string, len: number): string[] {
  const attrs = k.node.attrs;
  const [mode, padding, align] = [attrString(attrs, 'mode'), attrString(attrs, 'padding_mode'), attrInt(attrs, 'align_corners') !== 0];
  const [lo, hi] = reflectionBounds(len, align);
  const reflect = () => k.helper('gs_reflect', () => REFLECT);
  const lines = [`let ${v}: f64 = ${align ? `(${g} + 1) / 2 * ${len - 1}` : `((${g} + 1) * ${len} - 1) / 2`};`];
  if (mode === 'nearest') lines.push(`${v} = nearest<f64>(${v});`);
  // The point is first brought inside the bounds, then each tap index again (as ONNX's reference).
  if (padding === 'border') lines.push(`if (${v} < ${lo} || ${v} > ${hi}) ${v} = min<f64>(max<f64>(${v}, 0), ${len - 1});`);
  if (padding === 'reflection') lines.push(`if (${v} < ${lo} || ${v} > ${hi}) ${v} = ${reflect()}(${v}, ${lo}, ${hi});`);
  const taps = TAPS[mode];
  const weights: string[] = [];
  if (mode === 'nearest') {
    lines.push(`const ${v}f: i32 = <i32>${v};`);
    weights.push('1');
  } else {
    lines.push(`const ${v}l: f64 = Math.floor(${v});`, `const ${v}r: f64 = ${v} - ${v}l;`, `const ${v}f: i32 = <i32>${v}l${mode === 'cubic' ? ' - 1' : ''};`);
    if (mode === 'linear') weights.push(`1 - ${v}r`, `${v}r`);
    else for (let t = 0; t < taps; t++) weights.push(`${k.helper('gs_cubic', () => CUBIC)}(<f64>${t - 1} - ${v}r)`);
  }
  for (let t = 0; t < taps; t++) {
    const [i, w] = [`${v}i${t}`, `${v}w${t}`];
    lines.push(`let ${i}: i32 = ${v}f + ${t};`, `let ${w}: f64 = ${weights[t]};`);
    if (padding === 'zeros') lines.push(`if (${i} < 0 || ${i} >= ${len}) { ${i} = 0; ${w} = 0; }`);
    if (padding === 'border') lines.push(`${i} = min<i32>(max<i32>(${i}, 0), ${len - 1});`);
    if (padding === 'reflection') lines.push(`${i} = <i32>${reflect()}(<f64>${i}, ${lo}, ${hi});`);
  }
  return lines;
}

export function gridSampleKernel(k: KernelContext): string {
  const [x, grid, y] = [k.input(0), k.input(1), k.output(0)];
  if (x.type.dtype !== 'f32' || grid.type.dtype !== 'f32') unsupported(k.node, `${x.type.dtype} X and ${grid.type.dtype} grid (f32 only)`);
  const xs = shapeOf(x);
  if (xs.length !== 4) unsupported(k.node, `${xs.length - 2} spatial axes (2 only)`);
  if (sizeOfValue(y) === 0) return '';
  const [n, c, h, w] = xs;
  const points = sizeOfValue(y) / (n * c);
  const taps = TAPS[attrString(k.node.attrs, 'mode')];
  const pairs: [number, number][] = [];
  for (let ty = 0; ty < taps; ty++) for (let tx = 0; tx < taps; tx++) pairs.push([ty, tx]);
  return [
    sharedLoop(k, 'q', n * points),
    `  const b: i32 = q / ${points};`,
    `  const gp: usize = ${k.ptr(grid)} + q * 8;`,
    // grid lists the axes last first: x (columns), then y (rows).
    ...axisTaps(k, 'sx', '<f64>load<f32>(gp)', w).map((l) => `  ${l}`),
    ...axisTaps(k, 'sy', '<f64>load<f32>(gp + 4)', h).map((l) => `  ${l}`),
    ...pairs.map(([ty, tx]) => `  const o${ty}${tx}: usize = (syi${ty} * ${w} + sxi${tx}) * 4;\n  const k${ty}${tx}: f32 = <f32>(syw${ty} * sxw${tx});`),
    `  let xp: usize = ${k.ptr(x)} + b * ${c * h * w * 4};`,
    `  let yp: usize = ${k.ptr(y)} + (b * ${c * points} + q % ${points}) * 4;`,
    `  for (let ch: i32 = 0; ch < ${c}; ch++) {`,
    `    store<f32>(yp, ${pairs.map(([ty, tx]) => `k${ty}${tx} * load<f32>(xp + o${ty}${tx})`).join(' + ')});`,
    `    xp += ${h * w * 4};`,
    `    yp += ${points * 4};`,
    '  }',
    '}',
  ].join('\n');
}
