// Packed weights: a weights image (the exact bytes the kernels read) stored compactly, as Deep Compression
// (Han et al., 2016) stores pruned and weight-shared layers. This file defines the format; the compiler's
// encoder (codegen/weights/encode-weights.ts) imports its constants. All integers are little-endian.
//
//   header    u32 magic PACKED_WEIGHTS_MAGIC ('DLCW')   u32 version PACKED_WEIGHTS_VERSION
//             u32 image byte length                     u32 segment count
//   segment   u8 kind   u8 elementBytes (1, 2, 4)   u8 indexBits   u32 byteLength   u32 payloadBytes
//             then payloadBytes bytes of payload
//
// Segments follow one another and tile the image in order: segment i restores byteLength bytes right after
// those of segment i − 1, the last ends at the image's end, and the last payload ends the file. An element
// is elementBytes bytes, compared as a bit pattern ("zero" means all its bytes are zero); a segment of n
// elements has byteLength = n · elementBytes. elementBytes and indexBits are 0 where a kind does not use them.
//
//   RAW              the byteLength bytes themselves
//   ZEROS            nothing (byteLength zero bytes)
//   CODEBOOK         a codebook, then the n element indices coded with it
//   SPARSE_CODEBOOK  u32 m, u32 gapStreamBytes, the gap code's lengths (2^indexBits symbols),
//                    the gap stream (gapStreamBytes bytes, m gaps), then a codebook and the m entry indices
//   SPARSE_RAW       as SPARSE_CODEBOOK, but the values are the m entries' elements, raw
//
//   a codebook       u32 K (1…MAX_CODEBOOK_ENTRIES), K elements, the index code's lengths (K symbols),
//                    then the index stream (to the end of the payload)
//
// A code's lengths are CODE_LENGTH_BITS bits per symbol, padded to a byte; a stream is canonical Huffman
// codes, least significant bit first, padded to a byte (runtime/huffman-decode.ts).
//
// Sparse segments store the m entries of a relative-index list: walking the elements in order, each entry
// skips `gap` zero elements and then sets one element to its value; elements after the last entry are
// zero. A gap is < 2^indexBits, so a longer run of zeros is bridged by filler entries: gap 2^indexBits − 1,
// value zero (the codebook then holds a zero element).
import { DlcRuntimeError } from './errors.js';
import { codeLengthsBytes, decodeSymbols, readCodeLengths } from './huffman-decode.js';

/** 'DLCW' read as a little-endian u32. */
export const PACKED_WEIGHTS_MAGIC = 0x57434c44;
/** Bumped on any change to the format. */
export const PACKED_WEIGHTS_VERSION = 1;
export const PACKED_HEADER_BYTES = 16;
export const SEGMENT_HEADER_BYTES = 11;

export const SEGMENT_RAW = 0;
export const SEGMENT_ZEROS = 1;
export const SEGMENT_CODEBOOK = 2;
export const SEGMENT_SPARSE_CODEBOOK = 3;
export const SEGMENT_SPARSE_RAW = 4;

/** Codebook indices are at most 16 bits. */
export const MAX_CODEBOOK_ENTRIES = 65536;
export const MAX_SPARSE_INDEX_BITS = 16;
/**
 * The largest image a header may announce (1 GiB). The image is allocated whole before it is decoded, so
 * this bounds what a forged header can make the runtime allocate (decoding a codebook segment holds 2 more
 * bytes per element of it for the indices).
 */
export const MAX_PACKED_IMAGE_BYTES = 2 ** 30;

