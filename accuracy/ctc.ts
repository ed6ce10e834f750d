// Greedy CTC decoding of a text recognizer's output, as PaddleOCR's CTCLabelDecode does it for PP-OCR rec:
// per time step the most probable class; repeats of a class collapse into one; the blank (class 0) is dropped.
// Class i ≥ 1 is line i−1 of the character dictionary (ppocr_keys_v1.txt), and with PP-OCR's `use_space_char`
// the last class is the space, so C = dictionary lines + 2.
import * as fs from 'node:fs';

/** The characters of classes 1..C−1, in order: the dictionary's lines, then ' ' when `useSpaceChar`. */
export function parseRecKeys(dictionaryText: string, useSpaceChar = true): string[] {
  // PaddleOCR strips '\n' and '\r\n' from each line; a final newline ends the last line, it does not add one.
  const lines = dictionaryText.split('\n').map((line) => line.replace(/\r$/, ''));
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return useSpaceChar ? [...lines, ' '] : lines;
}

export function loadRecKeys(dictionaryFile: string, useSpaceChar = true): string[] {
  return parseRecKeys(fs.readFileSync(dictionaryFile, 'utf8'), useSpaceChar);
}

export interface RecOutput {
  /** [N, T, C]: per line, per time step, a probability (or logit) per class. */
  shape: readonly number[];
  data: ArrayLike<number>;
}

/** One string per line of the batch. */
export function ctcGreedyDecode(output: RecOutput, keys: readonly string[]): string[] {
  if (output.shape.length !== 3) throw new Error(`CTC decoding takes a [N, T, C] output, got [${output.shape.join(', ')}]`);
  const [n, t, c] = output.shape;
  if (c !== keys.length + 1) {
    throw new Error(`the recognizer has ${c} classes but the dictionary gives ${keys.length + 1} (blank + ${keys.length} characters): wrong dictionary, or use_space_char differs`);
  }
  if (output.data.length !== n * t * c) throw new Error(`CTC decoding: [${output.shape.join(', ')}] needs ${n * t * c} values, got ${output.data.length}`);
  const lines: string[] = [];
  for (let line = 0; line < n; line++) {
    let text = '';
    let previous = -1;
    for (let step = 0; step < t; step++) {
      const base = (line * t + step) * c;
      let best = 0;
      for (let k = 1; k < c; k++) if (output.data[base + k] > output.data[base + best]) best = k;
      if (best !== previous && best !== 0) text += keys[best - 1];
      previous = best;
    }
    lines.push(text);
  }
  return lines;
}
