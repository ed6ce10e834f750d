// Text lines with known strings, rendered by headless Chromium's canvas and made into PP-OCR rec's input: the
// data set the recognizer's character error rate is measured on. Black text on white, each line in one of a
// fixed list of fonts (installed by scripts/setup-system.sh) at a seeded size and weight, cropped to the
// line with a margin as a text detector's box would be. The same seed, fonts and Chromium give the same pixels.
import { execFileSync } from 'node:child_process';
import { launchChromium, type Browser } from '../cli/browser.js';
import { seededRandom } from '../compiler/random.js';
import { hasChinese, ocrLineStrings } from './ocr-strings.js';
import { recInput, REC_HEIGHT, REC_WIDTH, type RgbaImage } from './rec-preprocess.js';

interface OcrFont {
  family: string;
  /** The Debian package that installs it (scripts/setup-system.sh). */
  package: string;
}

/** Font families of the Latin lines. */
export const OCR_FONTS: readonly OcrFont[] = [
  { family: 'DejaVu Sans', package: 'fonts-dejavu-core' },
  { family: 'DejaVu Serif', package: 'fonts-dejavu-core' },
  { family: 'Liberation Sans', package: 'fonts-liberation' },
  { family: 'Liberation Serif', package: 'fonts-liberation' },
  { family: 'Liberation Sans Narrow', package: 'fonts-liberation' },
  { family: 'Liberation Mono', package: 'fonts-liberation' },
];

/** Font families of the Chinese lines. */
export const OCR_CJK_FONTS: readonly OcrFont[] = [
  { family: 'Noto Sans CJK SC', package: 'fonts-noto-cjk' },
  { family: 'Noto Serif CJK SC', package: 'fonts-noto-cjk' },
];

export interface LineStyle {
  family: string;
  /** CSS pixels. */
  size: number;
  weight: 'normal' | 'bold';
}

export interface OcrLinesOptions {
  count: number;
  seed: number;
  /** The rec input's width W (320). */
  width?: number;
  /** One line in three in Chinese (ocrLineStrings), in a CJK font. */
  chinese?: boolean;
  /** A browser to render in; one is launched (and closed) otherwise. */
  browser?: Browser;
}

export interface OcrLines {
  /** The rec input, [N, 3, 48, W] f32. */
  x: Float32Array;
  shape: [number, number, number, number];
  labels: string[];
  styles: LineStyle[];
  /** Rendering and preprocessing time, ms. */
  renderMs: number;
}

/** The style of each line: a font of OCR_FONTS (OCR_CJK_FONTS for Chinese), 24 to 40 px, one in four bold. */
export function lineStyles(texts: readonly string[], seed: number): LineStyle[] {
  const rng = seededRandom(seed ^ 0x5f0c7e);
  const unit = () => (rng() + 1) / 2;
  return texts.map((text) => {
    const fonts = hasChinese(text) ? OCR_CJK_FONTS : OCR_FONTS;
    return {
      family: fonts[Math.min(fonts.length - 1, Math.floor(unit() * fonts.length))].family,
      size: 24 + Math.min(16, Math.floor(unit() * 17)),
      weight: unit() < 0.25 ? 'bold' : 'normal',
    };
  });
}

/**
 * Families of OCR_FONTS (and OCR_CJK_FONTS with `chinese`) that fontconfig does not know: Chromium would
 * silently fall back to another font.
 */
export function missingOcrFonts(options: { chinese?: boolean } = {}): string[] {
  const wanted = options.chinese ? [...OCR_FONTS, ...OCR_CJK_FONTS] : OCR_FONTS;
  let installed: Set<string>;
  try {
    const listed = execFileSync('fc-list', [':', 'family'], { encoding: 'utf8' });
    installed = new Set(listed.split('\n').flatMap((line) => line.split(',').map((f) => f.trim())));
  } catch {
    return wanted.map((f) => `${f.family} (no fc-list to check)`);
  }
  return wanted.filter((f) => !installed.has(f.family)).map((f) => `${f.family} (${f.package})`);
}

/** Renders each text in its style; returns the cropped RGBA image of each line. */
export async function renderTextLines(browser: Browser, texts: readonly string[], styles: readonly LineStyle[]): Promise<RgbaImage[]> {
  const page = await browser.newPage();
  try {
    const lines = texts.map((text, i) => ({ text, ...styles[i] }));
    const rendered = await page.evaluate(async (lines) => {
      const canvas = document.createElement('canvas');
      const context = canvas.getContext('2d', { willReadFrequently: true })!;
      const results: { width: number; height: number; rgba: string }[] = [];
      for (const { text, family, size, weight } of lines) {
        const font = `${weight} ${size}px "${family}"`;
        await document.fonts.load(font, text);
        context.font = font;
        const metrics = context.measureText(text);
        // A detector's box: the line's ink horizontally, the font's ascent and descent vertically, plus a margin.
        const marginX = Math.round(size * 0.3);
        const marginY = Math.round(size * 0.15);
        const inkLeft = Math.ceil(metrics.actualBoundingBoxLeft);
        const inkWidth = Math.ceil(metrics.actualBoundingBoxLeft + metrics.actualBoundingBoxRight);
        const ascent = Math.ceil(metrics.fontBoundingBoxAscent);
        canvas.width = inkWidth + 2 * marginX;
        canvas.height = ascent + Math.ceil(metrics.fontBoundingBoxDescent) + 2 * marginY;
        context.fillStyle = '#ffffff';
        context.fillRect(0, 0, canvas.width, canvas.height);
        context.font = font; // resizing a canvas resets its state
        context.fillStyle = '#000000';
        context.textBaseline = 'alphabetic';
        context.fillText(text, marginX + inkLeft, marginY + ascent);
        const pixels = context.getImageData(0, 0, canvas.width, canvas.height).data;
        let binary = '';
        for (let i = 0; i < pixels.length; i += 0x8000) binary += String.fromCharCode(...pixels.subarray(i, i + 0x8000));
        results.push({ width: canvas.width, height: canvas.height, rgba: btoa(binary) });
      }
      return results;
    }, lines);
    return rendered.map(({ width, height, rgba }) => ({ width, height, data: new Uint8Array(Buffer.from(rgba, 'base64')) }));
  } finally {
    await page.close();
  }
}

/** `count` seeded lines rendered and preprocessed for PP-OCR rec. */
export async function makeOcrLines(options: OcrLinesOptions): Promise<OcrLines> {
  const width = options.width ?? REC_WIDTH;
  const missing = missingOcrFonts(options);
  if (missing.length > 0) throw new Error(`fonts for the OCR lines are not installed: ${missing.join(', ')} — run scripts/setup-system.sh`);
  const labels = ocrLineStrings(options.count, options.seed, options);
  const styles = lineStyles(labels, options.seed);
  const browser = options.browser ?? (await launchChromium());
  try {
    const start = performance.now();
    const images = await renderTextLines(browser, labels, styles);
    const plane = 3 * REC_HEIGHT * width;
    const x = new Float32Array(options.count * plane);
    images.forEach((image, i) => x.set(recInput(image, width), i * plane));
    return { x, shape: [options.count, 3, REC_HEIGHT, width], labels, styles, renderMs: performance.now() - start };
  } finally {
    if (!options.browser) await browser.close();
  }
}
