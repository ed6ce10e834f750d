// The geometry of roi_align as every target's kernel reads it: the attributes (compiler/ops/nn-roi-align.ts)
// and the concrete dims. The rois and batch indices are data: each kernel computes a roi's bins and sampling
// grid at run time, per output element, exactly as the reference does (a point more than a pixel outside
// the image weighs 0; a batch index outside the batch gives a roi of zeros, where the reference refuses).
import type { Node } from '../compiler/ir/graph.js';
import { roiAlignParams } from '../compiler/ops/nn-roi-align.js';

export interface RoiAlignGeometry extends ReturnType<typeof roiAlignParams> {
  n: number;
  c: number;
  h: number;
  w: number;
  rois: number;
}

export function roiAlignGeometry(node: Node, xs: readonly number[], roisShape: readonly number[]): RoiAlignGeometry {
  const [n, c, h, w] = xs;
  return { ...roiAlignParams(node.attrs), n, c, h, w, rois: roisShape[0] };
}
