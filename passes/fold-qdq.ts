// QDQ folding: a conv, matmul or gemm whose activation and weights arrive through dequantize_linear computes
// in integers (onnxruntime's QDQ → QOperator transform, MLIR's quant lowering). The integer anchor's i32 sum
// is rescaled by the epilogue, which fuse-ops joins to the anchor's kernel together with the bias, the
// activation and the next layer's quantize_linear, so a quantized conv + bias + relu stays one kernel.
//
//   conv(dq(x_q, s_x, z_x), dq(w_q, s_w[m]), b)  =  s_x·s_w[m] · Σ (x_q − z_x)(w_q − z_w[m]) + b[m]
//                                                →  cast(conv_integer(x_q, w_q, z_x, z_w)) · (s_x·s_w) + b
//
// The QOperator forms (qlinear_conv, qlinear_matmul) expand to the same integer anchor plus a quantize_linear,
// and quantize_linear moves above the ops it commutes with (max pooling and pure layout changes), so that it
// reaches the epilogue of the layer that produced the value and the int8 tensor is what travels.
import { isInteger } from '../compiler/ir/dtype.js';
import type { Graph, Node, Value } from '../compiler/ir/graph.js';
import { Tensor } from '../compiler/ir/tensor.js';
import { attrFloat, attrInt, normalizeAxis } from '../compiler/ops/util.js';
import { concreteShape, emit1 } from './legalize-util.js';
import type { PassInfo } from './manager.js';
import { applyRewrites, type Rewriter, type RewriteRule } from './rewrite.js';

export const foldQdqPass: PassInfo = {
  name: 'fold-qdq',
  description: 'turns conv/matmul/gemm over dequantized int8 operands (and qlinear_* ops) into integer anchors with a rescaling epilogue',
  options: {},
  create: () => (graph) => foldQdq(graph),
};

export function foldQdq(graph: Graph): Graph {
  return applyRewrites(graph, QDQ_RULES);
}

/** A dequantized value: the integer tensor, its scale(s) and zero point(s), and the axis of per-axis ones. */
interface Dequantized {
  q: Value;
  scale: Tensor;
  zeroPoint?: Value;
  axis: number;
}

/** The operands of dequantize_linear node `n` when its scale is a constant (and its zero point, if any). */
function dequantized(n: Node | undefined): Dequantized | undefined {
  if (!n || n.op !== 'dequantize_linear') return undefined;
  const [q, s, z] = n.inputs;
  if (!q || !s?.data || (z && !z.data) || !isInteger(q.type.dtype) || s.type.dtype !== 'f32') return undefined;
  const rank = q.type.shape.length;
  return { q, scale: s.data, zeroPoint: z ?? undefined, axis: s.data.size === 1 ? 0 : normalizeAxis(attrInt(n.attrs, 'axis'), rank) };
}

/** 8-bit operands only: the integer kernels' fast paths and the i32 sum's headroom are sized for them. */
const is8Bit = (v: Value) => v.type.dtype === 'u8' || v.type.dtype === 'i8';

/** A per-tensor activation: one scale, one zero point (or none). */
function perTensorActivation(d: Dequantized | undefined): d is Dequantized {
  return !!d && d.scale.size === 1 && (!d.zeroPoint || d.zeroPoint.data!.size === 1) && is8Bit(d.q);
}

/** Constant weights quantized per tensor or along `axis` (their output-channel axis). */
function constantWeights(d: Dequantized | undefined, axis: number): d is Dequantized {
  return !!d && !!d.q.data && is8Bit(d.q) && (d.scale.size === 1 || d.axis === axis);
}

/** s_x·s_w[c] as f32 for `channels` output channels. */
function combinedScales(x: Tensor, w: Tensor, channels: number, alpha = 1): Float32Array {
  const out = new Float32Array(channels);
  for (let c = 0; c < channels; c++) out[c] = x.data[0] * w.data[w.size === 1 ? 0 : c] * alpha;
  return out;
}

/**
 * cast(acc) · scale (+ bias): the rescaling epilogue of an integer anchor whose output `acc` has its
 * channels along `axis` (per-channel constants are shaped [C, 1, …] to broadcast from that axis).
 */
