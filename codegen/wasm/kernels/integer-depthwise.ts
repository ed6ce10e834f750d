// The fast depthwise conv_integer (one input channel per group, channel multiplier 1, width stride 1 or 2), for
// the operands of int8 inference (fastOperands: per-tensor activation zero point, constant 8-bit weights).
// Per channel, each input row is widened (x − zx, i16) into a zero-padded row X, then paired into sW phases:
// slot t of phase ph of the channel's pair plane P holds the i32 of two i16 (X[sW·t + ph], X[sW·t + ph + dW]) — a
// tap and the tap one dilation to its right. Output ow at taps (kw, kw + 1) reads X[sW·ow + kw·dW] (padded
// coordinates): slot ow + ⌊kw·dW / sW⌋ of phase kw·dW mod sW, so one v128 load of 4 consecutive slots against a
// splat of the weight pair (w[kh, kw], w[kh, kw + 1]) adds both taps to 4 consecutive outputs in one
// i32x4.dot_i16x8_s: a 3×3 window is 6 dots per 4 outputs (an odd kW pairs its last tap with a zero weight).
// Pairing is one shuffle of two loads of X per 8 slots (stride 1) or 4 (stride 2: every other lane). Rows
// above or below the input read a zero row. The sum goes to the group's
// epilogue: the closed form (affine-epilogue.ts) with the channel's scale and bias splatted once per channel,
// the generic helpers, or the i32 store.
import type { Value } from '../../../compiler/ir/graph.js';
import { Tensor } from '../../../compiler/ir/tensor.js';
import type { IntegerOperands } from '../../integer-operands.js';
import { i16Pair } from '../../integer-packing.js';
import type { ConvShape } from '../../window-geometry.js';
import { asType } from '../as-target.js';
import { storeVector } from './group-epilogue.js';
import { fastOperands } from './integer-fast.js';
import { elementBytes, type KernelContext } from './kernel.js';

const round = (x: number, to: number) => Math.ceil(x / to) * to;

/** The weight pairs [C, kH, ⌈kW/2⌉] as i32: (w[c, kh, 2p], w[c, kh, 2p + 1] or 0). */
function weightPairs(w: ArrayLike<number>, c: number, kH: number, kW: number): Int32Array {
  const kWp = (kW + 1) >> 1;
  const out = new Int32Array(c * kH * kWp);
  for (let ch = 0; ch < c; ch++) for (let kh = 0; kh < kH; kh++) for (let p = 0; p < kWp; p++) {
    const at = (ch * kH + kh) * kW + 2 * p;
    out[(ch * kH + kh) * kWp + p] = i16Pair(w[at], 2 * p + 1 < kW ? w[at + 1] : 0);
  }
  return out;
}

/** Interleaves the i16 lanes of a and b: (a0, b0, a1, b1, a2, b2, a3, b3), then the high halves; then the even lanes only. */
const INTERLEAVE_LOW = '0, 1, 16, 17, 2, 3, 18, 19, 4, 5, 20, 21, 6, 7, 22, 23';
const INTERLEAVE_HIGH = '8, 9, 24, 25, 10, 11, 26, 27, 12, 13, 28, 29, 14, 15, 30, 31';
const INTERLEAVE_EVEN = '0, 1, 16, 17, 4, 5, 20, 21, 8, 9, 24, 25, 12, 13, 28, 29';

/** Pairs the widened row X into one phase of a plane row at `pr` (sW = 1: 8 slots per step; 2: 4). */
function pairRow(x: string, sW: number, dW: number, wp: number): string[] {
  if (sW === 1) {
    return [
      `for (let j: i32 = 0; j < ${wp}; j += 8) {`,
      `  const a = v128.load(${x} + <usize>j * 2), b = v128.load(${x} + <usize>(j + ${dW}) * 2);`,
      `  v128.store(pr + <usize>j * 4, i8x16.shuffle(a, b, ${INTERLEAVE_LOW}));`,
      `  v128.store(pr + <usize>j * 4 + 16, i8x16.shuffle(a, b, ${INTERLEAVE_HIGH}));`,
      '}',
    ];
  }
  return [
    `for (let ph: i32 = 0; ph < 2; ph++) for (let t: i32 = 0; t < ${wp}; t += 4) {`,
    `  const a = v128.load(${x} + <usize>(2 * t + ph) * 2), b = v128.load(${x} + <usize>(2 * t + ph + ${dW}) * 2);`,
    `  v128.store(pr + <usize>(ph * ${wp} + t) * 4, i8x16.shuffle(a, b, ${INTERLEAVE_EVEN}));`,
    '}',
  ];
}

