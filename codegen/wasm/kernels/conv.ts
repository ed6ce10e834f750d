// Convolutions over 1-D to 3-D windows (lifted to 3-D, as the reference does), in six schedules (chosen by
// conv-algorithm.ts):
//  pointwise   1×1, stride 1, no padding: the input already is the GEMM's B operand, Y = W·X per batch;
//  im2col-gemm unfold each group's receptive fields into scratch (rows c·kernel, columns output positions),
//              then Y_g = W_g · cols on the register-tiled GEMM;
//  implicit-gemm  (width stride 1) the same GEMM, one output row at a time, reading B straight from the
//              zero-padded input: B's row (c, kd, kh, kw) starts at a compile-time offset from the output
//              row's first input element (a table), and its columns are consecutive input elements;
//  depthwise   one input channel per group: row-vectorized with the taps unrolled (depthwise.ts);
//  winograd    3×3 stride 1: F(2×2, 3×3) on 16 GEMMs of transformed tiles (winograd.ts);
//  direct      loops over every input channel of the group, a kernel tap at a time over whole output rows,
//              for any geometry.
// In a threaded module the GEMM schedules split each product across threads (gemm.ts), and each thread fills
// its share of the channels of the unfolded or padded input before a barrier; depthwise splits the channels
// (depthwise.ts); direct and conv_transpose run on one thread.
// conv_transpose multiplies on the GEMM too, then scatters the products into the output (col2im).
import type { Value } from '../../../compiler/ir/graph.js';
import { Tensor } from '../../../compiler/ir/tensor.js';
import { convShapeOf, type ConvShape } from '../../window-geometry.js';
import { epiloguePass } from './epilogue.js';
import { chooseConvAlgorithm } from './conv-algorithm.js';
import { depthwiseConv } from './depthwise.js';
import { GemmInit, gemmCall, packRowTiles } from './gemm.js';
import { shapeOf, unsupported, type KernelContext } from './kernel.js';
import { isThreaded, threadBarrier, threadShare } from './threads.js';
import { winogradConv } from './winograd.js';

/** The conv's shape, resolved once for every target (codegen/window-geometry.ts). */
function convShape(k: KernelContext, x: Value, w: Value, y: Value, transpose: boolean): ConvShape {
  return convShapeOf(k.node, shapeOf(x), shapeOf(w), shapeOf(y), transpose, (detail) => unsupported(k.node, detail));
}

/** Y[b, m, ·] = bias[m] (or 0) for every batch and channel. */
function initOutput(k: KernelContext, y: Value, bias: Value | null, s: ConvShape): string {
  if (!bias) return `memory.fill(${k.ptr(y)}, 0, ${s.n * s.m * s.outPlane * 4});`;
  return [
    `for (let p: i32 = 0; p < ${s.n * s.m}; p++) {`,
    `  const bv = load<f32>(${k.ptr(bias)} + (p % ${s.m}) * 4);`,
    `  const row: usize = ${k.ptr(y)} + p * ${s.outPlane * 4};`,
    `  for (let o: i32 = 0; o < ${s.outPlane}; o++) store<f32>(row + o * 4, bv);`,
    '}',
  ].join('\n');
}

/** The columns of output positions [lo, hi) whose input column o·sW − pW + kw·dW lies in [0, iW), for tap `kw`. */
function columnRange(s: ConvShape, kw: string, inW: number, outW: number): string {
  const { strides, dilations, padBegin } = s.g;
  const [sW, dW, pW] = [strides[2], dilations[2], padBegin[2]];
  return [
    `const off = ${kw} * ${dW} - ${pW};`,
    `const lo: i32 = off >= 0 ? 0 : (-off + ${sW - 1}) / ${sW};`,
    `let hi: i32 = off > ${inW - 1} ? 0 : (${inW - 1} - off) / ${sW} + 1;`,
    `if (hi > ${outW}) hi = ${outW};`,
  ].join('\n');
}

/**
 * Unfolds output rows [q0, q0 + nq) (a row is one (od, oh)) of one group into `cols`: row (c, kd, kh, kw),
 * column (q − q0)·oW + ow, holding x[c, od·sD − pD + kd·dD, oh·sH − pH + kh·dH, ow·sW − pW + kw·dW] or 0.
 */
