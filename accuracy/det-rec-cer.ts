// The end-to-end metric of a text detector: det → boxes → crops → rec → text, scored by CER against the page's
// known text. Boxes come from det's probability map by DB post-processing (det-postprocess.ts); each box is cut
// from the page (recovered from det's input) and made into rec's input as PaddleOCR does (rec-preprocess.ts:
// height 48, padded or squeezed to the rec width); rec's output is CTC-decoded; the page's recognized lines, in
// reading order, joined by a tab, are compared with its label (lines joined the same way), so a missed line
// costs its characters, a split or merged line a tab, a spurious one its characters. The recognizer is a
// parameter (a line's [1, 3, 48, W] input → its [1, T, C] output), so the same metric runs with rec on the
// reference interpreter, a compiled artifact or onnxruntime.
import { createHash } from 'node:crypto';
import type { Tensor } from '../compiler/ir/tensor.js';
import { characterErrorRate, type CerResult } from './cer.js';
import { ctcGreedyDecode, type RecOutput } from './ctc.js';
import { PAGE_LINE_SEPARATOR, pageImage } from './det-pages.js';
import { detectTextBoxes, type DbOptions, type TextBox } from './det-postprocess.js';
import { recInput, REC_WIDTH, type RgbaImage } from './rec-preprocess.js';

/** rec on one line: its [1, 3, 48, W] input → its [1, T, C] output. */
export type LineRecognizer = (line: Float32Array) => RecOutput;
export type AsyncLineRecognizer = (line: Float32Array) => RecOutput | Promise<RecOutput>;

export interface DetRecOptions extends DbOptions {
  /** rec's input width W (320). */
  recWidth?: number;
}

export interface PageLines {
  boxes: TextBox[];
  /** rec's input for each box, [3, 48, W]. */
  crops: Float32Array[];
}

/** The boxes det's output finds on a page and rec's input for each, in reading order. */
export function pageLineCrops(page: Tensor, detOutput: Tensor, options: DetRecOptions = {}): PageLines {
  const image = pageImage(page);
  const [mapHeight, mapWidth] = detOutput.shape.slice(-2);
  const boxes = detectTextBoxes({ width: mapWidth, height: mapHeight, data: detOutput.data as ArrayLike<number> }, { ...options, pageWidth: image.width, pageHeight: image.height });
  return { boxes, crops: boxes.map((b) => recInput(crop(image, b), options.recWidth ?? REC_WIDTH)) };
}

/** The pixels of `box` (PaddleOCR's get_rotate_crop_image for an axis-aligned box). */
export function crop(image: RgbaImage, box: TextBox): RgbaImage {
  const width = box.x1 - box.x0;
  const height = box.y1 - box.y0;
  const data = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) data.set(image.data.subarray(((box.y0 + y) * image.width + box.x0) * 4, ((box.y0 + y) * image.width + box.x1) * 4), y * width * 4);
  return { width, height, data };
}

/** A line's text: CTC-decoded, without the spaces rec reads in the margins (as recognition.ts trims them). */
function lineText(output: RecOutput, keys: readonly string[]): string {
  return ctcGreedyDecode(output, keys)[0].replace(/^ +| +$/g, '');
}

/** A page's text from its lines' texts: empty lines dropped, the rest joined as the labels are. */
export function pageText(lines: readonly string[]): string {
  return lines.filter((l) => l !== '').join(PAGE_LINE_SEPARATOR);
}

export interface DetRecResult extends CerResult {
  /** The recognized text of each page. */
  recognized: string[];
  /** Text lines found, over all pages. */
  lines: number;
}

/** CER of det's outputs on `pages`, read by `recognize`, against the pages' labels. */
export function detRecCer(pages: readonly Tensor[], detOutputs: readonly Tensor[], labels: readonly string[], keys: readonly string[], recognize: LineRecognizer, options: DetRecOptions = {}): DetRecResult {
  const perPage = pages.map((p, i) => pageLineCrops(p, detOutputs[i], options));
  const recognized = perPage.map((p) => pageText(p.crops.map((c) => lineText(recognize(c), keys))));
  return score(recognized, labels, perPage);
}

/** detRecCer with a recognizer that may answer asynchronously (a runtime session). */
export async function detRecCerAsync(pages: readonly Tensor[], detOutputs: readonly Tensor[], labels: readonly string[], keys: readonly string[], recognize: AsyncLineRecognizer, options: DetRecOptions = {}): Promise<DetRecResult> {
  const perPage = pages.map((p, i) => pageLineCrops(p, detOutputs[i], options));
  const recognized: string[] = [];
  for (const p of perPage) {
    const lines: string[] = [];
    for (const c of p.crops) lines.push(lineText(await recognize(c), keys));
    recognized.push(pageText(lines));
  }
  return score(recognized, labels, perPage);
}

function score(recognized: string[], labels: readonly string[], perPage: readonly PageLines[]): DetRecResult {
  if (labels.length !== recognized.length) throw new Error(`detRecCer: ${recognized.length} pages, ${labels.length} labels`);
  return { ...characterErrorRate(recognized, labels), recognized, lines: perPage.reduce((n, p) => n + p.boxes.length, 0) };
}

/**
 * A recognizer that runs `recognize` once per distinct line: a crop's pixels decide its output, and a
 * compressed det mostly finds the same boxes as the f32 one, so the accuracy guard's candidates re-run rec
 * only on the lines whose boxes moved.
 */
export function memoizedRecognizer(recognize: LineRecognizer): LineRecognizer {
  const seen = new Map<string, RecOutput>();
  return (line) => {
    const key = createHash('sha1').update(new Uint8Array(line.buffer, line.byteOffset, line.byteLength)).digest('hex');
    let output = seen.get(key);
    if (!output) {
      output = recognize(line);
      seen.set(key, output);
    }
    return output;
  };
}
