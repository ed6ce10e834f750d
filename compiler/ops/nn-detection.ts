// Object-detection post-processing: non_max_suppression (ONNX NonMaxSuppression). Its output's row count
// depends on the scores, so it has a symbolic dim that codegen bounds (compiler/run-time-dims.ts).
import { DlcError } from '../errors.js';
import { Tensor } from '../ir/tensor.js';
import type { OpDef } from './registry.js';
import { attrInt } from './util.js';
import { inType } from './tensor-common.js';

/** A box as its corners, whichever corners the input gives (flipped coordinates are allowed). */
function corners(b: ArrayLike<number>, at: number, centerPoint: boolean): [y1: number, x1: number, y2: number, x2: number] {
  if (centerPoint) {
    const [xc, yc, w, h] = [b[at], b[at + 1], b[at + 2], b[at + 3]];
    return [yc - h / 2, xc - w / 2, yc + h / 2, xc + w / 2];
  }
  const [ya, xa, yb, xb] = [b[at], b[at + 1], b[at + 2], b[at + 3]];
  return [Math.min(ya, yb), Math.min(xa, xb), Math.max(ya, yb), Math.max(xa, xb)];
}

/** Whether two boxes overlap by more than `threshold` (intersection over union); boxes without area never do. */
export function suppresses(a: readonly number[], b: readonly number[], threshold: number): boolean {
  const inter = Math.max(0, Math.min(a[2], b[2]) - Math.max(a[0], b[0])) * Math.max(0, Math.min(a[3], b[3]) - Math.max(a[1], b[1]));
  const areaA = (a[2] - a[0]) * (a[3] - a[1]);
  const areaB = (b[2] - b[0]) * (b[3] - b[1]);
  if (inter <= 0 || areaA <= 0 || areaB <= 0) return false;
  return inter / (areaA + areaB - inter) > threshold;
}

/**
 * Per batch and class: the boxes scoring above score_threshold, best first (ties: lower index first), each kept
 * unless it overlaps a kept one by more than iou_threshold, at most max_output_boxes_per_class of them.
 * Rows [batch, class, box].
 */
function refNonMaxSuppression(boxes: Tensor, scores: Tensor, maxPerClass: number, iou: number, scoreThreshold: number | undefined, centerPoint: boolean): Tensor {
  const [batches, n] = boxes.shape;
  const classes = scores.shape[1];
  const rows: number[] = [];
  for (let b = 0; b < batches; b++) {
    const box = Array.from({ length: n }, (_, i) => corners(boxes.data, (b * n + i) * 4, centerPoint));
    for (let c = 0; c < classes; c++) {
      const score = (i: number) => scores.data[(b * classes + c) * n + i];
      const order = Array.from({ length: n }, (_, i) => i)
        .filter((i) => scoreThreshold === undefined || score(i) > scoreThreshold)
        .sort((i, j) => score(j) - score(i) || i - j);
      const kept: number[] = [];
      for (const i of order) {
        if (kept.length >= maxPerClass) break;
        if (kept.every((j) => !suppresses(box[i], box[j], iou))) kept.push(i);
      }
      for (const i of kept) rows.push(b, c, i);
    }
  }
  return Tensor.fromArray('i64', [rows.length / 3, 3], rows);
}

export const detectionOps: OpDef[] = [
  {
    name: 'non_max_suppression',
    attrs: { center_point_box: { type: 'int', default: 0 } },
    kind: 'opaque',
    onnx: [{ op: 'NonMaxSuppression' }],
    infer: (ctx) => {
      const boxes = inType(ctx, 0);
      const scores = inType(ctx, 1);
      if (boxes.shape.length !== 3 || scores.shape.length !== 3) throw new DlcError(`non_max_suppression: boxes and scores must have rank 3, got [${boxes.shape}] and [${scores.shape}]`);
      return [{ dtype: 'i64', shape: [ctx.freshDim('selected'), 3] }];
    },
    ref: (inputs, attrs) => {
      const [boxes, scores, max, iou, threshold] = inputs;
      if (!boxes || !scores) throw new DlcError('non_max_suppression: boxes and scores are required');
      return [refNonMaxSuppression(boxes, scores, max ? Math.trunc(max.data[0]) : 0, iou ? iou.data[0] : 0, threshold ? threshold.data[0] : undefined, attrInt(attrs, 'center_point_box') !== 0)];
    },
  },
];
