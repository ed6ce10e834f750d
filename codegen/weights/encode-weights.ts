// The packed weights encoder (the format is defined by its decoder, runtime/weights-decode.ts). Each range
// of constant elements becomes the smallest of: its raw bytes, a zero fill, a codebook of its distinct
// elements with Huffman-coded indices (what k-means weight sharing leaves), or Deep Compression's sparse form
// (Huffman-coded gaps between non-zeros, values by codebook or raw; what pruning leaves), compared by their
// exact sizes. Bytes outside every range (padding, mostly) are raw or a zero fill. Deterministic: the same
// image and ranges give the same bytes.
import { codeLengthsBytes } from '../../runtime/huffman-decode.js';
import {
  MAX_CODEBOOK_ENTRIES,
  MAX_PACKED_IMAGE_BYTES,
  MAX_SPARSE_INDEX_BITS,
  PACKED_HEADER_BYTES,
  PACKED_WEIGHTS_MAGIC,
  PACKED_WEIGHTS_VERSION,
  SEGMENT_CODEBOOK,
  SEGMENT_HEADER_BYTES,
  SEGMENT_RAW,
  SEGMENT_SPARSE_CODEBOOK,
  SEGMENT_SPARSE_RAW,
  SEGMENT_ZEROS,
} from '../../runtime/weights-decode.js';
import { BitWriter, codedBits, huffmanCode, type HuffmanCode } from './huffman-code.js';

/** A constant tensor's bytes in the image. */
export interface WeightRange {
  /** Names the range in the report. */
  name: string;
  offset: number;
  bytes: number;
  /** The width of its elements, which codebooks and the sparse form work on. */
  elementBytes: 1 | 2 | 4;
  /** b of the sparse form: gaps between stored elements are < 2^b (1…16; DEFAULT_SPARSE_INDEX_BITS when absent). */
  sparseIndexBits?: number;
}

export type RangeEncoding = 'raw' | 'zeros' | 'codebook' | 'sparse';

export interface EncodedRangeReport {
  name: string;
  kind: RangeEncoding;
  /** The range's bytes in the image. */
  bytes: number;
  /** Its segment's bytes in the container, the segment header included (0 for an empty range). */
  encodedBytes: number;
  elements: number;
  /** Elements with a non-zero byte. */
  nonZero: number;
  /** Codebook entries: of the codebook, or of a sparse form's values; 0 where there is none. */
  codebookSize: number;
  /** The sparse form's b. */
  indexBits?: number;
}

/** Deep Compression's choice for fully connected layers (Han et al. use 5 bits there, 8 for convolutions). */
export const DEFAULT_SPARSE_INDEX_BITS = 5;

interface Segment {
  kind: number;
  elementBytes: number;
  indexBits: number;
  byteLength: number;
  payload: Uint8Array;
}

/** One way to store a range: its kind and exact payload size, the payload written only for the winner. */
interface Candidate {
  kind: number;
  bytes: number;
  codebookSize: number;
  payload(): Uint8Array;
}

const KIND_NAMES: Record<number, RangeEncoding> = {
  [SEGMENT_RAW]: 'raw',
  [SEGMENT_ZEROS]: 'zeros',
  [SEGMENT_CODEBOOK]: 'codebook',
  [SEGMENT_SPARSE_CODEBOOK]: 'sparse',
  [SEGMENT_SPARSE_RAW]: 'sparse',
};

/**
 * Packs `image`, whose constant tensors lie at `ranges` (sorted by offset, not overlapping, each a whole
 * number of elements); `decodeWeights(encoded)` restores it byte for byte. Returns one report per range.
 */
export function encodeWeights(image: Uint8Array, ranges: readonly WeightRange[]): { encoded: Uint8Array; ranges: EncodedRangeReport[] } {
  if (image.length > MAX_PACKED_IMAGE_BYTES) throw new Error(`encodeWeights: an image of ${image.length} bytes (at most ${MAX_PACKED_IMAGE_BYTES})`);
  const segments: Segment[] = [];
  const reports: EncodedRangeReport[] = [];
  let cursor = 0;
  const fillTo = (end: number) => {
    const bytes = image.subarray(cursor, end);
    if (bytes.length === 0) return;
    const zero = bytes.every((b) => b === 0);
    segments.push({ kind: zero ? SEGMENT_ZEROS : SEGMENT_RAW, elementBytes: 0, indexBits: 0, byteLength: bytes.length, payload: zero ? new Uint8Array(0) : bytes });
  };
  for (const range of ranges) {
    checkRange(range, cursor, image.length);
    fillTo(range.offset);
    const { segment, report } = encodeRange(image, range);
    if (segment) segments.push(segment);
    reports.push(report);
    cursor = range.offset + range.bytes;
  }
  fillTo(image.length);
  return { encoded: container(image.length, segments), ranges: reports };
}

