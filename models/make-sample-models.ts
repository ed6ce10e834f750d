// Writes the bundled sample model(s) with seeded weights: `npm run models`.
// tiny-cnn.onnx is a small image classifier that exercises what real mobile CNNs use: conv + batch-norm,
// ReLU, max-pool, the decomposed HardSwish that PP-OCR exports (x * clip(x + 3, 0, 6) / 6), global pooling,
// flatten, gemm and softmax.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Tensor } from '../compiler/ir/tensor.js';
import { seededRandom } from '../compiler/random.js';
import { encodeOnnxModel, type OnnxModelSpec } from '../compiler/onnx/writer.js';

function randomTensor(rand: () => number, shape: number[], scale: number, offset = 0): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return Tensor.fromArray('f32', shape, Array.from({ length: n }, () => offset + rand() * scale));
}

export function tinyCnn(): OnnxModelSpec {
  const r = seededRandom(42);
  const scalar = (v: number) => Tensor.fromArray('f32', [], [v]);
  return {
    producer: 'dlc models/make-sample-models.ts',
    opset: 17,
    inputs: [{ name: 'image', dtype: 'f32', shape: [1, 3, 32, 32] }],
    outputs: [{ name: 'probs', dtype: 'f32', shape: [1, 10] }],
    initializers: [
      { name: 'conv1.w', tensor: randomTensor(r, [8, 3, 3, 3], 0.3) },
      { name: 'conv1.b', tensor: randomTensor(r, [8], 0.1) },
      { name: 'bn1.scale', tensor: randomTensor(r, [8], 0.2, 1) },
      { name: 'bn1.bias', tensor: randomTensor(r, [8], 0.1) },
      { name: 'bn1.mean', tensor: randomTensor(r, [8], 0.1) },
      { name: 'bn1.var', tensor: randomTensor(r, [8], 0.2, 1) },
      { name: 'conv2.w', tensor: randomTensor(r, [16, 8, 3, 3], 0.2) },
      { name: 'conv2.b', tensor: randomTensor(r, [16], 0.1) },
      { name: 'three', tensor: scalar(3) },
      { name: 'zero', tensor: scalar(0) },
      { name: 'six', tensor: scalar(6) },
      { name: 'fc.w', tensor: randomTensor(r, [10, 16], 0.5) },
      { name: 'fc.b', tensor: randomTensor(r, [10], 0.1) },
    ],
    nodes: [
      { op: 'Conv', inputs: ['image', 'conv1.w', 'conv1.b'], outputs: ['c1'], attrs: { kernel_shape: [3, 3], pads: [1, 1, 1, 1] } },
      { op: 'BatchNormalization', inputs: ['c1', 'bn1.scale', 'bn1.bias', 'bn1.mean', 'bn1.var'], outputs: ['b1'], attrs: { epsilon: { float: 1e-5 } } },
      { op: 'Relu', inputs: ['b1'], outputs: ['r1'] },
      { op: 'MaxPool', inputs: ['r1'], outputs: ['p1'], attrs: { kernel_shape: [2, 2], strides: [2, 2] } },
      { op: 'Conv', inputs: ['p1', 'conv2.w', 'conv2.b'], outputs: ['c2'], attrs: { kernel_shape: [3, 3], pads: [1, 1, 1, 1], strides: [2, 2] } },
      { op: 'Add', inputs: ['c2', 'three'], outputs: ['hs_add'] },
      { op: 'Clip', inputs: ['hs_add', 'zero', 'six'], outputs: ['hs_clip'] },
      { op: 'Mul', inputs: ['c2', 'hs_clip'], outputs: ['hs_mul'] },
      { op: 'Div', inputs: ['hs_mul', 'six'], outputs: ['hs'] },
      { op: 'GlobalAveragePool', inputs: ['hs'], outputs: ['gap'] },
      { op: 'Flatten', inputs: ['gap'], outputs: ['flat'] },
      { op: 'Gemm', inputs: ['flat', 'fc.w', 'fc.b'], outputs: ['logits'], attrs: { transB: 1 } },
      { op: 'Softmax', inputs: ['logits'], outputs: ['probs'], attrs: { axis: 1 } },
    ],
  };
}

function main(): void {
  const out = path.join(process.cwd(), 'models', 'tiny-cnn.onnx');
  fs.writeFileSync(out, encodeOnnxModel(tinyCnn()));
  console.log(`wrote ${path.relative(process.cwd(), out)}`);
}

if (process.argv[1] && /make-sample-models/.test(process.argv[1])) main();
