// Canonical, length-limited Huffman codes and the bit writer for the packed weights container; the runtime
// (runtime/huffman-decode.ts) defines how codes are stored and read, and this file writes what it reads.
import { CODE_LENGTH_BITS, MAX_CODE_BITS } from '../../runtime/huffman-decode.js';

export interface HuffmanCode {
  /** Code length per symbol, 0 for symbols that never occur: what the container stores. */
  lengths: Uint8Array;
  /** Bits written per symbol: the lengths, except that the symbol of a one-symbol code takes none. */
  bits: Uint8Array;
  /** Each symbol's canonical code with its bits reversed, since streams are written least significant bit first. */
  codes: Uint32Array;
}

/**
 * The Huffman code of symbols occurring counts[s] times, with no code longer than MAX_CODE_BITS. Symbols
 * are ranked by count, then index, so equal counts always give the same code. The tree's depths are clamped to
 * the limit, which overfills the code space when any was deeper; then, while Σ 2^-l > 1, the longest code
 * shorter than the limit grows by one bit (the smallest step that frees code space). The lengths are dealt
 * out by rank, the shortest to the most frequent symbol: a Huffman tree's depths never increase with a
 * symbol's count, so where no depth was clamped this is the tree's code, at its (optimal) cost.
 */
export function huffmanCode(counts: ArrayLike<number>): HuffmanCode {
  const lengths = new Uint8Array(counts.length);
  const ranked: number[] = [];
  for (let s = 0; s < counts.length; s++) if (counts[s] > 0) ranked.push(s);
  const used = ranked.length;
  if (used > 2 ** MAX_CODE_BITS) throw new Error(`huffmanCode: ${used} symbols do not fit ${MAX_CODE_BITS}-bit codes`);
  // Ascending frequency; of equal counts the lower index ranks as the more frequent (the shorter code).
  ranked.sort((a, b) => counts[a] - counts[b] || b - a);
  if (used === 1) lengths[ranked[0]] = 1;
  if (used > 1) {
    const perLength = new Float64Array(MAX_CODE_BITS + 1);
    for (const depth of treeDepths(ranked.map((s) => counts[s]))) perLength[Math.min(depth, MAX_CODE_BITS)]++;
    // Kraft sum in units of 2^-MAX_CODE_BITS.
    let kraft = 0;
    for (let l = 1; l <= MAX_CODE_BITS; l++) kraft += perLength[l] * 2 ** (MAX_CODE_BITS - l);
    while (kraft > 2 ** MAX_CODE_BITS) {
      let l = MAX_CODE_BITS - 1;
      while (perLength[l] === 0) l--;
      perLength[l]--;
      perLength[l + 1]++;
      kraft -= 2 ** (MAX_CODE_BITS - l - 1);
    }
    // The least frequent symbols (first in rank) get the longest codes.
    for (let l = MAX_CODE_BITS, r = 0; l >= 1; l--) for (let c = 0; c < perLength[l]; c++) lengths[ranked[r++]] = l;
  }
  return { lengths, bits: used === 1 ? new Uint8Array(counts.length) : lengths, codes: canonicalCodes(lengths) };
}

/**
 * Leaf depths of the Huffman tree over weights sorted ascending, by the two-queue method: leaves and merged
 * nodes both come out in ascending weight, and on equal weights a leaf goes first (so that ties are fixed).
 */
function treeDepths(weights: readonly number[]): Int32Array {
  const leaves = weights.length;
  // Nodes 0…leaves−1 are the leaves; merged node k is leaves + k, with weight merged[k].
  const merged = new Float64Array(leaves - 1);
  const parent = new Int32Array(2 * leaves - 1);
  let leaf = 0;
  let inner = 0;
  // The lighter of the next leaf and the next merged node (of the k made so far).
  const take = (k: number) => (leaf < leaves && (inner >= k || weights[leaf] <= merged[inner]) ? leaf++ : leaves + inner++);
  const weight = (node: number) => (node < leaves ? weights[node] : merged[node - leaves]);
  for (let k = 0; k < leaves - 1; k++) {
    const a = take(k);
    const b = take(k);
    merged[k] = weight(a) + weight(b);
    parent[a] = parent[b] = leaves + k;
  }
  // The root is the last merged node; parents come after their children, so walk back from it.
  const depth = new Int32Array(2 * leaves - 1);
  for (let node = 2 * leaves - 3; node >= 0; node--) depth[node] = depth[parent[node]] + 1;
  return depth.subarray(0, leaves);
}

/** Canonical codes (RFC 1951 §3.2.2) of `lengths`, bit-reversed. */
function canonicalCodes(lengths: Uint8Array): Uint32Array {
  const perLength = new Int32Array(MAX_CODE_BITS + 1);
  for (const l of lengths) if (l) perLength[l]++;
  const next = new Int32Array(MAX_CODE_BITS + 1);
  for (let l = 1, code = 0; l <= MAX_CODE_BITS; l++) next[l] = code = (code + perLength[l - 1]) << 1;
  const codes = new Uint32Array(lengths.length);
  lengths.forEach((l, s) => {
    if (!l) return;
    let code = next[l]++;
    for (let i = 0; i < l; i++, code >>= 1) codes[s] = (codes[s] << 1) | (code & 1);
  });
  return codes;
}

/** The bits a stream of symbols occurring counts[s] times takes in `code`. */
export function codedBits(code: HuffmanCode, counts: ArrayLike<number>): number {
  let bits = 0;
  for (let s = 0; s < counts.length; s++) bits += counts[s] * code.bits[s];
  return bits;
}

/** Bytes written least significant bit first, the last one padded with zeros. */
export class BitWriter {
  private out: Uint8Array;
  private length = 0;
  private pending = 0;
  private pendingBits = 0;

  constructor(expectedBytes = 64) {
    this.out = new Uint8Array(Math.max(expectedBytes, 1));
  }

  /** Appends the low `bits` (≤ 24) bits of `value`. */
  write(value: number, bits: number): void {
    this.pending |= value << this.pendingBits;
    this.pendingBits += bits;
    while (this.pendingBits >= 8) {
      this.push(this.pending & 255);
      this.pending >>>= 8;
      this.pendingBits -= 8;
    }
  }

  writeSymbol(code: HuffmanCode, symbol: number): void {
    this.write(code.codes[symbol], code.bits[symbol]);
  }

  /** The code's lengths as the container stores them. */
  writeLengths(code: HuffmanCode): void {
    for (const l of code.lengths) this.write(l, CODE_LENGTH_BITS);
  }

  /** Everything written, the last byte padded. */
  finish(): Uint8Array {
    if (this.pendingBits > 0) this.push(this.pending & 255);
    this.pending = this.pendingBits = 0;
    return this.out.slice(0, this.length);
  }

  private push(byte: number): void {
    if (this.length === this.out.length) {
      const grown = new Uint8Array(2 * this.out.length);
      grown.set(this.out);
      this.out = grown;
    }
    this.out[this.length++] = byte;
  }
}
