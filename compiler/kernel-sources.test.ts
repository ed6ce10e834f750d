// Kernels traced to the ONNX nodes they came from, across the passes that rename what they rewrite.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { optimize } from '../api/optimize.js';
import { loweringGraph } from '../codegen/lower.js';
import { TARGET_INFO } from '../codegen/targets.js';
import { REPO_ROOT } from '../tests/util/repo.js';
import { listKernels } from './kernel-list.js';
import { kernelSources } from './kernel-sources.js';
import { importOnnx } from './onnx/frontend.js';

const TINY_CNN = path.join(REPO_ROOT, 'models', 'tiny-cnn.onnx');

function sourcesOf(optLevel: number): Record<string, string[]> {
  const imported = importOnnx(fs.readFileSync(TINY_CNN)).graph;
  const lowered = loweringGraph(optimize(TINY_CNN, { target: 'wasm', optLevel }).graph, TARGET_INFO.wasm);
  const kernels = listKernels(lowered, TARGET_INFO.wasm.limits);
  const sources = kernelSources(imported, lowered, kernels);
  return Object.fromEntries(kernels.map((k, i) => [k.name, sources[i]]));
}

test('a folded BatchNorm and a recognized hard-swish (renamed by the passes) are traced to their ONNX nodes', () => {
  expect(sourcesOf(2)).toEqual({
    'BatchNormalization_1/conv': ['Conv_0', 'BatchNormalization_1', 'Relu_2'],
    MaxPool_3: ['MaxPool_3'],
    Conv_4: ['Conv_4', 'Add_5', 'Clip_6', 'Mul_7', 'Div_8'],
    GlobalAveragePool_9: ['GlobalAveragePool_9'],
    Gemm_11: ['Flatten_10', 'Gemm_11'],
    Softmax_12: ['Softmax_12'],
  });
});

test('without passes every node is its own kernel and its own source; a view is its consumer\'s', () => {
  const sources = sourcesOf(0);
  expect(sources.Conv_0).toEqual(['Conv_0']);
  expect(sources.Div_8).toEqual(['Div_8']);
  expect(sources.Gemm_11).toEqual(['Flatten_10', 'Gemm_11']);
  // Every ONNX node is some kernel's.
  expect(new Set(Object.values(sources).flat()).size).toBe(13);
});