function checkRange(r: WeightRange, previousEnd: number, imageBytes: number): void {
  const bad = (why: string) => new Error(`encodeWeights: range '${r.name}' (${r.bytes} bytes at ${r.offset}) ${why}`);
  if (![1, 2, 4].includes(r.elementBytes)) throw bad(`has elements of ${r.elementBytes} bytes`);
  if (!Number.isInteger(r.offset) || !Number.isInteger(r.bytes) || r.offset < 0 || r.bytes < 0) throw bad('is no byte range');
  if (r.bytes % r.elementBytes !== 0) throw bad(`is no whole number of ${r.elementBytes}-byte elements`);
  if (r.offset < previousEnd) throw bad(`overlaps or precedes the range before it, which ends at ${previousEnd}`);
  if (r.offset + r.bytes > imageBytes) throw bad(`ends past the image's ${imageBytes} bytes`);
  const b = r.sparseIndexBits ?? DEFAULT_SPARSE_INDEX_BITS;
  if (!Number.isInteger(b) || b < 1 || b > MAX_SPARSE_INDEX_BITS) throw bad(`has sparse gaps of ${b} bits (1…${MAX_SPARSE_INDEX_BITS})`);
}

function encodeRange(image: Uint8Array, r: WeightRange): { segment: Segment | null; report: EncodedRangeReport } {
  const eb = r.elementBytes;
  const indexBits = r.sparseIndexBits ?? DEFAULT_SPARSE_INDEX_BITS;
  const values = elementsOf(image.subarray(r.offset, r.offset + r.bytes), eb);
  let nonZero = 0;
  for (const v of values) if (v !== 0) nonZero++;
  const base = { name: r.name, bytes: r.bytes, elements: values.length, nonZero };
  if (nonZero === 0) {
    const segment = r.bytes ? { kind: SEGMENT_ZEROS, elementBytes: 0, indexBits: 0, byteLength: r.bytes, payload: new Uint8Array(0) } : null;
    return { segment, report: { ...base, kind: 'zeros', encodedBytes: segment ? SEGMENT_HEADER_BYTES : 0, codebookSize: 0 } };
  }
  const candidates: Candidate[] = [{ kind: SEGMENT_RAW, bytes: r.bytes, codebookSize: 0, payload: () => image.slice(r.offset, r.offset + r.bytes) }];
  const book = codebookCoding(values, eb);
  if (book) candidates.push({ kind: SEGMENT_CODEBOOK, bytes: book.bytes, codebookSize: book.entries, payload: book.write });
  // Without zeros the sparse form is the codebook or raw form plus a gap stream: never smaller.
  if (nonZero < values.length) candidates.push(...sparseCandidates(values, eb, indexBits));
  // The first of the smallest, so that ties go the same way every time.
  const best = candidates.reduce((a, c) => (c.bytes < a.bytes ? c : a));
  const payload = best.payload();
  if (payload.length !== best.bytes) throw new Error(`encodeWeights bug: '${r.name}' sized ${best.bytes} bytes, written ${payload.length}`);
  const sparse = best.kind === SEGMENT_SPARSE_CODEBOOK || best.kind === SEGMENT_SPARSE_RAW;
  const segment = { kind: best.kind, elementBytes: best.kind === SEGMENT_RAW ? 0 : eb, indexBits: sparse ? indexBits : 0, byteLength: r.bytes, payload };
  const report: EncodedRangeReport = { ...base, kind: KIND_NAMES[best.kind], encodedBytes: SEGMENT_HEADER_BYTES + payload.length, codebookSize: best.codebookSize };
  if (sparse) report.indexBits = indexBits;
  return { segment, report };
}

/** The little-endian elements of `bytes` as unsigned bit patterns. */
function elementsOf(bytes: Uint8Array, eb: number): Uint32Array {
  const out = new Uint32Array(bytes.length / eb);
  for (let i = 0, at = 0; i < out.length; i++, at += eb) {
    let v = 0;
    for (let b = eb - 1; b >= 0; b--) v = v * 256 + bytes[at + b];
    out[i] = v;
  }
  return out;
}

function putElement(out: Uint8Array, at: number, value: number, eb: number): void {
  for (let b = 0; b < eb; b++) out[at + b] = (value >>> (8 * b)) & 255;
}

/**
 * `values` as a codebook: K (u32), the distinct values ascending, the code lengths and the index stream;
 * null when there are more than MAX_CODEBOOK_ENTRIES distinct values.
 */
