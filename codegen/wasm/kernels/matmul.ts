// matmul (numpy batching and broadcasting, 1-D operands) and gemm (transposes, alpha, beta, broadcast C) on
// the shared register-tiled GEMM helper. Transposed operands are transposed once: at compile time for
// constants (the weights ship transposed), into scratch otherwise. In a threaded module every product is
// split across threads (gemm.ts) and the passes around it (transposes, bias, scaling) run on thread 0.
import type { Value } from '../../../compiler/ir/graph.js';
import { Tensor } from '../../../compiler/ir/tensor.js';
import { asLiteral } from '../as-target.js';
import { GemmInit, gemmCall, packColumnPanels, panelWidths } from './gemm.js';
import { at, shapeOf, unsupported, type KernelContext } from './kernel.js';
import { broadcastStridesOf, loopNest } from '../../loops.js';
import { gemmGeometry, matmulGeometry } from '../../matmul-geometry.js';
import { onThreadZero, threadBarrier } from './threads.js';

function requireF32(k: KernelContext): void {
  for (const v of k.node.inputs) if (v && v.type.dtype !== 'f32') unsupported(k.node, `${v.type.dtype} operands (f32 only)`);
}

/** out[j, i] = x[i, j] for a row-major [rows × cols] constant. */
function transposed(t: Tensor, rows: number, cols: number): Tensor {
  const out = new Float32Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[j * rows + i] = t.data[i * cols + j];
  return new Tensor('f32', [cols, rows], out);
}

/** The address of a row-major [cols × rows] copy of a [rows × cols] operand. */
export function transposedOperand(k: KernelContext, v: Value, rows: number, cols: number, code: string[]): string {
  const c = k.constantOf(v);
  if (c) return k.constant(transposed(c, rows, cols));
  const dst = k.scratch(rows * cols * 4);
  code.push(loopNest({ dims: [cols, rows], strides: [[rows, 1], [1, cols]] }, ([o, x]) => `store<f32>(${at(dst, o, 'f32')}, load<f32>(${at(k.ptr(v), x, 'f32')}));`, 't'));
  return dst;
}

export function matmulKernel(k: KernelContext): string {
  requireF32(k);
  const [a, b, y] = [k.input(0), k.input(1), k.output(0)];
  const [as, bs] = [shapeOf(a), shapeOf(b)];
  const { m, k: kk, n, batch, strides } = matmulGeometry(as, bs);
  const space = { dims: batch, strides };
  // A constant 2-D B (weights) ships packed into the helper's column panels.
  const cb = k.constantOf(b);
  const panels = cb && bs.length <= 2 ? k.constant(new Tensor('f32', [kk, n], packColumnPanels(cb.data, kk, n, panelWidths(k.schedules.matmul)))) : undefined;
  return loopNest(space, ([oy, oa, ob]) =>
    gemmCall(k, k.schedules.matmul, {
      a: at(k.ptr(a), oa, 'f32'), b: panels ?? at(k.ptr(b), ob, 'f32'), c: at(k.ptr(y), oy, 'f32'), m, n, k: kk, lda: kk, ldb: n, ldc: n, init: GemmInit.Zero, epilogue: k.epilogue,
      bLayout: panels ? 'panels' : 'strided', split: true,
    }), 'b');
}

export function gemmKernel(k: KernelContext): string {
  requireF32(k);
  const { a, b, bias, y, transA, transB, alpha, beta, m, n, k: kk } = gemmGeometry(k);
  const code: string[] = [];
  const pa = transA ? transposedOperand(k, a, kk, m, code) : k.ptr(a);
  // A constant B (weights) ships packed into the helper's column panels, transposed first where asked.
  const cb = k.constantOf(b);
  const bData = cb && (transB ? transposed(cb, n, kk).data : cb.data);
  const pb = bData ? k.constant(new Tensor('f32', [kk, n], packColumnPanels(bData, kk, n, panelWidths(k.schedules.matmul)))) : transB ? transposedOperand(k, b, n, kk, code) : k.ptr(b);
  const py = k.ptr(y);
  const biasTerm = (o: string) => (bias ? `${asLiteral(beta, 'f32')} * load<f32>(${at(k.ptr(bias), o, 'f32')})` : '');
  const space = { dims: [m, n], strides: [[n, 1], bias ? broadcastStridesOf(shapeOf(bias), [m, n]) : [0, 0]] };
  // With α ≠ 1 the epilogue waits for the scaling pass.
  const product = (init: GemmInit) =>
    gemmCall(k, k.schedules.matmul, { a: pa, b: pb, c: py, m, n, k: kk, lda: kk, ldb: n, ldc: n, init, epilogue: alpha === 1 ? k.epilogue : undefined, bLayout: bData ? 'panels' : 'strided', split: true });
  const before = [...code];
  const after: string[] = [];
  let main: string;
  if (alpha === 1) {
    // Y = β·C, then Y += A·B.
    if (bias) before.push(loopNest(space, ([o, oc]) => `store<f32>(${at(py, o, 'f32')}, ${biasTerm(oc)});`));
    main = product(bias ? GemmInit.Accumulate : GemmInit.Zero);
  } else {
    // Y = A·B, then Y = α·Y + β·C.
    main = product(GemmInit.Zero);
    after.push(loopNest(space, ([o, oc]) => {
      const v = `${asLiteral(alpha, 'f32')} * load<f32>(${at(py, o, 'f32')})${bias ? ` + ${biasTerm(oc)}` : ''}`;
      return `store<f32>(${at(py, o, 'f32')}, ${k.epilogue ? k.epilogue.scalar(`(${v})`, at(py, o, 'f32')) : v});`;
    }));
  }
  if (k.threads === 1) return [...before, main, ...after].join('\n');
  // Threaded: what precedes the product runs on thread 0 before it, what follows on thread 0 once every
  // thread's share of it is done (the run's barrier follows the kernel).
  return [onThreadZero(k, before.join('\n')), main, ...(after.length ? [threadBarrier(k), `if (tid == 0) {\n${after.join('\n')}\n}`] : [])].filter(Boolean).join('\n');
}
