// The integer anchors: matmul_integer and conv_integer (i32 sums of zero-point-shifted 8-bit operands) and
// their requantizing forms qlinear_matmul and qlinear_conv. One invocation per output element accumulates
// exactly in i32 (|Σ| < 2³¹ for any layer of 8-bit operands under 33,000 terms deep); the requantization
// follows the reference's steps: y = saturate(round_half_even(fround(acc · m) + zero_point)) with
// m = (s_in · s_w) / s_y. conv_integer and matmul_integer over constant symmetric i8 weights — the form the
// int8 pipeline gives them — run the packed, tiled kernels of int8-gemm.ts; the rest (run-time or u8 weights,
// weight zero points, per-row zero points, the qlinear_* ops) run these direct loops. Both apply a fused
// group's epilogue (the requantization to the next layer's u8/i8) to the i32 sum at each store.
import type { Value } from '../../../compiler/ir/graph.js';
import { Tensor } from '../../../compiler/ir/tensor.js';
import type { DType } from '../../../compiler/ir/dtype.js';
import { integerOperands, type IntegerOperands, type Requantization } from '../../integer-operands.js';
import { matmulGeometry } from '../../matmul-geometry.js';
import { shapeOf, sizeOfValue } from '../../shapes.js';
import { convShapeOf } from '../../window-geometry.js';
import { storageType } from '../wgsl-target.js';
import { packedInt8Kernel } from './int8-gemm.js';
import type { WgslDispatch, WgslKernelContext } from './kernel.js';
import { finish } from './module-bindings.js';
import { Bindings, offsetsOf, perInvocation, unsupported } from './shader.js';

const RANGES: Partial<Record<DType, [number, number]>> = { u8: [0, 255], i8: [-128, 127] };

/** An integer element as i32 (8-bit operands are stored as u32 or i32). */
const asI32 = (expr: string, v: Value) => (storageType(v.type.dtype) === 'i32' ? expr : `i32(${expr})`);

/** A zero point indexed per tensor (one element) or by `index` (one per row, column or channel). */
function perTensorOr(b: Bindings, v: Value, index: string): string {
  return `${b.of(v)}[${sizeOfValue(v) === 1 ? '0u' : index}]`;
}

/**
 * Requantization: the multipliers m_j = (s_in · s_w[j]) / s_y, then f32(y_zp), in one tensor (the scales and
 * zero point would otherwise take four of the main dispatch's eight bindings), and the expression that
 * requantizes i32 `acc` with multiplier `index`. Constant parameters are computed here with the reference's
 * f32 roundings; parameters given at run time by a prologue dispatch, whose quotient is refined by one
 * residual step (WGSL allows x/y an error of 2.5 ulp, and a multiplier an ulp off moves rounding ties).
 */
function requantization(k: WgslKernelContext, { aScale: inScale, bScale: wScale, yScale, yZp }: Requantization): { prologue: WgslDispatch[]; expr(b: Bindings, acc: string, index: string): string } {
  const range = RANGES[yZp.type.dtype];
  if (!range) unsupported(k.node, `${yZp.type.dtype} outputs`);
  const count = sizeOfValue(wScale);
  const known = [inScale, wScale, yScale, yZp].map((v) => k.constantOf(v));
  let params: Value;
  const prologue: WgslDispatch[] = [];
  if (known.every((t) => t)) {
    const [si, sw, sy, zp] = known.map((t) => t!.toNumbers());
    const m = sw.map((w) => Math.fround(Math.fround(si[0] * w) / sy[0]));
    params = k.constant(new Tensor('f32', [count + 1], [...m, zp[0]]));
  } else {
    params = k.scratch('f32', [count + 1]);
    const pb = new Bindings([params]);
    const body = [
      `  let num = ${pb.of(inScale)}[0] * ${pb.of(wScale)}[i];`,
      `  let den = ${pb.of(yScale)}[0];`,
      '  let q = num / den;',
      `  ${pb.of(params)}[i] = q + fma(-q, den, num) / den;`,
      `  if (i == 0u) { ${pb.of(params)}[${count}u] = f32(${pb.of(yZp)}[0]); }`,
    ].join('\n');
    prologue.push(perInvocation({ bindings: pb.list, count, body }));
  }
  return {
    prologue,
    expr: (b, acc, index) => {
      const q = `dlc_requantize(${acc}, ${b.of(params)}[${count === 1 ? '0u' : index}], i32(${b.of(params)}[${count}u]))`;
      return `${storageType(yZp.type.dtype)}(clamp(${q}, ${range[0]}, ${range[1]}))`;
    },
  };
}

