// The integer anchors: matmul_integer and conv_integer (exact i32 sums of zero-point-shifted 8-bit operands)
// and their requantizing forms qlinear_matmul and qlinear_conv. The operands of int8 inference (8-bit
// activations with a per-tensor zero point, constant 8-bit symmetric weights) take the integer GEMM
// (integer-fast.ts), or as depthwise convs with width stride 1 the pair planes of integer-depthwise.ts; every other combination — zero points per row or channel, weights known at run time,
// wider integers, grouped convs, qlinear_* — the direct loops here. Requantization takes the
// reference's steps to the bit: m = f32(f32(s_in · s_w) / s_y) (f32 arithmetic is correctly rounded, as the
// reference's fround after each f64 step is), then y = saturate(round_half_even(fround(acc · m) + zp)) with the
// product in f64 before its rounding to f32 and the zero point added exactly.
import type { DType } from '../../../compiler/ir/dtype.js';
import type { Value } from '../../../compiler/ir/graph.js';
import { integerOperands, type IntegerOperands, type Requantization } from '../../integer-operands.js';
import { loopNest } from '../../loops.js';
import { matmulGeometry } from '../../matmul-geometry.js';
import { convShapeOf } from '../../window-geometry.js';
import { asType } from '../as-target.js';
import { fastDepthwise } from './integer-depthwise.js';
import { fastConv, fastMatmul } from './integer-fast.js';
import { at, shapeOf, sizeOfValue, unsupported, type KernelContext } from './kernel.js';

const RANGES: Partial<Record<DType, [number, number]>> = { u8: [0, 255], i8: [-128, 127] };

/** Element `index` of an integer operand, as i32. */
function intAt(k: KernelContext, v: Value, index: string): string {
  return `<i32>load<${asType(v.type.dtype)}>(${at(k.ptr(v), index, v.type.dtype)})`;
}

/** A parameter per tensor (one element) or indexed by `index` (per row, column or channel); 0 when absent. */
function perTensorOr(k: KernelContext, v: Value | undefined, index: string): string {
  if (!v) return '0';
  return intAt(k, v, sizeOfValue(v) === 1 ? '0' : index);
}

/** Stores i32 `acc` of output element `index`: as it is, or requantized with the multiplier of `channel`. */
type Store = (acc: string, index: string, channel: string) => string;

/**
 * Stores the sum as it is (an i32 output), or through the fused group's epilogue (k.epilogue: i32 sum in, the
 * group's output dtype out; see group-epilogue.ts) at the element's address in the group's output.
 */
function storeSum(k: KernelContext, y: Value): Store {
  const dtype = y.type.dtype;
  const epi = k.epilogue;
  if (!epi) return (acc, index) => `store<i32>(${at(k.ptr(y), index, 'i32')}, ${acc});`;
  if (epi.input !== 'i32') throw new Error(`code generator bug: an epilogue of ${epi.input ?? 'f32'} on the i32 sum of ${k.node.name}`);
  return (acc, index) => `store<${asType(dtype)}>(${at(k.ptr(y), index, dtype)}, ${epi.scalar(acc, at(k.ptr(y), index, dtype))});`;
}

function requantizingStore(k: KernelContext, y: Value, { aScale, bScale, yScale, yZp }: Requantization): Store {
  const range = RANGES[yZp.type.dtype];
  if (!range) unsupported(k.node, `${yZp.type.dtype} outputs`);
  for (const s of [aScale, bScale, yScale]) if (s.type.dtype !== 'f32') unsupported(k.node, `${s.type.dtype} scales (f32 only)`);
  const requantize = k.helper('requantize', () => `// saturate(round_half_even(f32(acc · m) + zp)) into [lo, hi].
function requantize(acc: i32, m: f32, zp: i32, lo: f64, hi: f64): i32 {
  return <i32>min(max(nearest<f64>(<f64><f32>(<f64>acc * <f64>m) + <f64>zp), lo), hi);
}`);
  const f32At = (v: Value, index: string) => `load<f32>(${at(k.ptr(v), sizeOfValue(v) === 1 ? '0' : index, 'f32')})`;
  return (acc, index, channel) => {
    const m = `(${f32At(aScale, '0')} * ${f32At(bScale, channel)}) / ${f32At(yScale, '0')}`;
    const q = `${requantize}(${acc}, ${m}, ${intAt(k, yZp, '0')}, ${range[0]}, ${range[1]})`;
    return `store<${asType(y.type.dtype)}>(${at(k.ptr(y), index, y.type.dtype)}, <${asType(y.type.dtype)}>${q});`;
  };
}

