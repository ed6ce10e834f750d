// non_max_suppression: per batch and class, the boxes scoring above score_threshold, best first (ties: lower
// index first, an insertion sort), each kept unless its IoU with a kept one exceeds iou_threshold, at most
// max_output_boxes_per_class of them; rows [batch, class, box] written in order, their count the output's
// extent (compiler/run-time-dims.ts). The three scalars are read at run time (graph inputs in ONNX's tests).
// One invocation does it all (see run-time-sized.ts): each class's selection is sequential.
import type { Value } from '../../../compiler/ir/graph.js';
import { shapeOf } from '../../shapes.js';
import type { WgslDispatch, WgslKernelContext } from './kernel.js';
import { Bindings } from './shader.js';
import { singleInvocation, storeExtent } from './run-time-sized.js';

/** Corner i (0: y1, 1: x1, 2: y2, 3: x2) of a box given as its four numbers, in the format of center_point_box. */
function corner(box: (j: number) => string, i: number, centerPoint: boolean): string {
  if (centerPoint) {
    // [x_center, y_center, width, height]
    const [c, s] = i % 2 === 0 ? [box(1), box(3)] : [box(0), box(2)];
    return `(${c} ${i < 2 ? '-' : '+'} ${s} / 2.0)`;
  }
  const [p, q] = i % 2 === 0 ? [box(0), box(2)] : [box(1), box(3)];
  return `${i < 2 ? 'min' : 'max'}(${p}, ${q})`;
}

export function nonMaxSuppressionKernel(k: WgslKernelContext): WgslDispatch[] {
  const [boxes, scores] = [k.input(0), k.input(1)];
  const [max, iou, threshold] = [2, 3, 4].map((i) => k.node.inputs[i] ?? undefined) as (Value | undefined)[];
  const y = k.output(0);
  const [batches, n] = shapeOf(boxes);
  const classes = shapeOf(scores)[1];
  const centerPoint = k.node.attrs.center_point_box === 1;
  // order[0, n): the candidates best first; order[n, 2n): the boxes kept so far.
  const lists = k.scratch('i32', [Math.max(2 * n, 1)]);
  const b = new Bindings([y, lists]);
  const [yb, lb, bb, sb] = [b.of(y), b.of(lists), b.of(boxes), b.of(scores)];
  const box = (e: string) => (j: number) => `${bb}[(b * ${n} + ${e}) * 4 + ${j}]`;
  const score = (e: string) => `${sb}[(b * ${classes} + c) * ${n} + ${e}]`;
  const corners = (name: string, e: string) => [0, 1, 2, 3].map((i) => `let ${name}${i} = ${corner(box(e), i, centerPoint)};`);
  return singleInvocation(b, [
    `  let maxPerClass = ${max ? `${b.of(max)}[0]` : '0i'};`,
    `  let iouThreshold = ${iou ? `${b.of(iou)}[0]` : '0.0'};`,
    '  var rows = 0i;',
    `  for (var b = 0i; b < ${batches}; b++) {`,
    `  for (var c = 0i; c < ${classes}; c++) {`,
    '    var candidates = 0i;',
    `    for (var e = 0i; e < ${n}; e++) {`,
    ...(threshold ? [`      if (!(${score('e')} > ${b.of(threshold)}[0])) { continue; }`] : []),
    '      var p = candidates - 1;',
    `      while (p >= 0) { if (${score(`${lb}[p]`)} >= ${score('e')}) { break; } ${lb}[p + 1] = ${lb}[p]; p--; }`,
    `      ${lb}[p + 1] = e;`,
    '      candidates++;',
    '    }',
    '    var kept = 0i;',
    '    for (var r = 0i; r < candidates && kept < maxPerClass; r++) {',
    `      let e = ${lb}[r];`,
    ...corners('a', 'e').map((l) => `      ${l}`),
    '      let areaA = (a2 - a0) * (a3 - a1);',
    '      var suppressed = false;',
    '      for (var s = 0i; s < kept && !suppressed; s++) {',
    `        let f = ${lb}[${n} + s];`,
    ...corners('q', 'f').map((l) => `        ${l}`),
    '        let areaB = (q2 - q0) * (q3 - q1);',
    '        let inter = max(0.0, min(a2, q2) - max(a0, q0)) * max(0.0, min(a3, q3) - max(a1, q1));',
    '        if (inter > 0.0 && areaA > 0.0 && areaB > 0.0 && inter / (areaA + areaB - inter) > iouThreshold) { suppressed = true; }',
    '      }',
    '      if (suppressed) { continue; }',
    `      ${lb}[${n} + kept] = e;`,
    '      kept++;',
    `      ${yb}[rows * 3] = b;`,
    `      ${yb}[rows * 3 + 1] = c;`,
    `      ${yb}[rows * 3 + 2] = e;`,
    '      rows++;',
    '    }',
    '  }',
    '  }',
    storeExtent(y, yb, 'rows'),
  ]);
}
