// Weight sharing (Deep Compression, Han et al. 2016): the weights of one layer are clustered by 1-D k-means
// and each is replaced by its cluster's centroid, so that the layer ships as a codebook of k values plus an
// index per weight. Initialization is linear (k centroids evenly spaced over [min, max]): Han et al. found it
// keeps the rare large weights represented, which density-based initialization under-samples; centroids left
// empty by it are re-seeded where the error is largest.
//
// In one dimension every cluster is a contiguous run of the sorted values, bounded by the midpoints between
// neighbouring centroids, so a Lloyd iteration is k binary searches over prefix sums, not n·k distances.

export interface SharedWeights {
  /** k centroids in increasing order (fewer when the values have fewer distinct elements). */
  centroids: Float32Array;
  /** Per element of the input, the index of its centroid. */
  assignments: Uint16Array;
}

const MAX_ITERATIONS = 50;

/** k-means of `values` (k ≤ 65536) with linear initialization, iterated to convergence. */
export function kmeans1d(values: Float32Array, k: number): SharedWeights {
  if (!Number.isInteger(k) || k < 1 || k > 65536) throw new Error(`k-means needs 1 ≤ k ≤ 65536, got ${k}`);
  const sorted = Float64Array.from(values).sort();
  const n = sorted.length;
  if (n === 0) return { centroids: new Float32Array(0), assignments: new Uint16Array(0) };
  const prefix = new Float64Array(n + 1);
  const squares = new Float64Array(n + 1);
  for (let i = 0; i < n; i++) {
    prefix[i + 1] = prefix[i] + sorted[i];
    squares[i + 1] = squares[i] + sorted[i] * sorted[i];
  }
  const lo = sorted[0];
  const hi = sorted[n - 1];
  let centroids = Float64Array.from({ length: k }, (_, j) => (k === 1 ? (lo + hi) / 2 : lo + ((hi - lo) * j) / (k - 1)));
  /** Each cluster's run [starts[j], starts[j + 1]) of the sorted values. */
  const runs = (c: Float64Array) => {
    const starts = new Int32Array(k + 1);
    for (let j = 0; j < k - 1; j++) starts[j + 1] = upperBound(sorted, (c[j] + c[j + 1]) / 2, starts[j]);
    starts[k] = n;
    return starts;
  };
  const lloyd = () => {
    for (let iteration = 0; iteration < MAX_ITERATIONS; iteration++) {
      const starts = runs(centroids);
      // An empty cluster keeps its centroid until it is re-seeded.
      const next = centroids.map((c, j) => (starts[j + 1] > starts[j] ? (prefix[starts[j + 1]] - prefix[starts[j]]) / (starts[j + 1] - starts[j]) : c));
      const moved = next.some((c, j) => c !== centroids[j]);
      centroids = next;
      if (!moved) break;
    }
  };
  lloyd();
  // Linear initialization leaves clusters empty where the weights are sparse (the tails of a bell, the gap a
  // pruning threshold cuts): each empty centroid moves to split the cluster of largest squared error, at the
  // mean of its upper half, and Lloyd runs again — so that k centroids are k distinct shared values.
  for (let round = 0; round < k; round++) {
    const starts = runs(centroids);
    const empty: number[] = [];
    const sse: { j: number; error: number }[] = [];
    for (let j = 0; j < k; j++) {
      const [a, b] = [starts[j], starts[j + 1]];
      if (b === a) empty.push(j);
      else if (sorted[b - 1] > sorted[a]) sse.push({ j, error: squares[b] - squares[a] - (prefix[b] - prefix[a]) ** 2 / (b - a) });
    }
    if (empty.length === 0 || sse.length === 0) break;
    sse.sort((x, y) => y.error - x.error || x.j - y.j);
    const splits = Math.min(empty.length, sse.length);
    for (let e = 0; e < splits; e++) {
      const { j } = sse[e];
      const [a, b] = [starts[j], starts[j + 1]];
      const mid = (a + b) >>> 1;
      centroids[j] = (prefix[mid] - prefix[a]) / (mid - a);
      centroids[empty[e]] = (prefix[b] - prefix[mid]) / (b - mid);
    }
    centroids.sort();
    lloyd();
  }
  // Keep the centroids that own values, as f32 (what ships), deduplicated after rounding.
  const used = Array.from(new Set(Array.from(values, (v) => Math.fround(centroids[nearest(centroids, v)])))).sort((a, b) => a - b);
  const shipped = Float32Array.from(used);
  const assignments = new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) assignments[i] = nearest(shipped, values[i]);
  return { centroids: shipped, assignments };
}

/** The values with each element replaced by its centroid. */
export function sharedValues(shared: SharedWeights): Float32Array {
  return Float32Array.from(shared.assignments, (a) => shared.centroids[a]);
}

/** The first index in sorted[from..] whose value exceeds x. */
function upperBound(sorted: Float64Array, x: number, from: number): number {
  let lo = from;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The index of the centroid (ascending) nearest to x; ties go to the lower one. */
function nearest(centroids: ArrayLike<number>, x: number): number {
  let lo = 0;
  let hi = centroids.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (x - centroids[mid] <= centroids[mid + 1] - x) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
