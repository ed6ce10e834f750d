// The nodes that may read a tensor whose size is known only at run time (compiler/run-time-dims.ts), and how
// their kernels read it. Such a tensor is stored compactly (row-major of its actual shape) with its extent
// word after the bounded elements. Where the run-time dim is leading (every dim before it is 1), the compact
// layout is a prefix of the bounded one: a kernel written for the bounded shape computes the right elements
// if it stops after the actual rows. That is the 'rows' form, which reuses each op's static kernel row by
// row (wasm) or stops its invocations past the actual rows (webgpu). The other forms need the extent inside
// their index arithmetic and have kernels of their own.
import type { Dim, Node, Value } from './ir/graph.js';
import { isElementwiseNode } from './kernel-groups.js';
import { normalizeAxis } from './ops/util.js';

/** Rows of `value` walked with the output's: dim `dim` runs over the actual rows, one row per kernel step. */
export interface AlignedOperand {
  input: number;
  dim: number;
}

export type ConsumerForm =
  /**
   * The static kernel, run over the actual rows only: the output's extent is input `source`'s, and its
   * actual elements are `scale` rows per unit of that extent (`flat`: the tensors are walked as 1-D, one
   * element a row, so the run-time dim may sit anywhere; otherwise along the output's leading `outputDim`).
   * `aligned` inputs walk rows with the output; the others are read whole.
   */
  | { form: 'rows'; source: number; outputDim: number; aligned: AlignedOperand[]; flat: boolean }
  /** An output sharing its input's storage (reshape and other views): the same layout and extent. */
  | { form: 'view' }
  /** Transpose with the extent in its strides. */
  | { form: 'transpose' }
  /** Slice along the run-time dim (constant starts, ends and steps clamped to the extent at run time). */
  | { form: 'slice-rows'; start: number; end: number; step: number }
  /** A reduction over the run-time dim (among others): a static output. */
  | { form: 'reduce-rows'; axes: number[] }
  /** Shape or Size: static dims and the extent, at run time. */
  | { form: 'shape' };

/** The reductions with a kernel over a run-time dim: their identities, and mean's divisor. */
export const RUN_TIME_REDUCTIONS = ['reduce_sum', 'reduce_mean', 'reduce_max', 'reduce_min', 'reduce_prod'] as const;

/** What a consumer knows of its operands: each input's run-time dim (undefined: a static tensor). */
export type RunTimeDimOfValue = (v: Value | null | undefined) => number | undefined;

const prod = (dims: readonly Dim[]) => dims.reduce<number>((p, d) => p * (typeof d === 'number' ? d : 1), 1);
const leading = (shape: readonly Dim[], dim: number) => shape.slice(0, dim).every((d) => d === 1);

/** The values of a constant operand, undefined when absent; null when present but not a constant. */
function constantInts(node: Node, i: number): number[] | undefined | null {
  const v = node.inputs[i];
  if (!v) return undefined;
  return v.data ? v.data.toNumbers() : null;
}

/** The number of elements slice keeps along an axis of `extent` (ONNX's clamping of starts and ends). */
export function sliceCount(extent: number, start: number, end: number, step: number): number {
  const s0 = start < 0 ? start + extent : start;
  const t0 = end < 0 ? end + extent : end;
  if (step > 0) {
    const [s, t] = [Math.min(Math.max(s0, 0), extent), Math.min(Math.max(t0, 0), extent)];
    return Math.max(0, Math.ceil((t - s) / step));
  }
  const [s, t] = [Math.min(Math.max(s0, 0), extent - 1), Math.min(Math.max(t0, -1), extent - 1)];
  return Math.max(0, Math.ceil((s - t) / -step));
}

/** A slice's (start, end, step) per sliced axis, from constant operands; null when some operand is not constant. */
export function sliceAxes(node: Node, rank: number): Map<number, { start: number; end: number; step: number }> | null {
  const [starts, ends, axes, steps] = [1, 2, 3, 4].map((i) => constantInts(node, i));
  if (!starts || !ends || axes === null || steps === null) return null;
  const out = new Map<number, { start: number; end: number; step: number }>();
  (axes ?? starts.map((_, i) => i)).forEach((a, i) => out.set(normalizeAxis(a, rank), { start: starts[i], end: ends[i], step: steps?.[i] ?? 1 }));
  return out;
}

