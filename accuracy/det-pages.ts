// Pages for PP-OCR det with known text: rendered text lines (accuracy/ocr-lines.ts) laid out on a white page,
// row by row, so the string and box of every line is known. A page's label is its lines in reading order
// joined by a tab (labels.txt holds one string per page); det's input is the page as PaddleOCR's det
// preprocessing makes it: CHW planes in a cv2 image's BGR order, each (v/255 − mean[c]) / std[c] with
// ImageNet's mean and std listed in plane order (PaddleOCR applies [0.485, 0.456, 0.406] to B, G, R as they come).
import { launchChromium } from '../cli/browser.js';
import { lineStyles, missingOcrFonts, renderTextLines } from './ocr-lines.js';
import { ocrLineStrings } from './ocr-strings.js';
import type { RgbaImage } from './rec-preprocess.js';

export const DET_MEAN = [0.485, 0.456, 0.406];
export const DET_STD = [0.229, 0.224, 0.225];
/** Between the lines of a page's label (labels.txt holds one line per page). */
export const PAGE_LINE_SEPARATOR = '\t';

/** [3, H, W] det input of an RGBA page (alpha ignored). */
export function detInput(image: RgbaImage): Float32Array {
  const plane = image.width * image.height;
  const out = new Float32Array(3 * plane);
  for (let c = 0; c < 3; c++) {
    const rgbChannel = 2 - c; // BGR: plane 0 is blue
    for (let p = 0; p < plane; p++) out[c * plane + p] = (image.data[p * 4 + rgbChannel] / 255 - DET_MEAN[c]) / DET_STD[c];
  }
  return out;
}

/** The RGBA page back from a [1, 3, H, W] or [3, H, W] det input (what the crops for rec are cut from). */
export function pageImage(input: { shape: readonly number[]; data: ArrayLike<number> }): RgbaImage {
  const [height, width] = input.shape.slice(-2);
  const plane = width * height;
  if (input.data.length !== 3 * plane) throw new Error(`pageImage: a det input of 3 planes of ${width}×${height}, got shape [${input.shape.join(', ')}]`);
  const data = new Uint8Array(plane * 4);
  for (let p = 0; p < plane; p++) {
    for (let c = 0; c < 3; c++) data[p * 4 + 2 - c] = Math.min(255, Math.max(0, Math.round((input.data[c * plane + p] * DET_STD[c] + DET_MEAN[c]) * 255)));
    data[p * 4 + 3] = 255;
  }
  return { width, height, data };
}

export interface PlacedLine {
  text: string;
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface PageLayout {
  image: RgbaImage;
  lines: PlacedLine[];
}

const MARGIN = 8;
const ROW_GAP = 12;
// Wide enough that det reads two lines of a row as two boxes (at 32 px it joined some into one).
const COLUMN_GAP = 64;
/** Lines share a row only when their heights differ by at most this, so their tops stay within reading order's 10 px. */
const ROW_HEIGHT_SLACK = 6;

/**
 * Lays lines out on white pages of width × height, in the given order: left to right in a row while they fit,
 * then the next row; a full page starts the next page. Lines wider than the page are left out.
 */
export function layoutPages(lines: readonly RgbaImage[], texts: readonly string[], width: number, height: number, pageCount: number): PageLayout[] {
  const pages: PageLayout[] = [];
  let page: PageLayout | undefined;
  let x = 0;
  let y = 0;
  let rowHeight = 0;
  for (let i = 0; i < lines.length && pages.length <= pageCount; i++) {
    const line = lines[i];
    if (line.width > width - 2 * MARGIN || line.height > height - 2 * MARGIN) continue;
    const joinsRow = page && rowHeight > 0 && x + COLUMN_GAP + line.width <= width - MARGIN && Math.abs(line.height - rowHeight) <= ROW_HEIGHT_SLACK;
    if (page && joinsRow) x += COLUMN_GAP;
    else {
      if (page && rowHeight > 0) y += rowHeight + ROW_GAP;
      x = MARGIN;
      rowHeight = 0;
      if (!page || y + line.height > height - MARGIN) {
        if (pages.length === pageCount) break;
        page = { image: { width, height, data: new Uint8Array(width * height * 4).fill(255) }, lines: [] };
        pages.push(page);
        y = MARGIN;
      }
    }
    blit(page!.image, line, x, y);
    page!.lines.push({ text: texts[i], x, y, width: line.width, height: line.height });
    x += line.width;
    rowHeight = Math.max(rowHeight, line.height);
  }
  return pages;
}

function blit(page: RgbaImage, line: RgbaImage, left: number, top: number): void {
  for (let y = 0; y < line.height; y++) page.data.set(line.data.subarray(y * line.width * 4, (y + 1) * line.width * 4), ((top + y) * page.width + left) * 4);
}

export interface DetPagesOptions {
  pages: number;
  width: number;
  height: number;
  seed: number;
}

export interface DetPages {
  /** [N, 3, H, W] det input. */
  x: Float32Array;
  shape: [number, number, number, number];
  /** Per page: its lines' strings in reading order, joined by PAGE_LINE_SEPARATOR. */
  labels: string[];
  layouts: { lines: PlacedLine[] }[];
}

/** `pages` seeded pages of rendered Latin lines (renders in headless Chromium). */
export async function makeDetPages(options: DetPagesOptions): Promise<DetPages> {
  const missing = missingOcrFonts();
  if (missing.length > 0) throw new Error(`fonts for the OCR lines are not installed: ${missing.join(', ')} — run scripts/setup-system.sh`);
  // Enough lines for the pages: a 48-px row per line at most, two lines a row on wide pages.
  const perPage = Math.ceil(options.height / 40) * Math.max(1, Math.floor(options.width / 160));
  const texts = ocrLineStrings(options.pages * perPage * 2, options.seed);
  const browser = await launchChromium();
  let images: RgbaImage[];
  try {
    images = await renderTextLines(browser, texts, lineStyles(texts, options.seed));
  } finally {
    await browser.close();
  }
  const layouts = layoutPages(images, texts, options.width, options.height, options.pages);
  if (layouts.length < options.pages) throw new Error(`only ${layouts.length} pages of ${options.pages} could be filled`);
  const plane = 3 * options.width * options.height;
  const x = new Float32Array(options.pages * plane);
  layouts.forEach((l, i) => x.set(detInput(l.image), i * plane));
  return {
    x,
    shape: [options.pages, 3, options.height, options.width],
    labels: layouts.map((l) => l.lines.map((line) => line.text).join(PAGE_LINE_SEPARATOR)),
    layouts: layouts.map((l) => ({ lines: l.lines })),
  };
}