function codebookCoding(values: Uint32Array, eb: number): { entries: number; bytes: number; write(): Uint8Array } | null {
  const counts = new Map<number, number>();
  for (const v of values) {
    counts.set(v, (counts.get(v) ?? 0) + 1);
    if (counts.size > MAX_CODEBOOK_ENTRIES) return null;
  }
  const book = [...counts.keys()].sort((a, b) => a - b);
  const symbolCounts = book.map((v) => counts.get(v)!);
  const code = huffmanCode(symbolCounts);
  const k = book.length;
  const lengthsAt = 4 + k * eb;
  const streamAt = lengthsAt + codeLengthsBytes(k);
  const bytes = streamAt + Math.ceil(codedBits(code, symbolCounts) / 8);
  const write = () => {
    const out = new Uint8Array(bytes);
    putElement(out, 0, k, 4);
    book.forEach((v, i) => putElement(out, 4 + i * eb, v, eb));
    out.set(lengthsBytes(code), lengthsAt);
    const index = new Map(book.map((v, i) => [v, i]));
    out.set(streamBytes(code, values.length, (i) => index.get(values[i])!), streamAt);
    return out;
  };
  return { entries: k, bytes, write };
}

/**
 * The sparse forms of `values`: m (u32), the gap stream's bytes (u32), the gap code's lengths and the gap
 * stream, then the m values, by codebook or raw (the codebook first, to win ties).
 */
function sparseCandidates(values: Uint32Array, eb: number, indexBits: number): Candidate[] {
  const { gaps, entries } = sparseEntries(values, indexBits);
  const gapCounts = new Float64Array(2 ** indexBits);
  for (const g of gaps) gapCounts[g]++;
  const gapCode = huffmanCode(gapCounts);
  const gapBytes = Math.ceil(codedBits(gapCode, gapCounts) / 8);
  const headBytes = 8 + codeLengthsBytes(gapCounts.length) + gapBytes;
  const candidate = (kind: number, valueBytes: number, codebookSize: number, writeValues: () => Uint8Array): Candidate => ({
    kind,
    bytes: headBytes + valueBytes,
    codebookSize,
    payload: () => {
      const out = new Uint8Array(headBytes + valueBytes);
      putElement(out, 0, entries.length, 4);
      putElement(out, 4, gapBytes, 4);
      out.set(lengthsBytes(gapCode), 8);
      out.set(streamBytes(gapCode, gaps.length, (i) => gaps[i]), headBytes - gapBytes);
      out.set(writeValues(), headBytes);
      return out;
    },
  });
  const raw = candidate(SEGMENT_SPARSE_RAW, entries.length * eb, 0, () => {
    const out = new Uint8Array(entries.length * eb);
    entries.forEach((v, i) => putElement(out, i * eb, v, eb));
    return out;
  });
  const book = codebookCoding(entries, eb);
  return book ? [candidate(SEGMENT_SPARSE_CODEBOOK, book.bytes, book.entries, book.write), raw] : [raw];
}

/**
 * Deep Compression's relative-index list: per non-zero element, the zeros skipped since the previous entry
 * and its value. A run of zeros too long for a gap (≥ 2^b) is bridged by filler entries, each skipping
 * 2^b − 1 zeros and storing the next zero, so each takes 2^b elements off the run.
 */
function sparseEntries(values: Uint32Array, indexBits: number): { gaps: Uint16Array; entries: Uint32Array } {
  const span = 2 ** indexBits;
  const gaps: number[] = [];
  const entries: number[] = [];
  let run = 0;
  for (const v of values) {
    if (v === 0) {
      run++;
      continue;
    }
    for (; run >= span; run -= span) {
      gaps.push(span - 1);
      entries.push(0);
    }
    gaps.push(run);
    entries.push(v);
    run = 0;
  }
  return { gaps: Uint16Array.from(gaps), entries: Uint32Array.from(entries) };
}

function lengthsBytes(code: HuffmanCode): Uint8Array {
  const w = new BitWriter(codeLengthsBytes(code.lengths.length));
  w.writeLengths(code);
  return w.finish();
}

/** The stream of `count` symbols, the i-th being symbol(i). */
function streamBytes(code: HuffmanCode, count: number, symbol: (i: number) => number): Uint8Array {
  const w = new BitWriter(count);
  for (let i = 0; i < count; i++) w.writeSymbol(code, symbol(i));
  return w.finish();
}

/** The header, then each segment's header and payload. */
function container(imageBytes: number, segments: readonly Segment[]): Uint8Array {
  const out = new Uint8Array(segments.reduce((n, s) => n + SEGMENT_HEADER_BYTES + s.payload.length, PACKED_HEADER_BYTES));
  const view = new DataView(out.buffer);
  view.setUint32(0, PACKED_WEIGHTS_MAGIC, true);
  view.setUint32(4, PACKED_WEIGHTS_VERSION, true);
  view.setUint32(8, imageBytes, true);
  view.setUint32(12, segments.length, true);
  let at = PACKED_HEADER_BYTES;
  for (const s of segments) {
    out[at] = s.kind;
    out[at + 1] = s.elementBytes;
    out[at + 2] = s.indexBits;
    view.setUint32(at + 3, s.byteLength, true);
    view.setUint32(at + 7, s.payload.length, true);
    out.set(s.payload, at + SEGMENT_HEADER_BYTES);
    at += SEGMENT_HEADER_BYTES + s.payload.length;
  }
  return out;
}
