// Data sets the benchmarks build in memory: stacked arrays as a Dataset, and PP-OCR det pages made of
// rendered text lines.
import type { Dataset } from '../accuracy/dataset.js';
import { Tensor } from '../compiler/ir/tensor.js';

/** A data set in memory from stacked arrays. */
export function memoryDataset(name: string, input: string, shape: number[], data: Float32Array, labels?: Int32Array | string[]): Dataset {
  const size = shape.reduce((a, b) => a * b, 1);
  return { dir: name, count: data.length / size, sample: (i) => ({ [input]: new Tensor('f32', shape, data.subarray(i * size, (i + 1) * size)) }), labels };
}

/** PP-OCR det's input: rendered lines stacked into a page, as det normalizes it ((x/255 − mean)/std, BGR). */
export function detPages(lines: Float32Array, count: number, side: number): Float32Array {
  const [h, w] = [48, 320];
  const mean = [0.406, 0.456, 0.485];
  const std = [0.225, 0.224, 0.229];
  const perPage = Math.floor(side / h);
  const pages = new Float32Array(count * 3 * side * side);
  for (let p = 0; p < count; p++) {
    for (let c = 0; c < 3; c++) {
      const plane = pages.subarray((p * 3 + c) * side * side, (p * 3 + c + 1) * side * side);
      plane.fill((1 - mean[c]) / std[c]);
      for (let l = 0; l < perPage; l++) {
        const line = ((p * perPage + l) % (lines.length / (3 * h * w)));
        for (let y = 0; y < h; y++) {
          for (let x = 0; x < Math.min(w, side); x++) {
            // rec's lines are (v/255 − 0.5)/0.5: back to v/255, then det's normalization.
            const v = lines[((line * 3 + c) * h + y) * w + x] * 0.5 + 0.5;
            plane[(l * h + y) * side + x] = (v - mean[c]) / std[c];
          }
        }
      }
    }
  }
  return pages;
}