function im2colBlock(k: KernelContext, x: Value, s: ConvShape, cols: string, xBase: string, channels?: [string, string]): string {
  const [iD, iH, iW] = s.g.inDims;
  const [, oH, oW] = s.g.outDims;
  const [kD, kH, kW] = s.g.kernel;
  const [sD, sH, sW] = s.g.strides;
  const [dD, dH] = s.g.dilations;
  const [pD, pH] = s.g.padBegin;
  const cg = s.c / s.group;
  // Channels [lo, hi): its rows of `cols` are this thread's to fill.
  const [lo, hi] = channels ?? ['0', `${cg}`];
  return [
    channels ? `memory.fill(${cols} + ${lo} * ${s.kVol * 4} * ncol, 0, (${hi} - ${lo}) * ${s.kVol * 4} * ncol);` : `memory.fill(${cols}, 0, ${cg * s.kVol * 4} * ncol);`,
    `for (let c: i32 = ${lo}; c < ${hi}; c++) for (let kd: i32 = 0; kd < ${kD}; kd++) for (let kh: i32 = 0; kh < ${kH}; kh++) for (let kw: i32 = 0; kw < ${kW}; kw++) {`,
    `  const dst: usize = ${cols} + (((c * ${kD} + kd) * ${kH} + kh) * ${kW} + kw) * ncol * 4;`,
    ...columnRange(s, 'kw', iW, oW).split('\n').map((l) => `  ${l}`),
    '  if (lo >= hi) continue;',
    '  for (let q = q0; q < q0 + nq; q++) {',
    `    const id = (q / ${oH}) * ${sD} - ${pD} + kd * ${dD};`,
    `    const ih = (q % ${oH}) * ${sH} - ${pH} + kh * ${dH};`,
    `    if (id < 0 || id >= ${iD} || ih < 0 || ih >= ${iH}) continue;`,
    `    const src: usize = ${k.ptr(x)} + ((${xBase} + c) * ${s.inPlane} + (id * ${iH} + ih) * ${iW} + off) * 4;`,
    `    const out: usize = dst + (q - q0) * ${oW * 4};`,
    sW === 1
      ? '    memory.copy(out + lo * 4, src + lo * 4, (hi - lo) * 4);'
      : `    for (let ow = lo; ow < hi; ow++) store<f32>(out + ow * 4, load<f32>(src + ow * ${sW * 4}));`,
    '  }',
    '}',
  ].join('\n');
}

/** Constant weights [group·mg × rows] repacked per group into the GEMM's row tiles (packRowTiles), at compile time. */
function packedWeights(k: KernelContext, w: Value, group: number, mg: number, rows: number, tileM: number): string | undefined {
  const weights = k.constantOf(w);
  if (!weights) return undefined;
  const packed = new Float32Array(group * mg * rows);
  for (let grp = 0; grp < group; grp++) {
    packed.set(packRowTiles(weights.data.subarray(grp * mg * rows, (grp + 1) * mg * rows), mg, rows, tileM), grp * mg * rows);
  }
  return k.constant(new Tensor('f32', [group * mg, rows], packed));
}

