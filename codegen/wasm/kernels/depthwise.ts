// Depthwise convolution (one input channel per group), row-vectorized: for each output row, every kernel tap
// is unrolled at compile time and the taps of `vectors` f32x4 groups of output columns accumulate in
// registers, starting from the bias, with the epilogue applied before the one store. Columns split in three:
//   left edge   ow < owLo: some tap falls left of the input row (scalar, bounds-checked);
//   interior    every tap of every lane lies inside the row: unchecked vector loads (stride 1: one load per
//               tap; stride 2: two loads and an even-lane shuffle; other strides: lane by lane);
//   right edge  the rest (scalar, bounds-checked).
// Rows above or below the input (padding) point at a zeroed scratch row, so the vertical taps need no checks.
// In a threaded module each thread takes a share of the output channels (every thread zeroes the scratch
// row: they all write the same zeros).
import type { Value } from '../../../compiler/ir/graph.js';
import type { ConvShape } from '../../window-geometry.js';
import type { KernelContext } from './kernel.js';
import { sharedLoop } from './threads.js';

/**
 * The interior columns [owLo, owHi): column c is interior when its first tap c·s − p ≥ 0 and its last tap,
 * plus the neighbours a vector load reads past it (s − 1 of them), c·s − p + (k − 1)·d + (s − 1) ≤ iW − 1,
 * i.e. c ≤ F = ⌊(iW − 1 + p − (k − 1)·d − (s − 1)) / s⌋; so owHi = F + 1.
 */
export function interiorColumns(iW: number, oW: number, kW: number, sW: number, dW: number, pW: number): [number, number] {
  const owLo = Math.min(oW, Math.ceil(pW / sW));
  const owHi = Math.min(oW, Math.floor((iW - 1 + pW - (kW - 1) * dW - (sW - 1)) / sW) + 1);
  return [owLo, Math.max(owLo, owHi)];
}

/** f32x4 of input columns col, col + s, col + 2s, col + 3s from `row` (byte offset `off` already in elements·4). */
function loadLanes(row: string, off: number, sW: number): string {
  if (sW === 1) return `v128.load(${row}, ${off})`;
  if (sW === 2) return `v128.shuffle<f32>(v128.load(${row}, ${off}), v128.load(${row}, ${off + 16}), 0, 2, 4, 6)`;
  let v = `f32x4.splat(load<f32>(${row}, ${off}))`;
  for (let lane = 1; lane < 4; lane++) v = `f32x4.replace_lane(${v}, ${lane}, load<f32>(${row}, ${off + lane * sW * 4}))`;
  return v;
}

