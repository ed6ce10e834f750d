import { codeLengthsBytes } from '../../runtime/huffman-decode.js';
import { decodeWeights, PACKED_HEADER_BYTES, SEGMENT_HEADER_BYTES } from '../../runtime/weights-decode.js';
import { encodeWeights, type WeightRange } from './encode-weights.js';

let seed = 1;
/** mulberry32: uniform in [0, 1), the same sequence every run. */
function random(): number {
  let t = (seed = (seed + 0x6d2b79f5) | 0);
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
}
const gaussian = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
beforeEach(() => {
  seed = 1;
});

const bytesOf = (a: Float32Array | Uint16Array | Int8Array) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
const whole = (image: Uint8Array, elementBytes: 1 | 2 | 4 = 4, extra: Partial<WeightRange> = {}): WeightRange[] => [{ name: 'w', offset: 0, bytes: image.length, elementBytes, ...extra }];

/** Encodes, checks that the runtime restores the image byte for byte, and returns what the encoder said. */
function roundTrip(image: Uint8Array, ranges: readonly WeightRange[]) {
  const result = encodeWeights(image, ranges);
  const decoded = decodeWeights(result.encoded, 'weights.bin');
  expect(decoded.length).toBe(image.length);
  expect(Buffer.compare(decoded, image)).toBe(0);
  const segments = result.ranges.reduce((n, r) => n + r.encodedBytes, 0);
  expect(segments).toBeLessThanOrEqual(result.encoded.length - PACKED_HEADER_BYTES);
  return result;
}

/** n f32 elements, each one of `k` k-means-like centroids, index i drawn with weight weights(i). */
function sharedWeights(n: number, k: number, weights: (i: number) => number = () => 1): { values: Float32Array; indices: Uint16Array } {
  const centroids = Float32Array.from({ length: k }, (_, i) => (i - k / 2 + 0.5) / k + 0.001 * gaussian());
  const cumulative: number[] = [];
  for (let i = 0, sum = 0; i < k; i++) cumulative.push((sum += weights(i)));
  const total = cumulative[k - 1];
  const indices = Uint16Array.from({ length: n }, () => {
    const u = random() * total;
    let i = 0;
    while (cumulative[i] <= u) i++;
    return i;
  });
  return { values: Float32Array.from(indices, (i) => centroids[i]), indices };
}

