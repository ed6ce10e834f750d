// The geometry of the data-movement ops as every target's kernels read it: which input element each output
// element copies, resolved once from the node's attributes, constant operands and concrete shapes. A target
// turns a StridedView into its own copy loop (wasm) or dispatch (webgpu). `refuse` is the calling target's
// "not supported" error.
import type { Node, Value } from '../compiler/ir/graph.js';
import { stridesOf, Tensor } from '../compiler/ir/tensor.js';
import { attrInt, attrInts, attrString, normalizeAxis } from '../compiler/ops/util.js';
import { shapeOf, sizeOfValue } from './shapes.js';
import type { Refuse } from './window-geometry.js';

/** y[o] = x[base + Σ coordᵢ·inStridesᵢ] over the space `dims`, which the output walks densely. */
export interface StridedView {
  dims: number[];
  inStrides: number[];
  base: number;
}

/** What the geometry reads of a kernel context: its node and the compile-time value of an input. */
export interface ConstantOperands {
  node: Node;
  constantOf(v: Value | null | undefined): Tensor | undefined;
}

/** Input i's values when it is present (a constant), undefined when absent, refused when known only at run time. */
export function constInts(k: ConstantOperands, i: number, what: string, refuse: Refuse): number[] | undefined {
  const v = k.node.inputs[i];
  if (!v) return undefined;
  const c = k.constantOf(v);
  if (!c) refuse(`${what} known only at run time`);
  return c.toNumbers();
}

/**
 * `generator` with every operand of no elements presented as a constant (an empty tensor of its type): an
 * operand with no elements (reduce_*'s empty axes fed as a graph input) is known from its shape alone.
 */
export function withEmptyOperandsKnown<K extends ConstantOperands, R>(generator: (k: K) => R): (k: K) => R {
  return (k) => generator({ ...k, constantOf: (v) => k.constantOf(v) ?? (v && sizeOfValue(v) === 0 ? new Tensor(v.type.dtype, shapeOf(v)) : undefined) });
}

/** transpose: output axis i walks input axis perm[i] (reversed axes by default). */
export function transposeView(node: Node, xs: readonly number[]): StridedView {
  const perm = attrInts(node.attrs, 'perm') ?? xs.map((_, i) => xs.length - 1 - i);
  const st = stridesOf(xs);
  return { dims: perm.map((p) => xs[p]), inStrides: perm.map((p) => st[p]), base: 0 };
}

/**
 * tile: y's coordinate along axis i is r·xs[i] + j (r < repeats, j < xs[i]), so y walks the interleaved space
 * [repeats₀, xs₀, repeats₁, xs₁, …] densely, reading x at j alone.
 */
export function tileView(xs: readonly number[], ys: readonly number[]): StridedView {
  const st = stridesOf(xs);
  return { dims: xs.flatMap((d, i) => [d === 0 ? 0 : ys[i] / d, d]), inStrides: st.flatMap((s) => [0, s]), base: 0 };
}

/**
 * depth_to_space and space_to_depth as one transpose of a 6-D view. DCR: [N, b, b, C', H, W] → (0,3,4,1,5,2);
 * CRD: [N, C', b, b, H, W] → (0,1,4,2,5,3); space_to_depth: [N, C, H', b, W', b] → (0,3,5,1,2,4).
 */
export function depthSpaceView(node: Node, xs: readonly number[]): StridedView {
  const [n, c, h, w] = xs;
  const b = attrInt(node.attrs, 'blocksize');
  let view: number[];
  let perm: number[];
  if (node.op === 'space_to_depth') [view, perm] = [[n, c, h / b, b, w / b, b], [0, 3, 5, 1, 2, 4]];
  else if (attrString(node.attrs, 'mode') === 'CRD') [view, perm] = [[n, c / (b * b), b, b, h, w], [0, 1, 4, 2, 5, 3]];
  else [view, perm] = [[n, b, b, c / (b * b), h, w], [0, 3, 4, 1, 5, 2]];
  const st = stridesOf(view);
  return { dims: perm.map((p) => view[p]), inStrides: perm.map((p) => st[p]), base: 0 };
}

/** slice with constant starts, axes and steps: negative steps give negative strides. */
export function sliceView(k: ConstantOperands, xs: readonly number[], ys: readonly number[], refuse: Refuse): StridedView {
  const starts = constInts(k, 1, 'starts', refuse)!;
  const axes = (constInts(k, 3, 'axes', refuse) ?? starts.map((_, i) => i)).map((a) => normalizeAxis(a, xs.length));
  const steps = constInts(k, 4, 'steps', refuse) ?? starts.map(() => 1);
  const st = stridesOf(xs);
  let base = 0;
  const inStrides = [...st];
  axes.forEach((a, i) => {
    // The first index is where the reference's clamped slice starts; the output shape already holds the count.
    const d = xs[a];
    const s = starts[i] < 0 ? starts[i] + d : starts[i];
    const first = steps[i] > 0 ? Math.min(Math.max(s, 0), d) : Math.min(Math.max(s, 0), d - 1);
    base += first * st[a];
    inStrides[a] = st[a] * steps[i];
  });
  return { dims: [...ys], inStrides, base };
}

/**
 * The input coordinate that output coordinate `c` (shifted by the pads before it) reads along an axis of `n`
 * elements in pad mode 'edge' (the nearest edge element) or 'reflect' (mirrored about the first and last
 * elements: period 2(n − 1)).
 */
export function padSource(mode: 'edge' | 'reflect', c: number, n: number): number {
  if (mode === 'edge') return Math.min(Math.max(c, 0), n - 1);
  if (n === 1) return 0;
  const period = 2 * (n - 1);
  const r = Math.abs(c) % period;
  return r >= n ? period - r : r;
}

/**
 * Whether dropout is known at compile time to be the identity, its mask all true: training_mode absent or a
 * constant false, or the ratio a constant 0 (nothing is dropped even in training). Otherwise the kernel
 * decides at run time and drops by compiler/ops/dropout-mask.ts's hash in training.
 */
export function isInferenceDropout(k: ConstantOperands): boolean {
  const [ratio, training] = [k.node.inputs[1], k.node.inputs[2]];
  if (!training) return true;
  const mode = k.constantOf(training);
  if (mode && mode.data[0] === 0) return true;
  const r = ratio ? k.constantOf(ratio) : undefined;
  return r !== undefined && r.data[0] === 0;
}

/**
 * pad's elements added before each axis (negative: cropped), from constant operands, and its fill value: a
 * number when it is a constant (or absent: 0), or the operand itself when it is known only at run time, for
 * the kernel to read its one element.
 */
export function padGeometry(k: ConstantOperands, xs: readonly number[], refuse: Refuse): { before: number[]; fill: number | Value } {
  const pads = constInts(k, 1, 'pads', refuse)!;
  const axes = (constInts(k, 3, 'axes', refuse) ?? xs.map((_, i) => i)).map((a) => normalizeAxis(a, xs.length));
  const before = xs.map(() => 0);
  axes.forEach((a, i) => (before[a] = pads[i]));
  const fillV = k.node.inputs[2];
  if (!fillV) return { before, fill: 0 };
  const fillT = k.constantOf(fillV);
  if (fillT) return { before, fill: fillT.size > 0 ? fillT.data[0] : 0 };
  if (fillV.type.shape.some((d) => d === 0)) return { before, fill: 0 };
  return { before, fill: fillV };
}
