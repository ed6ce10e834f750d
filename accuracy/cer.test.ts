import { characterErrorRate, levenshtein } from './cer.js';

describe('levenshtein', () => {
  test.each([
    ['', '', 0],
    ['abc', '', 3],
    ['', 'abc', 3],
    ['abc', 'abc', 0],
    ['kitten', 'sitting', 3], // k→s, e→i, +g
    ['flaw', 'lawn', 2], // -f, +n
    ['abc', 'acb', 2], // no transpositions: two substitutions
    ['Saturday', 'Sunday', 3],
    ['中文字', '中字', 1], // a code point is one character
    ['a😀b', 'ab', 1], // a surrogate pair is one character
  ])('%j → %j is %d', (a, b, d) => {
    expect(levenshtein(a, b)).toBe(d);
    expect(levenshtein(b, a)).toBe(d);
  });
});

describe('characterErrorRate', () => {
  test('sums edits and reference lengths over the set (not a mean of per-line rates)', () => {
    // 'kitten' vs 'sitting': 3 edits over 7; 'ab' vs 'abcd': 2 edits over 4; exact: 0 over 5.
    const r = characterErrorRate(['kitten', 'ab', 'hello'], ['sitting', 'abcd', 'hello']);
    expect(r).toEqual({ cer: 5 / 16, edits: 5, referenceChars: 16 });
  });

  test('counts reference code points, and can exceed 1 when there is more noise than text', () => {
    expect(characterErrorRate(['中'], ['中文'])).toEqual({ cer: 0.5, edits: 1, referenceChars: 2 });
    expect(characterErrorRate(['xyzw'], ['a']).cer).toBe(4);
  });

  test('empty references', () => {
    expect(characterErrorRate([''], ['']).cer).toBe(0);
    expect(characterErrorRate(['x'], ['']).cer).toBe(Infinity);
  });

  test('refuses lists of different lengths', () => {
    expect(() => characterErrorRate(['a'], ['a', 'b'])).toThrow('1 recognized strings for 2 references');
  });
});
