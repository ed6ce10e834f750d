// Deep Compression of the committed LeNet-300-100, end to end: the packed artifact (wasm, webgpu) computes what
// the compressed graph computes with weights.bin more than 10× smaller than the .onnx, retraining keeps the
// pruned weights at zero and the shared ones on their centroids, and update-weights re-ships a retrained
// compressed model against the same kernels, still packed.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { mnistDataset, loadMnist } from '../../accuracy/mnist.js';
import { evaluate } from '../../accuracy/evaluate.js';
import { compile, writeArtifact } from '../../api/compile.js';
import { compressOptimizedGraph } from '../../api/compress.js';
import { sessionRunner } from '../../api/eval.js';
import { optimize } from '../../api/optimize.js';
import { loadInMemory } from '../../api/session.js';
import { updateWeights } from '../../api/update-weights.js';
import { nodeGpuDevice } from '../../cli/webgpu-node.js';
import { interpret } from '../../compiler/interpreter.js';
import { exportOnnxModel } from '../../compiler/onnx/export.js';
import { Tensor } from '../../compiler/ir/tensor.js';
import { quantizableLayers } from '../../quantize/layers.js';
import { REPO_ROOT } from '../util/repo.js';

const FILE = path.join(REPO_ROOT, 'models', 'mnist', 'lenet-300-100.onnx');
const test_ = mnistDataset('test');
const SAMPLES = 300;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dlc-mnist-compress-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const deep = { techniques: ['deep'] };

describe('Deep Compression of LeNet-300-100', () => {
  test('the packed artifacts compute what the compressed graph computes; weights.bin > 10× smaller than the .onnx', async () => {
    const compressed = optimize(FILE, { compress: deep }).graph;
    const reference = await evaluate((f) => interpret(compressed, f)[compressed.outputs[0].name], test_, { metric: 'top1', limit: SAMPLES });
    const onnxBytes = fs.statSync(FILE).size;
    for (const target of ['wasm', 'webgpu'] as const) {
      const artifact = await compile(FILE, { target, compress: deep });
      const weights = artifact.files.get('weights.bin')!.length;
      console.log(`lenet-300-100 deep (post-training, ${target}): weights.bin ${weights} B, ${(onnxBytes / weights).toFixed(1)}× smaller than the .onnx (${onnxBytes} B)`);
      expect(onnxBytes / weights).toBeGreaterThan(10);
      const session = await loadInMemory(artifact, `lenet-${target}`, target === 'webgpu' ? await nodeGpuDevice() : undefined);
      const ours = await evaluate(sessionRunner(session), test_, { metric: 'top1', limit: SAMPLES });
      expect(ours.value).toBeCloseTo(reference.value, 5);
      await session.release();
    }
  });

  test('retraining keeps pruned weights at 0 and shared weights on at most 2^bits centroids', () => {
    const train = loadMnist('train');
    const subset = { dir: 'mnist-train[0:400]', count: 400, sample: (i: number) => mnistDataset('train').sample(i), labels: train.labels.subarray(0, 400) };
    const graph = optimize(FILE, { pipeline: 'fold-constants' }).graph;
    const post = compressOptimizedGraph(graph, deep);
    const tuned = compressOptimizedGraph(graph, { ...deep, finetune: subset, finetuneEpochs: 1 });
    expect(post.report.retraining).toMatch(/^none: post-training/);
    expect(tuned.report.retraining).toMatch(/^1 epoch of masked retraining \/ centroid fine-tuning after each stage on mnist-train\[0:400\] \(400 samples\)/);
    const layers = quantizableLayers(tuned.graph);
    const before = quantizableLayers(post.graph);
    layers.forEach((l, i) => {
      const w = l.weight.data!.data;
      const w0 = before[i].weight.data!.data;
      // The same weights survive pruning; retraining moved the shared values.
      for (let e = 0; e < w.length; e++) expect(w[e] === 0).toBe(w0[e] === 0);
      expect(new Set(w.filter((v) => v !== 0)).size).toBeLessThanOrEqual(32);
      expect(Array.from(w).some((v, e) => v !== w0[e])).toBe(true);
    });
  });

  test('update-weights re-ships a retrained compressed LeNet against the same kernels, still packed', async () => {
    const dir = path.join(tmp, 'lenet-deep');
    writeArtifact(await compile(FILE, { target: 'wasm', compress: deep }), dir);
    const before = new Map(fs.readdirSync(dir).map((f) => [f, fs.readFileSync(path.join(dir, f))]));
    // "Retrained": the compressed graph with every surviving weight scaled, exported as the model to re-ship.
    const retrained = compressOptimizedGraph(optimize(FILE, { pipeline: 'fold-constants' }).graph, deep).graph;
    for (const { weight } of quantizableLayers(retrained)) weight.data = new Tensor('f32', weight.data!.shape, Float32Array.from(weight.data!.data, (v) => v * 1.5));
    const model = path.join(tmp, 'retrained.onnx');
    fs.writeFileSync(model, exportOnnxModel(retrained, { producer: 'test' }));
    const updated = await updateWeights(dir, model);
    expect(updated.manifest.weightsEncoding).toBe('packed');
    expect(fs.readFileSync(path.join(dir, 'model.wasm')).equals(before.get('model.wasm')!)).toBe(true);
    expect(fs.readFileSync(path.join(dir, 'weights.bin')).equals(before.get('weights.bin')!)).toBe(false);
    expect(fs.statSync(path.join(dir, 'weights.bin')).size).toBeLessThan(fs.statSync(FILE).size / 10);
  });
});