/**
 * round_half_even(fround(acc · m) + zp) as the reference computes it, in f64 after the f32 product: adding
 * zp in f32 could round a product just past a tie onto the tie, so the integer zero point is added after
 * rounding, with ties resolved on the sum's parity.
 */
const REQUANTIZE = `fn dlc_requantize(acc: i32, m: f32, zp: i32) -> i32 {
  let p = f32(acc) * m;
  let fl = floor(p);
  let frac = p - fl;
  let base = i32(fl) + zp;
  return select(select(base, base + 1, frac > 0.5f), base + (base & 1), frac == 0.5f);
}`;

/** out[…, i, j] = Σ_k (a[…, i, k] − a_zp[i]) · (b[…, k, j] − b_zp[j]), as `acc`, followed by `store(acc)`. */
function integerMatmul(k: WgslKernelContext, o: IntegerOperands, y: Value, bs: Bindings, store: () => string, globals?: string): WgslDispatch[] {
  const { m, k: depth, n, batch, strides } = matmulGeometry(shapeOf(o.a), shapeOf(o.b));
  const count = sizeOfValue(y);
  if (count === 0) return [];
  const [ab, bb] = [bs.of(o.a), bs.of(o.b)];
  // Batch offsets of a and b (broadcast), in elements.
  const [, aBatch, bBatch] = strides;
  const aZp = o.aZp ? asI32(perTensorOr(bs, o.aZp, 'row'), o.aZp) : '0';
  const bZp = o.bZp ? asI32(perTensorOr(bs, o.bZp, 'col'), o.bZp) : '0';
  const body = [
    `  let col = i % ${n}u;`,
    `  let row = (i / ${n}u) % ${m}u;`,
    offsetsOf(batch, [aBatch, bBatch], `i / ${m * n}u`),
    '  var acc = 0;',
    `  for (var kk = 0u; kk < ${depth}u; kk++) {`,
    `    acc += (${asI32(`${ab}[o0 + row * ${depth}u + kk]`, o.a)} - ${aZp}) * (${asI32(`${bb}[o1 + kk * ${n}u + col]`, o.b)} - ${bZp});`,
    '  }',
    store(),
  ].join('\n');
  return [perInvocation({ bindings: bs.list, count, body, globals: [globals, bs.globals()].filter((t) => t).join('\n') })];
}

/** The store of an integer anchor's i32 sum, through a fused group's epilogue when there is one. */
const plainStore = (k: WgslKernelContext, y: Value, bs: Bindings) => () => `  ${bs.of(y)}[i] = ${finish(k.epilogue, 'acc', 'i', bs)};`;

/** matmul_integer, and qlinear_matmul requantizing with the scale of each column. */
export function integerMatmulKernel(k: WgslKernelContext): WgslDispatch[] {
  const packed = packedInt8Kernel(k);
  if (packed) return packed;
  const o = integerOperands(k.node, (detail) => unsupported(k.node, detail));
  const y = k.output(0);
  const bs = new Bindings([y]);
  if (!o.requantize) return integerMatmul(k, o, y, bs, plainStore(k, y, bs));
  const rq = requantization(k, o.requantize);
  const main = integerMatmul(k, o, y, bs, () => `  ${bs.of(y)}[i] = ${rq.expr(bs, 'acc', 'col')};`, REQUANTIZE);
  return main.length ? [...rq.prologue, ...main] : [];
}

