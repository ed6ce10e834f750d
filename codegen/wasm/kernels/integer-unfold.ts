// The run-time unfold (im2col) of the integer conv's activations into the GEMM's B: k-pair panels of i16
// (integer-packing.ts: element (kp, col, half) of a block at ((col / width)·KP + kp)·width + col mod width)·2 + half).
// k = (c, kd, kh, kw) indexes the receptive field; column (q − q0)·oW + ow the output positions of a block of
// output rows q (q = od·oH + oh). Value: x[c, od·sD − pD + kd·dD, oh·sH − pH + kh·dH, ow·sW − pW + kw·dW] − zx, or 0
// outside the input (a padded tap then adds nothing).
// The two rows r0 = 2p, r1 = 2p + 1 of a k-pair are unfolded together, output row by output row: where both
// read inside the input, 8 consecutive outputs at a time, in SIMD — each row's 8 bytes (stride 1: one load64;
// stride 2: one v128 load, every other byte) interleaved by one shuffle into (r0, r1) byte pairs, widened to
// i16 by two extends (the 4 pairs of columns col…col+3, then col+4…col+7), zx subtracted, two stores. The
// chunks start at a column ≡ 0 mod 4, so each half stays within one panel (width is a multiple of 4). The
// ends of a row, the rows of a padded border, an odd K's last row and strides past 2 go element by element.
// When every tap of every output lies inside the input (no padding), every element is written and the block
// needs no zero fill (an odd K's missing row meets a zero weight, and a panel's columns past N are not stored).
import type { Value } from '../../../compiler/ir/graph.js';
import type { ConvShape } from '../../window-geometry.js';
import { asType } from '../as-target.js';
import type { KernelContext } from './kernel.js';

/** Whether every tap of every output reads inside the input. */
function unpadded(s: ConvShape): boolean {
  return s.g.inDims.every((size, j) => s.g.padBegin[j] === 0 && (s.g.outDims[j] - 1) * s.g.strides[j] + (s.g.kernel[j] - 1) * s.g.dilations[j] <= size - 1);
}

/**
 * Unfolds output rows [q0, q0 + nq) of batch element `b` (locals of the caller, with ncolPadded) into the pair
 * panels at `cols`, for a depth of `depth` (kp pairs) and panels of `width` columns.
 */