function gemmConv(k: KernelContext, x: Value, w: Value, bias: Value | null, y: Value, s: ConvShape, unfold: boolean): string {
  const cg = s.c / s.group;
  const mg = s.m / s.group;
  const rows = cg * s.kVol;
  const [oD, oH, oW] = s.g.outDims;
  // Output rows per im2col block: as many as keep the block within the schedule's bytes (at least one).
  const blockRows = k.decide('blockRows', () => Math.max(1, Math.min(oD * oH, Math.floor(k.schedules.conv.blockBytes / (rows * oW * 4)))));
  const cols = unfold ? k.scratch(rows * blockRows * oW * 4) : '';
  const sched = k.schedules.conv.gemm;
  const pw = packedWeights(k, w, s.group, mg, rows, sched.tileM);
  const threaded = isThreaded(k);
  const code: string[] = [];
  // Threaded: each thread unfolds its share of the channels, then all multiply; the next block waits for that.
  if (unfold && threaded) code.push(threadShare(k, 'c', cg));
  for (let b = 0; b < s.n; b++) {
    for (let grp = 0; grp < s.group; grp++) {
      const yOff = (b * s.m + grp * mg) * s.outPlane;
      const gemm = (bPtr: string, cOff: string, n: string) => gemmCall(k, sched, {
        a: `${pw ?? k.ptr(w)} + ${grp * mg * rows * 4}`, b: bPtr, c: `${k.ptr(y)} + (${yOff} + ${cOff}) * 4`, m: mg, n, k: rows, lda: rows, ldb: n, ldc: s.outPlane,
        init: bias ? GemmInit.Bias : GemmInit.Zero, bias: bias ? `${k.ptr(bias)} + ${grp * mg * 4}` : undefined, epilogue: k.epilogue, packedA: pw !== undefined,
        split: true,
      });
      if (!unfold) {
        code.push(gemm(`${k.ptr(x)} + ${(b * s.c + grp * cg) * s.inPlane * 4}`, '0', `${s.outPlane}`));
        continue;
      }
      code.push(
        `for (let q0: i32 = 0; q0 < ${oD * oH}; q0 += ${blockRows}) {`,
        `  const nq: i32 = min(${blockRows}, ${oD * oH} - q0);`,
        `  const ncol: i32 = nq * ${oW};`,
        im2colBlock(k, x, s, cols, `${b * s.c + grp * cg}`, threaded ? ['cLo', 'cHi'] : undefined).split('\n').map((l) => `  ${l}`).join('\n'),
        ...(threaded ? [`  ${threadBarrier(k)}`] : []),
        `  ${gemm(cols, `q0 * ${oW}`, 'ncol')}`,
        ...(threaded ? [`  ${threadBarrier(k)}`] : []),
        '}',
      );
    }
  }
  return code.join('\n');
}

/**
 * Y_g[m, (od, oh, ow)] = Σ_(c, kd, kh, kw) W_g[m, (c, kd, kh, kw)] · P[c, od·sD + kd·dD, oh·sH + kh·dH, ow + kw·dW]
 * over the zero-padded input P: per output row (od, oh), a GEMM whose B row (c, kd, kh, kw) starts
 * ((c·Dp + kd·dD)·Hp + kh·dH)·Wp + kw·dW elements past P[0, od·sD, oh·sH, 0] (the table) and runs along ow.
 */
