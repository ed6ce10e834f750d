// Where resize samples its input, computed at compile time into per-axis tables over the last two axes (the
// taps of compiler/ops/resize-sampling.ts: input indices and weights per output coordinate), shared by the
// targets: a kernel blends taps(rows) × taps(cols) input elements per output element. tf_crop_and_resize
// with a run-time roi cannot have compile-time tables: the plan then says how the kernel computes them.
import type { Node } from '../compiler/ir/graph.js';
import type { Tensor } from '../compiler/ir/tensor.js';
import { planResize } from '../compiler/ops/nn-resize.js';
import { axisSampling } from '../compiler/ops/resize-sampling.js';
import { attrFloat, attrInt, attrString } from '../compiler/ops/util.js';

export interface AxisTable {
  /** Taps per output coordinate. */
  taps: number;
  /** outLen × taps input indices; −1 throughout a coordinate that extrapolates (tf_crop_and_resize). */
  idx: number[];
  /** outLen × taps weights. */
  w: number[];
}

/** How a kernel computes one axis's table from the roi at run time (tf_crop_and_resize). */
export interface RunTimeAxis {
  inLen: number;
  outLen: number;
  /** The scale of ONNX's formulas (given, or out/in for sizes). */
  scale: number;
  /** Where the axis's start is in roi; its end is `roiAxes` further. */
  roiAt: number;
}

export interface RunTimeTables {
  /** Values per half of roi (the resized axes). */
  roiAxes: number;
  rows: RunTimeAxis;
  cols: RunTimeAxis;
  /** Taps per coordinate: 1 (nearest), 2 (linear), 4 (cubic). */
  taps: number;
}

export interface ResizePlan {
  inH: number;
  inW: number;
  outH: number;
  outW: number;
  /** Product of the leading (unresized) dims. */
  planes: number;
  /** Tables of the rows and columns; with runTime, only their taps (the kernel computes idx and w). */
  rows: AxisTable;
  cols: AxisTable;
  /** Every weight is 1 (nearest): the kernel copies without multiplying. */
  unweighted: boolean;
  /** What coordinates outside the input read (tf_crop_and_resize), or undefined where none can be. */
  extrapolation?: number;
  runTime?: RunTimeTables;
}

/** The constant operands of a resize node the tables depend on; roi is 'run-time' when it is a graph value. */
export interface ResizeOperands {
  roi: Tensor | 'run-time' | undefined;
  scales: Tensor | undefined;
  sizes: Tensor | undefined;
}

const IDENTITY = (len: number): AxisTable => ({ taps: 1, idx: Array.from({ length: len }, (_, i) => i), w: new Array<number>(len).fill(1) });

function compileTimeTable(node: Node, inLen: number, outLen: number, scale: number, roiStart: number, roiEnd: number): AxisTable {
  const nearest = attrString(node.attrs, 'mode') === 'nearest';
  const sampling = axisSampling(node.attrs, inLen, outLen, scale, roiStart, roiEnd);
  const taps = nearest ? 1 : Math.max(1, ...sampling.map((s) => s?.idx.length ?? 0));
  const t: AxisTable = { taps, idx: [], w: [] };
  for (const s of sampling) {
    if (!s) {
      t.idx.push(...new Array<number>(taps).fill(-1));
      t.w.push(...new Array<number>(taps).fill(0));
    } else if (nearest) {
      // Nearest's two taps weigh 1 and 0: keep the one it reads.
      t.idx.push(s.idx[s.weights.indexOf(1)]);
      t.w.push(1);
    } else {
      t.idx.push(...s.idx);
      t.w.push(...s.weights);
    }
  }
  return t;
}

/** The tables of a resize node from `xs` to `ys`; `unsupported` names what the kernels cannot do. */
export function resizePlan(node: Node, xs: number[], ys: number[], operands: ResizeOperands, unsupported: (detail: string) => never): ResizePlan {
  const attrs = node.attrs;
  const rank = xs.length;
  if (rank < 2) unsupported('rank < 2');
  const mode = attrString(attrs, 'mode');
  const tf = attrString(attrs, 'coordinate_transformation_mode') === 'tf_crop_and_resize';
  const runTimeRoi = operands.roi === 'run-time';
  const roi = typeof operands.roi === 'object' ? operands.roi.toNumbers() : undefined;
  const plan = planResize(xs, attrs, operands.scales?.toNumbers(), operands.scales ? undefined : operands.sizes?.toNumbers(), roi);
  const axes = (attrs.axes as number[] | undefined)?.map((a) => (a < 0 ? a + rank : a)) ?? xs.map((_, i) => i);
  // A leading axis must come out as it went in: same length, and (tf_crop_and_resize) a roi of [0, 1], or
  // a length of 1, where every roi samples index 0.
  for (let a = 0; a < rank - 2; a++) {
    if (xs[a] !== ys[a] || plan.scales[a] !== 1) unsupported('resizing axes other than the last two');
    const identity = !tf || xs[a] === 1 || !axes.includes(a) || (!runTimeRoi && plan.roiStart[a] === 0 && plan.roiEnd[a] === 1);
    if (!identity) unsupported(runTimeRoi ? `a roi given at run time over axis ${a} of length ${xs[a]} (give roi as a constant, or list only the last two axes)` : 'a roi that crops axes other than the last two');
  }
  const [inH, inW] = xs.slice(-2);
  const [outH, outW] = ys.slice(-2);
  const tableOf = (a: number): AxisTable => {
    if (xs[a] === ys[a] && plan.scales[a] === 1 && !tf) return IDENTITY(xs[a]);
    return compileTimeTable(node, xs[a], ys[a], plan.scales[a], plan.roiStart[a], plan.roiEnd[a]);
  };
  const result: ResizePlan = {
    inH,
    inW,
    outH,
    outW,
    planes: xs.slice(0, -2).reduce((p, d) => p * d, 1),
    rows: IDENTITY(0),
    cols: IDENTITY(0),
    unweighted: mode === 'nearest',
    extrapolation: tf ? attrFloat(attrs, 'extrapolation_value') : undefined,
  };
  if (!runTimeRoi) return { ...result, rows: tableOf(rank - 2), cols: tableOf(rank - 1) };
  if (attrInt(attrs, 'antialias') !== 0 && (plan.scales[rank - 2] < 1 || plan.scales[rank - 1] < 1)) unsupported('antialias with a roi given at run time');
  const taps = { nearest: 1, linear: 2, cubic: 4 }[mode]!;
  const runTimeAxis = (a: number): RunTimeAxis => {
    const roiAt = axes.indexOf(a);
    if (roiAt < 0) unsupported('a roi given at run time for an axis it does not list');
    return { inLen: xs[a], outLen: ys[a], scale: plan.scales[a], roiAt };
  };
  const rows = runTimeAxis(rank - 2);
  const cols = runTimeAxis(rank - 1);
  return { ...result, rows: { taps, idx: [], w: [] }, cols: { taps, idx: [], w: [] }, runTime: { roiAxes: axes.length, rows, cols, taps } };
}