/** A slice along an axis that keeps every element whatever its extent. */
const keepsAll = (s: { start: number; end: number; step: number }) => s.step === 1 && s.start === 0 && s.end >= 2 ** 31 - 1;

function reductionAxesOf(node: Node, rank: number): number[] | null {
  const given = node.inputs[1] ? constantInts(node, 1) : (node.attrs.axes as number[] | undefined);
  if (given === null) return null;
  if (!given || given.length === 0) return node.attrs.noop_with_empty_axes ? [] : Array.from({ length: rank }, (_, i) => i);
  return given.map((a) => normalizeAxis(a, rank));
}

/** Each reader of run-time-sized operands: its form, or why it is refused. */
const CONSUMERS: Record<string, (node: Node, dimOf: RunTimeDimOfValue) => ConsumerForm | string> = {
  transpose: () => ({ form: 'transpose' }),
  shape: () => ({ form: 'shape' }),
  size: () => ({ form: 'shape' }),
  reshape: viewForm,
  squeeze: viewForm,
  unsqueeze: viewForm,
  flatten: viewForm,
  identity: viewForm,
  gather(node, dimOf) {
    const [x, idx] = node.inputs as Value[];
    const y = node.outputs[0];
    const axis = normalizeAxis((node.attrs.axis as number | undefined) ?? 0, x.type.shape.length);
    const [dx, di] = [dimOf(x), dimOf(idx)];
    if (dx !== undefined && di !== undefined) return 'both data and indices are run-time-sized';
    if (di !== undefined) {
      const dy = axis + di;
      if (!leading(y.type.shape, dy)) return 'the run-time dim of the output is not leading';
      return { form: 'rows', source: 1, outputDim: dy, aligned: [{ input: 1, dim: di }], flat: false };
    }
    if (dx! >= axis || !leading(x.type.shape, dx!)) return 'gather along or before the run-time dim of the data';
    return { form: 'rows', source: 0, outputDim: dx!, aligned: [{ input: 0, dim: dx! }], flat: false };
  },
  gather_elements(node, dimOf) {
    const [x, idx] = node.inputs as Value[];
    const di = dimOf(idx);
    const axis = normalizeAxis((node.attrs.axis as number | undefined) ?? 0, idx.type.shape.length);
    if (di === undefined || !leading(idx.type.shape, di)) return 'the indices must have a leading run-time dim';
    const dx = dimOf(x);
    if (dx !== undefined && (dx !== di || axis === di)) return 'the data must be static, or run-time-sized along the indices\' dim';
    // Along another axis, row r of the indices reads row r of the data.
    const aligned = axis === di ? [{ input: 1, dim: di }] : [{ input: 0, dim: di }, { input: 1, dim: di }];
    return { form: 'rows', source: 1, outputDim: di, aligned, flat: false };
  },
  gather_nd(node, dimOf) {
    const [x, idx] = node.inputs as Value[];
    const di = dimOf(idx);
    if (dimOf(x) !== undefined) return 'the data must be static';
    if ((node.attrs.batch_dims as number | undefined ?? 0) !== 0) return 'batch_dims must be 0';
    if (di === undefined || di === idx.type.shape.length - 1 || !leading(idx.type.shape, di)) return 'the indices must have a leading run-time dim before the last';
    return { form: 'rows', source: 1, outputDim: di, aligned: [{ input: 1, dim: di }], flat: false };
  },
  slice(node, dimOf) {
    const x = node.inputs[0]!;
    const d = dimOf(x)!;
    if (!leading(x.type.shape, d)) return 'the run-time dim must be leading';
    const axes = sliceAxes(node, x.type.shape.length);
    if (!axes) return 'starts, ends, axes and steps must be constants';
    const along = axes.get(d);
    if (!along || keepsAll(along)) return { form: 'rows', source: 0, outputDim: d, aligned: [{ input: 0, dim: d }], flat: false };
    if ([...axes].some(([a, s]) => a !== d && !keepsAll(s))) return 'slicing the run-time dim and another dim at once';
    return { form: 'slice-rows', ...along };
  },
};

/** reshape, squeeze, unsqueeze, flatten, identity: the same elements before, at and after the run-time dim. */
function viewForm(node: Node, dimOf: RunTimeDimOfValue): ConsumerForm | string {
  const [x, y] = [node.inputs[0]!, node.outputs[0]];
  const [dx, dy] = [dimOf(x)!, runTimeDimIn(y)];
  if (dy === undefined) return 'its output must keep the run-time dim';
  const around = (shape: readonly Dim[], d: number) => [prod(shape.slice(0, d)), prod(shape.slice(d + 1))].join();
  if (around(x.type.shape, dx) !== around(y.type.shape, dy)) return 'it moves elements across the run-time dim';
  return { form: 'view' };
}

