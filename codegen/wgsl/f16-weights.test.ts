// `--precision f16` on webgpu: constant conv/matmul/gemm weights ship as f16 pairs (halfWeights) and are read
// back to f32 as they load. The program records it, weights.bin shrinks to about half, and the outputs stay
// within the f16 tolerance of the interpreter — while differing from the f32 program's by more than f32
// rounding, which shows the weights really were rounded to f16.
import { compareTensors } from '../../compiler/compare.js';
import { interpret } from '../../compiler/interpreter.js';
import type { Graph } from '../../compiler/ir/graph.js';
import { Tensor } from '../../compiler/ir/tensor.js';
import { nodeGpuDevice } from '../../cli/webgpu-node.js';
import { F16_TOLERANCE } from '../../api/verify.js';
import { fuseOps } from '../../passes/fuse-ops.js';
import { buildGraph, randomTensor } from '../../tests/util/graphs.js';
import { halfWeights } from './kernels/weight-packing.js';
import { compileToWebgpu, type Precision } from './program.js';
import { loadWebgpuProgram } from './run-program.js';

const rand = (shape: number[], seed: number) => randomTensor('f32', shape, seed);

/** A conv (implicit GEMM, then 1×1), a gemm with transposed constant weights and a matmul, at both sizes of GEMM. */
function graph(): Graph {
  return fuseOps(buildGraph({
    inputs: { x: { dtype: 'f32', shape: [1, 8, 12, 12] }, a: { dtype: 'f32', shape: [5, 40] }, m: { dtype: 'f32', shape: [300, 256] } },
    build: (b, { x, a, m }) => {
      const c = b.emit('relu', [b.emit('conv', [x, b.constant(rand([16, 8, 3, 3], 1)), b.constant(rand([16], 2))], { pads: [1, 1, 1, 1] })[0]])[0];
      const c1 = b.emit('conv', [c, b.constant(rand([6, 16, 1, 1], 3))])[0];
      const g = b.emit('gemm', [a, b.constant(rand([30, 40], 4)), b.constant(rand([30], 5))], { transB: 1 })[0];
      const big = b.emit('matmul', [m, b.constant(rand([256, 300], 6))])[0];
      return [c1, g, big];
    },
  }));
}

async function errors(g: Graph, precision: Precision): Promise<{ maxAbs: number; mismatches: string[]; weightBytes: number }> {
  const feeds: Record<string, Tensor> = {};
  g.inputs.forEach((v, i) => (feeds[v.name] = rand(v.type.shape as number[], 100 + i)));
  const want = interpret(g, feeds);
  const program = compileToWebgpu(g, { precision });
  const loaded = await loadWebgpuProgram(await nodeGpuDevice(), program);
  const got = await loaded.run(feeds);
  await loaded.release();
  let maxAbs = 0;
  const mismatches: string[] = [];
  for (const v of g.outputs) {
    const d = compareTensors(got[v.name], want[v.name], precision === 'f16' ? F16_TOLERANCE : { atol: 1e-4, rtol: 1e-3 });
    maxAbs = Math.max(maxAbs, d.maxAbsError);
    if (d.mismatch) mismatches.push(`${v.name}: ${d.mismatch}`);
  }
  return { maxAbs, mismatches, weightBytes: program.weights?.data.length ?? 0 };
}

test('halfWeights packs f16 pairs low half first, as pack2x16float does', () => {
  const t = halfWeights(Tensor.fromArray('f32', [3], [1, -2, 0.5]));
  expect({ dtype: t.dtype, shape: t.shape, words: Array.from(t.data) }).toEqual({ dtype: 'u32', shape: [2], words: [0xc0003c00, 0x3800] });
});

test('f16 weights: half the bytes, within the f16 tolerance, and really rounded', async () => {
  const g = graph();
  const f32 = await errors(g, 'f32');
  const f16 = await errors(g, 'f16');
  expect(f32.mismatches).toEqual([]);
  expect(f16.mismatches).toEqual([]);
  expect(f16.weightBytes).toBeLessThan(f32.weightBytes * 0.55);
  expect(f16.maxAbs).toBeGreaterThan(f32.maxAbs * 10);
  expect(compileToWebgpu(g, { precision: 'f16' }).precision).toMatchObject({ requested: 'f16', used: 'f32', weights: 'f16' });
});