function rescale(rw: Rewriter, acc: Value, axis: number, scale: Float32Array, bias: Float32Array | undefined): Value {
  const rank = acc.type.shape.length;
  const along = (v: Float32Array) => (v.length === 1 ? Tensor.scalar('f32', v[0]) : new Tensor('f32', [v.length, ...new Array<number>(rank - axis - 1).fill(1)], v));
  const f = emit1(rw, 'cast', [acc], { to: 'f32' });
  const scaled = emit1(rw, 'mul', [f, rw.constant(along(scale))]);
  return bias ? emit1(rw, 'add', [scaled, rw.constant(along(bias))]) : scaled;
}

/** A bias as f32 per channel: an f32 constant, or an int32 constant through dequantize_linear (q·s). */
function biasValues(v: Value | null | undefined, producer: Node | undefined, channels: number): Float32Array | null | undefined {
  if (!v) return null;
  const d = dequantized(producer);
  const t = v.data ?? (d && d.q.data && !d.zeroPoint ? d.q.data : undefined);
  if (!t || t.size !== channels) return undefined;
  const out = new Float32Array(channels);
  for (let c = 0; c < channels; c++) out[c] = v.data ? t.data[c] : t.data[c] * d!.scale.data[d!.scale.size === 1 ? 0 : c];
  return out;
}

/** A [rows, cols] tensor as [cols, rows]. */
function transposed2d(t: Tensor): Tensor {
  const [rows, cols] = t.shape;
  const out = new Tensor(t.dtype, [cols, rows]);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out.data[c * rows + r] = t.data[r * cols + c];
  return out;
}

/** quantize_linear(v) with the parameters of `like` (a quantize_linear node). */
function requantizeLike(rw: Rewriter, v: Value, like: Node): Value {
  return emit1(rw, 'quantize_linear', like.inputs.map((x, i) => (i === 0 ? v : x)), like.attrs);
}

/** Ops that commute with a per-tensor quantize_linear: it is monotone, and these only move or pick elements. */
const COMMUTES_WITH_QUANTIZE = ['max_pool', 'reshape', 'flatten', 'squeeze', 'unsqueeze', 'transpose'];

