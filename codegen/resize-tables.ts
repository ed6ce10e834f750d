// Where resize (nearest and linear over the last two axes, as PP-OCR uses) samples its input, computed at
// compile time into per-axis tables (two source indices and the weight of the second per output coordinate),
// shared by the targets: a kernel only blends up to four input elements per output element.
import type { Node } from '../compiler/ir/graph.js';
import type { Tensor } from '../compiler/ir/tensor.js';
import { attrInt, attrString } from '../compiler/ops/util.js';

/** ONNX's coordinate_transformation_mode: where output coordinate o samples the input (as the reference). */
function sourceCoordinate(mode: string, o: number, inLen: number, outLen: number, scale: number): number | undefined {
  const resized = scale * inLen;
  switch (mode) {
    case 'half_pixel': return (o + 0.5) / scale - 0.5;
    case 'half_pixel_symmetric': return (inLen / 2) * (1 - outLen / resized) + (o + 0.5) / scale - 0.5;
    case 'pytorch_half_pixel': return resized === 1 ? -0.5 : (o + 0.5) / scale - 0.5;
    case 'align_corners': return resized === 1 ? 0 : (o * (inLen - 1)) / (resized - 1);
    case 'asymmetric': return o / scale;
    case 'tf_half_pixel_for_nn': return (o + 0.5) / scale;
    default: return undefined;
  }
}

export interface AxisTable {
  i0: number[];
  i1: number[];
  /** Weight of i1 (i0 gets 1 − w). */
  w: number[];
}

function axisTable(node: Node, inLen: number, outLen: number, scale: number, unsupported: (detail: string) => never): AxisTable {
  const attrs = node.attrs;
  const mode = attrString(attrs, 'mode');
  const ctm = attrString(attrs, 'coordinate_transformation_mode');
  const nm = attrString(attrs, 'nearest_mode');
  const t: AxisTable = { i0: [], i1: [], w: [] };
  const clamp = (i: number) => Math.min(inLen - 1, Math.max(0, i));
  for (let o = 0; o < outLen; o++) {
    const x = inLen === outLen && scale === 1 ? o : sourceCoordinate(ctm, o, inLen, outLen, scale);
    if (x === undefined) unsupported(`coordinate_transformation_mode '${ctm}'`);
    // As the reference: the left neighbour and the distance to it in (0, 1].
    const left = Number.isInteger(x) ? x - 1 : Math.floor(x);
    const ratio = x - left;
    if (mode === 'nearest') {
      const right = ratio === 1 || nm === 'ceil' || (nm === 'round_prefer_floor' && ratio > 0.5) || (nm === 'round_prefer_ceil' && ratio >= 0.5);
      const i = clamp(right ? left + 1 : left);
      t.i0.push(i);
      t.i1.push(i);
      t.w.push(0);
    } else {
      t.i0.push(clamp(left));
      t.i1.push(clamp(left + 1));
      t.w.push(ratio);
    }
  }
  return t;
}

export interface ResizePlan {
  mode: 'nearest' | 'linear';
  inH: number;
  inW: number;
  outH: number;
  outW: number;
  /** Product of the leading (unresized) dims. */
  planes: number;
  rows: AxisTable;
  cols: AxisTable;
}

/** The tables of a resize node from `xs` to `ys`; `unsupported` names what the kernels cannot do. */
export function resizePlan(node: Node, xs: number[], ys: number[], scalesT: Tensor | undefined, unsupported: (detail: string) => never): ResizePlan {
  const attrs = node.attrs;
  const mode = attrString(attrs, 'mode');
  if (mode !== 'nearest' && mode !== 'linear') unsupported(`mode '${mode}'`);
  if (attrInt(attrs, 'antialias') !== 0 || attrInt(attrs, 'exclude_outside') !== 0) unsupported('antialias or exclude_outside');
  if (attrString(attrs, 'keep_aspect_ratio_policy') !== 'stretch') unsupported('keep_aspect_ratio_policy');
  const rank = xs.length;
  if (rank < 2) unsupported('rank < 2');
  if (xs.slice(0, -2).some((d, i) => d !== ys[i])) unsupported('resizing axes other than the last two');
  const axesAttr = attrs.axes as number[] | undefined;
  const scaleOf = (a: number) => {
    if (!scalesT) return ys[a] / xs[a];
    const axes = axesAttr ? axesAttr.map((v) => (v < 0 ? v + rank : v)) : xs.map((_, i) => i);
    const j = axes.indexOf(a);
    return j < 0 ? 1 : scalesT.data[j];
  };
  const [inH, inW] = xs.slice(-2);
  const [outH, outW] = ys.slice(-2);
  return {
    mode,
    inH,
    inW,
    outH,
    outW,
    planes: xs.slice(0, -2).reduce((p, d) => p * d, 1),
    rows: axisTable(node, inH, outH, scaleOf(rank - 2), unsupported),
    cols: axisTable(node, inW, outW, scaleOf(rank - 1), unsupported),
  };
}