function implicitGemmConv(k: KernelContext, x: Value, w: Value, bias: Value | null, y: Value, s: ConvShape): string {
  const [iD, iH, iW] = s.g.inDims;
  const [oD, oH, oW] = s.g.outDims;
  const [kD, kH, kW] = s.g.kernel;
  const [sD, sH] = s.g.strides;
  const [dD, dH, dW] = s.g.dilations;
  const [pD, pH, pW] = s.g.padBegin;
  const [Dp, Hp, Wp] = [0, 1, 2].map((i) => s.g.inDims[i] + s.g.padBegin[i] + s.g.padEnd[i]);
  const padded = [...s.g.padBegin, ...s.g.padEnd].some((p) => p > 0);
  const cg = s.c / s.group;
  const mg = s.m / s.group;
  const rows = cg * s.kVol;
  const sched = k.schedules.conv.gemm;
  const pw = packedWeights(k, w, s.group, mg, rows, sched.tileM);
  const offsets = new Int32Array(rows);
  for (let c = 0, r = 0; c < cg; c++) {
    for (let kd = 0; kd < kD; kd++) for (let kh = 0; kh < kH; kh++) for (let kw = 0; kw < kW; kw++) offsets[r++] = 4 * (((c * Dp + kd * dD) * Hp + kh * dH) * Wp + kw * dW);
  }
  const table = k.shapeGeneric ? k.scratch(rows * 4) : k.constant(new Tensor('i32', [rows], offsets));
  const pad = padded ? k.scratch(cg * Dp * Hp * Wp * 4) : '';
  const fillTable = k.shapeGeneric
    ? [`{ let r: i32 = 0; for (let c: i32 = 0; c < ${cg}; c++) for (let kd: i32 = 0; kd < ${kD}; kd++) for (let kh: i32 = 0; kh < ${kH}; kh++) for (let kw: i32 = 0; kw < ${kW}; kw++) { store<i32>(${table} + (r << 2), 4 * (((c * ${Dp} + kd * ${dD}) * ${Hp} + kh * ${dH}) * ${Wp} + kw * ${dW})); r++; } }`]
    : [];
  // Threaded: each thread pads its share of the channels, then all multiply; the next group waits for that.
  const threaded = padded && isThreaded(k);
  const code: string[] = threaded ? [threadShare(k, 'c', cg)] : [...fillTable];
  const [cLo, cHi] = threaded ? ['cLo', 'cHi'] : ['0', `${cg}`];
  for (let b = 0; b < s.n; b++) {
    for (let grp = 0; grp < s.group; grp++) {
      const xg = `${k.ptr(x)} + ${(b * s.c + grp * cg) * s.inPlane * 4}`;
      if (padded) {
        code.push(
          threaded ? `memory.fill(${pad} + cLo * ${Dp * Hp * Wp * 4}, 0, (cHi - cLo) * ${Dp * Hp * Wp * 4});` : `memory.fill(${pad}, 0, ${cg * Dp * Hp * Wp * 4});`,
          `for (let c: i32 = ${cLo}; c < ${cHi}; c++) for (let d: i32 = 0; d < ${iD}; d++) for (let h: i32 = 0; h < ${iH}; h++) {`,
          `  memory.copy(${pad} + ((c * ${Dp} + d + ${pD}) * ${Hp} + h + ${pH}) * ${Wp * 4} + ${pW * 4}, ${xg} + (c * ${s.inPlane} + d * ${iH * iW} + h * ${iW}) * 4, ${iW * 4});`,
          '}',
          ...(threaded ? [threadBarrier(k)] : []),
        );
      }
      const yg = `${k.ptr(y)} + ${(b * s.m + grp * mg) * s.outPlane * 4}`;
      code.push(
        `for (let od: i32 = 0; od < ${oD}; od++) for (let oh: i32 = 0; oh < ${oH}; oh++) {`,
        `  ${gemmCall(k, sched, {
          a: `${pw ?? k.ptr(w)} + ${grp * mg * rows * 4}`, b: `${padded ? pad : xg} + (od * ${sD * Hp} + oh * ${sH}) * ${Wp * 4}`,
          c: `${yg} + (od * ${oH} + oh) * ${oW * 4}`, m: mg, n: oW, k: rows, lda: rows, ldb: table, ldc: s.outPlane,
          init: bias ? GemmInit.Bias : GemmInit.Zero, bias: bias ? `${k.ptr(bias)} + ${grp * mg * 4}` : undefined, epilogue: k.epilogue,
          packedA: pw !== undefined, bLayout: 'table', split: true,
        })}`,
        '}',
        ...(threaded ? [threadBarrier(k)] : []),
      );
    }
  }
  return code.join('\n');
}

/**
 * Direct loops: out[b, oc] += w[oc, ic, tap] · shifted input rows, a tap at a time over whole output rows, for
 * the cg input channels of oc's group.
 */
