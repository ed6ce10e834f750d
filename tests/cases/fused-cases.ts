// Fused-group cases every target runs (tests/targets/fused-cases.test.ts): the kernels each golden fusion
// case (tests/passes/fuse-*.ir) compiles to, and graphs that fuse-ops turns into one fused node which each
// target must compute as ONE kernel — its anchor's with the group's epilogue reading operands at the stored
// element (vector and scalar stores, ragged edges, per-channel, residual, per-column and scalar operands, a
// long K), or one element-wise kernel.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { GraphBuilder } from '../../compiler/ir/builder.js';
import type { Graph, Value } from '../../compiler/ir/graph.js';
import { parseGraph } from '../../compiler/ir/parser.js';
import { Tensor } from '../../compiler/ir/tensor.js';
import { PassManager } from '../../passes/manager.js';
import { parsePipeline } from '../../passes/pipelines.js';
import { REPO_ROOT } from '../util/repo.js';
import { randomTensor, type GraphSpec } from '../util/graphs.js';

const GOLDEN_DIR = path.join(REPO_ROOT, 'tests', 'passes');

// Kernels each golden fusion case compiles to on either target: one per fused node with an anchor or of
// element-wise ops; layout and reduction groups lower node by node (views cost no kernel).
export const GOLDEN_FUSION_KERNELS: Record<string, number> = {
  'fuse-binding-cap.ir': 2,
  'fuse-conv-bias-relu.ir': 1,
  'fuse-horizontal-conv.ir': 4,
  'fuse-horizontal-qkv.ir': 6,
  'fuse-injective-chain.ir': 3,
  'fuse-matmul-epilogue.ir': 1,
  'fuse-multi-reader.ir': 4,
  // One group per arm of the run-time If.
  'fuse-nested-graphs.ir': 2,
  'fuse-reduce-ends-group.ir': 3,
};

export function goldenFusionFiles(): string[] {
  return fs.readdirSync(GOLDEN_DIR).filter((f) => /^fuse-.*\.ir$/.test(f)).sort();
}

/** A golden case's graph after its `// RUN:` pipeline: the file's first case (cases are split by `// -----`). */
export function goldenFusionGraph(file: string): Graph {
  const text = fs.readFileSync(path.join(GOLDEN_DIR, file), 'utf8');
  const first = text.split(/^\/\/ -----$/m)[0];
  return new PassManager({}).run(parsePipeline(/^\/\/ RUN: (.*)$/m.exec(text)![1]), parseGraph(first, file));
}

const rand = (shape: number[], seed: number) => randomTensor('f32', shape, seed);
const conv = (b: GraphBuilder, x: Value, w: number[], attrs = {}) => b.emit('conv', [x, b.constant(rand(w, 3)), b.constant(rand([w[0]], 4))], attrs)[0];
const scalar = (b: GraphBuilder, v: number) => b.constant(Tensor.scalar('f32', v));

/** Graphs whose nodes fuse-ops makes one fused node, each a target must compute as one kernel. */
export const ONE_KERNEL_CASES: Record<string, GraphSpec> = {
  'a conv with ragged planes (25 positions): per-channel, residual, per-column and scalar operands': {
    inputs: { x: { dtype: 'f32', shape: [1, 2, 5, 5] }, r: { dtype: 'f32', shape: [1, 3, 5, 5] }, col: { dtype: 'f32', shape: [1, 1, 1, 5] } },
    build: (b, { x, r, col }) => {
      const y = conv(b, x, [3, 2, 3, 3], { pads: [1, 1, 1, 1] });
      const scaled = b.emit('mul', [y, b.constant(rand([1, 3, 1, 1], 5))])[0];
      const res = b.emit('add', [scaled, r])[0];
      const s = b.emit('sigmoid', [b.emit('sub', [res, col])[0]])[0];
      return [b.emit('clip', [b.emit('mul', [s, scalar(b, 3)])[0], scalar(b, 0), scalar(b, 2)])[0]];
    },
  },
  'a conv with planes of whole vectors (8×8): bias, hard_swish, a residual and a per-column operand': {
    inputs: { x: { dtype: 'f32', shape: [2, 3, 8, 8] }, r: { dtype: 'f32', shape: [2, 4, 8, 8] }, col: { dtype: 'f32', shape: [8] } },
    build: (b, { x, r, col }) => {
      const y = b.emit('hard_swish', [b.emit('add', [conv(b, x, [4, 3, 3, 3], { pads: [1, 1, 1, 1] }), b.constant(rand([1, 4, 1, 1], 11))])[0]])[0];
      return [b.emit('mul', [b.emit('add', [y, r])[0], col])[0]];
    },
  },
  'a depthwise conv (direct loops) with its bias, hard_swish and a residual': {
    inputs: { x: { dtype: 'f32', shape: [1, 4, 6, 6] } },
    build: (b, { x }) => {
      const y = b.emit('hard_swish', [b.emit('add', [conv(b, x, [4, 1, 3, 3], { group: 4, pads: [1, 1, 1, 1] }), b.constant(rand([1, 4, 1, 1], 6))])[0]])[0];
      return [b.emit('add', [y, x])[0]];
    },
  },
  'a 1×1 conv read as a matmul, with a per-channel scale and a residual': {
    inputs: { x: { dtype: 'f32', shape: [1, 8, 4, 4] } },
    build: (b, { x }) => [b.emit('add', [b.emit('mul', [conv(b, x, [8, 8, 1, 1]), b.constant(rand([1, 8, 1, 1], 12))])[0], x])[0]],
  },
  'matmul with a bias of 10 columns (vector panels and scalar columns) and tanh': {
    inputs: { x: { dtype: 'f32', shape: [2, 3, 7] } },
    build: (b, { x }) => [b.emit('tanh', [b.emit('add', [b.emit('matmul', [x, b.constant(rand([7, 10], 7))])[0], b.constant(rand([10], 8))])[0]])[0]],
  },
  'a gemm with alpha ≠ 1, its bias, a residual and relu': {
    inputs: { a: { dtype: 'f32', shape: [5, 6] }, r: { dtype: 'f32', shape: [5, 9] } },
    build: (b, { a, r }) => {
      const y = b.emit('gemm', [a, b.constant(rand([9, 6], 9)), b.constant(rand([9], 10))], { transB: 1, alpha: 0.5 })[0];
      return [b.emit('relu', [b.emit('add', [y, r])[0]])[0]];
    },
  },
  'a small matmul over a long K with a bias of 8 columns and a residual': {
    inputs: { x: { dtype: 'f32', shape: [4, 512] }, r: { dtype: 'f32', shape: [4, 8] } },
    build: (b, { x, r }) => [b.emit('add', [b.emit('add', [b.emit('matmul', [x, b.constant(rand([512, 8], 13))])[0], b.constant(rand([8], 14))])[0], r])[0]],
  },
  'an element-wise group': {
    inputs: { x: { dtype: 'f32', shape: [3, 8] }, s: { dtype: 'f32', shape: [8] } },
    build: (b, { x, s }) => [b.emit('mul', [x, b.emit('hard_sigmoid', [s])[0]])[0]],
  },
};
