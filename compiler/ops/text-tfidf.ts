// tf_idf_vectorizer (ONNX TfIdfVectorizer): for each row of integer tokens, how often each n-gram of a fixed
// pool occurs, allowing up to max_skip_count tokens skipped between consecutive items of an n-gram.
//
// The pool (pool_int64s) lists the 1-grams, then the 2-grams, …: ngram_counts[n − 1] is where the n-grams
// start. The k-th n-gram of the pool (counting across lengths) is counted into output ngram_indexes[k].
// Skipping matters only for n ≥ 2: a 1-gram is counted once per position whatever max_skip_count is
// (onnxruntime and ONNX's reference do the same). Mode TF gives the counts, IDF the weight of each output
// index whose count is non-zero (1 without weights), TFIDF counts times weights. Weights are taken by output
// index, as onnxruntime does. String pools (pool_strings) are not supported: dlc has no string tensors.
import { DlcError } from '../errors.js';
import type { Attrs } from '../ir/graph.js';
import { Tensor } from '../ir/tensor.js';
import type { OpDef } from './registry.js';
import { inType } from './tensor-common.js';
import { attrInt, attrInts, attrString, required } from './util.js';

/** One n-gram of the pool: its tokens and the output element it counts into. */
export interface PoolGram {
  tokens: number[];
  output: number;
}

export interface TfIdfSpec {
  grams: PoolGram[];
  minLength: number;
  maxLength: number;
  maxSkip: number;
  mode: 'TF' | 'IDF' | 'TFIDF';
  /** Output elements per row: max(ngram_indexes) + 1. */
  width: number;
  /** Per output index, or undefined (all 1). */
  weights?: number[];
}

const MODES = ['TF', 'IDF', 'TFIDF'] as const;

/** The op's attributes as the pool's n-grams and the counting rules (checked once, for inference, reference and kernels). */
export function tfIdfSpec(attrs: Attrs): TfIdfSpec {
  const pool = attrInts(attrs, 'pool_int64s');
  if (!pool || (attrs.pool_strings as string[] | undefined)?.length) throw new DlcError('tf_idf_vectorizer: only pool_int64s is supported (dlc has no string tensors for pool_strings)');
  const counts = attrInts(attrs, 'ngram_counts') ?? [];
  const indexes = attrInts(attrs, 'ngram_indexes') ?? [];
  const [minLength, maxLength, maxSkip] = ['min_gram_length', 'max_gram_length', 'max_skip_count'].map((n) => attrInt(attrs, n));
  const mode = attrString(attrs, 'mode');
  if (!(MODES as readonly string[]).includes(mode)) throw new DlcError(`tf_idf_vectorizer: mode '${mode}' is not TF, IDF or TFIDF`);
  if (minLength < 1 || maxLength < minLength) throw new DlcError(`tf_idf_vectorizer: gram lengths ${minLength}..${maxLength} are not 1 ≤ min ≤ max`);
  if (maxSkip < 0) throw new DlcError(`tf_idf_vectorizer: max_skip_count ${maxSkip} is negative`);
  const grams: PoolGram[] = [];
  counts.forEach((start, i) => {
    const n = i + 1;
    const end = i + 1 < counts.length ? counts[i + 1] : pool.length;
    if (start < 0 || end > pool.length || start > end || (end - start) % n !== 0) {
      throw new DlcError(`tf_idf_vectorizer: ngram_counts[${i}] = ${start} does not start a whole number of ${n}-grams in a pool of ${pool.length}`);
    }
    for (let p = start; p < end; p += n) grams.push({ tokens: pool.slice(p, p + n), output: -1 });
  });
  if (indexes.length !== grams.length) throw new DlcError(`tf_idf_vectorizer: ${indexes.length} ngram_indexes for ${grams.length} n-grams in the pool`);
  grams.forEach((g, k) => (g.output = indexes[k]));
  if (indexes.some((j) => j < 0)) throw new DlcError('tf_idf_vectorizer: an ngram_index is negative');
  const width = indexes.length ? Math.max(...indexes) + 1 : 0;
  const weights = attrs.weights as number[] | undefined;
  if (weights && weights.length < width) throw new DlcError(`tf_idf_vectorizer: ${weights.length} weights for ${width} outputs`);
  return { grams: grams.filter((g) => g.tokens.length >= minLength && g.tokens.length <= maxLength), minLength, maxLength, maxSkip, mode: mode as TfIdfSpec['mode'], width, weights };
}

/**
 * Occurrences of `tokens` in `row`: every start, and for n ≥ 2 every gap d = 1 … max_skip_count + 1 between
 * consecutive items that keeps the n-gram inside the row.
 */
export function gramOccurrences(row: ArrayLike<number>, tokens: readonly number[], maxSkip: number): number {
  const n = tokens.length;
  const gaps = n === 1 ? 1 : maxSkip + 1;
  let count = 0;
  for (let d = 1; d <= gaps; d++) {
    for (let s = 0; s + (n - 1) * d < row.length; s++) {
      let i = 0;
      while (i < n && row[s + i * d] === tokens[i]) i++;
      if (i === n) count++;
    }
  }
  return count;
}

/** An output element from its count: TF the count, IDF the weight where the count is non-zero, TFIDF their product. */
export function tfIdfValue(count: number, weight: number, mode: TfIdfSpec['mode']): number {
  if (mode === 'TF') return count;
  if (mode === 'IDF') return count > 0 ? weight : 0;
  return count * weight;
}

function refTfIdf(x: Tensor, attrs: Attrs): Tensor {
  const spec = tfIdfSpec(attrs);
  const [rows, cols] = x.shape.length === 2 ? x.shape : [1, x.shape[0]];
  const out = new Tensor('f32', x.shape.length === 2 ? [rows, spec.width] : [spec.width]);
  for (let r = 0; r < rows; r++) {
    const row = x.data.subarray(r * cols, (r + 1) * cols);
    const counts = new Array<number>(spec.width).fill(0);
    for (const g of spec.grams) counts[g.output] += gramOccurrences(row, g.tokens, spec.maxSkip);
    counts.forEach((c, j) => (out.data[r * spec.width + j] = tfIdfValue(c, spec.weights?.[j] ?? 1, spec.mode)));
  }
  return out;
}

export const tfIdfOps: OpDef[] = [
  {
    name: 'tf_idf_vectorizer',
    attrs: {
      max_gram_length: { type: 'int' },
      min_gram_length: { type: 'int' },
      max_skip_count: { type: 'int' },
      mode: { type: 'string' },
      ngram_counts: { type: 'ints' },
      ngram_indexes: { type: 'ints' },
      pool_int64s: { type: 'ints', optional: true },
      pool_strings: { type: 'strings', optional: true },
      weights: { type: 'floats', optional: true },
    },
    kind: 'opaque',
    onnx: [{ op: 'TfIdfVectorizer' }],
    infer: (ctx) => {
      const x = inType(ctx, 0);
      if (x.dtype !== 'i32' && x.dtype !== 'i64') throw new DlcError(`tf_idf_vectorizer: input is ${x.dtype}, not i32 or i64`);
      if (x.shape.length !== 1 && x.shape.length !== 2) throw new DlcError(`tf_idf_vectorizer: input has rank ${x.shape.length}, not 1 or 2`);
      const { width } = tfIdfSpec(ctx.attrs);
      return [{ dtype: 'f32', shape: x.shape.length === 2 ? [x.shape[0], width] : [width] }];
    },
    ref: (inputs, attrs) => [refTfIdf(required(inputs, 0), attrs)],
  },
];
