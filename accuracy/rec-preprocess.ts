// A text-line image made into PP-OCR rec's input, as PaddleOCR's TextRecognizer.resize_norm_img does it:
// resized to height 48 keeping the aspect ratio (width ⌈48·w/h⌉, at most W; wider lines are squeezed to W)
// with cv2.resize's bilinear interpolation, scaled to [−1, 1] by (x/255 − 0.5)/0.5, laid out CHW in the BGR
// channel order of a cv2-read image, and right-padded with zeros (after normalization, so the padding is
// mid-gray, not white) to the fixed width W.

export const REC_HEIGHT = 48;
export const REC_WIDTH = 320;

/** An 8-bit RGBA image, rows top to bottom (what a canvas's getImageData gives). */
export interface RgbaImage {
  width: number;
  height: number;
  data: Uint8Array | Uint8ClampedArray;
}

/**
 * cv2.resize(INTER_LINEAR) of an RGBA image: source coordinates at pixel centres, (d + 0.5)·scale − 0.5,
 * clamped to the edges, rounded back to 8 bits. (cv2 interpolates in 11-bit fixed point, so a value can
 * differ from cv2's by one step.)
 */
export function resizeBilinear(image: RgbaImage, width: number, height: number): RgbaImage {
  if (image.width <= 0 || image.height <= 0 || width <= 0 || height <= 0) throw new Error(`resizeBilinear: empty image (${image.width}×${image.height} → ${width}×${height})`);
  const out = new Uint8Array(width * height * 4);
  const xs = sampleTaps(image.width, width);
  const ys = sampleTaps(image.height, height);
  for (let y = 0; y < height; y++) {
    const { low: y0, high: y1, weight: wy } = ys[y];
    for (let x = 0; x < width; x++) {
      const { low: x0, high: x1, weight: wx } = xs[x];
      for (let c = 0; c < 4; c++) {
        const at = (row: number, col: number) => image.data[(row * image.width + col) * 4 + c];
        const top = at(y0, x0) * (1 - wx) + at(y0, x1) * wx;
        const bottom = at(y1, x0) * (1 - wx) + at(y1, x1) * wx;
        out[(y * width + x) * 4 + c] = Math.min(255, Math.max(0, Math.round(top * (1 - wy) + bottom * wy)));
      }
    }
  }
  return { width, height, data: out };
}

/** For each destination index, the two source indices and the weight of the second. */
function sampleTaps(source: number, destination: number): { low: number; high: number; weight: number }[] {
  const scale = source / destination;
  return Array.from({ length: destination }, (_, d) => {
    const f = (d + 0.5) * scale - 0.5;
    let low = Math.floor(f);
    let weight = f - low;
    if (low < 0) [low, weight] = [0, 0];
    if (low >= source - 1) [low, weight] = [source - 1, 0];
    return { low, high: Math.min(low + 1, source - 1), weight };
  });
}

/** The width a line is resized to before padding: ⌈H·w/h⌉, at most W. */
export function recResizedWidth(image: { width: number; height: number }, recWidth = REC_WIDTH): number {
  return Math.min(recWidth, Math.ceil(REC_HEIGHT * (image.width / image.height)));
}

/** [3, 48, W] f32 values (B, G, R planes) for one line; alpha is ignored (render on an opaque background). */
export function recInput(image: RgbaImage, recWidth = REC_WIDTH): Float32Array {
  const resizedWidth = recResizedWidth(image, recWidth);
  const resized = resizeBilinear(image, resizedWidth, REC_HEIGHT);
  const out = new Float32Array(3 * REC_HEIGHT * recWidth); // zeros: the padding
  const plane = REC_HEIGHT * recWidth;
  for (let y = 0; y < REC_HEIGHT; y++) {
    for (let x = 0; x < resizedWidth; x++) {
      const pixel = (y * resizedWidth + x) * 4;
      for (let c = 0; c < 3; c++) {
        const rgbChannel = 2 - c; // BGR: plane 0 is blue
        out[c * plane + y * recWidth + x] = (resized.data[pixel + rgbChannel] / 255 - 0.5) / 0.5;
      }
    }
  }
  return out;
}
