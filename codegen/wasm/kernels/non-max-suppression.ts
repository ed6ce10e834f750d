// non_max_suppression: per batch and class, the boxes scoring above score_threshold, best first (ties: lower
// index first, an insertion sort), each kept unless its IoU with a kept one exceeds iou_threshold, at most
// max_output_boxes_per_class of them; rows [batch, class, box] written in order, their count the output's
// extent (compiler/run-time-dims.ts). The three scalars are read at run time (graph inputs in ONNX's tests).
// IoU in f64, as the reference computes it.
import type { Value } from '../../../compiler/ir/graph.js';
import { asLoad } from '../as-target.js';
import { at, shapeOf, type KernelContext } from './kernel.js';
import { storeExtent } from './run-time-sized.js';

/** Corner i (0: y1, 1: x1, 2: y2, 3: x2) of the box at element `e`, in the box format of center_point_box. */
function corner(b: (j: number) => string, i: number, centerPoint: boolean): string {
  if (centerPoint) {
    // [x_center, y_center, width, height]
    const [c, s] = i % 2 === 0 ? [b(1), b(3)] : [b(0), b(2)];
    return `(${c} ${i < 2 ? '-' : '+'} ${s} / 2)`;
  }
  const [p, q] = i % 2 === 0 ? [b(0), b(2)] : [b(1), b(3)];
  return `${i < 2 ? 'Math.min' : 'Math.max'}(${p}, ${q})`;
}

export function nonMaxSuppressionKernel(k: KernelContext): string {
  const [boxes, scores] = [k.input(0), k.input(1)];
  const [max, iou, threshold] = [2, 3, 4].map((i) => k.node.inputs[i] ?? undefined) as (Value | undefined)[];
  const y = k.output(0);
  const [batches, n] = shapeOf(boxes);
  const classes = shapeOf(scores)[1];
  const centerPoint = k.node.attrs.center_point_box === 1;
  const scalar = (v: Value) => `<f64>${asLoad(k.ptr(v), v.type.dtype)}`;
  const box = (e: string) => (j: number) => `<f64>${asLoad(at(k.ptr(boxes), `(b * ${n} + ${e}) * 4 + ${j}`, boxes.type.dtype), boxes.type.dtype)}`;
  const score = (i: string) => `<f64>${asLoad(at(k.ptr(scores), `(b * ${classes} + c) * ${n} + ${i}`, scores.type.dtype), scores.type.dtype)}`;
  const order = k.scratch(Math.max(n, 1) * 4);
  const kept = k.scratch(Math.max(n, 1) * 4);
  const item = (list: string, i: string) => `load<i32>(${list} + (${i}) * 4)`;
  const corners = (name: string, e: string) => [0, 1, 2, 3].map((i) => `const ${name}${i} = ${corner(box(e), i, centerPoint)};`);
  return [
    `const maxPerClass: i64 = ${max ? `<i64>${asLoad(k.ptr(max), max.type.dtype)}` : '0'};`,
    `const iouThreshold: f64 = ${iou ? scalar(iou) : '0'};`,
    'let rows: i32 = 0;',
    `for (let b: i32 = 0; b < ${batches}; b++) for (let c: i32 = 0; c < ${classes}; c++) {`,
    '  let candidates: i32 = 0;',
    `  for (let i: i32 = 0; i < ${n}; i++) {`,
    `    if (${threshold ? `!(${score('i')} > ${scalar(threshold)})` : 'false'}) continue;`,
    '    let p = candidates - 1;',
    `    while (p >= 0 && ${score(item(order, 'p'))} < ${score('i')}) { store<i32>(${order} + (p + 1) * 4, ${item(order, 'p')}); p--; }`,
    `    store<i32>(${order} + (p + 1) * 4, i);`,
    '    candidates++;',
    '  }',
    '  let keptCount: i32 = 0;',
    '  for (let r: i32 = 0; r < candidates && <i64>keptCount < maxPerClass; r++) {',
    `    const i = ${item(order, 'r')};`,
    ...corners('a', 'i').map((l) => `    ${l}`),
    '    const areaA = (a2 - a0) * (a3 - a1);',
    '    let suppressed = false;',
    '    for (let s: i32 = 0; s < keptCount && !suppressed; s++) {',
    `      const j = ${item(kept, 's')};`,
    ...corners('q', 'j').map((l) => `      ${l}`),
    '      const areaB = (q2 - q0) * (q3 - q1);',
    '      const inter = Math.max(0, Math.min(a2, q2) - Math.max(a0, q0)) * Math.max(0, Math.min(a3, q3) - Math.max(a1, q1));',
    '      if (inter > 0 && areaA > 0 && areaB > 0 && inter / (areaA + areaB - inter) > iouThreshold) suppressed = true;',
    '    }',
    '    if (suppressed) continue;',
    `    store<i32>(${kept} + keptCount * 4, i);`,
    '    keptCount++;',
    `    store<i64>(${at(k.ptr(y), 'rows * 3', 'i64')}, <i64>b);`,
    `    store<i64>(${at(k.ptr(y), 'rows * 3 + 1', 'i64')}, <i64>c);`,
    `    store<i64>(${at(k.ptr(y), 'rows * 3 + 2', 'i64')}, <i64>i);`,
    '    rows++;',
    '  }',
    '}',
    storeExtent(k, y, 'rows'),
  ].join('\n');
}
