// The three matrix products training needs, each accumulating into C (row-major, dims as named). Every
// layer's forward and backward pass is one of them; each is blocked by four along one dimension so that a
// row of C is read and written once per four terms rather than once per term, which is what sets the speed
// of plain JavaScript loops over typed arrays.

/** C[m, n] += Σ_k A[m, k]·B[n, k]  (A [M, K], B [N, K]: both read along rows). */
export function addMatmulABt(a: Float32Array, b: Float32Array, c: Float32Array, m: number, n: number, k: number): void {
  for (let i = 0; i < m; i++) {
    const ai = i * k;
    let j = 0;
    for (; j + 4 <= n; j += 4) {
      const b0 = j * k;
      const b1 = b0 + k;
      const b2 = b1 + k;
      const b3 = b2 + k;
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      for (let p = 0; p < k; p++) {
        const x = a[ai + p];
        s0 += x * b[b0 + p];
        s1 += x * b[b1 + p];
        s2 += x * b[b2 + p];
        s3 += x * b[b3 + p];
      }
      const ci = i * n + j;
      c[ci] += s0;
      c[ci + 1] += s1;
      c[ci + 2] += s2;
      c[ci + 3] += s3;
    }
    for (; j < n; j++) {
      const bj = j * k;
      let s = 0;
      for (let p = 0; p < k; p++) s += a[ai + p] * b[bj + p];
      c[i * n + j] += s;
    }
  }
}

/** C[m, n] += Σ_k A[m, k]·B[k, n]  (A [M, K], B [K, N]). */
export function addMatmulAB(a: Float32Array, b: Float32Array, c: Float32Array, m: number, n: number, k: number): void {
  for (let i = 0; i < m; i++) {
    const ai = i * k;
    const ci = i * n;
    let p = 0;
    for (; p + 4 <= k; p += 4) {
      addRows(c, ci, b, p * n, n, a[ai + p], a[ai + p + 1], a[ai + p + 2], a[ai + p + 3]);
    }
    for (; p < k; p++) addRows(c, ci, b, p * n, n, a[ai + p], 0, 0, 0, 1);
  }
}

/** C[m, n] += Σ_k A[k, m]·B[k, n]  (A [K, M], B [K, N]). */
export function addMatmulAtB(a: Float32Array, b: Float32Array, c: Float32Array, m: number, n: number, k: number): void {
  for (let i = 0; i < m; i++) {
    const ci = i * n;
    let p = 0;
    for (; p + 4 <= k; p += 4) {
      addRows(c, ci, b, p * n, n, a[p * m + i], a[(p + 1) * m + i], a[(p + 2) * m + i], a[(p + 3) * m + i]);
    }
    for (; p < k; p++) addRows(c, ci, b, p * n, n, a[p * m + i], 0, 0, 0, 1);
  }
}

/**
 * c[ci + j] += w0·b[r + j] + w1·b[r + n + j] + w2·b[r + 2n + j] + w3·b[r + 3n + j] for j < n, over the first
 * `rows` of those four rows of b. Rows whose weights are all zero (ReLU gradients often are) are skipped.
 */
function addRows(c: Float32Array, ci: number, b: Float32Array, r: number, n: number, w0: number, w1: number, w2: number, w3: number, rows = 4): void {
  if (w0 === 0 && w1 === 0 && w2 === 0 && w3 === 0) return;
  if (rows === 1) {
    for (let j = 0; j < n; j++) c[ci + j] += w0 * b[r + j];
    return;
  }
  const r1 = r + n;
  const r2 = r1 + n;
  const r3 = r2 + n;
  for (let j = 0; j < n; j++) c[ci + j] += w0 * b[r + j] + w1 * b[r1 + j] + w2 * b[r2 + j] + w3 * b[r3 + j];
}
