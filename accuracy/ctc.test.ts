import * as path from 'node:path';
import { ctcGreedyDecode, loadRecKeys, parseRecKeys } from './ctc.js';

/** A [1, T, C] output whose step s puts probability 0.9 on class path[s]. */
function oneHotOutput(path: number[], classes: number) {
  const data = new Float32Array(path.length * classes).fill(0.1 / (classes - 1));
  path.forEach((k, s) => (data[s * classes + k] = 0.9));
  return { shape: [1, path.length, classes], data };
}

describe('parseRecKeys', () => {
  test('one character per line, CRLF or LF, the space appended last', () => {
    expect(parseRecKeys('a\r\nb\nc\n')).toEqual(['a', 'b', 'c', ' ']);
    expect(parseRecKeys('a\nb\nc')).toEqual(['a', 'b', 'c', ' ']);
    expect(parseRecKeys('a\nb', false)).toEqual(['a', 'b']);
  });

  test('ppocr_keys_v1.txt: 6623 characters, and PP-OCRv4 rec has 6625 classes (blank and space added)', () => {
    const keys = loadRecKeys(path.join('node_modules', '@gutenye', 'ocr-models', 'assets', 'ppocr_keys_v1.txt'));
    expect(keys).toHaveLength(6624);
    expect(keys[keys.length - 1]).toBe(' ');
    expect(keys.slice(0, 3)).toEqual(["'", '疗', '绚']);
  });
});

describe('ctcGreedyDecode', () => {
  const keys = ['a', 'b', 'c', ' ']; // classes: 0 blank, 1 a, 2 b, 3 c, 4 space

  test('collapses repeats, drops blanks, and a blank between repeats keeps both', () => {
    // a a _ a b b _ _ c → "aabc"
    expect(ctcGreedyDecode(oneHotOutput([1, 1, 0, 1, 2, 2, 0, 0, 3], 5), keys)).toEqual(['aabc']);
    // _ _ _ → ""
    expect(ctcGreedyDecode(oneHotOutput([0, 0, 0], 5), keys)).toEqual(['']);
    // c space space a → "c a": the last class is the space
    expect(ctcGreedyDecode(oneHotOutput([3, 4, 4, 1], 5), keys)).toEqual(['c a']);
  });

  test('decodes each line of a batch', () => {
    const first = oneHotOutput([1, 0, 2], 5);
    const second = oneHotOutput([3, 3, 3], 5);
    const data = new Float32Array([...first.data, ...second.data]);
    expect(ctcGreedyDecode({ shape: [2, 3, 5], data }, keys)).toEqual(['ab', 'c']);
  });

  test('argmax takes the first of equal maxima, as numpy does', () => {
    const data = new Float32Array([0.2, 0.4, 0.4, 0, 0]);
    expect(ctcGreedyDecode({ shape: [1, 1, 5], data }, keys)).toEqual(['a']);
  });

  test('refuses an output whose class count does not fit the dictionary', () => {
    expect(() => ctcGreedyDecode(oneHotOutput([1], 6), keys)).toThrow('the recognizer has 6 classes but the dictionary gives 5');
    expect(() => ctcGreedyDecode({ shape: [3, 5], data: new Float32Array(15) }, keys)).toThrow('[N, T, C]');
  });
});
