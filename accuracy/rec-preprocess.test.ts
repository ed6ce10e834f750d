import { recInput, recResizedWidth, resizeBilinear, REC_HEIGHT, type RgbaImage } from './rec-preprocess.js';

function image(width: number, height: number, pixel: (x: number, y: number) => [number, number, number]): RgbaImage {
  const data = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data.set([...pixel(x, y), 255], (y * width + x) * 4);
  return { width, height, data };
}

describe('resizeBilinear', () => {
  test('a 2×1 ramp doubled to 4×1, as cv2.resize(INTER_LINEAR) gives it', () => {
    // cv2.resize(np.array([[0, 100]], np.uint8), (4, 1)) == [[0, 25, 75, 100]]
    const out = resizeBilinear(image(2, 1, (x) => [x * 100, 0, 0]), 4, 1);
    expect(Array.from({ length: 4 }, (_, x) => out.data[x * 4])).toEqual([0, 25, 75, 100]);
  });

  test('halving averages pixel pairs (the sample falls between them)', () => {
    // cv2.resize(np.array([[0, 100, 200, 40]], np.uint8), (2, 1)) == [[50, 120]]
    const values = [0, 100, 200, 40];
    const out = resizeBilinear(image(4, 1, (x) => [values[x], 0, 0]), 2, 1);
    expect([out.data[0], out.data[4]]).toEqual([50, 120]);
  });

  test('the same size is the identity', () => {
    const source = image(5, 3, (x, y) => [x * 40, y * 80, 7]);
    expect(resizeBilinear(source, 5, 3).data).toEqual(source.data);
  });
});

describe('recInput', () => {
  test('resized width keeps the aspect ratio (rounded up) and is capped at W', () => {
    expect(recResizedWidth({ width: 100, height: 48 })).toBe(100);
    expect(recResizedWidth({ width: 101, height: 96 })).toBe(51); // ⌈50.5⌉
    expect(recResizedWidth({ width: 1000, height: 48 })).toBe(320);
    expect(recResizedWidth({ width: 1000, height: 48 }, 160)).toBe(160);
  });

  test('normalizes to [−1, 1], BGR planes, zero padding on the right', () => {
    // A 24×48 image, pure red left half and white right half: resized width 24, then 296 columns of padding.
    const x = recInput(image(24, 48, (col) => (col < 12 ? [255, 0, 0] : [255, 255, 255])));
    const plane = REC_HEIGHT * 320;
    expect(x).toHaveLength(3 * plane);
    const at = (c: number, row: number, col: number) => x[c * plane + row * 320 + col];
    expect([at(0, 10, 0), at(1, 10, 0), at(2, 10, 0)]).toEqual([-1, -1, 1]); // red: B −1, G −1, R 1
    expect([at(0, 47, 20), at(1, 47, 20), at(2, 47, 20)]).toEqual([1, 1, 1]); // white
    expect([at(0, 0, 24), at(1, 20, 100), at(2, 47, 319)]).toEqual([0, 0, 0]); // padding
  });
});
