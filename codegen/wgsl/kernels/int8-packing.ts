// Packed int8 weights of the integer anchors on WebGPU, and the GEMM their kernels compute. A conv_integer or
// matmul_integer whose weights are a constant i8 tensor without a zero point (symmetric, as quantizers emit
// them) and whose activation zero point is one constant is an implicit GEMM over packed words:
//
//   out[n, m, p] = Σ_k (x[n, k, p] − zx) · w[m, k]            (conv: k over the group's c·kd·kh·kw; matmul: m a
//                                                            column of B, p a row of A)
//               = Σ_k (x − o) · w  +  (o − zx) · Σ_k w[m, k]   with o = 128 for u8 x, 0 for i8 x,
//
// so that every activation operand x − o is an i8 (dot4I8Packed multiplies i8 by i8) and the zero point costs
// one per-channel constant, corr[m] = (o − zx) · Σ_k w[m, k], computed here. Padded conv positions read
// x = zx (ONNX pads ConvInteger's input with its zero point), i.e. the operand zx − o.
//
// Weights: row m of W (its K = depth elements) as ⌈K/4⌉ u32 words, element 4q + j in byte j of word q (two's
// complement; the padding of the last word is 0, so it adds nothing): four weights per load, a quarter of
// the f32 bytes. weights.bin holds these words as they are; the manifest lists their byte ranges with
// encoding 'i8x4' (runtime/manifest.ts).
import { isInteger } from '../../../compiler/ir/dtype.js';
import type { Node, Value } from '../../../compiler/ir/graph.js';
import { Tensor } from '../../../compiler/ir/tensor.js';
import { integerOperands } from '../../integer-operands.js';
import { matmulGeometry } from '../../matmul-geometry.js';
import { shapeOf } from '../../shapes.js';
import { convShapeOf, type ConvShape } from '../../window-geometry.js';
import type { WgslKernelContext } from './kernel.js';
import { unsupported } from './shader.js';

/** The implicit GEMM of a packed int8 anchor: per group, [channels × depth] weights times [depth × positions]. */
export interface PackedInt8Gemm {
  x: Value;
  /** The activation's offset o (128 for u8, 0 for i8) and zero point. */
  offset: number;
  zeroPoint: number;
  groups: number;
  /** Output channels per group (conv) or columns of B (matmul, one group). */
  channelsPerGroup: number;
  /** Output positions: batch · spatial (conv) or batch · rows of A (matmul). */
  positions: number;
  /** K: the products per output element. */
  depth: number;
  /** ⌈K/4⌉ packed words per channel. */
  words: number;
  /** The packed weights, [channels × words] u32. */
  weights: Tensor;
  /** corr[m] = (o − zx) · Σ_k w[m, k], [channels] i32. */
  corrections: Tensor;
  conv?: ConvShape;
  /** matmul: rows of A per batch. */
  rows?: number;
}

/** Rows of `depth` i8 weights (row m's element k at `at(m, k)`) packed four to a u32 word, and their sums. */
export function packInt8Rows(rows: number, depth: number, at: (m: number, k: number) => number): { words: Uint32Array; sums: number[] } {
  const per = Math.ceil(depth / 4);
  const words = new Uint32Array(rows * per);
  const sums: number[] = [];
  for (let m = 0; m < rows; m++) {
    let sum = 0;
    for (let k = 0; k < depth; k++) {
      const w = at(m, k);
      sum += w;
      words[m * per + (k >> 2)] |= (w & 0xff) << ((k & 3) * 8);
    }
    sums.push(sum);
  }
  return { words, sums };
}

const constantScalar = (k: WgslKernelContext, v: Value | undefined): number | undefined => {
  if (!v) return 0;
  const t = k.constantOf(v);
  return t && t.size === 1 ? Number(t.data[0]) : undefined;
};

/**
 * The packed GEMM of `k.node`, or undefined when the node is not of that form (run-time or non-i8 weights, a
 * weight zero point other than 0, a zero point per row, batched B): the direct kernels compute those.
 */
export function packedInt8Gemm(k: WgslKernelContext): PackedInt8Gemm | undefined {
  const node: Node = k.node;
  if (node.op !== 'conv_integer' && node.op !== 'matmul_integer') return undefined;
  const o = integerOperands(node, (detail) => unsupported(node, detail));
  const w = k.constantOf(o.b);
  if (!w || o.b.type.dtype !== 'i8' || !isInteger(o.a.type.dtype)) return undefined;
  if (o.a.type.dtype !== 'u8' && o.a.type.dtype !== 'i8') return undefined;
  if (o.bZp) {
    const zp = k.constantOf(o.bZp);
    if (!zp || Array.from(zp.data, Number).some((v) => v !== 0)) return undefined;
  }
  const zeroPoint = constantScalar(k, o.aZp);
  if (zeroPoint === undefined) return undefined;
  const offset = o.a.type.dtype === 'u8' ? 128 : 0;
  const wv = Array.from(w.data, Number);
  const common = { x: o.a, offset, zeroPoint };
  const finish = (rows: number, depth: number, at: (m: number, k: number) => number) => {
    const { words, sums } = packInt8Rows(rows, depth, at);
    const per = Math.ceil(depth / 4);
    return {
      depth,
      words: per,
      weights: new Tensor('u32', [rows, per], words),
      corrections: new Tensor('i32', [rows], sums.map((s) => (offset - zeroPoint) * s)),
    };
  };
  if (node.op === 'matmul_integer') {
    const [as, bs] = [shapeOf(o.a), shapeOf(o.b)];
    if (bs.length !== 2 || as.length < 2) return undefined;
    const g = matmulGeometry(as, bs);
    const batch = g.batch.reduce((p, d) => p * d, 1);
    // Column n of B is weight row n.
    return { ...common, ...finish(g.n, g.k, (n, kk) => wv[kk * g.n + n]), groups: 1, channelsPerGroup: g.n, positions: batch * g.m, rows: g.m };
  }
  const s = convShapeOf(node, shapeOf(o.a), shapeOf(o.b), shapeOf(k.output(0)), false, (d) => unsupported(node, d));
  const depth = (s.c / s.group) * s.kVol;
  return { ...common, ...finish(s.m, depth, (m, kk) => wv[m * depth + kk]), groups: s.group, channelsPerGroup: s.m / s.group, positions: s.n * s.outPlane, conv: s };
}
