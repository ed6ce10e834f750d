// The fast paths of conv_integer and matmul_integer (the integer GEMM of integer-gemm.ts), for the operands of
// int8 inference: 8-bit activations with one zero point per tensor (a constant, or none) and constant 8-bit
// weights without a zero point (symmetric). Everything else takes the direct loops of integer.ts.
// The activations' zero point is subtracted where they are widened to i16 (x − zx, exact in i16), so
// Σ (x − zx)·w needs no correction term, and a padded tap, which reads a zero of the widened buffer, stands
// for x = zx and adds exactly nothing.
//   conv (group 1): weights are A (rows: output channels; packPairRows at compile time), the receptive fields
//     of a block of output rows are unfolded into B's pair panels at run time (im2col, widened);
//   matmul (2-D constant B): B is the weights (packPairPanels at compile time, 8-bit, widened by the load), A
//     the activations, widened into k-pair row tiles at run time per batch matrix.
import type { Value } from '../../../compiler/ir/graph.js';
import { Tensor } from '../../../compiler/ir/tensor.js';
import type { IntegerOperands } from '../../integer-operands.js';
import { kPairs, packPairPanels, packPairRows, paddedColumns } from '../../integer-packing.js';
import { matmulGeometry } from '../../matmul-geometry.js';
import type { ConvShape } from '../../window-geometry.js';
import { asType } from '../as-target.js';
import { integerGemmCall, panelRowBytes, type GemmChannels, type PanelElement } from './integer-gemm.js';
import { unfoldPairs } from './integer-unfold.js';
import { elementBytes, shapeOf, sizeOfValue, type KernelContext } from './kernel.js';

/** Sums of more products than this could leave i32 (each |x − zx|·|w| ≤ 255·255). */
const MAX_DEPTH = Math.floor(2 ** 31 / (255 * 255));

/** The activations' zero point as a literal (0 when absent), or undefined when it is not one constant. */
function perTensorZeroPoint(k: KernelContext, zp: Value | undefined): number | undefined {
  if (!zp) return 0;
  const c = k.constantOf(zp);
  return c && c.size === 1 ? c.data[0] : undefined;
}

/** The weights, when constant 8-bit without a zero point (or an all-zero one). */
function constantWeights(k: KernelContext, o: IntegerOperands): Tensor | undefined {
  const w = k.constantOf(o.b);
  if (!w || (o.b.type.dtype !== 'i8' && o.b.type.dtype !== 'u8')) return undefined;
  if (o.bZp && !k.constantOf(o.bZp)?.data.every((z) => z === 0)) return undefined;
  return w;
}

/** Whether the fast paths take these operands: 8-bit activations with a per-tensor constant zero point, constant 8-bit weights. */
export function fastOperands(k: KernelContext, o: IntegerOperands): { zx: number; w: Tensor } | undefined {
  if (o.requantize || (o.a.type.dtype !== 'u8' && o.a.type.dtype !== 'i8')) return undefined;
  const zx = perTensorZeroPoint(k, o.aZp);
  const w = constantWeights(k, o);
  return zx === undefined || !w ? undefined : { zx, w };
}

/**
 * The closed-form epilogue's per-channel scale and bias as constants of `length` f32 (zero past the channels),
 * when its channel axis is `axis` of the output (or it has none): the GEMM then loads them per `along`.
 */
function gemmChannels(k: KernelContext, axis: number, along: GemmChannels['along'], length: number): GemmChannels | undefined {
  const f = k.epilogue?.affine;
  if (!f || (f.axis !== undefined && f.axis !== axis)) return undefined;
  const spread = (v: Float32Array) => Float32Array.from({ length }, (_, c) => (c < f.channels || v.length === 1 ? v[v.length === 1 ? 0 : c] : 0));
  return { along, scale: k.constant(new Tensor('f32', [length], spread(f.scale))), bias: k.constant(new Tensor('f32', [length], spread(f.bias))) };
}

