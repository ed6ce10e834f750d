import * as fs from 'node:fs';
import * as path from 'node:path';
import { DlcError } from '../compiler/errors.js';
import { printGraph } from '../compiler/ir/printer.js';
import { registerPass } from '../passes/manager.js';
import { DEFAULT_OPT_LEVEL, optPipelineText } from '../passes/pipelines.js';
import { REPO_ROOT } from '../tests/util/repo.js';
import { Tensor } from '../compiler/ir/tensor.js';
import { encodeOnnxModel } from '../compiler/onnx/writer.js';
import { KERNEL_FAMILIES } from '../codegen/kernel-families.js';
import { VIEW_OPS } from '../compiler/kernel-list.js';
import { ZOO } from '../models/zoo.js';
import { generateProgram } from './compile.js';
import { describeModel, inspect, optimize } from './index.js';

const seenTargets: (string | undefined)[] = [];
registerPass({
  name: 'api-test-target',
  description: 'records ctx.target',
  options: {},
  create: () => (graph, ctx) => {
    seenTargets.push(ctx.target?.name);
    return graph;
  },
});

const TINY_CNN = path.join(REPO_ROOT, 'models', 'tiny-cnn.onnx');

describe('inspect', () => {
  test('reports the model after the default pipeline, as dlc inspect --json prints it', () => {
    const report = inspect(TINY_CNN);
    expect(Object.keys(report).slice(0, 4)).toEqual(['model', 'producer', 'opsets', 'pipeline']);
    expect(report).toMatchObject({
      model: TINY_CNN,
      pipeline: optPipelineText(DEFAULT_OPT_LEVEL),
      inputs: [{ name: 'image', dtype: 'f32', shape: [1, 3, 32, 32] }],
      outputs: [{ name: 'probs', dtype: 'f32', shape: [1, 10] }],
      symbolic: false,
    });
    expect(report.opsets['']).toBeGreaterThan(0);
    expect(report.kernels).toBeGreaterThan(1);
    expect(report.flops).toBeGreaterThan(100_000);
  });

  test('a model as bytes, -O0: the model as imported', () => {
    const report = inspect(fs.readFileSync(TINY_CNN), { optLevel: 0 });
    expect(report.model).toBe('<memory>');
    expect(report.pipeline).toBe('');
    expect(report.ops.conv).toBe(2);
    expect(report.ops.fused).toBeUndefined();
  });

  test('ops count the graph\'s own nodes; what fused groups hold is counted apart', () => {
    const report = inspect(TINY_CNN);
    expect(report.ops.fused).toBeGreaterThan(0);
    expect(report.ops.conv).toBeUndefined(); // every conv sits in a fused group
    expect(report.fusedOps.conv).toBe(2);
    expect(report.nodes).toBe(Object.values(report.ops).reduce((a, b) => a + b, 0));
    const o0 = inspect(TINY_CNN, { optLevel: 0 });
    const inFused = Object.values(report.fusedOps).reduce((a, b) => a + b, 0);
    expect(report.nodes - report.ops.fused + inFused).toBeLessThanOrEqual(o0.nodes);
    expect(o0.fusedOps).toEqual({});
  });

  // Squeezenet and the transformer encoder of the zoo; a model whose output is a view (compile copies it into
  // place) after a shape op, a dropout and a reshape (views: no kernel of their own) at -O0.
  const viewModel = encodeOnnxModel({
    inputs: [{ name: 'x', dtype: 'f32', shape: [2, 3, 4] }],
    outputs: [{ name: 'y', dtype: 'f32', shape: [2, 12] }],
    nodes: [
      { op: 'Shape', inputs: ['x'], outputs: ['s'] },
      { op: 'Dropout', inputs: ['x'], outputs: ['d'] },
      { op: 'Reshape', inputs: ['d', 's'], outputs: ['r'] },
      { op: 'Relu', inputs: ['r'], outputs: ['a'] },
      { op: 'Flatten', inputs: ['a'], outputs: ['y'] },
    ],
  });
  const cases: [string, Uint8Array][] = [['squeezenet', encodeOnnxModel(ZOO.squeezenet())], ['transformer-encoder', encodeOnnxModel(ZOO['transformer-encoder']())], ['views', viewModel]];
  test.each(cases.flatMap(([name, bytes]) => [0, 2].flatMap((optLevel) => (['wasm', 'webgpu'] as const).map((target) => [name, optLevel, target, bytes] as const))))(
    '%s: kernels equal what compile emits (-O%d, %s)',
    (_name, optLevel, target, bytes) => {
      const report = inspect(bytes, { optLevel, target });
      expect(report.kernels).toBe(generateProgram(bytes, { optLevel, target }).program.kernels);
    },
  );

  test('the view ops counted as aliases are the code generators\' view family', () => {
    expect([...VIEW_OPS].sort()).toEqual([...KERNEL_FAMILIES.view].sort());
    // relu and the copy into y: the shape feeds the reshape's shape operand, so lowering folds it even at -O0.
    expect(inspect(viewModel, { optLevel: 0 }).kernels).toBe(2);
  });

  test('the target reaches the passes; without one they see none', () => {
    seenTargets.length = 0;
    inspect(TINY_CNN, { pipeline: 'api-test-target' });
    inspect(TINY_CNN, { pipeline: 'api-test-target', target: 'webgpu' });
    expect(seenTargets).toEqual([undefined, 'webgpu']);
  });

  test('optimize gives the graph and describe its report', () => {
    const optimized = optimize(TINY_CNN, { optLevel: 1, instruments: { timing: true } });
    expect(printGraph(optimized.graph)).toMatch(/^graph @/);
    expect(optimized.timings?.length).toBeGreaterThan(0);
    expect(describeModel(optimized)).toEqual(inspect(TINY_CNN, { optLevel: 1 }));
  });

  test.each([
    [{ inputShapes: { pixels: [1] } }, `${TINY_CNN}: --input-shape names 'pixels', which is not an input of the model (inputs: image)`],
    [{ pipeline: 'no-such-pass' }, /^unknown pass 'no-such-pass'/],
    [{ target: 'cuda' as 'wasm' }, "unknown target 'cuda' (have: wasm, webgpu)"],
  ])('%j is a DlcError', (options, message) => {
    expect(() => inspect(TINY_CNN, options)).toThrow(DlcError);
    expect(() => inspect(TINY_CNN, options)).toThrow(message);
  });
});