/** Elementwise ops: the same shape everywhere (walked flat), or a leading run-time dim with static operands broadcast along it. */
function elementwiseForm(node: Node, dimOf: RunTimeDimOfValue): ConsumerForm | string {
  const y = node.outputs[0];
  const dy = runTimeDimIn(y);
  if (dy === undefined) return 'its output must keep the run-time dim';
  const operands = node.op === 'expand' ? [node.inputs[0]] : node.inputs;
  const inputs = operands.map((v, i) => ({ v, i })).filter(({ v }) => v && !(v.data && v.data.size === 1));
  const source = inputs.find(({ v }) => dimOf(v) !== undefined)!.i;
  const sameShape = (v: Value) => v.type.shape.length === y.type.shape.length && v.type.shape.every((d, j) => j === dy || d === y.type.shape[j]) && dimOf(v) === dy;
  if (inputs.every(({ v }) => sameShape(v!))) return { form: 'rows', source, outputDim: dy, aligned: inputs.map(({ i }) => ({ input: i, dim: dy })), flat: true };
  if (!leading(y.type.shape, dy)) return 'operands broadcast against a run-time dim that is not leading';
  const aligned: AlignedOperand[] = [];
  for (const { v, i } of inputs) {
    const at = dy - (y.type.shape.length - v!.type.shape.length);
    const d = dimOf(v);
    if (d !== undefined && d !== at) return 'operands with run-time dims at different places';
    if (d === undefined && at >= 0 && v!.type.shape[at] !== 1) return `static operand '${v!.name}' spans the run-time dim`;
    if (d !== undefined) aligned.push({ input: i, dim: d });
  }
  return { form: 'rows', source, outputDim: dy, aligned, flat: false };
}

function reduceForm(node: Node, dimOf: RunTimeDimOfValue): ConsumerForm | string {
  const x = node.inputs[0]!;
  const d = dimOf(x)!;
  if (!leading(x.type.shape, d)) return 'the run-time dim must be leading';
  const axes = reductionAxesOf(node, x.type.shape.length);
  if (!axes) return 'axes must be a constant';
  if (axes.includes(d)) {
    if (!(RUN_TIME_REDUCTIONS as readonly string[]).includes(node.op)) return `${node.op} over the run-time dim (only ${RUN_TIME_REDUCTIONS.join(', ')})`;
    return { form: 'reduce-rows', axes };
  }
  const dy = runTimeDimIn(node.outputs[0]);
  if (dy === undefined) return 'its output must keep the run-time dim';
  return { form: 'rows', source: 0, outputDim: dy, aligned: [{ input: 0, dim: d }], flat: false };
}

/**
 * A value's run-time dim from its type alone: the marked one after bounding, else its one symbolic dim (a
 * consumer's output before bounding).
 */
export function runTimeDimIn(v: Value): number | undefined {
  if (v.type.runTimeDim !== undefined) return v.type.runTimeDim;
  const symbolic = v.type.shape.flatMap((d, j) => (typeof d === 'number' ? [] : [j]));
  return symbolic.length === 1 ? symbolic[0] : undefined;
}

/** How `node` reads its run-time-sized operands (whose run-time dims `dimOf` gives), or why it cannot. */
export function consumerFormOf(node: Node, dimOf: RunTimeDimOfValue): ConsumerForm | string {
  if (node.outputs.length !== 1) return 'ops with several outputs are not supported';
  const sized = node.inputs.filter((v) => dimOf(v) !== undefined);
  // Besides the run-time dim, every dim must be known at compile time.
  if ([...node.inputs, node.outputs[0]].some((v) => v && v.type.shape.some((d, j) => typeof d !== 'number' && j !== (sized.includes(v) ? dimOf(v) : runTimeDimIn(v))))) {
    return 'shapes with a symbolic dim besides the run-time one';
  }
  if (node.op.startsWith('reduce_')) return reduceForm(node, dimOf);
  if (isElementwiseNode(node)) return elementwiseForm(node, dimOf);
  return CONSUMERS[node.op]?.(node, dimOf) ?? `op ${node.op} has no kernel reading it`;
}