/** The weights image `encoded` packs; `where` (the file) begins every error message. */
export function decodeWeights(encoded: Uint8Array, where: string): Uint8Array<ArrayBuffer> {
  const fail = (why: string): never => {
    throw new DlcRuntimeError(`${where}: bad packed weights: ${why}`);
  };
  const view = new DataView(encoded.buffer, encoded.byteOffset, encoded.byteLength);
  const u32 = (at: number, end: number) => (at + 4 <= end ? view.getUint32(at, true) : fail(`truncated at byte ${at}`));
  const size = encoded.length;
  if (u32(0, size) !== PACKED_WEIGHTS_MAGIC) fail('no DLCW magic');
  const version = u32(4, size);
  if (version !== PACKED_WEIGHTS_VERSION) fail(`format version ${version}, this runtime reads version ${PACKED_WEIGHTS_VERSION}`);
  const imageBytes = u32(8, size);
  if (imageBytes > MAX_PACKED_IMAGE_BYTES) fail(`an image of ${imageBytes} bytes (at most ${MAX_PACKED_IMAGE_BYTES})`);
  const count = u32(12, size);

  // The segment table is read and checked whole before the image is allocated.
  const segments: number[][] = [];
  let at = PACKED_HEADER_BYTES;
  let covered = 0;
  for (let i = 0; i < count; i++) {
    const byteLength = u32(at + 3, size);
    const end = at + SEGMENT_HEADER_BYTES + u32(at + 7, size);
    if (end > size) fail(`segment ${i} runs past the end`);
    if (byteLength > imageBytes - covered) fail(`segment ${i} runs past the image's ${imageBytes} bytes`);
    segments.push([encoded[at], encoded[at + 1], encoded[at + 2], covered, byteLength, at + SEGMENT_HEADER_BYTES, end]);
    covered += byteLength;
    at = end;
  }
  if (covered !== imageBytes) fail(`segments restore ${covered} of the image's ${imageBytes} bytes`);
  if (at !== size) fail(`${size - at} bytes after the last segment`);

  const image = new Uint8Array(imageBytes);
  for (const [kind, elementBytes, indexBits, offset, byteLength, start, end] of segments) {
    const payload = end - start;
    if (kind === SEGMENT_RAW) {
      if (payload !== byteLength) fail(`a raw segment of ${byteLength} bytes with ${payload} bytes of payload`);
      image.set(encoded.subarray(start, end), offset);
      continue;
    }
    if (kind === SEGMENT_ZEROS) {
      if (payload) fail('a zero fill with a payload');
      continue;
    }
    if (kind > SEGMENT_SPARSE_RAW) fail(`segment kind ${kind}`);
    if (elementBytes !== 1 && elementBytes !== 2 && elementBytes !== 4) fail(`elements of ${elementBytes} bytes`);
    const n = byteLength / elementBytes;
    if (!Number.isInteger(n)) fail(`a segment of ${byteLength} bytes of ${elementBytes}-byte elements`);

    // The codebook starting at `at`: its elements, and `symbols` indices decoded up to `end`.
    const codebook = (at: number, symbols: number): [Uint8Array, Uint16Array] => {
      const k = u32(at, end);
      if (k < 1 || k > MAX_CODEBOOK_ENTRIES) fail(`a codebook of ${k} entries`);
      const lengthsAt = at + 4 + k * elementBytes;
      const streamAt = lengthsAt + codeLengthsBytes(k);
      if (streamAt > end) fail('a codebook that runs past its segment');
      return [encoded.subarray(at + 4, lengthsAt), decodeSymbols(encoded, streamAt, end, readCodeLengths(encoded, lengthsAt, k), symbols, fail)];
    };

    if (kind === SEGMENT_CODEBOOK) {
      const [values, indices] = codebook(start, n);
      place(image, offset, n, elementBytes, values, n, indices, undefined, fail);
      continue;
    }
    if (indexBits < 1 || indexBits > MAX_SPARSE_INDEX_BITS) fail(`sparse gaps of ${indexBits} bits`);
    const entries = u32(start, end);
    if (entries > n) fail(`${entries} sparse entries for ${n} elements`);
    const gapsAt = start + 8 + codeLengthsBytes(1 << indexBits);
    const valuesAt = gapsAt + u32(start + 4, end);
    if (valuesAt > end) fail('a gap stream that runs past its segment');
    const gaps = decodeSymbols(encoded, gapsAt, valuesAt, readCodeLengths(encoded, start + 8, 1 << indexBits), entries, fail);
    if (kind === SEGMENT_SPARSE_CODEBOOK) {
      const [values, indices] = codebook(valuesAt, entries);
      place(image, offset, n, elementBytes, values, entries, indices, gaps, fail);
    } else {
      if (end - valuesAt !== entries * elementBytes) fail(`${end - valuesAt} bytes of values for ${entries} sparse entries`);
      place(image, offset, n, elementBytes, encoded.subarray(valuesAt, end), entries, undefined, gaps, fail);
    }
  }
  return image;
}

/**
 * Writes the segment of n elements at image[offset] from `entries` values, each an element of `values`:
 * value j is the indices[j]-th element (a codebook) or the j-th (raw values), and goes to element j, or with
 * `gaps` to element p_j = p_{j−1} + 1 + gaps[j] (p_{−1} = −1). Elements are moved whole, through typed
 * arrays of their width (little-endian, as WebAssembly and every browser).
 */
function place(
  image: Uint8Array<ArrayBuffer>,
  offset: number,
  n: number,
  elementBytes: number,
  values: Uint8Array,
  entries: number,
  indices: Uint16Array | undefined,
  gaps: Uint16Array | undefined,
  fail: (why: string) => never,
): void {
  const Elements = elementBytes === 1 ? Uint8Array : elementBytes === 2 ? Uint16Array : Uint32Array;
  const from = new Elements(values.slice().buffer);
  // The image itself where the segment is aligned to its elements, else a copy.
  const aligned = offset % elementBytes === 0;
  const to = aligned ? new Elements(image.buffer, offset, n) : new Elements(n);
  for (let j = 0, p = 0; j < entries; j++, p++) {
    if (gaps) {
      p += gaps[j];
      if (p >= n) fail('sparse entries that run past their segment');
    }
    to[p] = from[indices ? indices[j] : j];
  }
  if (!aligned) image.set(new Uint8Array(to.buffer), offset);
}

/**
 * The weights image of an artifact: weights.bin itself, or decoded where the manifest says it is packed, and
 * then of the size the kernels read (memory.weightsBytes; the webgpu weights buffer's bytes).
 */
export function weightsImage(file: Uint8Array, packed: boolean, expectedBytes: number, where: string): Uint8Array {
  if (!packed) return file;
  const image = decodeWeights(file, where);
  if (image.length !== expectedBytes) throw new DlcRuntimeError(`${where}: bad packed weights: they unpack to ${image.length} bytes, the manifest says ${expectedBytes}`);
  return image;
}