export function unfoldPairs(k: KernelContext, x: Value, s: ConvShape, zx: number, cols: string, width: number, depth: number): string {
  const [iD, iH, iW] = s.g.inDims;
  const [, oH, oW] = s.g.outDims;
  const [kD, kH, kW] = s.g.kernel;
  const [sD, sH, sW] = s.g.strides;
  const [dD, dH, dW] = s.g.dilations;
  const [pD, pH, pW] = s.g.padBegin;
  const kp = (depth + 1) >> 1;
  const t = asType(x.type.dtype);
  const extend = x.type.dtype === 'u8' ? 'u' : 's';
  // Chunks are aligned to columns ≡ 0 mod 4 within a row of the block; rows start at multiples of oW.
  const simd = sW <= 2 && oW % 4 === 0;
  const bytes = sW === 1 ? 8 : 16;
  const shuffle = Array.from({ length: 8 }, (_, i) => `${i * sW}, ${16 + i * sW}`).join(', ');
  const load = (src: string) => (sW === 1 ? `v128.load64_zero(${src})` : `v128.load(${src})`);
  const panelStride = kp * width * 4;
  const slot = (col: string) => `<usize>((${col}) / ${width}) * ${panelStride} + <usize>((${col}) % ${width}) * 4`;
  // Row h (0 or 1) of the pair: its channel, taps and offset along the width, its source row and valid outputs [lo, hi).
  const row = (h: number) => [
    `const r${h}: i32 = 2 * p + ${h};`,
    `const c${h}: i32 = r${h} / ${s.kVol}, kd${h}: i32 = (r${h} / ${kH * kW}) % ${kD}, kh${h}: i32 = (r${h} / ${kW}) % ${kH}, kw${h}: i32 = r${h} % ${kW};`,
    `const off${h}: i32 = kw${h} * ${dW} - ${pW};`,
    `const lo${h}: i32 = off${h} >= 0 ? 0 : (-off${h} + ${sW - 1}) / ${sW};`,
    `const hi${h}: i32 = r${h} >= ${depth} || off${h} > ${iW - 1} ? 0 : min(${oW}, (${iW - 1} - off${h}) / ${sW} + 1);`,
    // The last output whose chunk's load stays inside the input row (a v128 load reads 16 bytes).
    `const end${h}: i32 = ${iW} - off${h} - ${bytes} < 0 ? 0 : min(hi${h}, (${iW} - off${h} - ${bytes}) / ${sW} + 8);`,
  ];
  const source = (h: number) => [
    `const id${h}: i32 = id * ${sD} - ${pD} + kd${h} * ${dD}, ih${h}: i32 = ih * ${sH} - ${pH} + kh${h} * ${dH};`,
    `const in${h}: bool = hi${h} > lo${h} && id${h} >= 0 && id${h} < ${iD} && ih${h} >= 0 && ih${h} < ${iH};`,
    `const src${h}: usize = ${k.ptr(x)} + <usize>((b * ${s.c} + c${h}) * ${s.inPlane} + (id${h} * ${iH} + ih${h}) * ${iW} + off${h});`,
  ];
  const scalar = (h: number, from: string, to: string) =>
    `if (in${h}) for (let ow: i32 = ${from}; ow < ${to}; ow++) store<i16>(dst + ${h * 2} + ${slot('col0 + ow')}, <i16>(<i32>load<${t}>(src${h} + <usize>(ow * ${sW})) - ${zx}));`;
  return [
    unpadded(s) ? '' : `memory.fill(${cols}, 0, ${kp * 4} * ncolPadded);`,
    `const zx = i16x8.splat(${zx});`,
    `for (let p: i32 = 0; p < ${kp}; p++) {`,
    `  const dst: usize = ${cols} + <usize>(p * ${width * 4});`,
    ...[...row(0), ...row(1)].map((l) => `  ${l}`),
    '  for (let q = q0; q < q0 + nq; q++) {',
    `    const id: i32 = q / ${oH}, ih: i32 = q % ${oH};`,
    ...[...source(0), ...source(1)].map((l) => `    ${l}`),
    `    const col0: i32 = (q - q0) * ${oW};`,
    // The SIMD range [vlo, vhi): both rows inside, from a multiple of 4, whole chunks of 8.
    '    let vlo: i32 = 0, vhi: i32 = 0;',
    simd ? [
      '    if (in0 && in1) {',
      '      vlo = (max(lo0, lo1) + 3) & ~3;',
      '      vhi = max(vlo, vlo + ((min(end0, end1) - vlo) & ~7));',
      '      for (let ow: i32 = vlo; ow < vhi; ow += 8) {',
      `        const ab = i8x16.shuffle(${load(`src0 + <usize>(ow * ${sW})`)}, ${load(`src1 + <usize>(ow * ${sW})`)}, ${shuffle});`,
      `        const at: usize = dst + ${slot('col0 + ow')};`,
      `        v128.store(at, i16x8.sub(i16x8.extend_low_i8x16_${extend}(ab), zx));`,
      `        v128.store(dst + ${slot('col0 + ow + 4')}, i16x8.sub(i16x8.extend_high_i8x16_${extend}(ab), zx));`,
      '      }',
      '    }',
    ].join('\n') : '',
    ...[0, 1].flatMap((h) => [`    ${scalar(h, `lo${h}`, `min(hi${h}, vlo)`)}`, `    ${scalar(h, `max(lo${h}, vhi)`, `hi${h}`)}`]),
    '  }',
    '}',
  ].filter((l) => l !== '').join('\n');
}
