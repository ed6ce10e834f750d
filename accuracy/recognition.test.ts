import { recognitionCer } from './recognition.js';

const keys = ['a', 'b', ' ']; // classes: 0 blank, 1 a, 2 b, 3 space

/** [lines, T, 4] with probability 1 on each step's class. */
function output(paths: number[][]) {
  const t = paths[0].length;
  const data = new Float32Array(paths.length * t * 4);
  paths.forEach((path, line) => path.forEach((k, s) => (data[(line * t + s) * 4 + k] = 1)));
  return { shape: [paths.length, t, 4], data };
}

test('decodes a batch and scores it against the labels', () => {
  // "ab" (exact) and "a a" against "aba": 1 substitution; 1 edit over 5 reference characters.
  const r = recognitionCer(output([[1, 0, 2, 2], [1, 3, 0, 1]]), ['ab', 'aba'], keys);
  expect(r.recognized).toEqual(['ab', 'a a']);
  expect(r).toMatchObject({ edits: 1, referenceChars: 5, cer: 0.2 });
});

test('takes one output per line, in order', () => {
  const r = recognitionCer([output([[2, 0, 2]]), output([[1, 1, 1]])], ['bb', 'a'], keys);
  expect(r.recognized).toEqual(['bb', 'a']);
  expect(r.cer).toBe(0);
});

test('trims spaces before and after a line unless told not to', () => {
  // " a b " against "a b": exact once trimmed, 2 insertions otherwise.
  const spaced = output([[3, 1, 3, 2, 3]]);
  expect(recognitionCer(spaced, ['a b'], keys)).toMatchObject({ recognized: ['a b'], edits: 0 });
  expect(recognitionCer(spaced, ['a b'], keys, { trimSpaces: false })).toMatchObject({ recognized: [' a b '], edits: 2 });
});

test('refuses a line count that differs from the labels', () => {
  expect(() => recognitionCer(output([[1]]), ['a', 'b'], keys)).toThrow('the outputs hold 1 lines, there are 2 labels');
});
