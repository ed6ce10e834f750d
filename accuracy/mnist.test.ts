import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DlcError } from '../compiler/errors.js';
import { readDataset } from './dataset.js';
import { loadMnist, MNIST_PIXELS, readIdx, shuffledIndices, writeMnistDataset } from './mnist.js';

const digest = (images: Float32Array, i: number) => createHash('sha1').update(images.subarray(i * MNIST_PIXELS, (i + 1) * MNIST_PIXELS)).digest('hex');
const perDigit = (labels: Int32Array) => Array.from({ length: 10 }, (_, d) => labels.filter((l) => l === d).length);

describe('the MNIST parts', () => {
  const train = loadMnist('train');
  const heldOut = loadMnist('test');

  test('are the official 60,000 training and 10,000 test digits, grey levels in [0, 1]', () => {
    expect(train.count).toBe(60000);
    expect(heldOut.count).toBe(10000);
    // The official test set's digit counts (LeCun et al.).
    expect(perDigit(heldOut.labels)).toEqual([980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]);
    expect(perDigit(train.labels)).toEqual([5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]);
    let min = Infinity;
    let max = -Infinity;
    for (const v of heldOut.images) [min, max] = [Math.min(min, v), Math.max(max, v)];
    expect([min, max]).toEqual([0, 1]);
  });

  test('the held-out digits are not among the training digits', () => {
    // A prefix of each (shuffled) part keeps this fast; exact duplicates would show up in any prefix of the test part.
    const held = new Set(Array.from({ length: 2000 }, (_, i) => digest(heldOut.images, i)));
    const leaked = Array.from({ length: 20000 }, (_, i) => digest(train.images, i)).filter((h) => held.has(h));
    expect(leaked).toEqual([]);
  });

  test('are the same on every load, and a prefix mixes the digits', () => {
    const again = loadMnist('test');
    expect(again.labels).toEqual(heldOut.labels);
    expect(Buffer.from(again.images.buffer).equals(Buffer.from(heldOut.images.buffer))).toBe(true);
    expect(new Set(heldOut.labels.subarray(0, 50)).size).toBe(10);
    expect(shuffledIndices(5, 1)).toEqual(shuffledIndices(5, 1));
    expect(Array.from(shuffledIndices(100, 1)).sort((a, b) => a - b)).toEqual(Array.from({ length: 100 }, (_, i) => i));
  });

  test('writes a data-set folder of [N,1,28,28] images and int64 labels, all or a prefix', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dlc-mnist-'));
    try {
      writeMnistDataset(dir, 'test', { inputName: 'x', limit: 300 });
      const set = readDataset(dir, [{ name: 'x', shape: [1, 1, 28, 28], dtype: 'f32' }]);
      expect(set.count).toBe(300);
      expect(set.labels).toEqual(heldOut.labels.subarray(0, 300));
      expect(set.sample(7).x.data).toEqual(heldOut.images.subarray(7 * MNIST_PIXELS, 8 * MNIST_PIXELS));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the idx reader', () => {
  const idx = (magic: number, dims: number[], data: number[]) => {
    const bytes = new Uint8Array(4 + 4 * dims.length + data.length);
    const view = new DataView(bytes.buffer);
    view.setUint32(0, magic);
    dims.forEach((d, i) => view.setUint32(4 + 4 * i, d));
    bytes.set(data, 4 + 4 * dims.length);
    return bytes;
  };

  test('reads the big-endian header and returns the payload', () => {
    expect(Array.from(readIdx(idx(0x0803, [2, 1, 2], [1, 2, 3, 4]), 0x0803, [-1, 1, 2], 'f'))).toEqual([1, 2, 3, 4]);
  });

  test('refuses a wrong magic, shape or length in one line', () => {
    expect(() => readIdx(idx(0x0801, [4], [1, 2, 3, 4]), 0x0803, [-1, 1, 2], 'f')).toThrow(DlcError);
    expect(() => readIdx(idx(0x0803, [2, 2, 1], [1, 2, 3, 4]), 0x0803, [-1, 1, 2], 'f')).toThrow(/dimensions \[2, 2, 1\], expected \[2, 1, 2\]/);
    expect(() => readIdx(idx(0x0801, [5], [1, 2, 3, 4]), 0x0801, [5], 'f')).toThrow(/holds 4 bytes of data, its header says 5/);
  });
});
