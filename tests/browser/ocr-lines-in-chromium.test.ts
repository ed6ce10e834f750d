// The OCR lines data set (accuracy/ocr-lines.ts): text rendered by headless Chromium's canvas into PP-OCR rec
// inputs of the stated shape, the same for the same seed, and read back by the f32 PP-OCRv4 rec on
// onnxruntime-node with a low character error rate: the baseline an int8 model's CER is compared with.
import { type Browser, launchChromium } from '../../cli/browser.js';
import { loadRecKeys } from '../../accuracy/ctc.js';
import { makeOcrLines, missingOcrFonts, type OcrLines } from '../../accuracy/ocr-lines.js';
import { ppocrRecFiles, runRecOnnxruntime } from '../../accuracy/ppocr-rec.js';
import { recognitionCer } from '../../accuracy/recognition.js';
import { hasChinese, ocrLineStrings } from '../../accuracy/ocr-strings.js';
import { REPO_ROOT } from '../util/repo.js';

// Measured with seed 1: 0 edits on these 30 lines (490 characters), 3 edits on the first 100 (CER 0.17 %).
// The bound leaves room for other Chromium and font versions. What it catches, measured on these lines: pixels
// fed as 0..255 (CER 100 %), a dictionary off by one class (99 %), blank or garbled rendering. The model is
// robust to some mistakes it does not catch: [0, 1] instead of [−1, 1] gives 0.8 %, inverted colours 0.2 %
// (and for black on white the channel order cannot matter); rec-preprocess.test.ts checks those exactly.
const LINES = 30;
const CER_BOUND = 0.03;

let browser: Browser;
let lines: OcrLines;

beforeAll(async () => {
  browser = await launchChromium();
  lines = await makeOcrLines({ count: LINES, seed: 1, browser });
});

afterAll(async () => {
  await browser?.close();
});

test('the fonts of the lines are installed (scripts/setup-system.sh)', () => {
  expect(missingOcrFonts()).toEqual([]);
});

test('N lines of [3, 48, 320] in [−1, 1], with their labels', () => {
  expect(lines.shape).toEqual([LINES, 3, 48, 320]);
  expect(lines.x).toHaveLength(LINES * 3 * 48 * 320);
  expect(lines.labels).toEqual(ocrLineStrings(LINES, 1));
  let min = Infinity;
  let max = -Infinity;
  for (const v of lines.x) [min, max] = [Math.min(min, v), Math.max(max, v)];
  expect([min, max]).toEqual([-1, 1]); // black ink and white paper both occur
  // Line 2 ("2018-10-09", a short line) is right-padded with zeros; its first column is white paper.
  const line = lines.x.subarray(2 * 3 * 48 * 320, 3 * 3 * 48 * 320);
  expect(line[20 * 320 + 319]).toBe(0);
  expect(line[20 * 320 + 0]).toBe(1);
});

test('the same seed renders the same pixels; another seed other lines', async () => {
  const again = await makeOcrLines({ count: 4, seed: 1, browser });
  expect(again.labels).toEqual(lines.labels.slice(0, 4));
  expect(Buffer.from(again.x.buffer).equals(Buffer.from(lines.x.buffer, 0, again.x.byteLength))).toBe(true);
  const other = await makeOcrLines({ count: 4, seed: 2, browser });
  expect(other.labels).not.toEqual(again.labels);
});

test(`PP-OCRv4 rec (f32, onnxruntime-node) reads the lines with CER below ${CER_BOUND * 100} %`, async () => {
  const files = ppocrRecFiles(REPO_ROOT);
  const outputs = await runRecOnnxruntime(files.model, { x: lines.x, shape: lines.shape }, { batchSize: 10 });
  const result = recognitionCer(outputs, lines.labels, loadRecKeys(files.keys));
  const misread = lines.labels.map((label, i) => [label, result.recognized[i]]).filter(([label, read]) => label !== read);
  if (result.cer >= CER_BOUND) throw new Error(`CER ${(100 * result.cer).toFixed(2)} % (${result.edits} edits); misread: ${JSON.stringify(misread)}`);
  expect(result.referenceChars).toBeGreaterThan(LINES * 5);
});

// With --chinese (measured with seed 1: 3 edits on 100 lines, CER 0.19 %, none in the 33 Chinese lines).
test(`Chinese lines in a CJK font (fonts-noto-cjk) are read with CER below ${CER_BOUND * 100} % too`, async () => {
  expect(missingOcrFonts({ chinese: true })).toEqual([]);
  const mixed = await makeOcrLines({ count: 15, seed: 1, chinese: true, browser });
  const chinese = mixed.labels.filter((label) => hasChinese(label));
  expect(chinese).toHaveLength(5);
  const files = ppocrRecFiles(REPO_ROOT);
  const outputs = await runRecOnnxruntime(files.model, { x: mixed.x, shape: mixed.shape }, { batchSize: 5 });
  const result = recognitionCer(outputs, mixed.labels, loadRecKeys(files.keys));
  expect(result.recognized.filter((text) => hasChinese(text))).toHaveLength(5);
  const misread = mixed.labels.map((label, i) => [label, result.recognized[i]]).filter(([label, read]) => label !== read);
  if (result.cer >= CER_BOUND) throw new Error(`CER ${(100 * result.cer).toFixed(2)} % (${result.edits} edits); misread: ${JSON.stringify(misread)}`);
});