export function depthwiseConv(k: KernelContext, x: Value, w: Value, bias: Value | null, y: Value, s: ConvShape): string {
  const [iD, iH, iW] = s.g.inDims;
  const [oD, oH, oW] = s.g.outDims;
  const [kD, kH, kW] = s.g.kernel;
  const [sD, sH, sW] = s.g.strides;
  const [dD, dH, dW] = s.g.dilations;
  const [pD, pH, pW] = s.g.padBegin;
  const mg = s.m / s.c;
  const vectors = k.schedules.conv.depthwiseVectors;
  // A shape-generic kernel computes its interior at run time: its clamps are no polynomial of the width.
  const [owLo, owHi] = k.shapeGeneric ? ['owLo', 'owHi'] : interiorColumns(iW, oW, kW, sW, dW, pW);
  // iW + hiOffset: written as a sum, so that its sign (negative for the narrowest inputs) is no part of the code.
  const hiOffset = pW - 1 - (kW - 1) * dW - (sW - 1);
  const interior = k.shapeGeneric
    ? [
        `  const owLo: i32 = min(${oW}, ${Math.ceil(pW / sW)});`,
        `  const hiN: i32 = ${iW} ${hiOffset < 0 ? '-' : '+'} ${Math.abs(hiOffset)};`,
        `  const owHi: i32 = max(owLo, min(${oW}, (hiN >= 0 ? hiN / ${sW} : -((-hiN + ${sW - 1}) / ${sW})) + 1));`,
      ]
    : [];
  const zero = k.scratch(iW * 4);
  const epi = k.epilogue;
  // One input row pointer per (kd, kh) tap row.
  const taps: { row: string; kd: number; kh: number }[] = [];
  for (let kd = 0; kd < kD; kd++) for (let kh = 0; kh < kH; kh++) taps.push({ row: `r${kd}_${kh}`, kd, kh });
  const wAt = (t: { kd: number; kh: number }, kw: number) => ((t.kd * kH + t.kh) * kW + kw) * 4;
  const rowPointers = taps.map((t) => [
    `const id${t.row} = od * ${sD} - ${pD} + ${t.kd * dD};`,
    `const ih${t.row} = oh * ${sH} - ${pH} + ${t.kh * dH};`,
    `const ${t.row}: usize = id${t.row} >= 0 && id${t.row} < ${iD} && ih${t.row} >= 0 && ih${t.row} < ${iH} ? xc + (id${t.row} * ${iH} + ih${t.row}) * ${iW * 4} : ${zero};`,
  ].join(' '));
  // Bounds-checked column ow: taps left or right of the row add nothing.
  const scalarColumn = [
    'let acc: f32 = bv;',
    `for (let kw: i32 = 0; kw < ${kW}; kw++) {`,
    `  const iw = ow * ${sW} - ${pW} + kw * ${dW};`,
    `  if (iw < 0 || iw >= ${iW}) continue;`,
    ...taps.map((t) => `  acc += load<f32>(wc + ${wAt(t, 0)} + kw * 4) * load<f32>(${t.row} + iw * 4);`),
    '}',
    `store<f32>(out + ow * 4, ${epi ? epi.scalar('acc', 'out + ow * 4') : 'acc'});`,
  ].map((l) => `    ${l}`);
  // `v` vectors of interior columns from ow: taps unrolled, input offsets as immediates from xo.
  const vectorColumns = (v: number) => {
    const lines = [`const xo: usize = (ow * ${sW} - ${pW}) * 4;`, ...Array.from({ length: v }, (_, j) => `let a${j} = bv4;`)];
    for (const t of taps) {
      lines.push(`const p${t.row}: usize = ${t.row} + xo;`);
      for (let kw = 0; kw < kW; kw++) {
        lines.push(`{ const wv = v128.load32_splat(wc, ${wAt(t, kw)});`);
        for (let j = 0; j < v; j++) lines.push(`  a${j} = f32x4.add(a${j}, f32x4.mul(wv, ${loadLanes(`p${t.row}`, (kw * dW + j * 4 * sW) * 4, sW)}));`);
        lines.push('}');
      }
    }
    for (let j = 0; j < v; j++) lines.push(`v128.store(out + ow * 4, ${epi ? epi.vector(`a${j}`, `out + ow * 4 + ${16 * j}`) : `a${j}`}, ${16 * j});`);
    return lines.map((l) => `      ${l}`);
  };
  const vectorLoops: string[] = [];
  for (let v = vectors; v >= 1; v = v > 1 ? 1 : 0) {
    vectorLoops.push(`    for (; ow + ${4 * v} <= ${owHi}; ow += ${4 * v}) {`, ...vectorColumns(v), '    }');
  }
  return [
    `memory.fill(${zero}, 0, ${iW * 4});`,
    ...interior,
    sharedLoop(k, 'p', s.n * s.m),
    `  const oc = p % ${s.m};`,
    `  const xc: usize = ${k.ptr(x)} + ((p / ${s.m}) * ${s.c} + oc / ${mg}) * ${s.inPlane * 4};`,
    `  const yc: usize = ${k.ptr(y)} + p * ${s.outPlane * 4};`,
    `  const wc: usize = ${k.ptr(w)} + oc * ${s.kVol * 4};`,
    `  const bv: f32 = ${bias ? `load<f32>(${k.ptr(bias)} + oc * 4)` : '0'};`,
    '  const bv4 = f32x4.splat(bv);',
    `  for (let od: i32 = 0; od < ${oD}; od++) for (let oh: i32 = 0; oh < ${oH}; oh++) {`,
    ...rowPointers.map((l) => `    ${l}`),
    `    const out: usize = yc + (od * ${oH} + oh) * ${oW * 4};`,
    '    let ow: i32 = 0;',
    `    for (; ow < ${owLo}; ow++) {`,
    ...scalarColumn,
    '    }',
    ...vectorLoops,
    `    for (; ow < ${oW}; ow++) {`,
    ...scalarColumn,
    '    }',
    '  }',
    '}',
  ].join('\n');
}