describe('encodeWeights → decodeWeights', () => {
  test('random f32 stays raw (the header and one segment header over the bytes)', () => {
    const image = bytesOf(Float32Array.from({ length: 4096 }, gaussian));
    const { encoded, ranges } = roundTrip(image, whole(image));
    expect(ranges).toEqual([{ name: 'w', kind: 'raw', bytes: 16384, encodedBytes: 16384 + SEGMENT_HEADER_BYTES, elements: 4096, nonZero: 4096, codebookSize: 0 }]);
    expect(encoded.length).toBe(PACKED_HEADER_BYTES + SEGMENT_HEADER_BYTES + 16384);
  });

  test('all zeros: one zero fill', () => {
    const image = new Uint8Array(10000);
    const { encoded, ranges } = roundTrip(image, whole(image));
    expect(ranges[0]).toMatchObject({ kind: 'zeros', encodedBytes: SEGMENT_HEADER_BYTES, nonZero: 0 });
    expect(encoded.length).toBe(PACKED_HEADER_BYTES + SEGMENT_HEADER_BYTES);
  });

  test.each([2, 3, 32, 256])('k-means weight sharing, K = %i: a codebook of K entries, the same bytes every time', (k) => {
    const n = 8192;
    const image = bytesOf(sharedWeights(n, k).values);
    const { encoded, ranges: [report] } = roundTrip(image, whole(image));
    expect(encodeWeights(image, whole(image)).encoded).toEqual(encoded);
    expect(report).toMatchObject({ kind: 'codebook', codebookSize: k, elements: n });
    // Uniform indices: about log2(K) bits each, plus the codebook and its code.
    expect(report.encodedBytes).toBeLessThan((n * Math.ceil(Math.log2(k))) / 8 + k * 5 + 64);
  });

  test('a skewed 256-entry codebook: the index stream within 3 % of the empirical entropy', () => {
    const n = 50000;
    const { values, indices } = sharedWeights(n, 256, (i) => Math.exp(-(((i - 128) / 24) ** 2) / 2));
    const image = bytesOf(values);
    const counts = new Map<number, number>();
    for (const i of indices) counts.set(i, (counts.get(i) ?? 0) + 1);
    const [report] = roundTrip(image, whole(image)).ranges;
    // The codebook holds the centroids that occur (the far tails may not).
    const k = counts.size;
    expect(report).toMatchObject({ kind: 'codebook', codebookSize: k });
    const entropyBits = [...counts.values()].reduce((h, c) => h - c * Math.log2(c / n), 0);
    const tableBytes = 4 + k * 4 + codeLengthsBytes(k);
    const streamBits = (report.encodedBytes - SEGMENT_HEADER_BYTES - tableBytes) * 8;
    expect(streamBits).toBeGreaterThanOrEqual(entropyBits);
    expect(streamBits).toBeLessThanOrEqual(entropyBits * 1.03);
  });

  test('a 65536-entry codebook: 16-bit indices', () => {
    // 65536 symbols fill the 16-bit code space, so every index costs 16 bits: the codebook (256 KiB and
    // 40 KiB of code lengths) pays for itself over raw f32 from about 152 K elements.
    const n = 160000;
    const words = new Uint32Array(n).fill(0x3f800000);
    for (let i = 0; i < 65535; i++) words[i] = 0x40000000 + i;
    const image = new Uint8Array(words.buffer);
    const [report] = roundTrip(image, whole(image)).ranges;
    expect(report).toMatchObject({ kind: 'codebook', codebookSize: 65536 });
  });

  test('90 % pruned, shared weights: sparse with a codebook (the zero included for fillers)', () => {
    const n = 20000;
    const { values } = sharedWeights(n, 16);
    for (let i = 0; i < n; i++) if (random() < 0.9) values[i] = 0;
    const image = bytesOf(values);
    const [report] = roundTrip(image, whole(image)).ranges;
    expect(report).toMatchObject({ kind: 'sparse', indexBits: 5, codebookSize: 17 });
    expect(report.nonZero).toBeGreaterThan(1800);
    expect(report.encodedBytes).toBeLessThan(n * 4 * 0.05);
  });

  test('90 % pruned, distinct weights: sparse with raw values', () => {
    const values = Float32Array.from({ length: 20000 }, () => (random() < 0.9 ? 0 : gaussian()));
    const image = bytesOf(values);
    const [report] = roundTrip(image, whole(image, 4, { sparseIndexBits: 4 })).ranges;
    expect(report).toMatchObject({ kind: 'sparse', indexBits: 4, codebookSize: 0 });
    // 4 bytes a value, ~4 bits a gap (mean 9 zeros), and fillers (a run of 16 zeros is 18 % likely) with 4-byte zeros.
    expect(report.encodedBytes).toBeLessThan(report.nonZero * 5.6);
  });

  test('gaps past 2^b are bridged by fillers; -0 is no zero', () => {
    const values = new Float32Array(6000);
    for (let i = 0; i < values.length; i += 61) values[i] = i % 2 ? 0.5 : -0.25;
    values[3000] = -0;
    const image = bytesOf(values);
    const [report] = roundTrip(image, whole(image, 4, { sparseIndexBits: 3 })).ranges;
    // Runs of 60 zeros, 8 elements a filler: 7 fillers each. -0 is stored as one of the values.
    expect(report).toMatchObject({ kind: 'sparse', indexBits: 3, codebookSize: 4, nonZero: 100 });
  });

  test('1-byte (int8) and 2-byte (f16) elements', () => {
    const int8 = Int8Array.from({ length: 30000 }, () => Math.max(-127, Math.min(127, Math.round(gaussian() * 12))));
    const [r8] = roundTrip(bytesOf(int8), whole(bytesOf(int8), 1)).ranges;
    expect(r8).toMatchObject({ kind: 'codebook', elements: 30000 });
    expect(r8.encodedBytes).toBeLessThan(30000 * 0.75);
    const f16 = Uint16Array.from({ length: 30000 }, () => (random() < 0.8 ? 0 : 0x3c00 + Math.floor(random() * 40)));
    const [r16] = roundTrip(bytesOf(f16), whole(bytesOf(f16), 2)).ranges;
    expect(r16).toMatchObject({ kind: 'sparse', elements: 30000 });
  });

  test('bytes outside every range: raw, or a zero fill; empty ranges and an empty image', () => {
    const image = new Uint8Array(1024);
    image.set(bytesOf(sharedWeights(100, 4).values), 8);
    image.set([1, 2, 3], 420); // between the ranges
    image.set(bytesOf(Float32Array.from({ length: 50 }, gaussian)), 500);
    const ranges: WeightRange[] = [
      { name: 'a', offset: 8, bytes: 400, elementBytes: 4 },
      { name: 'empty', offset: 408, bytes: 0, elementBytes: 4 },
      { name: 'b', offset: 500, bytes: 200, elementBytes: 4 },
      { name: 'c', offset: 700, bytes: 301, elementBytes: 1 }, // then 23 bytes past every range
    ];
    const { ranges: reports } = roundTrip(image, ranges);
    expect(reports.map((r) => [r.name, r.kind, r.encodedBytes > 0])).toEqual([
      ['a', 'codebook', true],
      ['empty', 'zeros', false],
      ['b', 'raw', true],
      ['c', 'zeros', true],
    ]);
    expect(roundTrip(new Uint8Array(0), []).encoded.length).toBe(PACKED_HEADER_BYTES);
  });

  test('ranges out of order, overlapping, past the image or of part elements are refused', () => {
    const image = new Uint8Array(64);
    const r = (offset: number, bytes: number, elementBytes: 1 | 2 | 4 = 4, sparseIndexBits?: number): WeightRange => ({ name: 'r', offset, bytes, elementBytes, sparseIndexBits });
    expect(() => encodeWeights(image, [r(0, 16), r(8, 16)])).toThrow("range 'r' (16 bytes at 8) overlaps or precedes the range before it, which ends at 16");
    expect(() => encodeWeights(image, [r(32, 16), r(0, 16)])).toThrow('overlaps or precedes');
    expect(() => encodeWeights(image, [r(56, 16)])).toThrow("ends past the image's 64 bytes");
    expect(() => encodeWeights(image, [r(0, 6)])).toThrow('is no whole number of 4-byte elements');
    expect(() => encodeWeights(image, [r(0, 8, 3 as 4)])).toThrow('has elements of 3 bytes');
    expect(() => encodeWeights(image, [r(0, 8, 4, 17)])).toThrow('has sparse gaps of 17 bits');
  });
});