function direct(k: KernelContext, x: Value, w: Value, y: Value, s: ConvShape): string {
  const [iD, iH, iW] = s.g.inDims;
  const [oD, oH, oW] = s.g.outDims;
  const [kD, kH, kW] = s.g.kernel;
  const [sD, sH, sW] = s.g.strides;
  const [dD, dH] = s.g.dilations;
  const [pD, pH] = s.g.padBegin;
  const cg = s.c / s.group;
  const mg = s.m / s.group;
  return [
    `for (let p: i32 = 0; p < ${s.n * s.m}; p++) for (let ic: i32 = 0; ic < ${cg}; ic++) {`,
    `  const oc = p % ${s.m};`,
    `  const xc: usize = ${k.ptr(x)} + ((p / ${s.m}) * ${s.c} + (oc / ${mg}) * ${cg} + ic) * ${s.inPlane * 4};`,
    `  const yc: usize = ${k.ptr(y)} + p * ${s.outPlane * 4};`,
    `  for (let kw: i32 = 0; kw < ${kW}; kw++) {`,
    ...columnRange(s, 'kw', iW, oW).split('\n').map((l) => `    ${l}`),
    '    if (lo >= hi) continue;',
    `    for (let kd: i32 = 0; kd < ${kD}; kd++) for (let kh: i32 = 0; kh < ${kH}; kh++) {`,
    `      const wv = load<f32>(${k.ptr(w)} + (((oc * ${cg} + ic) * ${kD} + kd) * ${kH} + kh) * ${kW * 4} + kw * 4);`,
    '      const wv4 = f32x4.splat(wv);',
    `      for (let od: i32 = 0; od < ${oD}; od++) {`,
    `        const id = od * ${sD} - ${pD} + kd * ${dD};`,
    `        if (id < 0 || id >= ${iD}) continue;`,
    `        for (let oh: i32 = 0; oh < ${oH}; oh++) {`,
    `          const ih = oh * ${sH} - ${pH} + kh * ${dH};`,
    `          if (ih < 0 || ih >= ${iH}) continue;`,
    `          const src: usize = xc + ((id * ${iH} + ih) * ${iW} + off) * 4;`,
    `          const out: usize = yc + (od * ${oH} + oh) * ${oW * 4};`,
    ...(sW === 1
      ? [
          // Stride 1: four output columns per f32x4 multiply-add, then the ragged end.
          '          let ow = lo;',
          '          for (; ow + 4 <= hi; ow += 4) v128.store(out + ow * 4, f32x4.add(v128.load(out + ow * 4), f32x4.mul(wv4, v128.load(src + ow * 4))));',
          '          for (; ow < hi; ow++) store<f32>(out + ow * 4, load<f32>(out + ow * 4) + wv * load<f32>(src + ow * 4));',
        ]
      : [`          for (let ow = lo; ow < hi; ow++) store<f32>(out + ow * 4, load<f32>(out + ow * 4) + wv * load<f32>(src + ow * ${sW * 4}));`]),
    '        }',
    '      }',
    '    }',
    '  }',
    '}',
  ].join('\n');
}

export function convKernel(k: KernelContext): string {
  const [x, w, bias, y] = [k.input(0), k.input(1), k.node.inputs[2], k.output(0)];
  for (const v of [x, w, bias]) if (v && v.type.dtype !== 'f32') unsupported(k.node, `${v.type.dtype} operands (f32 only)`);
  const s = convShape(k, x, w, y, false);
  const algo = k.decide('algorithm', () => chooseConvAlgorithm(s, k.schedules.conv.kind, k.decide<string>('winograd', () => 'allowed') === 'vetoed'));
  switch (algo) {
    case 'pointwise': return gemmConv(k, x, w, bias, y, s, false);
    case 'im2col-gemm': return gemmConv(k, x, w, bias, y, s, true);
    case 'implicit-gemm': return implicitGemmConv(k, x, w, bias, y, s);
    case 'depthwise': return depthwiseConv(k, x, w, bias, y, s);
    case 'winograd': return winogradConv(k, x, w, bias, y, s);
    case 'direct': return [initOutput(k, y, bias, s), direct(k, x, w, y, s), epiloguePass(k.epilogue, k.ptr(y), s.n * s.m * s.outPlane)].join('\n');
  }
}

/**
 * conv_transpose as a GEMM and a scatter: per batch and group, cols[(oc, tap), i] = Σ_ic w[ic, oc, tap] · x[ic, i]
 * (the weights ship transposed to [(oc, tap) × ic]), then out[oc, i·s − p + tap·d] += cols[(oc, tap), i].
 */
