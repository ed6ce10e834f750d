import { decodeSymbols, MAX_CODE_BITS, readCodeLengths } from '../../runtime/huffman-decode.js';
import { BitWriter, codedBits, huffmanCode } from './huffman-code.js';

const fail = (why: string): never => {
  throw new Error(why);
};

/** Σ 2^-l over the used symbols: ≤ 1 for a prefix code. */
const kraft = (lengths: Uint8Array) => lengths.reduce((sum, l) => sum + (l ? 2 ** -l : 0), 0);

/** Writes `symbols` with the code of their counts and decodes them back with the runtime's decoder. */
function roundTrip(symbols: number[], alphabet: number): { decoded: Uint16Array; bytes: number; bits: number } {
  const counts = new Array<number>(alphabet).fill(0);
  for (const s of symbols) counts[s]++;
  const code = huffmanCode(counts);
  const lengths = new BitWriter();
  lengths.writeLengths(code);
  const stored = readCodeLengths(lengths.finish(), 0, alphabet);
  expect(stored).toEqual(code.lengths);
  const w = new BitWriter();
  for (const s of symbols) w.writeSymbol(code, s);
  const stream = w.finish();
  return { decoded: decodeSymbols(stream, 0, stream.length, stored, symbols.length, fail), bytes: stream.length, bits: codedBits(code, counts) };
}

/** Where `decoded` differs from `symbols` (jest's deep equality is slow on long arrays). */
const mismatches = (decoded: Uint16Array, symbols: number[]) => (decoded.length === symbols.length ? symbols.filter((s, i) => decoded[i] !== s).length : -1);

describe('huffmanCode', () => {
  test('the optimal code of a textbook distribution', () => {
    // Counts 45 13 12 16 9 5 (CLRS 16.3): optimal lengths 1 3 3 3 4 4, 224 bits.
    const counts = [45, 13, 12, 16, 9, 5];
    const code = huffmanCode(counts);
    expect(Array.from(code.lengths)).toEqual([1, 3, 3, 3, 4, 4]);
    expect(codedBits(code, counts)).toBe(224);
  });

  test('ties go by symbol index: the lower index gets the shorter code, every time', () => {
    expect(Array.from(huffmanCode([5, 5, 5]).lengths)).toEqual([1, 2, 2]);
    expect(Array.from(huffmanCode([0, 7, 0, 7, 7, 7]).lengths)).toEqual([0, 2, 0, 2, 2, 2]);
    const counts = Array.from({ length: 300 }, (_, i) => (i * 7919) % 13);
    expect(huffmanCode(counts)).toEqual(huffmanCode(counts));
  });

  test('one symbol: stored with length 1, written with no bits at all', () => {
    const code = huffmanCode([0, 0, 9]);
    expect(Array.from(code.lengths)).toEqual([0, 0, 1]);
    expect(codedBits(code, [0, 0, 9])).toBe(0);
    const { decoded, bytes } = roundTrip(new Array(1000).fill(2), 3);
    expect(bytes).toBe(0);
    expect(mismatches(decoded, new Array(1000).fill(2))).toBe(0);
  });

  test('Fibonacci counts (an unlimited tree 29 deep) are limited to 16 bits and stay a prefix code', () => {
    const fib = [1, 1];
    while (fib.length < 30) fib.push(fib[fib.length - 1] + fib[fib.length - 2]);
    const code = huffmanCode(fib);
    expect(Math.max(...code.lengths)).toBe(MAX_CODE_BITS);
    expect(kraft(code.lengths)).toBeLessThanOrEqual(1);
    const symbols = fib.flatMap((c, s) => (s < 20 ? new Array(c).fill(s) : [s]));
    expect(mismatches(roundTrip(symbols, fib.length).decoded, symbols)).toBe(0);
  });

  test('more than 65536 symbols have no 16-bit code', () => {
    expect(() => huffmanCode(new Array(65537).fill(1))).toThrow('65537 symbols do not fit 16-bit codes');
  });

  test('random skewed streams round-trip through the runtime decoder, within one bit per symbol of the entropy', () => {
    let seed = 7;
    const random = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32);
    for (const alphabet of [2, 3, 17, 256, 1000]) {
      const symbols = Array.from({ length: 5000 }, () => Math.floor(alphabet * random() ** 3));
      const { decoded, bytes, bits } = roundTrip(symbols, alphabet);
      expect(mismatches(decoded, symbols)).toBe(0);
      expect(bytes).toBe(Math.ceil(bits / 8));
      const counts = new Map<number, number>();
      for (const s of symbols) counts.set(s, (counts.get(s) ?? 0) + 1);
      const entropy = [...counts.values()].reduce((h, c) => h - c * Math.log2(c / symbols.length), 0);
      expect(bits).toBeGreaterThanOrEqual(entropy);
      expect(bits).toBeLessThan(entropy + symbols.length);
    }
  });
});

describe('BitWriter', () => {
  test('least significant bit first, the last byte padded with zeros', () => {
    const w = new BitWriter(1);
    w.write(0b101, 3);
    w.write(0b11110, 5);
    w.write(0xabc, 12);
    expect(Array.from(w.finish())).toEqual([0b11110101, 0xbc, 0x0a]);
  });
});
