// PP-OCR det's post-processing (PaddleOCR's DBPostProcess), for axis-aligned text: the probability map is
// thresholded at 0.3, each connected region of the bitmap (8-connected, as cv2.findContours traces it) gives a
// box, a box whose mean probability is under 0.6 is dropped, and the box is grown by DB's unclip: the shrunk
// text kernel the model predicts is offset outward by d = area · ratio / perimeter (ratio 1.5), which for a
// w × h rectangle is w·h·1.5 / (2(w + h)) on each side. Boxes are then put in reading order as PaddleOCR's
// sorted_boxes does: top to bottom, and left to right within 10 px of the same top.

/** A probability map, rows top to bottom. */
export interface ProbabilityMap {
  width: number;
  height: number;
  data: ArrayLike<number>;
}

/** A text box in page pixels: [x0, x1) × [y0, y1), integers, and the mean probability of its region. */
export interface TextBox {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
  score: number;
}

export interface DbOptions {
  /** Bitmap threshold on the probability (0.3). */
  threshold?: number;
  /** Least mean probability of a kept box (0.6). */
  boxThreshold?: number;
  /** DB's unclip ratio (1.5). */
  unclipRatio?: number;
  /** A region's shorter side must be at least this (3 px), and the grown box's at least this + 2 (PaddleOCR's min_size). */
  minSize?: number;
  /** At most this many regions are considered (1000). */
  maxCandidates?: number;
  /** The page the map's boxes are mapped to (the map's own size by default). */
  pageWidth?: number;
  pageHeight?: number;
}

/** The text boxes of a probability map, in reading order, in page coordinates. */
export function detectTextBoxes(map: ProbabilityMap, options: DbOptions = {}): TextBox[] {
  const threshold = options.threshold ?? 0.3;
  const boxThreshold = options.boxThreshold ?? 0.6;
  const unclipRatio = options.unclipRatio ?? 1.5;
  const minSize = options.minSize ?? 3;
  const pageWidth = options.pageWidth ?? map.width;
  const pageHeight = options.pageHeight ?? map.height;
  const { width, height, data } = map;
  if (data.length !== width * height) throw new Error(`detectTextBoxes: a ${width}×${height} map needs ${width * height} values, got ${data.length}`);
  const boxes: TextBox[] = [];
  for (const region of connectedRegions(map, threshold).slice(0, options.maxCandidates ?? 1000)) {
    const w = region.x1 - region.x0;
    const h = region.y1 - region.y0;
    if (Math.min(w, h) < minSize) continue;
    // box_score_fast: the mean probability over the region's box (its min-area rectangle, here the bounding one).
    let sum = 0;
    for (let y = region.y0; y < region.y1; y++) for (let x = region.x0; x < region.x1; x++) sum += data[y * width + x];
    const score = sum / (w * h);
    if (score < boxThreshold) continue;
    const d = (w * h * unclipRatio) / (2 * (w + h));
    if (Math.min(w, h) + 2 * d < minSize + 2) continue;
    // Map to the page as PaddleOCR does: scale, round, clip to the page.
    const toPageX = (x: number) => Math.min(pageWidth, Math.max(0, Math.round((x / width) * pageWidth)));
    const toPageY = (y: number) => Math.min(pageHeight, Math.max(0, Math.round((y / height) * pageHeight)));
    const box = { x0: toPageX(region.x0 - d), y0: toPageY(region.y0 - d), x1: toPageX(region.x1 + d), y1: toPageY(region.y1 + d), score };
    if (box.x1 > box.x0 && box.y1 > box.y0) boxes.push(box);
  }
  return readingOrder(boxes);
}

interface Region {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

/** Bounding boxes of the 8-connected regions of map > threshold, in raster order of their first pixel. */
export function connectedRegions(map: ProbabilityMap, threshold: number): Region[] {
  const { width, height, data } = map;
  const seen = new Uint8Array(width * height);
  const stack: number[] = [];
  const regions: Region[] = [];
  for (let start = 0; start < width * height; start++) {
    if (seen[start] || !(data[start] > threshold)) continue;
    const region = { x0: width, y0: height, x1: 0, y1: 0 };
    seen[start] = 1;
    stack.push(start);
    while (stack.length > 0) {
      const p = stack.pop()!;
      const x = p % width;
      const y = (p - x) / width;
      region.x0 = Math.min(region.x0, x);
      region.x1 = Math.max(region.x1, x + 1);
      region.y0 = Math.min(region.y0, y);
      region.y1 = Math.max(region.y1, y + 1);
      for (let dy = -1; dy <= 1; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          const nx = x + dx;
          const ny = y + dy;
          if (nx < 0 || ny < 0 || nx >= width || ny >= height) continue;
          const q = ny * width + nx;
          if (!seen[q] && data[q] > threshold) {
            seen[q] = 1;
            stack.push(q);
          }
        }
      }
    }
    regions.push(region);
  }
  return regions;
}

/** PaddleOCR's sorted_boxes: by top then left, then neighbours within 10 px of the same top swapped into left-to-right order. */
export function readingOrder(boxes: readonly TextBox[]): TextBox[] {
  const sorted = [...boxes].sort((a, b) => a.y0 - b.y0 || a.x0 - b.x0);
  for (let i = 0; i < sorted.length - 1; i++) {
    for (let j = i; j >= 0; j--) {
      if (Math.abs(sorted[j + 1].y0 - sorted[j].y0) < 10 && sorted[j + 1].x0 < sorted[j].x0) [sorted[j], sorted[j + 1]] = [sorted[j + 1], sorted[j]];
      else break;
    }
  }
  return sorted;
}
