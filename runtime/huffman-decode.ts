// Canonical Huffman decoding for the packed weights container (runtime/weights-decode.ts defines where the
// codes sit). A code is given by one length per symbol (0: the symbol never occurs); the codes themselves
// are canonical (DEFLATE's rule, RFC 1951 §3.2.2): shorter codes first, and codes of one length consecutive
// in symbol order. Streams are read least significant bit first, so each code is stored bit-reversed and a
// table of 2^maxBits entries, indexed by the next maxBits bits, gives the symbol and its length at once.
// One exception keeps constant streams free: a code with a single symbol spends no bits on it.

/** Bits per stored code length: a length is 0…31, of which 0…MAX_CODE_BITS are valid. */
export const CODE_LENGTH_BITS = 5;

/** The longest code: 16 bits, so that 65536 symbols (16-bit codebook indices) always have a prefix code. */
export const MAX_CODE_BITS = 16;

/** The bytes of `count` code lengths packed CODE_LENGTH_BITS each, least significant bit first. */
export function codeLengthsBytes(count: number): number {
  return Math.ceil((count * CODE_LENGTH_BITS) / 8);
}

/** Unpacks `count` code lengths; the caller has checked that their codeLengthsBytes(count) bytes exist. */
export function readCodeLengths(data: Uint8Array, at: number, count: number): Uint8Array {
  const lengths = new Uint8Array(count);
  for (let s = 0; s < count; s++) {
    const bit = s * CODE_LENGTH_BITS;
    const i = at + (bit >> 3);
    const shift = bit & 7;
    // A field that starts past bit 3 of its byte ends in the next one.
    lengths[s] = ((data[i] | (shift > 8 - CODE_LENGTH_BITS ? data[i + 1] << 8 : 0)) >> shift) & 31;
  }
  return lengths;
}

/**
 * Decodes `count` symbols of the code `lengths` from data[start, end). Bits past `end` read as zeros, so the
 * loop never leaves the array; whether it consumed any of them is checked once at the end. Every failure
 * (lengths that are too long or overfill the code space, a bit pattern that is no code, a stream that runs
 * past its end) goes to `fail`. Symbols are < lengths.length by construction.
 */
export function decodeSymbols(data: Uint8Array, start: number, end: number, lengths: Uint8Array, count: number, fail: (why: string) => never): Uint16Array {
  const table = decodingTable(lengths, fail);
  // The table has 2^maxBits entries.
  const maxBits = 31 - Math.clz32(table.length);
  const mask = table.length - 1;
  const out = new Uint16Array(count);
  let bits = 0;
  let have = 0;
  let at = start;
  for (let i = 0; i < count; i++) {
    for (; have < maxBits; at++, have += 8) if (at < end) bits |= data[at] << have;
    const entry = table[bits & mask];
    if (entry < 0) fail('a bit pattern that is no code');
    bits >>= entry & 31;
    have -= entry & 31;
    out[i] = entry >> 5;
  }
  if ((at - start) * 8 - have > (end - start) * 8) fail('a coded stream that runs past its end');
  return out;
}

/**
 * The table of 2^maxBits entries, indexed by the next maxBits bits of a stream: symbol << 5 | code length,
 * or -1 for bit patterns that begin no code (the code may be incomplete). A one-symbol code has a table of
 * one entry of length 0.
 */
function decodingTable(lengths: Uint8Array, fail: (why: string) => never): Int32Array {
  const perLength = new Int32Array(MAX_CODE_BITS + 1);
  let used = 0;
  let maxBits = 0;
  for (const l of lengths) {
    if (l > MAX_CODE_BITS) fail(`a code length of ${l} bits (at most ${MAX_CODE_BITS})`);
    if (l) {
      perLength[l]++;
      used++;
      if (l > maxBits) maxBits = l;
    }
  }
  // Kraft: a prefix code needs Σ 2^-l ≤ 1; `room` counts the free codes of length l, in units of 2^-l.
  // next[l] is the first canonical code of length l.
  const next = new Int32Array(MAX_CODE_BITS + 1);
  for (let l = 1, room = 1, code = 0; l <= MAX_CODE_BITS; l++) {
    room = 2 * room - perLength[l];
    if (room < 0) fail('code lengths that do not form a prefix code');
    code = (code + perLength[l - 1]) << 1;
    next[l] = code;
  }
  const table = new Int32Array(used === 1 ? 1 : 1 << maxBits).fill(-1);
  for (let s = 0; s < lengths.length; s++) {
    const l = lengths[s];
    if (!l) continue;
    if (used === 1) {
      table[0] = s << 5;
      break;
    }
    let code = next[l]++;
    let reversed = 0;
    for (let i = 0; i < l; i++, code >>= 1) reversed = (reversed << 1) | (code & 1);
    for (let i = reversed; i < table.length; i += 1 << l) table[i] = (s << 5) | l;
  }
  return table;
}
