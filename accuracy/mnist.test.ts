import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readDataset } from './dataset.js';
import { loadMnist, MNIST_PIXELS, shuffledIndices, trainCount, writeMnistDataset } from './mnist.js';

const digest = (images: Float32Array, i: number) => createHash('sha1').update(images.subarray(i * MNIST_PIXELS, (i + 1) * MNIST_PIXELS)).digest('hex');

describe('the MNIST split', () => {
  const train = loadMnist('train');
  const heldOut = loadMnist('test');

  test('holds out the last 20 % of each digit, never among the training digits', () => {
    expect(train.count + heldOut.count).toBe(10000);
    const perDigit = (labels: Int32Array) => Array.from({ length: 10 }, (_, d) => labels.filter((l) => l === d).length);
    const trainPer = perDigit(train.labels);
    const testPer = perDigit(heldOut.labels);
    trainPer.forEach((n, d) => expect(n).toBe(trainCount(n + testPer[d])));
    expect(heldOut.count).toBe(2004);
    const held = new Set(Array.from({ length: heldOut.count }, (_, i) => digest(heldOut.images, i)));
    const leaked = Array.from({ length: train.count }, (_, i) => digest(train.images, i)).filter((h) => held.has(h));
    expect(leaked).toEqual([]);
  });

  test('is the same on every load, and a prefix mixes the digits', () => {
    const again = loadMnist('test');
    expect(again.labels).toEqual(heldOut.labels);
    expect(Buffer.from(again.images.buffer).equals(Buffer.from(heldOut.images.buffer))).toBe(true);
    expect(new Set(heldOut.labels.subarray(0, 50)).size).toBe(10);
    expect(shuffledIndices(5, 1)).toEqual(shuffledIndices(5, 1));
    expect(Array.from(shuffledIndices(100, 1)).sort((a, b) => a - b)).toEqual(Array.from({ length: 100 }, (_, i) => i));
  });

  test('writes a data-set folder of [N,1,28,28] images and int64 labels', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dlc-mnist-'));
    try {
      writeMnistDataset(dir, 'test', { inputName: 'x' });
      const set = readDataset(dir, [{ name: 'x', shape: [1, 1, 28, 28], dtype: 'f32' }]);
      expect(set.count).toBe(heldOut.count);
      expect(set.labels).toEqual(heldOut.labels);
      expect(set.sample(7).x.data).toEqual(heldOut.images.subarray(7 * MNIST_PIXELS, 8 * MNIST_PIXELS));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
