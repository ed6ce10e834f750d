import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { writeNpy, type NpyArray } from '../api/npy.js';
import { errorOf } from '../tests/util/errors.js';
import { readDataset, writeDataset, type DatasetInput } from './dataset.js';

let root: string;
beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'dlc-dataset-'));
});
afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

const IMAGE: DatasetInput = { name: 'image', shape: [1, 2, 3], dtype: 'f32' };
const SCALE: DatasetInput = { name: 'scale', shape: [2], dtype: 'i64' };

/** n samples of an f32 input, sample i holding i*100 + k at element k. */
function images(n: number, sampleShape: number[]): NpyArray {
  const size = sampleShape.reduce((a, d) => a * d, 1);
  return { dtype: 'f32', shape: [n, ...sampleShape], data: Float32Array.from({ length: n * size }, (_, j) => Math.floor(j / size) * 100 + (j % size)) };
}

const scales = (n: number): NpyArray => ({ dtype: 'i64', shape: [n, 2], data: BigInt64Array.from({ length: 2 * n }, (_, j) => BigInt(j)) });

describe('data-set folders', () => {
  test('round-trip: inputs come back shaped like the model input, labels as integers', () => {
    const dir = path.join(root, 'set');
    writeDataset(dir, { image: images(3, [1, 2, 3]), scale: scales(3) }, [7, 0, -2]);
    expect(fs.readdirSync(dir).sort()).toEqual(['image.npy', 'labels.npy', 'scale.npy']);
    const set = readDataset(dir, [IMAGE, SCALE]);
    expect(set.count).toBe(3);
    expect(set.labels).toEqual(new Int32Array([7, 0, -2]));
    const s = set.sample(2);
    expect(s.image.shape).toEqual([1, 2, 3]);
    expect(Array.from(s.image.data)).toEqual([200, 201, 202, 203, 204, 205]);
    expect(s.scale.dtype).toBe('i64');
    expect(Array.from(s.scale.data)).toEqual([4, 5]);
    expect(() => set.sample(3)).toThrow(RangeError);
  });

  test('the stacked layout without the leading 1 reads as the same samples', () => {
    writeDataset(path.join(root, 'with'), { image: images(2, [1, 2, 3]) });
    writeDataset(path.join(root, 'without'), { image: images(2, [2, 3]) });
    const a = readDataset(path.join(root, 'with'), [IMAGE]);
    const b = readDataset(path.join(root, 'without'), [IMAGE]);
    expect(b.labels).toBeUndefined();
    for (const i of [0, 1]) expect(b.sample(i).image).toEqual(a.sample(i).image);
  });

  test('a symbolic dim matches any size', () => {
    writeDataset(path.join(root, 'set'), { image: images(2, [4, 3]) });
    const set = readDataset(path.join(root, 'set'), [{ name: 'image', shape: ['batch', 'n', 3], dtype: 'f32' }]);
    expect(set.sample(1).image.shape).toEqual([1, 4, 3]);
  });

  test('string labels round-trip through labels.txt', () => {
    const dir = path.join(root, 'set');
    writeDataset(dir, { image: images(2, [2, 3]) }, ['cat', 'a dog']);
    expect(fs.readFileSync(path.join(dir, 'labels.txt'), 'utf8')).toBe('cat\na dog\n');
    expect(readDataset(dir, [IMAGE]).labels).toEqual(['cat', 'a dog']);
  });

  test('writing replaces an existing folder and leaves no temporary one', () => {
    const dir = path.join(root, 'set');
    writeDataset(dir, { image: images(2, [2, 3]) }, ['a', 'b']);
    writeDataset(dir, { image: images(1, [2, 3]) });
    expect(fs.readdirSync(root)).toEqual(['set']);
    expect(fs.readdirSync(dir)).toEqual(['image.npy']);
  });

  describe('errors name the file in one line', () => {
    const write = (name: string, array: NpyArray) => fs.writeFileSync(path.join(root, name), writeNpy(array));

    const expectError = (inputs: DatasetInput[], file: string, message: string) => {
      expect(errorOf(() => readDataset(root, inputs)).message).toBe(`${path.join(root, file)}: ${message}`);
    };

    test('a missing input file', () => {
      write('image.npy', images(2, [1, 2, 3]));
      expectError([IMAGE, SCALE], 'scale.npy', "missing: the data set has no file for model input 'scale' ([2] i64)");
    });

    test('a wrong shape', () => {
      write('image.npy', images(2, [1, 2, 3]));
      write('scale.npy', { dtype: 'i64', shape: [2, 3], data: new BigInt64Array(6) });
      expectError([IMAGE, SCALE], 'scale.npy', "has shape [2,3], model input 'scale' needs [N,2]");
    });

    test('a wrong dtype', () => {
      write('image.npy', { dtype: 'f64', shape: [2, 1, 2, 3], data: new Float64Array(12) });
      expectError([IMAGE], 'image.npy', "holds f64, model input 'image' is f32");
    });

    test('mismatched N', () => {
      write('image.npy', images(2, [1, 2, 3]));
      write('scale.npy', scales(3));
      expectError([IMAGE, SCALE], 'scale.npy', `holds 3 samples, ${path.join(root, 'image.npy')} holds 2`);
    });

    test('a wrong shape names both stacked layouts a leading 1 allows', () => {
      write('image.npy', images(2, [3, 2]));
      expect(errorOf(() => readDataset(root, [IMAGE])).message).toBe(`${path.join(root, 'image.npy')}: has shape [2,3,2], model input 'image' needs [N,1,2,3] or [N,2,3]`);
    });

    test.each<[string, () => void, string, string]>([
      ['float labels', () => write('labels.npy', { dtype: 'f32', shape: [2], data: new Float32Array(2) }), 'labels.npy', 'bad labels: f32, not integers'],
      ['too few labels', () => write('labels.npy', { dtype: 'i64', shape: [1], data: new BigInt64Array(1) }), 'labels.npy', 'bad labels: shape [1], the inputs need [2]'],
      ['labels past 32 bits', () => write('labels.npy', { dtype: 'i64', shape: [2], data: new BigInt64Array([0n, 1n << 40n]) }), 'labels.npy', 'bad labels: label 1 is 1099511627776, outside 32-bit integers'],
      ['too many label lines', () => fs.writeFileSync(path.join(root, 'labels.txt'), 'a\nb\nc\n'), 'labels.txt', 'bad labels: 3 lines, the inputs hold 2 samples'],
      ['both label files', () => {
        write('labels.npy', { dtype: 'i64', shape: [2], data: new BigInt64Array(2) });
        fs.writeFileSync(path.join(root, 'labels.txt'), 'a\nb\n');
      }, '', 'bad labels: both labels.npy and labels.txt are present (keep one)'],
    ])('%s', (_what, setUp, file, message) => {
      write('image.npy', images(2, [1, 2, 3]));
      setUp();
      expect(errorOf(() => readDataset(root, [IMAGE])).message).toBe(`${file ? path.join(root, file) : root}: ${message}`);
    });

    test('a folder that is not there', () => {
      expect(errorOf(() => readDataset(path.join(root, 'nope'), [IMAGE])).message).toBe(`${path.join(root, 'nope')}: not a data-set folder (no such directory)`);
    });

    test('writing checks N and the labels before it writes anything', () => {
      const dir = path.join(root, 'set');
      expect(errorOf(() => writeDataset(dir, { image: images(2, [2, 3]), scale: scales(3) })).message).toBe(`${dir}: input 'scale' has shape [3,2], not 2 stacked samples`);
      expect(errorOf(() => writeDataset(dir, { image: images(2, [2, 3]) }, [1])).message).toBe(`${dir}: bad labels: 1 of them for 2 samples`);
      expect(errorOf(() => writeDataset(dir, { image: images(2, [2, 3]) }, [1, 0.5])).message).toBe(`${path.join(dir, 'labels.npy')}: bad labels: label 1 is 0.5, not an integer`);
      expect(errorOf(() => writeDataset(dir, { image: images(2, [2, 3]) }, ['a', 'b\nc'])).message).toBe(`${path.join(dir, 'labels.txt')}: bad labels: label 1 holds a line break`);
      expect(errorOf(() => writeDataset(dir, { 'a/b': images(2, [2, 3]) })).message).toBe("model input 'a/b' cannot name a data-set file");
      expect(fs.readdirSync(root)).toEqual([]);
    });
  });
});
