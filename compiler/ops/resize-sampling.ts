// Where resize samples its input along one axis: per output coordinate, the input indices (clamped to the
// edge) and their weights, or null where tf_crop_and_resize extrapolates. The reference interpreter applies
// these taps; codegen/resize-tables.ts turns them into the kernels' compile-time tables, so that both read
// one definition of ONNX's coordinate transforms and filters.
import { DlcError } from '../errors.js';
import type { Attrs } from '../ir/graph.js';
import { attrFloat, attrInt, attrString } from './util.js';

/** Where output coordinate `o` of an axis samples the input (ONNX's coordinate_transformation_mode). */
export function sourceCoordinate(mode: string, o: number, inLen: number, outLen: number, scale: number, roiStart: number, roiEnd: number): number {
  // As in ONNX's reference, the resized length in these formulas is scale · in, not the rounded output size.
  const resized = scale * inLen;
  switch (mode) {
    case 'half_pixel': return (o + 0.5) / scale - 0.5;
    case 'half_pixel_symmetric': {
      const adjustment = outLen / resized;
      const center = inLen / 2;
      return center * (1 - adjustment) + (o + 0.5) / scale - 0.5;
    }
    case 'pytorch_half_pixel': return resized === 1 ? -0.5 : (o + 0.5) / scale - 0.5;
    case 'align_corners': return resized === 1 ? 0 : (o * (inLen - 1)) / (resized - 1);
    case 'asymmetric': return o / scale;
    case 'tf_half_pixel_for_nn': return (o + 0.5) / scale;
    case 'tf_crop_and_resize': {
      const x = outLen === 1 ? ((roiEnd - roiStart) * (inLen - 1)) / 2 : (o * (roiEnd - roiStart) * (inLen - 1)) / (resized - 1);
      return x + roiStart * (inLen - 1);
    }
    default: throw new DlcError(`unknown coordinate_transformation_mode '${mode}'`);
  }
}

/** The cubic convolution kernel with parameter A (Keys), at distance x. */
export function cubicKernel(x: number, a: number): number {
  const t = Math.abs(x);
  if (t <= 1) return ((a + 2) * t - (a + 3)) * t * t + 1;
  if (t < 2) return ((a * t - 5 * a) * t + 8 * a) * t - 4 * a;
  return 0;
}

interface Taps {
  /** Offset of the first tap from the left neighbour. */
  start: number;
  weights: number[];
}

/**
 * Filter taps around the left neighbour at fractional distance `ratio` ∈ (0, 1]. Antialiasing widens
 * linear and cubic filters by 1/scale when downsampling.
 */
function tapsFor(mode: string, ratio: number, scale: number, attrs: Attrs): Taps {
  const antialias = attrInt(attrs, 'antialias') !== 0 && scale < 1;
  const s = antialias ? scale : 1;
  if (mode === 'nearest') {
    const nm = attrString(attrs, 'nearest_mode');
    const right = ratio === 1 || nm === 'ceil' || (nm === 'round_prefer_floor' && ratio > 0.5) || (nm === 'round_prefer_ceil' && ratio >= 0.5);
    return { start: 0, weights: right ? [0, 1] : [1, 0] };
  }
  if (mode === 'linear') {
    const start = Math.floor(-1 / s) + 1;
    const weights: number[] = [];
    for (let i = start; i < 2 - start; i++) weights.push(Math.max(0, 1 - Math.abs((i - ratio) * s)));
    return { start, weights };
  }
  const a = attrFloat(attrs, 'cubic_coeff_a');
  const start = Math.floor(-2 / s) + 1;
  const weights: number[] = [];
  for (let i = start; i < 2 - start; i++) weights.push(cubicKernel((i - ratio) * s, a));
  return { start, weights };
}

export interface SampleTaps {
  /** Input indices, clamped into [0, inLen). */
  idx: number[];
  weights: number[];
}

/**
 * The taps of every output coordinate of one axis resized from `inLen` to `outLen` (null: extrapolate). Every
 * coordinate of an axis has the same number of taps.
 */
export function axisSampling(attrs: Attrs, inLen: number, outLen: number, scale: number, roiStart: number, roiEnd: number): (SampleTaps | null)[] {
  const mode = attrString(attrs, 'mode');
  const ctm = attrString(attrs, 'coordinate_transformation_mode');
  const excludeOutside = attrInt(attrs, 'exclude_outside') !== 0;
  // Antialiased and exclude_outside filters are renormalized to sum to one.
  const renormalize = mode !== 'nearest' && (excludeOutside || (attrInt(attrs, 'antialias') !== 0 && scale < 1));
  const table: (SampleTaps | null)[] = [];
  for (let o = 0; o < outLen; o++) {
    const x = sourceCoordinate(ctm, o, inLen, outLen, scale, roiStart, roiEnd);
    if (ctm === 'tf_crop_and_resize' && (x < 0 || x > inLen - 1)) {
      table.push(null);
      continue;
    }
    // As ONNX's reference: the left neighbour and the distance to it in (0, 1].
    const left = Number.isInteger(x) ? x - 1 : Math.floor(x);
    const taps = tapsFor(mode, x - left, scale, attrs);
    const idx: number[] = [];
    const weights: number[] = [];
    let sum = 0;
    taps.weights.forEach((wt, t) => {
      const i = left + taps.start + t;
      const weight = excludeOutside && (i < 0 || i >= inLen) ? 0 : wt;
      idx.push(Math.min(inLen - 1, Math.max(0, i)));
      weights.push(weight);
      sum += weight;
    });
    table.push({ idx, weights: renormalize && sum !== 0 ? weights.map((v) => v / sum) : weights });
  }
  return table;
}