/** Depthwise conv_integer on pair planes, or undefined when these operands or this geometry take the direct loops. */
export function fastDepthwise(k: KernelContext, o: IntegerOperands, y: Value, s: ConvShape): string | undefined {
  const fast = fastOperands(k, o);
  const [iD, iH, iW] = s.g.inDims;
  const [oD, oH, oW] = s.g.outDims;
  const [kD, kH, kW] = s.g.kernel;
  const [, sH, sW] = s.g.strides;
  const [, dH, dW] = s.g.dilations;
  const [, pH, pW] = s.g.padBegin;
  if (!fast || s.group !== s.c || s.m !== s.c || iD !== 1 || oD !== 1 || kD !== 1 || sW > 2) return undefined;
  const epi = k.epilogue;
  const out = epi?.output ?? 'i32';
  const affine = epi?.affine && (epi.affine.axis === undefined || epi.affine.axis === 1) ? epi.affine : undefined;
  const kWp = (kW + 1) >> 1;
  // A phase of P's row: every slot an output chunk of 4 reads (the last chunk rounded up), in whole steps of 8.
  const wp = round(round(oW, 4) + Math.floor((2 * (kWp - 1) * dW) / sW), 8);
  const xLen = Math.max(sW * wp + dW + 8, pW + iW + 8);
  const rowBytes = sW * wp * 4;
  const [plane, row, zero] = [k.scratch(iH * rowBytes), k.scratch(xLen * 2), k.scratch(rowBytes)];
  const weights = k.constant(new Tensor('i32', [s.c, kH, kWp], weightPairs(fast.w.data, s.c, kH, kW)));
  const channelConstant = (v: Float32Array) => k.constant(new Tensor('f32', [s.c], Float32Array.from({ length: s.c }, (_, c) => v[v.length === 1 ? 0 : c])));
  const [scale, bias] = affine ? [channelConstant(affine.scale), channelConstant(affine.bias)] : ['0', '0'];
  const t = asType(o.a.type.dtype);
  const extend = o.a.type.dtype === 'u8' ? 'u' : 's';
  const size = elementBytes(out);
  const taps = Array.from({ length: kH }, (_, kh) => Array.from({ length: kWp }, (_, p) => [kh, p])).flat();
  // Taps (2p, 2p + 1) of output ow: slot ow + ⌊2p·dW / sW⌋ of phase 2p·dW mod sW.
  const slot = (p: number) => ((2 * p * dW) % sW) * wp + Math.floor((2 * p * dW) / sW);
  const sum = (ow: string) => taps.reduce((acc, [kh, p]) =>
    `i32x4.add(${acc}, i32x4.dot_i16x8_s(v128.load(row${kh} + <usize>(${ow} + ${slot(p)}) * 4), w${kh}_${p}))`, 'i32x4.splat(0)');
  const vectorStore = (at: string) => {
    if (affine) return out === 'f32' ? `v128.store(${at}, ${affine.vector('acc', 'sa', 'sb')});` : storeVector(k, out, at, affine.vector('acc', 'sa', 'sb'));
    return epi ? storeVector(k, out, at, epi.vector('acc', at)) : `v128.store(${at}, acc);`;
  };
  const laneStore = (l: number) => {
    const at = `yr + <usize>(ow + ${l}) * ${size}`;
    const x = `i32x4.extract_lane(acc, ${l})`;
    const value = affine ? affine.scalar(x, 'f32x4.extract_lane(sa, 0)', 'f32x4.extract_lane(sb, 0)') : epi ? epi.scalar(x, at) : x;
    return `if (ow + ${l} < ${oW}) store<${asType(out)}>(${at}, ${value});`;
  };
  return [
    `memory.fill(${row}, 0, ${xLen * 2});`,
    `memory.fill(${zero}, 0, ${rowBytes});`,
    `const zx = i16x8.splat(${fast.zx});`,
    `for (let n: i32 = 0; n < ${s.n}; n++) for (let c: i32 = 0; c < ${s.c}; c++) {`,
    `  const src: usize = ${k.ptr(o.a)} + <usize>((n * ${s.c} + c) * ${s.inPlane});`,
    // Widen each input row into X (its pads stay zero), then pair X into the channel's plane.
    `  for (let ih: i32 = 0; ih < ${iH}; ih++) {`,
    `    const sr: usize = src + <usize>(ih * ${iW});`,
    '    let w: i32 = 0;',
    `    for (; w + 8 <= ${iW}; w += 8) v128.store(${row} + <usize>(${pW} + w) * 2, i16x8.sub(v128.load8x8_${extend}(sr + <usize>w), zx));`,
    `    for (; w < ${iW}; w++) store<i16>(${row} + <usize>(${pW} + w) * 2, <i16>(<i32>load<${t}>(sr + <usize>w) - ${fast.zx}));`,
    `    const pr: usize = ${plane} + <usize>(ih * ${rowBytes});`,
    ...pairRow(row, sW, dW, wp).map((l) => `    ${l}`),
    '  }',
    ...taps.map(([kh, p]) => `  const w${kh}_${p} = v128.load32_splat(${weights} + <usize>((c * ${kH} + ${kh}) * ${kWp} + ${p}) * 4);`),
    `  const sa = v128.load32_splat(${scale} + <usize>c * 4), sb = v128.load32_splat(${bias} + <usize>c * 4);`,
    `  for (let oh: i32 = 0; oh < ${oH}; oh++) {`,
    ...Array.from({ length: kH }, (_, kh) => [
      `    const ih${kh}: i32 = oh * ${sH} - ${pH} + ${kh * dH};`,
      `    const row${kh}: usize = ih${kh} >= 0 && ih${kh} < ${iH} ? ${plane} + <usize>(ih${kh} * ${rowBytes}) : ${zero};`,
    ]).flat(),
    `    const yr: usize = ${k.ptr(y)} + <usize>(((n * ${s.c} + c) * ${oH} + oh) * ${oW}) * ${size};`,
    '    let ow: i32 = 0;',
    `    for (; ow + 4 <= ${oW}; ow += 4) { const acc = ${sum('ow')}; ${vectorStore(`yr + <usize>ow * ${size}`)} }`,
    `    if (ow < ${oW}) { const acc = ${sum('ow')}; ${[0, 1, 2, 3].map(laneStore).join(' ')} }`,
    '  }',
    '}',
  ].join('\n');
}
