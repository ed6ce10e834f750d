// The matmul and gemm kernels: each describes its operands and its store to the shared GEMM (gemm.ts), under
// the node's GPU schedule.
import type { Value } from '../../../compiler/ir/graph.js';
import { planMatmul } from '../../../compiler/ops/nn-matmul.js';
import { broadcastStridesOf } from '../../loops.js';
import { gemmGeometry } from '../../matmul-geometry.js';
import { shapeOf } from '../../shapes.js';
import { wgslLiteral } from '../wgsl-target.js';
import { gemmDispatches, type GemmOperand, type GemmSpec } from './gemm.js';
import type { WgslDispatch, WgslKernelContext } from './kernel.js';
import { finish, offsetOf, requireF32, type ModuleBindings } from './module-bindings.js';
import { constantMatrix, matrixOperand, roundUp4, transposedPadded } from './weight-packing.js';

const repeat = <T>(n: number, f: (i: number) => T): T[] => Array.from({ length: n }, (_, i) => f(i));

/** Y[b] = A[b]·B[b] with numpy batching and broadcasting; 1-D operands are a row and a column. */
export function matmulKernel(k: WgslKernelContext): WgslDispatch[] {
  requireF32(k);
  const [a, b, y] = [k.input(0), k.input(1), k.output(0)];
  const [as, bs] = [shapeOf(a), shapeOf(b)];
  const plan = planMatmul(as, bs);
  let [m, kk, n] = [plan.m, plan.k, plan.n] as number[];
  let batch = plan.batch as number[];
  const a2 = as.length === 1 ? [1, as[0]] : as;
  const b2 = bs.length === 1 ? [bs[0], 1] : bs;
  let aStrides = broadcastStridesOf(a2.slice(0, -2), batch);
  let bStrides = broadcastStridesOf(b2.slice(0, -2), batch);
  const aBatches = a2.slice(0, -2).reduce((p, d) => p * d, 1);
  const batches = batch.reduce((p, d) => p * d, 1);
  // A shared B under an unbroadcast A: the batches of A are rows of one taller product.
  if (batches > 1 && bStrides.every((s) => s === 0) && aBatches === batches) {
    m *= batches;
    batch = [];
    aStrides = [];
    bStrides = [];
  }
  const count = batch.reduce((p, d) => p * d, 1);
  // Batch b's matrix starts at Σ coordinate · (batch stride in matrices) · (matrix size with padded rows).
  const base = (strides: number[], rows: number) => (stride: number, bb: string) => offsetOf(batch, strides.map((s) => s * rows * stride), bb);
  const epi = k.epilogue;
  const at = `b * ${m * n}u + row * ${n}u + col`;
  const spec: GemmSpec = {
    m, n, k: kk, batch: count,
    a: matrixOperand(k, a, kk, base(aStrides, m)),
    b: matrixOperand(k, b, n, base(bStrides, kk)),
    store: (mb) => `  ${mb.bind(y, 'read_write')}[${at}] = ${finish(epi, 'v', at, mb)};`,
    store4: n % 4 === 0 ? (mb) => `  ${mb.bind(y, 'read_write', true)}[(${at}) / 4u] = ${finish(epi, 'v', at, mb, true)};` : undefined,
  };
  return gemmDispatches(spec, k.schedules.gpu.matmul, (shape) => k.scratch('f32', shape));
}

/** Y = α·op(A)·op(B) + β·C, C broadcast to [M, N]; constant transposed operands ship transposed. */
export function gemmKernel(k: WgslKernelContext): WgslDispatch[] {
  requireF32(k);
  const { a, b, bias, y, transA, transB, alpha, beta, m, n, k: kk } = gemmGeometry(k);
  const operand = (v: Value, trans: boolean, rows: number, cols: number): GemmOperand => {
    const t = k.constantOf(v);
    if (!trans) return matrixOperand(k, v, cols, () => '0u');
    if (t) {
      const stride = roundUp4(cols);
      return constantMatrix(k, transposedPadded(t.data, cols, rows, stride), stride, () => '0u');
    }
    // Stored [cols × rows]: element (row, col) at col·rows + row.
    return { scalar: (mb) => `  return ${mb.bind(v)}[col * ${rows}u + row];` };
  };
  const [sm, sn] = bias ? broadcastStridesOf(shapeOf(bias), [m, n]) : [0, 0];
  const scale = (v: string) => (alpha === 1 ? v : `${wgslLiteral(alpha, 'f32')} * ${v}`);
  const betaTerm = (e: string) => (beta === 1 ? e : `${wgslLiteral(beta, 'f32')} * ${e}`);
  const at = `row * ${n}u + col`;
  const biasAt = (mb: ModuleBindings, j: number) => `${mb.bind(bias!)}[row * ${sm}u + (col + ${j}u) * ${sn}u]`;
  const spec: GemmSpec = {
    m, n, k: kk, batch: 1,
    a: operand(a, transA, m, kk),
    b: operand(b, transB, kk, n),
    store: (mb) => `  ${mb.bind(y, 'read_write')}[${at}] = ${finish(k.epilogue, bias ? `${scale('v')} + ${betaTerm(biasAt(mb, 0))}` : scale('v'), at, mb)};`,
    store4: n % 4 === 0
      ? (mb) => {
          const cv = bias ? ` + ${betaTerm(`vec4<f32>(${repeat(4, (j) => biasAt(mb, j)).join(', ')})`)}` : '';
          return `  ${mb.bind(y, 'read_write', true)}[(${at}) / 4u] = ${finish(k.epilogue, `${scale('v')}${cv}`, at, mb, true)};`;
        }
      : undefined,
  };
  return gemmDispatches(spec, k.schedules.gpu.matmul, (shape) => k.scratch('f32', shape));
}
