// The requantizing epilogue of an integer anchor in closed form. The quantize pass and the QDQ import leave,
// after conv_integer / matmul_integer, the chain
//   cast f32 → (mul | add | sub | div by constants) → [activation] → (mul | div | add by scalars) → [round → add zp → clip → cast]
// whose constants vary along one output axis at most (the channel: a per-channel weight scale and bias).
// The affine steps compose at compile time into y = acc·A[c] + B[c] (in f64, rounded once to f32), so a kernel
// that knows the channel of a whole tile row (conv) or column vector (matmul) loads A and B once for it, and
// each four outputs cost convert, mul, add, then the finish — instead of ~15 vector ops and per-element index
// arithmetic of the generic form (group-epilogue.ts).
// Folding: an activation that commutes with a positive scale and a shift (relu, clip) moves past the scalar
// steps after it, as a clamp whose bounds move with them: relu(x)·a + b = max(x·a + b, b) for a > 0. The zero
// point added after rounding moves into B: round(x) + zp = round(x + zp) for an integer zp. A clamp before the
// rounding equals one after it with rounded bounds (rounding is monotone), and those integer bounds meet the
// clip's and the output dtype's; the clamped value is rounded by adding 1.5·2²³ (see closedForm).
// The result differs from the step-by-step reference only in f32 rounding of the composed constants, which can
// tip a value lying within an ulp of a .5 boundary: within one quantization step, the tolerance of the tests.
import type { DType } from '../../../compiler/ir/dtype.js';
import type { Node, Value } from '../../../compiler/ir/graph.js';
import type { FusedGroup } from '../../../compiler/kernel-groups.js';
import { broadcastStridesOf } from '../../loops.js';
import { asLiteral } from '../as-target.js';
import { epilogueOf } from './epilogue.js';
import { shapeOf } from './kernel.js';

const RANGES: Partial<Record<DType, [number, number]>> = { u8: [0, 255], i8: [-128, 127] };

/** acc·scale + bias, then the activation and the finish; scale and bias per channel (length `channels`) or one value. */
export interface AffineEpilogue {
  /** The output axis the constants vary along; undefined when every element shares one scale and bias. */
  axis?: number;
  channels: number;
  scale: Float32Array;
  bias: Float32Array;
  /**
   * The value to store from i32x4 `acc`, given f32x4 expressions of its lanes' scale and bias: an f32x4 for an
   * f32 output; for a u8 / i8 output, an i32x4 whose lanes are within its range.
   */
  vector(acc: string, scale: string, bias: string): string;
  /** The stored value (of the output dtype) from i32 `acc` and f32 scale and bias expressions. */
  scalar(acc: string, scale: string, bias: string): string;
}

/** A constant's values per channel along the one axis it varies on (or one value), or undefined. */
interface ChannelConstant {
  axis?: number;
  values: Float64Array;
}

function channelConstant(v: Value, dims: number[]): ChannelConstant | undefined {
  if (!v.data || v.type.dtype !== 'f32') return undefined;
  const strides = broadcastStridesOf(shapeOf(v), dims);
  const axes = dims.flatMap((d, i) => (d > 1 && strides[i] !== 0 ? [i] : []));
  if (axes.length > 1) return undefined;
  if (axes.length === 0) return { values: Float64Array.of(v.data.data[0]) };
  const axis = axes[0];
  return { axis, values: Float64Array.from({ length: dims[axis] }, (_, c) => v.data!.data[c * strides[axis]]) };
}

/** The one scalar constant of a node besides `x`, or undefined. */
function scalarOperand(n: Node, x: Value): number | undefined {
  const others = n.inputs.filter((v) => v !== x);
  const c = others.length === 1 ? others[0] : undefined;
  return c?.data && c.data.size === 1 && c.type.dtype === 'f32' ? c.data.data[0] : undefined;
}

/** Round half to even, as f32x4.nearest and the reference's round do. */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** 1.5·2²³: adding it rounds an f32 of magnitude below 2²² to an integer in the low mantissa bits. */
const MAGIC = 12582912;
const MAGIC_BITS = '0x4B400000';

const f32 = (x: number) => asLiteral(x, 'f32');
const splat = (x: number) => `f32x4.splat(${f32(x)})`;

/**
 * The closed form of `group`'s epilogue on an integer anchor's i32 sum, or undefined when it is not the
 * requantizing / dequantizing chain above (the generic form then computes it).
 */
