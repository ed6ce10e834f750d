// Layouts of the int8 GEMM's operands built around a dot product of k-pairs (wasm's i32x4.dot_i16x8_s; a GPU's
// dot4 / packed-integer instructions can read the same pairs): one instruction multiplies 8 i16 lanes pairwise
// and adds adjacent products, so a vector holding (b[k, j], b[k+1, j]) for 4 columns j, against a splat of
// (a[i, k], a[i+1, k]), adds the partial sums of two consecutive k to 4 output columns at once, with no
// horizontal reduction. Odd K is padded with a zero k (its products are 0). Target-independent: both targets'
// integer kernels may pack constants with these, at compile time.

/** Pairs of consecutive k: ⌈K / 2⌉. */
export function kPairs(k: number): number {
  return (k + 1) >> 1;
}

/** Columns rounded up to whole panels of `width`. */
export function paddedColumns(n: number, width: number): number {
  return Math.ceil(n / width) * width;
}

/**
 * Row-major B [k × n] (row stride ldb) → panels of `width` columns (the last one zero-padded): panel p holds its
 * ⌈k/2⌉ k-pairs, each `width` columns of the two values (b[2kp, j], b[2kp + 1, j]) side by side; element
 * (kp, j, half) of panel p = ⌊j / width⌋ is at ((p·KP + kp)·width + j mod width)·2 + half. A zero k pads odd k.
 */
export function packPairPanels(b: ArrayLike<number>, k: number, n: number, width: number, ldb = n): Int32Array {
  const kp = kPairs(k);
  const out = new Int32Array(kp * paddedColumns(n, width) * 2);
  for (let j = 0; j < n; j++) {
    const [p, c] = [Math.floor(j / width), j % width];
    for (let kk = 0; kk < k; kk++) out[((p * kp + (kk >> 1)) * width + c) * 2 + (kk & 1)] = b[kk * ldb + j];
  }
  return out;
}

/** The i32 of two i16 lanes, `lo` in the low half (wasm and GPUs are little-endian: lane 0 is the low half). */
export function i16Pair(lo: number, hi: number): number {
  return (lo & 0xffff) | (hi << 16);
}

/**
 * Row-major A [m × k] → k-pairs as i32 (i16Pair(a[i, 2kp], a[i, 2kp + 1])), full tiles of `tileM` rows K-major
 * (pair (i0 + r, kp) at i0·KP + kp·tileM + r) so that one k-pair step reads a tile's pairs at fixed offsets from
 * one pointer, the last m mod tileM rows row-major (i·KP + kp). A zero k pads odd k.
 */
export function packPairRows(a: ArrayLike<number>, m: number, k: number, tileM: number): Int32Array {
  const kp = kPairs(k);
  const out = new Int32Array(m * kp);
  const full = m - (m % tileM);
  for (let i = 0; i < m; i++) {
    for (let p = 0; p < kp; p++) {
      const pair = i16Pair(a[i * k + 2 * p], 2 * p + 1 < k ? a[i * k + 2 * p + 1] : 0);
      out[i < full ? (i - (i % tileM)) * kp + p * tileM + (i % tileM) : i * kp + p] = pair;
    }
  }
  return out;
}