/** out[…, i, j] = Σ_k (a[…, i, k] − a_zp[i]) · (b[…, k, j] − b_zp[j]), stored by `store` (channel: the column j). */
function integerMatmul(k: KernelContext, o: IntegerOperands, y: Value, store: Store): string {
  const { m, k: depth, n, batch, strides } = matmulGeometry(shapeOf(o.a), shapeOf(o.b));
  if (sizeOfValue(y) === 0) return '';
  return loopNest({ dims: batch, strides }, ([oy, oa, ob]) => [
    `for (let row: i32 = 0; row < ${m}; row++) {`,
    `  const za = ${perTensorOr(k, o.aZp, 'row')};`,
    `  for (let col: i32 = 0; col < ${n}; col++) {`,
    `    const zb = ${perTensorOr(k, o.bZp, 'col')};`,
    '    let acc: i32 = 0;',
    `    for (let kk: i32 = 0; kk < ${depth}; kk++) acc += (${intAt(k, o.a, `${oa} + row * ${depth} + kk`)} - za) * (${intAt(k, o.b, `${ob} + kk * ${n} + col`)} - zb);`,
    `    ${store('acc', `${oy} + row * ${n} + col`, 'col')}`,
    '  }',
    '}',
  ].join('\n'), 'b');
}

/** The operands of an integer anchor and how its output stores each sum. */
function operandsAndStore(k: KernelContext): { o: IntegerOperands; y: Value; store: Store } {
  const o = integerOperands(k.node, (detail) => unsupported(k.node, detail));
  const y = k.output(0);
  return { o, y, store: o.requantize ? requantizingStore(k, y, o.requantize) : storeSum(k, y) };
}

/** matmul_integer, and qlinear_matmul requantizing with the scale of each column. */
export function integerMatmulKernel(k: KernelContext): string {
  const { o, y, store } = operandsAndStore(k);
  return fastMatmul(k, o, y) ?? integerMatmul(k, o, y, store);
}

/** Σ over the window of (x − x_zp) · (w − w_zp[m]) (+ bias[m]) per output element, stored by `store` (channel: m). */
function integerConv(k: KernelContext, o: IntegerOperands, y: Value, store: Store): string {
  const s = convShapeOf(k.node, shapeOf(o.a), shapeOf(o.b), shapeOf(y), false, (d) => unsupported(k.node, d));
  if (sizeOfValue(y) === 0) return '';
  const { g } = s;
  const cPer = s.c / s.group;
  const mPer = s.m / s.group;
  const [od, oh, ow] = g.outDims;
  const [id, ih, iw] = g.inDims;
  const [kd, kh, kw] = g.kernel;
  // The input coordinate of output coordinate o and tap t along spatial axis j, skipped when outside.
  const tap = (name: string, j: number, size: number) => [
    `const ${name} = o${name} * ${g.strides[j]} - ${g.padBegin[j]} + k${name} * ${g.dilations[j]};`,
    `if (${name} < 0 || ${name} >= ${size}) continue;`,
  ].join(' ');
  return [
    `for (let n: i32 = 0; n < ${s.n}; n++) for (let oc: i32 = 0; oc < ${s.m}; oc++) {`,
    `  const c0 = (oc / ${mPer}) * ${cPer};`,
    `  const zw = ${perTensorOr(k, o.bZp, 'oc')};`,
    `  for (let od: i32 = 0; od < ${od}; od++) for (let oh: i32 = 0; oh < ${oh}; oh++) for (let ow: i32 = 0; ow < ${ow}; ow++) {`,
    `    let acc: i32 = ${o.bias ? intAt(k, o.bias, 'oc') : '0'};`,
    `    for (let c: i32 = 0; c < ${cPer}; c++) {`,
    `      const zx = ${perTensorOr(k, o.aZp, 'c0 + c')};`,
    `      const xc = (n * ${s.c} + c0 + c) * ${s.inPlane};`,
    `      const wc = (oc * ${cPer} + c) * ${s.kVol};`,
    `      for (let kd: i32 = 0; kd < ${kd}; kd++) { ${tap('d', 0, id)}`,
    `      for (let kh: i32 = 0; kh < ${kh}; kh++) { ${tap('h', 1, ih)}`,
    `      for (let kw: i32 = 0; kw < ${kw}; kw++) { ${tap('w', 2, iw)}`,
    `        acc += (${intAt(k, o.a, `xc + (d * ${ih} + h) * ${iw} + w`)} - zx) * (${intAt(k, o.b, `wc + (kd * ${kh} + kh) * ${kw} + kw`)} - zw);`,
    '      }}}',
    '    }',
    `    ${store('acc', `((n * ${s.m} + oc) * ${od} + od) * ${oh * ow} + oh * ${ow} + ow`, 'oc')}`,
    '  }',
    '}',
  ].join('\n');
}

/** conv_integer, and qlinear_conv requantizing with the scale of each output channel. */
export function integerConvKernel(k: KernelContext): string {
  const { o, y, store } = operandsAndStore(k);
  const s = convShapeOf(k.node, shapeOf(o.a), shapeOf(o.b), shapeOf(y), false, (d) => unsupported(k.node, d));
  if (sizeOfValue(y) === 0) return '';
  return fastConv(k, o, y, s) ?? fastDepthwise(k, o, y, s) ?? integerConv(k, o, y, store);
}
