import { t, i64, vals, run, infer, dlcError } from '../../tests/util/tensor-op-harness.js';

// The pool of ONNX's TfIdfVectorizer cases: 1-grams 2, 3, 5, 4; 2-grams (5, 6), (7, 8), (6, 7).
const POOL = { ngram_counts: [0, 4], ngram_indexes: [0, 1, 2, 3, 4, 5, 6], pool_int64s: [2, 3, 5, 4, 5, 6, 7, 8, 6, 7] };
const TOKENS = [1, 1, 3, 3, 3, 7, 8, 6, 7, 5, 6, 8];
const attrs = (extra: Record<string, unknown>) => ({ ...POOL, mode: 'TF', min_gram_length: 1, max_gram_length: 2, max_skip_count: 0, ...extra });

describe('tf_idf_vectorizer', () => {
  test('counts 1-grams once per position and 2-grams once per start and gap up to max_skip_count + 1', () => {
    // (7, 8) at gaps 1 (positions 5, 6), 3 (8, 11) and 6 (5, 11); 3 three times whatever the skips.
    expect(vals(run('tf_idf_vectorizer', [i64(TOKENS)], attrs({ max_skip_count: 5 }))[0])).toEqual([0, 3, 1, 0, 1, 3, 1]);
    expect(vals(run('tf_idf_vectorizer', [i64(TOKENS)], attrs({ min_gram_length: 2 }))[0])).toEqual([0, 0, 0, 0, 1, 1, 1]);
  });

  test('rows of a 2-D input are counted apart; IDF gives the weight of each found n-gram, TFIDF count × weight', () => {
    const x = t('i32', [2, 6], TOKENS);
    expect(vals(run('tf_idf_vectorizer', [x], attrs({ min_gram_length: 2, max_skip_count: 5 }))[0])).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1]);
    const weights = [1, 2, 3, 4, 5, 6, 7];
    expect(vals(run('tf_idf_vectorizer', [i64(TOKENS)], attrs({ mode: 'IDF', weights, max_skip_count: 5 }))[0])).toEqual([0, 2, 3, 0, 5, 6, 7]);
    expect(vals(run('tf_idf_vectorizer', [i64(TOKENS)], attrs({ mode: 'TFIDF', weights, max_skip_count: 5 }))[0])).toEqual([0, 6, 3, 0, 5, 18, 7]);
  });

  test('output is f32 [max(ngram_indexes) + 1], per row for a 2-D input', () => {
    expect(infer('tf_idf_vectorizer', [{ dtype: 'i64', shape: [4, 12] }], attrs({ ngram_indexes: [0, 1, 2, 3, 4, 5, 9] }))[0]).toEqual({ dtype: 'f32', shape: [4, 10] });
  });

  test('refuses string pools, a pool that does not split into whole n-grams and a float input, in one line', () => {
    expect(dlcError(() => infer('tf_idf_vectorizer', [{ dtype: 'i64', shape: [12] }], { ...attrs({}), pool_int64s: [], pool_strings: ['a'] }))).toMatch(/only pool_int64s is supported/);
    expect(dlcError(() => infer('tf_idf_vectorizer', [{ dtype: 'i64', shape: [12] }], attrs({ ngram_counts: [0, 3] })))).toMatch(/ngram_counts\[1\] = 3 does not start a whole number of 2-grams/);
    expect(dlcError(() => infer('tf_idf_vectorizer', [{ dtype: 'f32', shape: [12] }], attrs({})))).toMatch(/input is f32, not i32 or i64/);
  });
});
