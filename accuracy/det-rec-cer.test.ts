import { Tensor } from '../compiler/ir/tensor.js';
import { detInput, layoutPages, pageImage } from './det-pages.js';
import { detRecCer, detRecCerAsync, memoizedRecognizer, pageLineCrops } from './det-rec-cer.js';
import { FIXTURE_KEYS as KEYS, grayLine, grayRecognizer as fakeRecognizer } from './det-rec-fixtures.js';
import { REC_HEIGHT, REC_WIDTH } from './rec-preprocess.js';

/** Det's output for a page: probability 0.9 on each line's box shrunk by DB's offset, 0 elsewhere. */
function detMap(width: number, height: number, lines: { x: number; y: number; width: number; height: number }[]): Tensor {
  const data = new Float32Array(width * height);
  for (const l of lines) {
    // Shrunk by the s that unclips back to the line's box: s = d of the shrunk box, d = w·h·1.5 / 2(w + h).
    const unclip = (s: number) => ((l.width - 2 * s) * (l.height - 2 * s) * 1.5) / (2 * (l.width + l.height - 4 * s));
    let shrink = 0;
    for (let s = 1; 2 * s < l.height; s++) if (Math.abs(s - unclip(s)) < Math.abs(shrink - unclip(shrink))) shrink = s;
    for (let y = l.y + shrink; y < l.y + l.height - shrink; y++) for (let x = l.x + shrink; x < l.x + l.width - shrink; x++) data[y * width + x] = 0.9;
  }
  return new Tensor('f32', [1, 1, height, width], data);
}

describe('det → rec CER', () => {
  const lines = [grayLine(120, 30, 0), grayLine(80, 30, 40), grayLine(100, 30, 80)];
  const [layout] = layoutPages(lines, ['ab', 'ca', 'bb'], 320, 160, 1);
  const page = new Tensor('f32', [1, 3, 160, 320], detInput(layout.image));
  const label = layout.lines.map((l) => l.text).join('\t');

  test('pages are laid out in reading order: rows of lines that fit, left to right', () => {
    expect(layout.lines.map((l) => [l.text, l.x, l.y])).toEqual([['ab', 8, 8], ['ca', 192, 8], ['bb', 8, 50]]);
    expect(label).toBe('ab\tca\tbb');
    // det's input gives the page's pixels back
    expect(pageImage(page).data).toEqual(layout.image.data);
  });

  test('every line found and read gives CER 0; a missed line costs its characters and a tab', () => {
    const found = detRecCer([page], [detMap(320, 160, layout.lines)], [label], KEYS, fakeRecognizer);
    expect(found.recognized).toEqual(['ab\tca\tbb']);
    expect(found.cer).toBe(0);
    expect(found.lines).toBe(3);
    const missed = detRecCer([page], [detMap(320, 160, layout.lines.slice(0, 2))], [label], KEYS, fakeRecognizer);
    expect(missed.recognized).toEqual(['ab\tca']);
    expect(missed.edits).toBe(3);
    expect(missed.cer).toBeCloseTo(3 / 8, 10);
  });

  test('the crops are rec inputs of 48 × W, cut at the unclipped boxes', () => {
    const { boxes, crops } = pageLineCrops(page, detMap(320, 160, layout.lines));
    expect(crops.map((c) => c.length)).toEqual([3, 3, 3].map((n) => n * REC_HEIGHT * REC_WIDTH));
    // The first line's box: within a pixel or two of where it was drawn.
    expect(Math.abs(boxes[0].x0 - 8)).toBeLessThanOrEqual(2);
    expect(Math.abs(boxes[0].y1 - 38)).toBeLessThanOrEqual(2);
  });

  test('the asynchronous form agrees; memoized rec runs once per distinct crop', async () => {
    let calls = 0;
    const counted = memoizedRecognizer((line) => {
      calls++;
      return fakeRecognizer(line);
    });
    const map = detMap(320, 160, layout.lines);
    detRecCer([page], [map], [label], KEYS, counted);
    detRecCer([page], [map], [label], KEYS, counted);
    expect(calls).toBe(3);
    const result = await detRecCerAsync([page], [map], [label], KEYS, async (line) => fakeRecognizer(line));
    expect(result.cer).toBe(0);
  });
});