export const QDQ_RULES: readonly RewriteRule[] = [
  // conv(dq(x), dq(w), b) → cast(conv_integer(x_q, w_q, z_x, z_w)) · s_x·s_w + b
  [{ op: 'conv', inputs: [{ op: 'dequantize_linear', as: 'x' }, { op: 'dequantize_linear', as: 'w' }] }, (m, rw) => {
    const [x, w] = [dequantized(m.nodes.x), dequantized(m.nodes.w)];
    if (!perTensorActivation(x) || !constantWeights(w, 0)) return undefined;
    const channels = w.q.data!.shape[0];
    const b = m.root.inputs[2];
    const bias = biasValues(b, b ? rw.producerOf(b) : undefined, channels);
    if (bias === undefined) return undefined;
    const acc = emit1(rw, 'conv_integer', [x.q, w.q, x.zeroPoint ?? null, w.zeroPoint ?? null], m.root.attrs);
    return [rescale(rw, acc, 1, combinedScales(x.scale, w.scale, channels), bias ?? undefined)];
  }],
  // matmul(dq(a), dq(b)) → cast(matmul_integer(a_q, b_q, z_a, z_b)) · s_a·s_b, b a constant [K, N]
  [{ op: 'matmul', inputs: [{ op: 'dequantize_linear', as: 'a' }, { op: 'dequantize_linear', as: 'b' }] }, (m, rw) => {
    const [a, b] = [dequantized(m.nodes.a), dequantized(m.nodes.b)];
    if (!perTensorActivation(a) || !constantWeights(b, 1) || b.q.data!.rank !== 2 || (concreteShape(a.q)?.length ?? 0) < 2) return undefined;
    const acc = emit1(rw, 'matmul_integer', [a.q, b.q, a.zeroPoint ?? null, b.zeroPoint ?? null]);
    const rank = acc.type.shape.length;
    return [rescale(rw, acc, rank - 1, combinedScales(a.scale, b.scale, b.q.data!.shape[1]), undefined)];
  }],
  // gemm(dq(a), dq(b), c) {alpha, beta, transB} → cast(matmul_integer(a_q, b_qᵀ?, z_a, z_b)) · α·s_a·s_b + β·c
  [{ op: 'gemm', inputs: [{ op: 'dequantize_linear', as: 'a' }, { op: 'dequantize_linear', as: 'b' }] }, (m, rw) => {
    const [a, b] = [dequantized(m.nodes.a), dequantized(m.nodes.b)];
    const transB = attrInt(m.root.attrs, 'transB') === 1;
    if (attrInt(m.root.attrs, 'transA') || !perTensorActivation(a) || !constantWeights(b, transB ? 0 : 1)) return undefined;
    if (b.zeroPoint && b.zeroPoint.data!.size !== 1) return undefined;
    const bq = transB ? transposed2d(b.q.data!) : b.q.data!;
    const n = bq.shape[1];
    const c = m.root.inputs[2];
    const cValues = biasValues(c, c ? rw.producerOf(c) : undefined, n);
    if (cValues === undefined) return undefined;
    const beta = attrFloat(m.root.attrs, 'beta');
    const acc = emit1(rw, 'matmul_integer', [a.q, rw.constant(bq), a.zeroPoint ?? null, b.zeroPoint ?? null]);
    const bias = cValues ? cValues.map((v) => v * beta) : undefined;
    return [rescale(rw, acc, 1, combinedScales(a.scale, b.scale, n, attrFloat(m.root.attrs, 'alpha')), bias)];
  }],
  // qlinear_conv(x, s_x, z_x, w, s_w, z_w, s_y, z_y, b) → quantize_linear(cast(conv_integer(x, w, z_x, z_w)) · s_x·s_w + b·s_x·s_w, s_y, z_y)
  [{ op: 'qlinear_conv' }, (m, rw) => {
    const [x, xs, xz, w, ws, wz, ys, yz, b] = m.root.inputs;
    if (!x || !w?.data || !xs?.data || !ws?.data || xs.data.size !== 1 || (b && !b.data)) return undefined;
    const channels = w.data.shape[0];
    const scales = combinedScales(xs.data, ws.data, channels);
    const bias = b?.data ? scales.map((s, c) => s * b.data!.data[c]) : undefined;
    const acc = emit1(rw, 'conv_integer', [x, w, xz, wz], m.root.attrs);
    return [emit1(rw, 'quantize_linear', [rescale(rw, acc, 1, scales, bias), ys, yz])];
  }],
  // qlinear_matmul(a, s_a, z_a, b, s_b, z_b, s_y, z_y) → quantize_linear(cast(matmul_integer(a, b, z_a, z_b)) · s_a·s_b, s_y, z_y)
  [{ op: 'qlinear_matmul' }, (m, rw) => {
    const [a, as, az, b, bs, bz, ys, yz] = m.root.inputs;
    if (!a || !b?.data || b.data.rank !== 2 || !as?.data || !bs?.data || as.data.size !== 1) return undefined;
    const acc = emit1(rw, 'matmul_integer', [a, b, az, bz]);
    const rank = acc.type.shape.length;
    return [emit1(rw, 'quantize_linear', [rescale(rw, acc, rank - 1, combinedScales(as.data, bs.data, b.data.shape[1]), undefined), ys, yz])];
  }],
  // quantize_linear(f₁(…fₖ(x))) → f₁(…fₖ(quantize_linear(x))) for fᵢ max pools or layout changes, per-tensor
  // parameters, each fᵢ's result read only by the next (the whole chain moves in one rewrite)
  [{ op: 'quantize_linear', inputs: [{ op: COMMUTES_WITH_QUANTIZE }] }, (m, rw) => {
    const [x, s, z] = m.root.inputs;
    if (!s?.data || s.data.size !== 1 || (z && z.data?.size !== 1)) return undefined;
    const chain: Node[] = [];
    for (let v = x, f = rw.producerOf(x!); f && COMMUTES_WITH_QUANTIZE.includes(f.op) && f.outputs.length === 1 && rw.useCount(v!) === 1; v = f.inputs[0], f = rw.producerOf(v!)) {
      chain.push(f);
    }
    if (chain.length === 0) return undefined;
    let q = requantizeLike(rw, chain[chain.length - 1].inputs[0]!, m.root);
    for (const f of chain.reverse()) q = emit1(rw, f.op, [q, ...f.inputs.slice(1)], f.attrs);
    return [q];
  }],
];
