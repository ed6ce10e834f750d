// Each layer's backward() against central finite differences of its forward(), on tiny cases.
import { seededRandom } from '../../compiler/random.js';
import { Conv2d } from './conv2d.js';
import { Dense } from './dense.js';
import { Relu, type Layer } from './layer.js';
import { softmaxCrossEntropy } from './loss.js';
import { MaxPool2d } from './max-pool.js';
import { Sequential } from './network.js';

const fill = (a: Float32Array, random: () => number) => {
  for (let i = 0; i < a.length; i++) a[i] = random();
};

/**
 * The loss L = Σ r·y for a fixed random r makes ∂L/∂y = r; L is linear in a conv's or dense layer's weights,
 * bias and input, so a central difference recovers each partial derivative up to rounding.
 */
function checkLayer(layer: Layer, batch: number, seed: number): void {
  const random = seededRandom(seed);
  for (const p of layer.params) fill(p.value, random);
  const x = new Float32Array(batch * layer.inSize);
  fill(x, random);
  const r = new Float32Array(batch * layer.outSize);
  fill(r, random);
  const loss = () => layer.forward(x, batch).reduce((s, y, i) => s + y * r[i], 0);

  layer.forward(x, batch);
  const dx = layer.backward(r, batch, true)!;
  const eps = 1e-2;
  const numeric = (values: Float32Array, i: number) => {
    const keep = values[i];
    values[i] = keep + eps;
    const up = loss();
    values[i] = keep - eps;
    const down = loss();
    values[i] = keep;
    return (up - down) / (2 * eps);
  };
  for (const p of layer.params) {
    for (let i = 0; i < p.value.length; i++) expect(p.grad[i]).toBeCloseTo(numeric(p.value, i), 2);
  }
  for (let i = 0; i < x.length; i++) expect(dx[i]).toBeCloseTo(numeric(x, i), 2);
}

describe('backward passes match finite differences', () => {
  test('dense', () => checkLayer(new Dense('fc', 7, 5), 3, 1));

  test('conv with padding, several channels', () => {
    checkLayer(new Conv2d('conv', { inChannels: 2, outChannels: 3, height: 5, width: 6, kernel: 3, pad: 1 }), 2, 2);
  });

  test('conv without padding, a batch of five (not a multiple of the blocking by four)', () => {
    checkLayer(new Conv2d('conv', { inChannels: 2, outChannels: 5, height: 5, width: 5, kernel: 3, pad: 0 }), 5, 3);
  });

  test('conv with stride 2 and padding (rows and columns the stride skips)', () => {
    checkLayer(new Conv2d('conv', { inChannels: 2, outChannels: 3, height: 6, width: 7, kernel: 3, pad: 1, stride: 2 }), 2, 4);
  });

  test('max pool and ReLU, away from their kinks', () => {
    // Distinct values far apart: a step of eps changes no window's maximum and no sign.
    const pool = new MaxPool2d('pool', 2, 4, 4, 2);
    const x = Float32Array.from({ length: 2 * pool.inSize }, (_, i) => ((i * 37) % 64) - 31.5);
    const dy = Float32Array.from({ length: 2 * pool.outSize }, (_, i) => i + 1);
    const y = pool.forward(x, 2);
    const dx = pool.backward(dy, 2);
    for (let k = 0; k < y.length; k++) expect(dx[x.indexOf(y[k])]).toBe(dy[k]);
    expect(dx.filter((g) => g !== 0).length).toBe(y.length);

    const relu = new Relu('relu', 4);
    relu.forward(new Float32Array([-1, 2, -3, 4]));
    expect(Array.from(relu.backward(new Float32Array([5, 6, 7, 8])))).toEqual([0, 6, 0, 8]);
  });

  test('a whole small net under softmax cross-entropy (the chain through every layer)', () => {
    const conv = new Conv2d('conv1', { inChannels: 1, outChannels: 2, height: 6, width: 6, kernel: 3, pad: 1 });
    const net = new Sequential([conv, new Relu('relu1', conv.outSize), new MaxPool2d('pool1', 2, 6, 6, 2), new Dense('fc1', 18, 4), new Relu('relu2', 4), new Dense('fc2', 4, 3)]);
    net.initialize(5);
    const random = seededRandom(6);
    const batch = 2;
    const x = Float32Array.from({ length: batch * 36 }, () => random());
    const labels = [2, 0];
    const loss = () => softmaxCrossEntropy(net.forward(x, batch), labels, batch, 3).loss;
    net.backward(softmaxCrossEntropy(net.forward(x, batch), labels, batch, 3).grad, batch);
    const eps = 1e-3;
    let checked = 0;
    for (const p of net.params) {
      for (let i = 0; i < p.value.length; i++) {
        const keep = p.value[i];
        p.value[i] = keep + eps;
        const up = loss();
        p.value[i] = keep - eps;
        const down = loss();
        p.value[i] = keep;
        const numeric = (up - down) / (2 * eps);
        expect(Math.abs(p.grad[i] - numeric)).toBeLessThan(2e-3 + 2e-2 * Math.abs(numeric));
        if (numeric !== 0) checked++;
      }
    }
    expect(checked).toBeGreaterThan(net.params.reduce((n, p) => n + p.value.length, 0) / 2);
  });
});
