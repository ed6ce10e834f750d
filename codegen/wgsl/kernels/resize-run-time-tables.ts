// The sampling tables of tf_crop_and_resize when its roi arrives at run time: one invocation per output row
// and column computes the taps compiler/ops/resize-sampling.ts would (in f32), into the index and weight
// tables resize.ts blends from. A coordinate outside the input gets index −1 (extrapolate).
import type { Value } from '../../../compiler/ir/graph.js';
import { attrFloat, attrInt, attrString } from '../../../compiler/ops/util.js';
import type { RunTimeAxis, RunTimeTables } from '../../resize-tables.js';
import { wgslLiteral } from '../wgsl-target.js';
import type { WgslDispatch, WgslKernelContext } from './kernel.js';
import { Bindings, perInvocation, unsupported } from './shader.js';

const CUBIC = `fn resize_cubic(x: f32, a: f32) -> f32 {
  let t = abs(x);
  if (t <= 1.0) { return ((a + 2.0) * t - (a + 3.0)) * t * t + 1.0; }
  if (t < 2.0) { return ((a * t - 5.0 * a) * t + 8.0 * a) * t - 4.0 * a; }
  return 0.0;
}`;

const f = (v: number) => wgslLiteral(v, 'f32');

/** Statements storing the taps of one coordinate (left neighbour `l`, distance `ratio` ∈ (0, 1]) from `at`. */
function tapStores(k: WgslKernelContext, axis: RunTimeAxis, taps: number, ib: string, wb: string): string[] {
  const attrs = k.node.attrs;
  const mode = attrString(attrs, 'mode');
  const store = (t: number, i: string, weight: string) => [`${ib}[at + ${t}u] = clamp(${i}, 0, ${axis.inLen - 1});`, `${wb}[at + ${t}u] = ${weight};`];
  if (mode === 'nearest') {
    const rounds = { ceil: 'true', floor: 'false', round_prefer_floor: 'ratio > 0.5', round_prefer_ceil: 'ratio >= 0.5' }[attrString(attrs, 'nearest_mode')];
    return [`let right = ratio == 1.0 || ${rounds};`, ...store(0, 'select(l, l + 1, right)', '1.0')];
  }
  if (mode === 'linear') return [...store(0, 'l', '1.0 - ratio'), ...store(1, 'l + 1', 'ratio')];
  const excludeOutside = attrInt(attrs, 'exclude_outside') !== 0;
  const lines: string[] = [];
  // Taps at l − 1 … l + 2; exclude_outside drops those outside the input and renormalizes the rest.
  for (let t = 0; t < taps; t++) {
    const weight = `resize_cubic(${f(t - 1)} - ratio, ${f(attrFloat(attrs, 'cubic_coeff_a'))})`;
    lines.push(excludeOutside ? `let w${t} = select(${weight}, 0.0, l + ${t - 1} < 0 || l + ${t - 1} >= ${axis.inLen});` : `let w${t} = ${weight};`);
  }
  if (excludeOutside) lines.push('let total = select(w0 + w1 + w2 + w3, 1.0, w0 + w1 + w2 + w3 == 0.0);');
  for (let t = 0; t < taps; t++) lines.push(...store(t, `l + ${t - 1}`, excludeOutside ? `w${t} / total` : `w${t}`));
  return lines;
}

function axisTables(k: WgslKernelContext, rb: string, ib: string, wb: string, roiAxes: number, axis: RunTimeAxis, taps: number, o: string, at: string): string[] {
  const { inLen, outLen, scale, roiAt } = axis;
  const last = f(inLen - 1);
  // ONNX's tf_crop_and_resize transform, with the resized length scale · in of its formulas.
  const x = outLen === 1 ? `(e - s) * ${last} / 2.0 + s * ${last}` : `f32(${o}) * (e - s) * ${last} / ${f(scale * inLen - 1)} + s * ${last}`;
  return [
    `let at = ${at};`,
    `let s = ${rb}[${roiAt}];`,
    `let e = ${rb}[${roiAt + roiAxes}];`,
    `let x = ${x};`,
    `if (x < 0.0 || x > ${last}) {`,
    ...Array.from({ length: taps }, (_, t) => `  ${ib}[at + ${t}u] = -1;`),
    '  return;',
    '}',
    'let left = select(floor(x), x - 1.0, x == floor(x));',
    'let ratio = x - left;',
    'let l = i32(left);',
    ...tapStores(k, axis, taps, ib, wb),
  ];
}

/** A dispatch filling `index` and `weights` ([rows | cols], `taps` per coordinate) from the node's roi. */
export function runTimeResizeTables(k: WgslKernelContext, rt: RunTimeTables, outH: number, outW: number, index: Value, weights: Value): WgslDispatch {
  const roi = k.input(1);
  if (roi.type.dtype !== 'f32') unsupported(k.node, `a ${roi.type.dtype} roi given at run time (f32 only)`);
  const b = new Bindings([index, weights]);
  const [ib, wb, rb] = [b.of(index), b.of(weights), b.of(roi)];
  const indent = (lines: string[]) => lines.map((l) => `    ${l}`);
  const body = [
    `  if (i < ${outH}u) {`,
    ...indent(axisTables(k, rb, ib, wb, rt.roiAxes, rt.rows, rt.taps, 'i', `i * ${rt.taps}u`)),
    '  } else {',
    ...indent(axisTables(k, rb, ib, wb, rt.roiAxes, rt.cols, rt.taps, `(i - ${outH}u)`, `${outH * rt.taps}u + (i - ${outH}u) * ${rt.taps}u`)),
    '  }',
  ].join('\n');
  return perInvocation({ bindings: b.list, count: outH + outW, body, globals: attrString(k.node.attrs, 'mode') === 'cubic' ? CUBIC : undefined });
}
