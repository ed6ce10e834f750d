// The committed LeNets (models/mnist, written by `npm run train:lenet`) are what the quantization work
// measures: they import with dlc's frontend in the shape of a PyTorch export, and onnxruntime-node gives
// them the stated top-1 on the first 2,000 of the 10,000 MNIST test digits, which they were never trained on.
import * as path from 'node:path';
import * as ort from 'onnxruntime-node';
import { loadMnist, MNIST_PIXELS } from '../../accuracy/mnist.js';
import { argmax } from '../../accuracy/train/train.js';
import { interpret } from '../../compiler/interpreter.js';
import { Tensor } from '../../compiler/ir/tensor.js';
import { loadOnnxFile } from '../../compiler/onnx/frontend.js';
import { REPO_ROOT } from '../util/repo.js';

const MODELS = [
  { name: 'lenet-300-100', minTopOne: 0.975, ops: ['flatten', 'gemm', 'relu', 'gemm', 'relu', 'gemm'] },
  { name: 'lenet-5', minTopOne: 0.985, ops: ['conv', 'relu', 'max_pool', 'conv', 'relu', 'max_pool', 'flatten', 'gemm', 'relu', 'gemm', 'relu', 'gemm'] },
];

/** A fixed prefix of the 10,000 test digits (shuffled, so it mixes the digits) keeps the test fast. */
const HELD_OUT = 2000;
const test10k = loadMnist('test');
const heldOut = { count: HELD_OUT, images: test10k.images.subarray(0, HELD_OUT * MNIST_PIXELS), labels: test10k.labels.subarray(0, HELD_OUT) };
const image = (i: number) => heldOut.images.slice(i * MNIST_PIXELS, (i + 1) * MNIST_PIXELS);

describe.each(MODELS)('models/mnist/$name', ({ name, minTopOne, ops }) => {
  const file = path.join(REPO_ROOT, 'models', 'mnist', `${name}.onnx`);

  test("imports with dlc's frontend: input [1,1,28,28] f32, PyTorch's ops, logits [1,10]", () => {
    const { graph, opsets, producer } = loadOnnxFile(file);
    expect(opsets['']).toBe(17);
    expect(producer).toContain('dlc');
    expect(graph.inputs.map((v) => [v.name, v.type.dtype, v.type.shape])).toEqual([['input', 'f32', [1, 1, 28, 28]]]);
    expect(graph.outputs.map((v) => [v.name, v.type.dtype, v.type.shape])).toEqual([['logits', 'f32', [1, 10]]]);
    expect(graph.nodes.map((n) => n.op)).toEqual(ops);
  });

  test(`reaches ${minTopOne * 100} % top-1 on the ${heldOut.count} held-out digits (onnxruntime-node)`, async () => {
    const session = await ort.InferenceSession.create(file, { intraOpNumThreads: 1 });
    try {
      let correct = 0;
      for (let i = 0; i < heldOut.count; i++) {
        const { logits } = await session.run({ input: new ort.Tensor('float32', image(i), [1, 1, 28, 28]) });
        if (argmax(logits.data as Float32Array) === heldOut.labels[i]) correct++;
      }
      const topOne = correct / heldOut.count;
      console.log(`${name}: held-out top-1 ${(topOne * 100).toFixed(2)} % (${correct}/${heldOut.count})`);
      expect(topOne).toBeGreaterThanOrEqual(minTopOne);
    } finally {
      await session.release();
    }
  });

  test("dlc's reference interpreter gives onnxruntime's logits", async () => {
    const { graph } = loadOnnxFile(file);
    const session = await ort.InferenceSession.create(file, { intraOpNumThreads: 1 });
    try {
      for (let i = 0; i < 8; i++) {
        const ours = interpret(graph, { input: new Tensor('f32', [1, 1, 28, 28], image(i)) }).logits;
        const { logits } = await session.run({ input: new ort.Tensor('float32', image(i), [1, 1, 28, 28]) });
        const theirs = logits.data as Float32Array;
        theirs.forEach((v, k) => expect(ours.data[k]).toBeCloseTo(v, 3));
      }
    } finally {
      await session.release();
    }
  });
});