export function convTransposeKernel(k: KernelContext): string {
  const [x, w, bias, y] = [k.input(0), k.input(1), k.node.inputs[2], k.output(0)];
  for (const v of [x, w, bias]) if (v && v.type.dtype !== 'f32') unsupported(k.node, `${v.type.dtype} operands (f32 only)`);
  const s = convShape(k, x, w, y, true);
  const [iD, iH, iW] = s.g.inDims;
  const [oD, oH, oW] = s.g.outDims;
  const [kD, kH, kW] = s.g.kernel;
  const [sD, sH, sW] = s.g.strides;
  const [dD, dH, dW] = s.g.dilations;
  const [pD, pH, pW] = s.g.padBegin;
  const cg = s.c / s.group;
  const mg = s.m / s.group;
  const rows = mg * s.kVol;
  // Per group, the [cg × rows] slice of W transposed to [rows × cg]: at compile time for constant weights.
  const code = [initOutput(k, y, bias, s)];
  const weights = k.constantOf(w);
  let pw: string;
  if (weights) {
    const wt = new Float32Array(s.group * rows * cg);
    for (let grp = 0; grp < s.group; grp++) {
      for (let ic = 0; ic < cg; ic++) for (let r = 0; r < rows; r++) wt[(grp * rows + r) * cg + ic] = weights.data[(grp * cg + ic) * rows + r];
    }
    pw = k.constant(new Tensor('f32', [s.group * rows, cg], wt));
  } else {
    pw = k.scratch(s.group * rows * cg * 4);
    code.push(
      `for (let grp: i32 = 0; grp < ${s.group}; grp++) for (let ic: i32 = 0; ic < ${cg}; ic++) for (let r: i32 = 0; r < ${rows}; r++) {`,
      `  store<f32>(${pw} + ((grp * ${rows} + r) * ${cg} + ic) * 4, load<f32>(${k.ptr(w)} + ((grp * ${cg} + ic) * ${rows} + r) * 4));`,
      '}',
    );
  }
  const cols = k.scratch(rows * s.inPlane * 4);
  for (let b = 0; b < s.n; b++) {
    for (let grp = 0; grp < s.group; grp++) {
      code.push(gemmCall(k, k.schedules.conv.gemm, {
        a: `${pw} + ${grp * rows * cg * 4}`, b: `${k.ptr(x)} + ${(b * s.c + grp * cg) * s.inPlane * 4}`, c: cols,
        m: rows, n: s.inPlane, k: cg, lda: cg, ldb: s.inPlane, ldc: s.inPlane, init: GemmInit.Zero,
      }));
      code.push(
        `for (let ocg: i32 = 0; ocg < ${mg}; ocg++) for (let kd: i32 = 0; kd < ${kD}; kd++) for (let kh: i32 = 0; kh < ${kH}; kh++) for (let kw: i32 = 0; kw < ${kW}; kw++) {`,
        `  const row: usize = ${cols} + (((ocg * ${kD} + kd) * ${kH} + kh) * ${kW} + kw) * ${s.inPlane * 4};`,
        `  const yc: usize = ${k.ptr(y)} + (${b * s.m + grp * mg} + ocg) * ${s.outPlane * 4};`,
        `  const offW = kw * ${dW} - ${pW};`,
        // Input columns whose output column iw·sW + offW lies in [0, oW).
        `  const lo: i32 = offW >= 0 ? 0 : (-offW + ${sW - 1}) / ${sW};`,
        `  let hi: i32 = offW > ${oW - 1} ? 0 : (${oW - 1} - offW) / ${sW} + 1;`,
        `  if (hi > ${iW}) hi = ${iW};`,
        `  for (let id: i32 = 0; id < ${iD}; id++) {`,
        `    const od = id * ${sD} - ${pD} + kd * ${dD};`,
        `    if (od < 0 || od >= ${oD}) continue;`,
        `    for (let ih: i32 = 0; ih < ${iH}; ih++) {`,
        `      const oh = ih * ${sH} - ${pH} + kh * ${dH};`,
        `      if (oh < 0 || oh >= ${oH}) continue;`,
        `      const src: usize = row + (id * ${iH} + ih) * ${iW * 4};`,
        `      const dst: usize = yc + ((od * ${oH} + oh) * ${oW} + offW) * 4;`,
        `      for (let iw = lo; iw < hi; iw++) store<f32>(dst + iw * ${sW * 4}, load<f32>(dst + iw * ${sW * 4}) + load<f32>(src + iw * 4));`,
        '    }',
        '  }',
        '}',
      );
    }
  }
  code.push(epiloguePass(k.epilogue, k.ptr(y), s.n * s.m * s.outPlane));
  return code.join('\n');
}
