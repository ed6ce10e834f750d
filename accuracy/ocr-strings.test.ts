import * as path from 'node:path';
import { loadRecKeys } from './ctc.js';
import { hasChinese, MAX_CHINESE_LINE_CHARS, MAX_LINE_CHARS, MIN_LINE_CHARS, ocrLineStrings } from './ocr-strings.js';

const lines = ocrLineStrings(500, 1);

test('the same seed gives the same lines, another seed others', () => {
  expect(ocrLineStrings(500, 1)).toEqual(lines);
  expect(ocrLineStrings(20, 2)).not.toEqual(lines.slice(0, 20));
});

test('5 to 25 characters, no spaces at the ends or doubled', () => {
  for (const line of lines) {
    expect(line.length).toBeGreaterThanOrEqual(MIN_LINE_CHARS);
    expect(line.length).toBeLessThanOrEqual(MAX_LINE_CHARS);
    expect(line).toBe(line.trim());
    expect(line).not.toContain('  ');
  }
});

test('every character is one PP-OCR rec can output, and the lines mix letters, digits and punctuation', () => {
  const keys = new Set(loadRecKeys(path.join('node_modules', '@gutenye', 'ocr-models', 'assets', 'ppocr_keys_v1.txt')));
  const used = new Set(lines.join(''));
  expect([...used].filter((c) => !keys.has(c))).toEqual([]);
  for (const kind of [/[a-z]/, /[A-Z]/, /[0-9]/, /[.,:;!?()"$%#@/-]/]) expect([...used].some((c) => kind.test(c))).toBe(true);
});

test('with chinese, every third line is Chinese, 5 to 12 code points, and in the dictionary', () => {
  const mixed = ocrLineStrings(300, 1, { chinese: true });
  const keys = new Set(loadRecKeys(path.join('node_modules', '@gutenye', 'ocr-models', 'assets', 'ppocr_keys_v1.txt')));
  mixed.forEach((line, i) => {
    expect(hasChinese(line)).toBe(i % 3 === 2);
    const chars = Array.from(line);
    expect(chars.filter((c) => !keys.has(c))).toEqual([]);
    if (i % 3 !== 2) return;
    expect(chars.length).toBeGreaterThanOrEqual(MIN_LINE_CHARS);
    expect(chars.length).toBeLessThanOrEqual(MAX_CHINESE_LINE_CHARS);
  });
  expect(ocrLineStrings(300, 1, { chinese: false })).toEqual(lines.slice(0, 300));
});
