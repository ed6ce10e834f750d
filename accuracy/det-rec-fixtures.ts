// Test fixtures of the det → rec metric: "text lines" that are blocks of one gray level, and a stand-in
// recognizer that reads a line's text from its gray, so the metric's plumbing is tested without PP-OCR's models.
import type { RecOutput } from './ctc.js';
import { REC_HEIGHT, REC_WIDTH, type RgbaImage } from './rec-preprocess.js';

export const FIXTURE_KEYS = ['a', 'b', 'c', ' '];
/** The text each gray level reads as. */
export const TEXT_OF_GRAY: Readonly<Record<number, string>> = { 0: 'ab', 40: 'ca', 80: 'bb' };

export function grayLine(width: number, height: number, gray: number): RgbaImage {
  const data = new Uint8Array(width * height * 4).fill(gray);
  for (let p = 3; p < data.length; p += 4) data[p] = 255;
  return { width, height, data };
}

/**
 * The darkest pixel of the crop's middle row (blue plane; the white margins and rec's mid-gray padding are
 * lighter than every line) picks the gray, whose text it answers one-hot, a blank after each character so that
 * repeats ('bb') survive CTC's collapse.
 */
export function grayRecognizer(line: Float32Array): RecOutput {
  const row = line.subarray((REC_HEIGHT >> 1) * REC_WIDTH, ((REC_HEIGHT >> 1) + 1) * REC_WIDTH);
  const v = Math.min(...row) * 0.5 + 0.5;
  const grays = Object.keys(TEXT_OF_GRAY).map(Number);
  const gray = grays.reduce((best, g) => (Math.abs(g / 255 - v) < Math.abs(best / 255 - v) ? g : best));
  const text = TEXT_OF_GRAY[gray];
  const c = FIXTURE_KEYS.length + 1;
  const data = new Float32Array(text.length * 2 * c);
  Array.from(text).forEach((ch, t) => {
    data[2 * t * c + FIXTURE_KEYS.indexOf(ch) + 1] = 1;
    data[(2 * t + 1) * c] = 1;
  });
  return { shape: [1, text.length * 2, c], data };
}