export function affineEpilogueOf(group: FusedGroup): AffineEpilogue | undefined {
  const anchorOut = group.anchor?.outputs[0];
  const nodes = group.epilogue;
  if (!anchorOut || anchorOut.type.dtype !== 'i32' || nodes.length === 0) return undefined;
  const dims = shapeOf(group.output);
  const first = nodes[0];
  if (first.op !== 'cast' || first.inputs[0] !== anchorOut || first.outputs[0].type.dtype !== 'f32') return undefined;
  let x = first.outputs[0];
  let i = 1;
  // y = x·a + b per channel, composed in f64.
  let axis: number | undefined;
  let a = Float64Array.of(1);
  let b = Float64Array.of(0);
  const widen = (n: number) => {
    if (a.length === 1 && n > 1) [a, b] = [new Float64Array(n).fill(a[0]), new Float64Array(n).fill(b[0])];
  };
  /** Takes affine nodes on x while there are; `scalarsOnly` after an activation. */
  const affine = (scalarsOnly: boolean) => {
    for (; i < nodes.length; i++) {
      const n = nodes[i];
      if (!['mul', 'add', 'sub', 'div'].includes(n.op) || n.inputs.length !== 2 || !n.inputs.includes(x)) return;
      const other = n.inputs[n.inputs[0] === x ? 1 : 0]!;
      if ((n.op === 'sub' || n.op === 'div') && n.inputs[0] !== x) return;
      const c = other === x ? undefined : channelConstant(other, dims);
      if (!c || (c.axis !== undefined && (scalarsOnly || (axis !== undefined && axis !== c.axis)))) return;
      if (c.axis !== undefined) axis = c.axis;
      widen(c.values.length);
      const v = (j: number) => c.values[c.values.length === 1 ? 0 : j];
      for (let j = 0; j < a.length; j++) {
        if (n.op === 'mul') [a[j], b[j]] = [a[j] * v(j), b[j] * v(j)];
        else if (n.op === 'div') [a[j], b[j]] = [a[j] / v(j), b[j] / v(j)];
        else b[j] += n.op === 'add' ? v(j) : -v(j);
      }
      x = n.outputs[0];
    }
  };
  affine(false);
  // The activation, and the scalar steps after it (post = x·pa + pb).
  let activation: Node | undefined;
  let [pa, pb] = [1, 0];
  const act = nodes[i];
  if (act && act.inputs[0] === x && epilogueOf(act) && act.inputs.slice(1).every((v) => !v || (v.data && v.data.size === 1))) {
    activation = act;
    x = act.outputs[0];
    i++;
    const [sa, sb] = [a, b];
    [a, b] = [Float64Array.of(1), Float64Array.of(0)];
    const savedAxis = axis;
    affine(true);
    [pa, pb] = [a[0], b[0]];
    [a, b, axis] = [sa, sb, savedAxis];
  }
  // The finish: round, add an integer zero point, clip, cast to u8 / i8; or nothing (an f32 output).
  let rounded = false;
  let zp = 0;
  let [lo, hi] = [-Infinity, Infinity];
  if (nodes[i]?.op === 'round' && nodes[i].inputs[0] === x) {
    rounded = true;
    x = nodes[i++].outputs[0];
    const n = nodes[i];
    const z = n && (n.op === 'add' || n.op === 'sub') && n.inputs[0] === x ? scalarOperand(n, x) : undefined;
    if (z !== undefined && Number.isInteger(z)) {
      zp = n.op === 'add' ? z : -z;
      x = nodes[i++].outputs[0];
    }
    const clip = nodes[i];
    if (clip?.op === 'clip' && clip.inputs[0] === x) {
      const bound = (j: number, d: number) => (clip.inputs[j] ? (clip.inputs[j]!.data?.size === 1 ? clip.inputs[j]!.data!.data[0] : NaN) : d);
      [lo, hi] = [bound(1, -Infinity), bound(2, Infinity)];
      if (Number.isNaN(lo) || Number.isNaN(hi)) return undefined;
      x = nodes[i++].outputs[0];
    }
  }
  const output = group.output.type.dtype;
  const range = RANGES[output];
  const cast = nodes[i];
  if (range && rounded && cast?.op === 'cast' && cast.inputs[0] === x) {
    x = cast.outputs[0];
    i++;
    [lo, hi] = [Math.max(lo, range[0]), Math.min(hi, range[1])];
  } else if (output !== 'f32' || rounded) return undefined;
  if (i !== nodes.length || x !== group.output) return undefined;
  return closedForm({ axis, a, b, activation, pa, pb, rounded, zp, lo, hi });
}

