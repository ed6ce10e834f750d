// The kernel list names each kernel as the compiled artifact does (its signature's kernels, in run order), on
// both targets: what a profile of a run can be matched against.
import * as path from 'node:path';
import { generateProgram } from '../api/compile.js';
import { inspect } from '../api/inspect.js';
import { encodeOnnxModel } from './onnx/writer.js';
import { cascadeModel } from '../models/cascade.js';
import { squeezenet, transformerEncoder } from '../models/zoo.js';
import { REPO_ROOT } from '../tests/util/repo.js';

const MODELS: [string, string | Uint8Array][] = [
  ['tiny-cnn', path.join(REPO_ROOT, 'models', 'tiny-cnn.onnx')],
  ['squeezenet', encodeOnnxModel(squeezenet())],
  ['transformer-encoder', encodeOnnxModel(transformerEncoder())],
  ['cascade (a run-time If)', encodeOnnxModel(cascadeModel())],
];

describe.each(MODELS)('%s', (_, model) => {
  test.each(['wasm', 'webgpu'] as const)('the kernels inspect --target %s lists are the artifact\'s, by name and in order', (target) => {
    const report = inspect(model, { target });
    const artifact = generateProgram(model, { target }).program.signature.kernels.map((k) => k.node);
    expect(report.kernelList.map((k) => k.name)).toEqual(artifact);
    expect(report.kernelList).toHaveLength(report.kernels);
  });
});

test('a fused kernel is named after its anchor, and lists the ops it computes', () => {
  const { kernelList } = inspect(path.join(REPO_ROOT, 'models', 'tiny-cnn.onnx'));
  expect(kernelList[0]).toEqual({ name: 'BatchNormalization_1/conv', node: 'Relu_2_fused', ops: ['conv', 'relu'] });
  expect(kernelList[1]).toEqual({ name: 'MaxPool_3', node: 'MaxPool_3', ops: ['max_pool'] });
  // The flatten is a view of its input: no kernel.
  expect(kernelList.map((k) => k.ops).flat()).not.toContain('flatten');
});

test('an If\'s arms are listed in place, each kernel once and marked with its arm', () => {
  const { kernelList } = inspect(encodeOnnxModel(cascadeModel()));
  const arms = kernelList.map((k) => k.branch ?? '');
  // The first stage, then the second stage's kernels (each conv with its relu fused, as outside an If: four
  // convs, max pool, global average pool, gemm), then the else arm's copy of the first stage's logits.
  expect(arms.slice(0, 6)).toEqual(['', '', '', '', '', '']);
  expect(arms.slice(6, 13)).toEqual(Array(7).fill('/If_23 then'));
  expect(kernelList[6]).toMatchObject({ name: '/Conv_10', ops: ['conv', 'relu'], branch: '/If_23 then' });
  expect(kernelList[13]).toEqual({ name: 'logits', node: 'logits', ops: ['copy'], branch: '/If_23 else' });
  expect(kernelList).toHaveLength(14);
});
