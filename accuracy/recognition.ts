// The text recognizer's metric: CTC-decode its output and compare with the known strings (CER). Spaces that
// the recognizer puts before or after a line are trimmed (the labels have none: PP-OCR rec reads the margin
// around the ink as a space now and then: 16 of the f32 model's 19 edits on 100 rendered lines, 0.9 % CER);
// spaces inside a line count like any character.
import { characterErrorRate, type CerResult } from './cer.js';
import { ctcGreedyDecode, type RecOutput } from './ctc.js';

export interface RecognitionResult extends CerResult {
  /** The decoded string of each line. */
  recognized: string[];
}

/**
 * CER of a recognizer's outputs against `labels`, one label per line: `outputs` is one [N, T, C] output or a
 * list of them (batches, or one run per line), their lines in the labels' order.
 */
export function recognitionCer(outputs: RecOutput | readonly RecOutput[], labels: readonly string[], keys: readonly string[], options: { trimSpaces?: boolean } = {}): RecognitionResult {
  const list = Array.isArray(outputs) ? (outputs as readonly RecOutput[]) : [outputs as RecOutput];
  const decoded = list.flatMap((output) => ctcGreedyDecode(output, keys));
  const recognized = options.trimSpaces === false ? decoded : decoded.map((text) => text.replace(/^ +| +$/g, ''));
  if (recognized.length !== labels.length) throw new Error(`recognitionCer: the outputs hold ${recognized.length} lines, there are ${labels.length} labels`);
  return { ...characterErrorRate(recognized, labels), recognized };
}
