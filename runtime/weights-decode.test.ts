// The decoder against malformed containers: hand-made ones for each check, and every truncation and many
// byte flips of a small encoded image. Round trips of well-formed images are tested with the encoder
// (codegen/weights/encode-weights.test.ts).
import { encodeWeights } from '../codegen/weights/encode-weights.js';
import { BitWriter } from '../codegen/weights/huffman-code.js';
import { DlcRuntimeError } from './errors.js';
import { CODE_LENGTH_BITS } from './huffman-decode.js';
import {
  decodeWeights,
  PACKED_WEIGHTS_MAGIC,
  SEGMENT_CODEBOOK,
  SEGMENT_RAW,
  SEGMENT_SPARSE_CODEBOOK,
  SEGMENT_SPARSE_RAW,
  SEGMENT_ZEROS,
} from './weights-decode.js';

const PREFIX = 'weights.bin: bad packed weights: ';

const u32 = (x: number) => [x & 255, (x >>> 8) & 255, (x >>> 16) & 255, x >>> 24];

/** Code lengths as the container packs them. */
function lengths(list: number[]): number[] {
  const w = new BitWriter();
  for (const l of list) w.write(l, CODE_LENGTH_BITS);
  return Array.from(w.finish());
}

interface Seg {
  kind: number;
  elementBytes?: number;
  indexBits?: number;
  bytes: number;
  payload?: number[];
}

function container(imageBytes: number, segments: Seg[], { magic = PACKED_WEIGHTS_MAGIC, version = 1 } = {}): Uint8Array {
  const out = [...u32(magic), ...u32(version), ...u32(imageBytes), ...u32(segments.length)];
  for (const s of segments) {
    const payload = s.payload ?? [];
    out.push(s.kind, s.elementBytes ?? 0, s.indexBits ?? 0, ...u32(s.bytes), ...u32(payload.length), ...payload);
  }
  return Uint8Array.from(out);
}

/** The DlcRuntimeError's message after the common prefix (any other outcome fails the test). */
function failure(encoded: Uint8Array): string {
  try {
    decodeWeights(encoded, 'weights.bin');
  } catch (e) {
    if (!(e instanceof DlcRuntimeError)) throw e;
    expect(e.message.startsWith(PREFIX)).toBe(true);
    return e.message.slice(PREFIX.length);
  }
  throw new Error('expected a DlcRuntimeError');
}

/** A codebook of 1-byte entries with their code lengths and stream. */
const codebook = (entries: number[], codeLengths: number[], stream: number[]) => [...u32(entries.length), ...entries, ...lengths(codeLengths), ...stream];