/** conv_integer with group 1 on the integer GEMM: per batch element and block of output rows, im2col, then GEMM. */
export function fastConv(k: KernelContext, o: IntegerOperands, y: Value, s: ConvShape): string | undefined {
  const fast = fastOperands(k, o);
  const depth = s.c * s.kVol;
  if (!fast || s.group !== 1 || depth > MAX_DEPTH) return undefined;
  const sched = k.schedules.conv.gemm;
  const width = 4 * sched.tileN;
  const kp = kPairs(depth);
  const [oD, oH, oW] = s.g.outDims;
  const a = k.constant(new Tensor('i32', [s.m, kp], packPairRows(fast.w.data, s.m, depth, sched.tileM)));
  // Output rows per block: as many as keep the block's panels within the schedule's bytes (at least one).
  const panelBytes = kp * panelRowBytes(width, 'i16');
  const blockRows = k.decide('blockRows', () => Math.max(1, Math.min(oD * oH, Math.floor(k.schedules.conv.blockBytes / (kp * 4 * oW)))));
  const cols = k.scratch(paddedColumns(blockRows * oW, width) / width * panelBytes);
  const size = elementBytes(y.type.dtype);
  // A GEMM row is an output channel (axis 1 of the output).
  const channels = gemmChannels(k, 1, 'rows', s.m);
  return [
    `for (let b: i32 = 0; b < ${s.n}; b++) for (let q0: i32 = 0; q0 < ${oD * oH}; q0 += ${blockRows}) {`,
    `  const nq: i32 = min(${blockRows}, ${oD * oH} - q0);`,
    `  const ncol: i32 = nq * ${oW};`,
    `  const ncolPadded: i32 = (ncol + ${width - 1}) / ${width} * ${width};`,
    unfoldPairs(k, o.a, s, fast.zx, cols, width, depth).split('\n').map((l) => `  ${l}`).join('\n'),
    `  ${integerGemmCall(k, sched, 'i16', { a, b: cols, c: `${k.ptr(y)} + <usize>((b * ${s.m * s.outPlane} + q0 * ${oW}) * ${size})`, m: s.m, n: 'ncol', kp, ldc: s.outPlane, channels })}`,
    '}',
  ].join('\n');
}

/**
 * matmul_integer with a constant 2-D B on the integer GEMM: B ships as 8-bit pair panels; each batch matrix
 * of A is widened (a − za) into k-pair row tiles in scratch, then multiplied.
 */
export function fastMatmul(k: KernelContext, o: IntegerOperands, y: Value): string | undefined {
  const fast = fastOperands(k, o);
  const bs = shapeOf(o.b);
  const { m, k: depth, n, batch } = matmulGeometry(shapeOf(o.a), bs);
  if (!fast || bs.length !== 2 || depth > MAX_DEPTH || sizeOfValue(y) === 0) return undefined;
  const sched = k.schedules.matmul;
  const width = 4 * sched.tileN;
  const kp = kPairs(depth);
  const element: PanelElement = o.b.type.dtype === 'i8' ? 'i8' : 'u8';
  const panels = k.constant(new Tensor(o.b.type.dtype, [kp * 2, paddedColumns(n, width)], packPairPanels(fast.w.data, depth, n, width)));
  const pairs = k.scratch(m * kp * 4);
  const full = m - (m % sched.tileM);
  const t = asType(o.a.type.dtype);
  const size = elementBytes(y.type.dtype);
  const count = batch.reduce((p, d) => p * d, 1);
  // A GEMM column is an output channel (the output's last axis); the constants cover whole panels.
  const channels = gemmChannels(k, shapeOf(y).length - 1, 'columns', paddedColumns(n, width));
  // B is 2-D: A's batch matrices are consecutive, matrix bi at bi·m·K in A and bi·m·N in Y.
  return [
    `for (let bi: i32 = 0; bi < ${count}; bi++) {`,
    `  const src: usize = ${k.ptr(o.a)} + <usize>(bi * ${m * depth});`,
    `  for (let i: i32 = 0; i < ${m}; i++) for (let p: i32 = 0; p < ${kp}; p++) {`,
    `    const lo = <i32>load<${t}>(src + <usize>(i * ${depth} + 2 * p)) - ${fast.zx};`,
    `    const hi = 2 * p + 1 < ${depth} ? <i32>load<${t}>(src + <usize>(i * ${depth} + 2 * p + 1)) - ${fast.zx} : 0;`,
    `    const at: i32 = i < ${full} ? (i - i % ${sched.tileM}) * ${kp} + p * ${sched.tileM} + i % ${sched.tileM} : i * ${kp} + p;`,
    `    store<i32>(${pairs} + <usize>(at * 4), (lo & 0xffff) | (hi << 16));`,
    '  }',
    `  ${integerGemmCall(k, sched, element, { a: pairs, b: panels, c: `${k.ptr(y)} + <usize>(bi * ${m * n * size})`, m, n, kp, ldc: n, channels })}`,
    '}',
  ].join('\n');
}
