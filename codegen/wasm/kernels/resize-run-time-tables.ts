// The sampling tables of tf_crop_and_resize when its roi arrives at run time: the same taps as
// compiler/ops/resize-sampling.ts computes at compile time (in f64, as the reference), written to scratch
// tables that resize.ts then blends from. A coordinate outside the input gets index −1 (extrapolate).
import { attrFloat, attrInt, attrString } from '../../../compiler/ops/util.js';
import type { RunTimeAxis, RunTimeTables } from '../../resize-tables.js';
import { unsupported, type KernelContext } from './kernel.js';

const CUBIC = `function resize_cubic(x: f64, a: f64): f64 {
  const t = Math.abs(x);
  if (t <= 1) return ((a + 2) * t - (a + 3)) * t * t + 1;
  if (t < 2) return ((a * t - 5 * a) * t + 8 * a) * t - 4 * a;
  return 0;
}`;

/** Statements storing the taps of coordinate o (left neighbour `l`, distance `ratio` ∈ (0, 1]) at `at`. */
function tapStores(k: KernelContext, axis: RunTimeAxis, taps: number, idx: string, w: string): string[] {
  const attrs = k.node.attrs;
  const mode = attrString(attrs, 'mode');
  const clamp = (v: string) => `min<i32>(max<i32>(${v}, 0), ${axis.inLen - 1})`;
  const store = (t: number, i: string, weight: string) => [`store<i32>(${idx} + at + ${t * 4}, ${clamp(i)});`, `store<f32>(${w} + at + ${t * 4}, <f32>(${weight}));`];
  if (mode === 'nearest') {
    const rounds = { ceil: 'true', floor: 'false', round_prefer_floor: 'ratio > 0.5', round_prefer_ceil: 'ratio >= 0.5' }[attrString(attrs, 'nearest_mode')];
    return [`const right = ratio == 1 || ${rounds};`, ...store(0, 'right ? l + 1 : l', '1')];
  }
  if (mode === 'linear') return [...store(0, 'l', '1 - ratio'), ...store(1, 'l + 1', 'ratio')];
  const name = k.helper('resize_cubic', () => CUBIC);
  const excludeOutside = attrInt(attrs, 'exclude_outside') !== 0;
  const lines: string[] = [];
  // Taps at l − 1 … l + 2; exclude_outside drops those outside the input and renormalizes the rest.
  for (let t = 0; t < taps; t++) {
    const weight = `${name}(<f64>${t - 1} - ratio, ${attrFloat(attrs, 'cubic_coeff_a')})`;
    lines.push(excludeOutside ? `const w${t}: f64 = l + ${t - 1} < 0 || l + ${t - 1} >= ${axis.inLen} ? 0 : ${weight};` : `const w${t}: f64 = ${weight};`);
  }
  const total = excludeOutside ? 'w0 + w1 + w2 + w3' : '1';
  if (excludeOutside) lines.push(`const total: f64 = ${total} == 0 ? 1 : ${total};`);
  for (let t = 0; t < taps; t++) lines.push(...store(t, `l + ${t - 1}`, excludeOutside ? `w${t} / total` : `w${t}`));
  return lines;
}

function axisTables(k: KernelContext, roi: string, roiAxes: number, axis: RunTimeAxis, taps: number, idx: string, w: string): string {
  const { inLen, outLen, scale, roiAt } = axis;
  const last = inLen - 1;
  // ONNX's tf_crop_and_resize transform, with the resized length scale · in of its formulas.
  const x = outLen === 1 ? `(e - s) * ${last} / 2 + s * ${last}` : `<f64>o * (e - s) * ${last} / ${scale * inLen - 1} + s * ${last}`;
  return [
    '{',
    `  const s: f64 = <f64>load<f32>(${roi} + ${roiAt * 4});`,
    `  const e: f64 = <f64>load<f32>(${roi} + ${(roiAt + roiAxes) * 4});`,
    `  for (let o: i32 = 0; o < ${outLen}; o++) {`,
    `    const x: f64 = ${x};`,
    `    const at: usize = o * ${taps * 4};`,
    `    if (x < 0 || x > ${last}) {`,
    ...Array.from({ length: taps }, (_, t) => `      store<i32>(${idx} + at + ${t * 4}, -1);`),
    '      continue;',
    '    }',
    '    const left: f64 = x == Math.floor(x) ? x - 1 : Math.floor(x);',
    '    const ratio: f64 = x - left;',
    '    const l: i32 = <i32>left;',
    ...tapStores(k, axis, taps, idx, w).map((l) => `    ${l}`),
    '  }',
    '}',
  ].join('\n');
}

/** Code filling [rows idx, rows w, cols idx, cols w] from the roi at `roi`. */
export function runTimeResizeTables(k: KernelContext, roi: string, rt: RunTimeTables, tables: [string, string, string, string]): string {
  if (k.input(1).type.dtype !== 'f32') unsupported(k.node, `a ${k.input(1).type.dtype} roi given at run time (f32 only)`);
  const [hIdx, hW, wIdx, wW] = tables;
  return [axisTables(k, roi, rt.roiAxes, rt.rows, rt.taps, hIdx, hW), axisTables(k, roi, rt.roiAxes, rt.cols, rt.taps, wIdx, wW)].join('\n');
}