describe('decodeWeights', () => {
  test('hand-made segments of every kind', () => {
    const encoded = container(20, [
      { kind: SEGMENT_RAW, bytes: 2, payload: [7, 8] },
      { kind: SEGMENT_ZEROS, bytes: 2 },
      // Symbols 0, 1, 1, 0 with codes 0 and 1 (least significant bit first): 0b0110.
      { kind: SEGMENT_CODEBOOK, elementBytes: 1, bytes: 4, payload: codebook([5, 9], [1, 1], [0b0110]) },
        // Gaps 1 and 2 (b = 2, codes 00 01 10 11, each written first bit lowest: 1 → 0b10, 2 → 0b01): elements
      // 1 and 4 of 6 set to 0x0102 and 0x0304.
      { kind: SEGMENT_SPARSE_RAW, elementBytes: 2, indexBits: 2, bytes: 12, payload: [...u32(2), ...u32(1), ...lengths([2, 2, 2, 2]), 0b0110, 2, 1, 4, 3] },
    ]);
    expect(Array.from(decodeWeights(encoded, 'weights.bin'))).toEqual([7, 8, 0, 0, 5, 9, 9, 5, 0, 0, 2, 1, 0, 0, 0, 0, 4, 3, 0, 0]);
    // A view into a larger buffer decodes the same.
    const padded = new Uint8Array(encoded.length + 3);
    padded.set(encoded, 3);
    expect(decodeWeights(padded.subarray(3), 'weights.bin')).toEqual(decodeWeights(encoded, 'weights.bin'));
  });

  test('a bad header', () => {
    expect(failure(new Uint8Array(0))).toBe('truncated at byte 0');
    expect(failure(container(0, [], { magic: 0x46445025 }))).toBe('no DLCW magic');
    expect(failure(container(0, [], { version: 2 }))).toBe('format version 2, this runtime reads version 1');
    expect(failure(container(2 ** 31, []))).toBe('an image of 2147483648 bytes (at most 1073741824)');
  });

  test('segments that do not tile the image, or the file', () => {
    expect(failure(container(8, [{ kind: SEGMENT_ZEROS, bytes: 4 }]))).toBe("segments restore 4 of the image's 8 bytes");
    expect(failure(container(2 ** 30, []))).toBe("segments restore 0 of the image's 1073741824 bytes");
    expect(failure(container(8, [{ kind: SEGMENT_ZEROS, bytes: 4 }, { kind: SEGMENT_ZEROS, bytes: 5 }]))).toBe("segment 1 runs past the image's 8 bytes");
    const raw = container(4, [{ kind: SEGMENT_RAW, bytes: 4, payload: [1, 2, 3, 4] }]);
    expect(failure(raw.subarray(0, raw.length - 1))).toBe('segment 0 runs past the end');
    expect(failure(Uint8Array.from([...raw, 0]))).toBe('1 bytes after the last segment');
    expect(failure(container(4, [{ kind: SEGMENT_RAW, bytes: 4, payload: [1, 2, 3] }]))).toBe('a raw segment of 4 bytes with 3 bytes of payload');
    expect(failure(container(4, [{ kind: SEGMENT_ZEROS, bytes: 4, payload: [1] }]))).toBe('a zero fill with a payload');
  });

  test('bad segment fields', () => {
    expect(failure(container(4, [{ kind: 9, bytes: 4 }]))).toBe('segment kind 9');
    expect(failure(container(6, [{ kind: SEGMENT_CODEBOOK, elementBytes: 3, bytes: 6 }]))).toBe('elements of 3 bytes');
    expect(failure(container(6, [{ kind: SEGMENT_CODEBOOK, elementBytes: 4, bytes: 6 }]))).toBe('a segment of 6 bytes of 4-byte elements');
    const book = (payload: number[]) => container(4, [{ kind: SEGMENT_CODEBOOK, elementBytes: 1, bytes: 4, payload }]);
    expect(failure(book([1, 0]))).toBe('truncated at byte 27');
    expect(failure(book(u32(0)))).toBe('a codebook of 0 entries');
    expect(failure(book(u32(65537)))).toBe('a codebook of 65537 entries');
    expect(failure(book([...u32(100), 1, 2, 3]))).toBe('a codebook that runs past its segment');
  });

  test('codes that are no prefix code, patterns that are no code, streams that run out', () => {
    const book = (codeLengths: number[], stream: number[], bytes = 4) =>
      container(bytes, [{ kind: SEGMENT_CODEBOOK, elementBytes: 1, bytes, payload: codebook([1, 2, 3], codeLengths, stream) }]);
    expect(failure(book([1, 1, 1], [0]))).toBe('code lengths that do not form a prefix code');
    expect(failure(book([17, 1, 0], [0]))).toBe('a code length of 17 bits (at most 16)');
    // Codes 0 and 10 (first bit lowest): the pattern 11 begins none.
    expect(failure(book([1, 2, 0], [0xff]))).toBe('a bit pattern that is no code');
    expect(Array.from(decodeWeights(book([1, 2, 0], [0b0100]), 'weights.bin'))).toEqual([1, 1, 2, 1]);
    // 16 one-bit symbols in one byte of stream.
    expect(failure(book([1, 1, 0], [0], 16))).toBe('a coded stream that runs past its end');
  });

  test('sparse lists that run past their segment', () => {
    const sparse = (entries: number, gapStream: number[], values: number[], indexBits = 2, kind = SEGMENT_SPARSE_RAW) =>
      container(4, [{ kind, elementBytes: 1, indexBits, bytes: 4, payload: [...u32(entries), ...u32(gapStream.length), ...lengths([2, 2, 2, 2]), ...gapStream, ...values] }]);
    expect(failure(sparse(1, [0], [5], 0))).toBe('sparse gaps of 0 bits');
    expect(failure(sparse(1, [0], [5], 17))).toBe('sparse gaps of 17 bits');
    expect(failure(sparse(5, [0, 0], [1, 2, 3, 4, 5]))).toBe('5 sparse entries for 4 elements');
    expect(failure(container(4, [{ kind: SEGMENT_SPARSE_RAW, elementBytes: 1, indexBits: 2, bytes: 4, payload: [...u32(1), ...u32(9), 0, 0] }]))).toBe(
      'a gap stream that runs past its segment',
    );
    expect(failure(sparse(2, [0b0001], [5]))).toBe('1 bytes of values for 2 sparse entries');
    // Gaps 3 and 3: the second entry lands on element 7 of 4.
    expect(failure(sparse(2, [0b1111], [5, 6]))).toBe('sparse entries that run past their segment');
    expect(Array.from(decodeWeights(sparse(1, [0b11], [5]), 'weights.bin'))).toEqual([0, 0, 0, 5]);
    expect(Array.from(decodeWeights(sparse(1, [0b11], codebook([5], [1], []), 2, SEGMENT_SPARSE_CODEBOOK), 'weights.bin'))).toEqual([0, 0, 0, 5]);
  });

  describe('a small encoded image, damaged', () => {
    const image = new Uint8Array(500);
    const view = new DataView(image.buffer);
    for (let i = 0; i < 16; i++) view.setFloat32(4 * i, [0.5, -0.5, 0.25][i % 3], true); // a codebook
    for (let i = 0; i < 16; i++) image[64 + i] = (i * 37) & 255; // raw
    for (let i = 0; i < 400; i += 25) image[96 + i] = 1 + (i % 3); // sparse
    const ranges = [
      { name: 'book', offset: 0, bytes: 64, elementBytes: 4 as const },
      { name: 'raw', offset: 64, bytes: 16, elementBytes: 1 as const },
      { name: 'sparse', offset: 96, bytes: 400, elementBytes: 1 as const, sparseIndexBits: 4 },
    ];
    const { encoded, ranges: reports } = encodeWeights(image, ranges);

    test('the blob holds every kind of segment and decodes', () => {
      expect(reports.map((r) => r.kind)).toEqual(['codebook', 'raw', 'sparse']);
      expect(decodeWeights(encoded, 'weights.bin')).toEqual(image);
    });

    test('every truncation throws DlcRuntimeError', () => {
      for (let length = 0; length < encoded.length; length++) failure(encoded.slice(0, length));
    });

    test('every flipped byte throws DlcRuntimeError or decodes to an image of the length its header says', () => {
      let decoded = 0;
      for (let at = 0; at < encoded.length; at++) {
        for (const mask of [0x01, 0x02, 0x10, 0x80, 0xff]) {
          const damaged = encoded.slice();
          damaged[at] ^= mask;
          let out: Uint8Array;
          try {
            out = decodeWeights(damaged, 'weights.bin');
          } catch (e) {
            if (!(e instanceof DlcRuntimeError) || !e.message.startsWith(PREFIX)) throw e;
            continue;
          }
          expect(out.length).toBe(new DataView(damaged.buffer).getUint32(8, true));
          decoded++;
        }
      }
      // Flips inside values and codebook entries decode (to other weights); most others are caught.
      expect(decoded).toBeGreaterThan(0);
    });
  });
});