interface Chain {
  axis?: number;
  a: Float64Array;
  b: Float64Array;
  activation?: Node;
  pa: number;
  pb: number;
  rounded: boolean;
  zp: number;
  lo: number;
  hi: number;
}

/** Renders the chain, folding what commutes (see the header). */
function closedForm(c: Chain): AffineEpilogue {
  const clampOf = (n: Node): [number, number] | undefined => {
    if (n.op === 'relu') return [0, Infinity];
    if (n.op !== 'clip') return undefined;
    const v = (j: number, d: number) => (n.inputs[j] ? n.inputs[j]!.data!.data[0] : d);
    return [v(1, -Infinity), v(2, Infinity)];
  };
  const foldable = c.activation && c.pa > 0 ? clampOf(c.activation) : undefined;
  // After folding: x = acc·A + B, then [activation, then x·pa + pb], then (f32 output) clamp [fl, fh] or (integer) round and clamp [lo, hi].
  let { a, b, activation, pa, pb } = c;
  let [fl, fh] = [-Infinity, Infinity];
  if (foldable) {
    a = a.map((v) => v * c.pa);
    b = b.map((v) => v * c.pa + c.pb);
    [fl, fh] = [foldable[0] * c.pa + c.pb, foldable[1] * c.pa + c.pb];
    [activation, pa, pb] = [undefined, 1, 0];
  }
  if (!activation) {
    b = b.map((v) => v + c.zp);
    [fl, fh] = [fl + c.zp, fh + c.zp];
  } else pb += c.zp;
  let [lo, hi] = [c.lo, c.hi];
  if (c.rounded) [lo, hi] = [Math.max(lo, roundHalfEven(fl)), Math.min(hi, roundHalfEven(fh))];
  const act = activation ? epilogueOf(activation)! : undefined;
  const post = !activation || (pa === 1 && pb === 0) ? undefined : { pa, pb };
  const vector = (acc: string, scale: string, bias: string) => {
    let v = `f32x4.add(f32x4.mul(f32x4.convert_i32x4_s(${acc}), ${scale}), ${bias})`;
    if (act) v = act.vector(v, '');
    if (post) v = `f32x4.add(f32x4.mul(${v}, ${splat(post.pa)}), ${splat(post.pb)})`;
    if (!c.rounded) {
      if (fl > -Infinity) v = `f32x4.max(${v}, ${splat(fl)})`;
      if (fh < Infinity) v = `f32x4.min(${v}, ${splat(fh)})`;
      return v;
    }
    // Clamped into [lo, hi] (integers, far below 2²² in magnitude), x + 1.5·2²³ lies in [2²³, 2²⁴) where the f32
    // step is 1: the addition rounds x half to even, and the sum's bits less those of 1.5·2²³ are round(x) as an
    // i32 — an add and a subtract instead of nearest and trunc_sat (several instructions on x64). pmin / pmax
    // are single instructions where min / max must order NaNs and signed zeros (none can occur here).
    return `i32x4.sub(f32x4.add(f32x4.pmin(f32x4.pmax(${v}, ${splat(lo)}), ${splat(hi)}), ${splat(MAGIC)}), i32x4.splat(${MAGIC_BITS}))`;
  };
  const scalar = (acc: string, scale: string, bias: string) => {
    let v = `<f32>${acc} * ${scale} + ${bias}`;
    if (act) v = act.scalar(`(${v})`, '');
    if (post) v = `(${v}) * ${f32(post.pa)} + ${f32(post.pb)}`;
    if (!c.rounded) {
      if (fl > -Infinity) v = `max<f32>(${v}, ${f32(fl)})`;
      if (fh < Infinity) v = `min<f32>(${v}, ${f32(fh)})`;
      return v;
    }
    return `<i32>min<f32>(max<f32>(nearest<f32>(${v}), ${f32(lo)}), ${f32(hi)})`;
  };
  return { axis: c.axis, channels: c.a.length, scale: Float32Array.from(a), bias: Float32Array.from(b), vector, scalar };
}