/** Σ over the window of (x − x_zp) · (w − w_zp[m]) (+ bias[m]) as `acc`, then `store(acc)`, per output element. */
function integerConv(k: WgslKernelContext, o: IntegerOperands, y: Value, bs: Bindings, store: () => string, globals?: string): WgslDispatch[] {
  const s = convShapeOf(k.node, shapeOf(o.a), shapeOf(o.b), shapeOf(y), false, (d) => unsupported(k.node, d));
  const count = sizeOfValue(y);
  if (count === 0) return [];
  const { g } = s;
  const cPer = s.c / s.group;
  const mPer = s.m / s.group;
  const [xb, wb] = [bs.of(o.a), bs.of(o.b)];
  const xZp = o.aZp ? asI32(`${bs.of(o.aZp)}[0]`, o.aZp) : '0';
  const wZp = o.bZp ? asI32(perTensorOr(bs, o.bZp, 'oc'), o.bZp) : '0';
  const [od, oh, ow] = g.outDims;
  const [id, ih, iw] = g.inDims;
  const [kd, kh, kw] = g.kernel;
  const axis = (name: string, j: number) => `    let ${name} = i32(o${name}) * ${g.strides[j]} - ${g.padBegin[j]} + i32(k${name}) * ${g.dilations[j]};`;
  const body = [
    `  let ow = i % ${ow}u;`,
    `  let oh = (i / ${ow}u) % ${oh}u;`,
    `  let od = (i / ${ow * oh}u) % ${od}u;`,
    `  let oc = (i / ${s.outPlane}u) % ${s.m}u;`,
    `  let n = i / ${s.outPlane * s.m}u;`,
    `  let c0 = (oc / ${mPer}u) * ${cPer}u;`,
    `  var acc = ${o.bias ? `${bs.of(o.bias)}[oc]` : '0'};`,
    `  for (var c = 0u; c < ${cPer}u; c++) {`,
    `    for (var kd = 0u; kd < ${kd}u; kd++) {`,
    axis('d', 0),
    `    if (d < 0 || d >= ${id}) { continue; }`,
    `    for (var kh = 0u; kh < ${kh}u; kh++) {`,
    axis('h', 1),
    `    if (h < 0 || h >= ${ih}) { continue; }`,
    `    for (var kw = 0u; kw < ${kw}u; kw++) {`,
    axis('w', 2),
    `    if (w < 0 || w >= ${iw}) { continue; }`,
    `    let xv = ${asI32(`${xb}[(n * ${s.c}u + c0 + c) * ${s.inPlane}u + (u32(d) * ${ih}u + u32(h)) * ${iw}u + u32(w)]`, o.a)};`,
    `    let wv = ${asI32(`${wb}[((oc * ${cPer}u + c) * ${kd}u + kd) * ${kh * kw}u + kh * ${kw}u + kw]`, o.b)};`,
    `    acc += (xv - ${xZp}) * (wv - ${wZp});`,
    '    }',
    '    }',
    '    }',
    '  }',
    store(),
  ].join('\n');
  return [perInvocation({ bindings: bs.list, count, body, globals: [globals, bs.globals()].filter((t) => t).join('\n') })];
}

/** conv_integer, and qlinear_conv requantizing with the scale of each output channel. */
export function integerConvKernel(k: WgslKernelContext): WgslDispatch[] {
  const packed = packedInt8Kernel(k);
  if (packed) return packed;
  const o = integerOperands(k.node, (detail) => unsupported(k.node, detail));
  const y = k.output(0);
  const bs = new Bindings([y]);
  if (!o.requantize) return integerConv(k, o, y, bs, plainStore(k, y, bs));
  const rq = requantization(k, o.requantize);
  const main = integerConv(k, o, y, bs, () => `  ${bs.of(y)}[i] = ${rq.expr(bs, 'acc', 'oc')};`, REQUANTIZE);
  return main.length ? [...rq.prologue, ...main] : [];
}
