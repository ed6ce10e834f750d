// Fused groups on the wasm target: a group with an anchor is one kernel whose epilogue reads its operands at
// each stored element (vector and scalar forms, ragged edges included), an element-wise group is one kernel,
// and anything else lowers node by node — always matching the reference interpreter.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseGraph } from '../../compiler/ir/parser.js';
import type { GraphBuilder } from '../../compiler/ir/builder.js';
import type { Value } from '../../compiler/ir/graph.js';
import { Tensor } from '../../compiler/ir/tensor.js';
import { fuseOps } from '../../passes/fuse-ops.js';
import { PassManager } from '../../passes/manager.js';
import { parsePipeline } from '../../passes/pipelines.js';
import { REPO_ROOT } from '../../tests/util/repo.js';
import { compileToWasm } from './program.js';
import { buildGraph, mismatches, randomTensor, type GraphSpec } from './testing.js';

const DIR = path.join(REPO_ROOT, 'tests', 'passes');

// Kernels each golden fusion case compiles to: one per fused node with an anchor or of element-wise ops;
// layout and reduction groups lower node by node (views cost no kernel).
const GOLDEN_KERNELS: Record<string, number> = {
  'fuse-binding-cap.ir': 2,
  'fuse-conv-bias-relu.ir': 1,
  'fuse-horizontal-conv.ir': 4,
  'fuse-horizontal-qkv.ir': 6,
  'fuse-injective-chain.ir': 3,
  'fuse-matmul-epilogue.ir': 1,
  'fuse-multi-reader.ir': 4,
  'fuse-reduce-ends-group.ir': 3,
};

describe('fused groups on wasm', () => {
  test('every golden fusion case has an expected kernel count', () => {
    expect(fs.readdirSync(DIR).filter((f) => /^fuse-.*\.ir$/.test(f)).sort()).toEqual(Object.keys(GOLDEN_KERNELS).sort());
  });

  for (const [file, kernels] of Object.entries(GOLDEN_KERNELS)) {
    test(file, async () => {
      const text = fs.readFileSync(path.join(DIR, file), 'utf8');
      const graph = new PassManager({}).run(parsePipeline(/^\/\/ RUN: (.*)$/m.exec(text)![1]), parseGraph(text, file));
      expect(await mismatches(graph)).toEqual([]);
      expect((await compileToWasm(graph)).kernels).toBe(kernels);
    });
  }

  const rand = (shape: number[], seed: number) => randomTensor('f32', shape, seed);
  const oneKernel = async (spec: GraphSpec) => {
    const graph = fuseOps(buildGraph(spec));
    expect(graph.nodes.map((n) => n.op)).toEqual(['fused']);
    expect(await mismatches(graph)).toEqual([]);
    expect((await compileToWasm(graph)).kernels).toBe(1);
  };
  const conv = (b: GraphBuilder, x: Value, w: number[], attrs = {}) => b.emit('conv', [x, b.constant(rand(w, 3)), b.constant(rand([w[0]], 4))], attrs)[0];

  test('a conv whose planes are not a whole number of vectors: per-channel, residual, per-column and scalar operands', async () => {
    await oneKernel({
      inputs: { x: { dtype: 'f32', shape: [1, 2, 5, 5] }, r: { dtype: 'f32', shape: [1, 3, 5, 5] }, col: { dtype: 'f32', shape: [1, 1, 1, 5] } },
      build: (b, { x, r, col }) => {
        const y = conv(b, x, [3, 2, 3, 3], { pads: [1, 1, 1, 1] });
        const scaled = b.emit('mul', [y, b.constant(rand([1, 3, 1, 1], 5))])[0];
        const res = b.emit('add', [scaled, r])[0];
        const s = b.emit('sigmoid', [b.emit('sub', [res, col])[0]])[0];
        return [b.emit('clip', [b.emit('mul', [s, b.constant(Tensor.scalar('f32', 3))])[0], b.constant(Tensor.scalar('f32', 0)), b.constant(Tensor.scalar('f32', 2))])[0]];
      },
    });
  });

  test('a depthwise conv (direct loops, the epilogue in a pass after them) with its bias and hard_swish', async () => {
    await oneKernel({
      inputs: { x: { dtype: 'f32', shape: [1, 4, 6, 6] } },
      build: (b, { x }) => [b.emit('hard_swish', [b.emit('add', [conv(b, x, [4, 1, 3, 3], { group: 4 }), b.constant(rand([1, 4, 1, 1], 6))])[0]])[0]],
    });
  });

  test('matmul with a bias of 10 columns (vector panels and scalar columns) and a gemm with alpha ≠ 1', async () => {
    await oneKernel({
      inputs: { x: { dtype: 'f32', shape: [2, 3, 7] } },
      build: (b, { x }) => [b.emit('tanh', [b.emit('add', [b.emit('matmul', [x, b.constant(rand([7, 10], 7))])[0], b.constant(rand([10], 8))])[0]])[0]],
    });
    await oneKernel({
      inputs: { a: { dtype: 'f32', shape: [5, 6] }, r: { dtype: 'f32', shape: [5, 9] } },
      build: (b, { a, r }) => {
        const y = b.emit('gemm', [a, b.constant(rand([9, 6], 9)), b.constant(rand([9], 10))], { transB: 1, alpha: 0.5 })[0];
        return [b.emit('relu', [b.emit('add', [y, r])[0]])[0]];
      },
    });
  });

  test('an element-wise group is one kernel', async () => {
    await oneKernel({
      inputs: { x: { dtype: 'f32', shape: [3, 8] }, s: { dtype: 'f32', shape: [8] } },
      build: (b, { x, s }) => [b.emit('mul', [x, b.emit('hard_sigmoid', [s])[0]])[0]],
    });
  });
});
