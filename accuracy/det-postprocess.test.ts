import { connectedRegions, detectTextBoxes, readingOrder, type ProbabilityMap } from './det-postprocess.js';

/** A width × height map of `background` with rectangles [x0, x1) × [y0, y1) at their probability. */
function mapWith(width: number, height: number, rects: { x0: number; y0: number; x1: number; y1: number; p: number }[], background = 0.01): ProbabilityMap {
  const data = new Float32Array(width * height).fill(background);
  for (const r of rects) for (let y = r.y0; y < r.y1; y++) for (let x = r.x0; x < r.x1; x++) data[y * width + x] = r.p;
  return { width, height, data };
}

describe('DB post-processing', () => {
  test('a confident region becomes a box grown by area · 1.5 / perimeter on each side', () => {
    // 40 × 10: d = 400 · 1.5 / 100 = 6.
    const boxes = detectTextBoxes(mapWith(80, 40, [{ x0: 20, y0: 15, x1: 60, y1: 25, p: 0.9 }]));
    expect(boxes).toHaveLength(1);
    expect(boxes[0]).toMatchObject({ x0: 14, y0: 9, x1: 66, y1: 31 });
    expect(boxes[0].score).toBeCloseTo(0.9, 5);
  });

  test('regions under the bitmap threshold, with a low mean, or thinner than 3 px are dropped', () => {
    const boxes = detectTextBoxes(
      mapWith(100, 60, [
        { x0: 5, y0: 5, x1: 40, y1: 15, p: 0.29 }, // under 0.3: not in the bitmap
        { x0: 50, y0: 5, x1: 90, y1: 15, p: 0.5 }, // in the bitmap, mean 0.5 < 0.6
        { x0: 5, y0: 30, x1: 40, y1: 32, p: 0.95 }, // 2 px tall
        { x0: 50, y0: 30, x1: 90, y1: 40, p: 0.8 },
      ]),
    );
    expect(boxes.map((b) => [b.x0, b.y0])).toEqual([[44, 24]]);
  });

  test('diagonal neighbours join a region (8-connectivity); a gap splits it', () => {
    const joined = mapWith(10, 10, [{ x0: 1, y0: 1, x1: 3, y1: 3, p: 1 }, { x0: 3, y0: 3, x1: 5, y1: 5, p: 1 }]);
    expect(connectedRegions(joined, 0.3)).toEqual([{ x0: 1, y0: 1, x1: 5, y1: 5 }]);
    const apart = mapWith(10, 10, [{ x0: 1, y0: 1, x1: 3, y1: 3, p: 1 }, { x0: 4, y0: 1, x1: 6, y1: 3, p: 1 }]);
    expect(connectedRegions(apart, 0.3)).toHaveLength(2);
  });

  test('boxes are mapped to the page size and clipped to it', () => {
    // The map is half the page's size: coordinates double; the grown box runs past the left edge.
    const boxes = detectTextBoxes(mapWith(40, 20, [{ x0: 0, y0: 5, x1: 20, y1: 10, p: 0.9 }]), { pageWidth: 80, pageHeight: 40 });
    // d = 100 · 1.5 / 50 = 3
    expect(boxes[0]).toMatchObject({ x0: 0, y0: 4, x1: 46, y1: 26 });
  });

  test('reading order: top to bottom, left to right within 10 px of the same top', () => {
    const box = (x0: number, y0: number) => ({ x0, y0, x1: x0 + 10, y1: y0 + 10, score: 1 });
    expect(readingOrder([box(50, 100), box(0, 104), box(20, 0), box(0, 50)])).toEqual([box(20, 0), box(0, 50), box(0, 104), box(50, 100)]);
  });

  test('a map of the wrong size is refused', () => {
    expect(() => detectTextBoxes({ width: 4, height: 4, data: new Float32Array(15) })).toThrow('needs 16 values');
  });
});
