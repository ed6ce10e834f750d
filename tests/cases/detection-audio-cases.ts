// Cases both targets run against the reference interpreter for the ops of detection heads and audio front
// ends: top_k (selection with ties), roi_align, stft and mel_weight_matrix. Each graph runs once per feed set
// (inputs a set leaves out are random; an empty set: all random).
import { Tensor } from '../../compiler/ir/tensor.js';
import { buildGraph } from '../util/graphs.js';
import type { FedCase } from './op-cases.js';

const i64s = (v: number[]) => Tensor.fromArray('i64', [v.length], v);

/** Values drawn from {0, 1, 2}: every line has ties, which must keep ascending indices. */
const withTies = (shape: number[]) => Tensor.fromArray('f32', shape, Array.from({ length: shape.reduce((p, d) => p * d, 1) }, (_, e) => (e * 7) % 3));

export const DETECTION_AUDIO_CASES: Record<string, FedCase> = {
  'top_k largest and smallest along a middle and the last axis, K from 1 to the whole axis, ties by lower index, i32 values': {
    graph: () =>
      buildGraph({
        inputs: { x: { dtype: 'f32', shape: [2, 5, 3] }, n: { dtype: 'i32', shape: [4, 6] } },
        build: (b, { x, n }) => [
          ...b.emit('top_k', [x, b.constant(i64s([3]))], { axis: 1 }, 2),
          ...b.emit('top_k', [x, b.constant(i64s([2]))], { axis: -2, largest: 0 }, 2),
          ...b.emit('top_k', [x, b.constant(i64s([3]))], { axis: -1 }, 2),
          ...b.emit('top_k', [n, b.constant(i64s([1]))], { axis: 1, largest: 0 }, 2),
          ...b.emit('top_k', [n, b.constant(i64s([6]))], { axis: 1 }, 2),
        ],
      }),
    feeds: [{}, { x: withTies([2, 5, 3]) }],
  },
  'roi_align avg and max, half_pixel and output_half_pixel, fixed and adaptive sampling, rois reaching outside the image': {
    graph: () =>
      buildGraph({
        inputs: { x: { dtype: 'f32', shape: [2, 3, 9, 11] }, rois: { dtype: 'f32', shape: [4, 4] }, batch: { dtype: 'i64', shape: [4] } },
        build: (b, { x, rois, batch }) => [
          b.emit('roi_align', [x, rois, batch], { output_height: 3, output_width: 2, sampling_ratio: 2 })[0],
          b.emit('roi_align', [x, rois, batch], { output_height: 2, output_width: 4, coordinate_transformation_mode: 'output_half_pixel', spatial_scale: 0.5 })[0],
          b.emit('roi_align', [x, rois, batch], { mode: 'max', output_height: 3, output_width: 3, sampling_ratio: 2 })[0],
          b.emit('roi_align', [x, rois, batch], { mode: 'max', output_height: 2, output_width: 2, spatial_scale: 2 })[0],
        ],
      }),
    feeds: [{
      rois: Tensor.fromArray('f32', [4, 4], [0, 0, 10, 8, 2.5, 1.2, 6.3, 7.9, -3, -2, 4, 3, 7, 5, 14, 12]),
      batch: Tensor.fromArray('i64', [4], [0, 1, 1, 0]),
    }],
  },
  'stft of real and complex signals: a window given at run time or a frame_length, onesided or not, frames that leave a tail': {
    graph: () =>
      buildGraph({
        inputs: { r: { dtype: 'f32', shape: [2, 40, 1] }, c: { dtype: 'f32', shape: [1, 21, 2] }, w: { dtype: 'f32', shape: [8] } },
        build: (b, { r, c, w }) => [
          b.emit('stft', [r, b.constant(Tensor.scalar('i64', 6)), w])[0],
          b.emit('stft', [r, b.constant(Tensor.scalar('i64', 8)), null, b.constant(Tensor.scalar('i64', 7))], { onesided: 0 })[0],
          b.emit('stft', [c, b.constant(Tensor.scalar('i64', 4)), null, b.constant(Tensor.scalar('i64', 5))], { onesided: 0 })[0],
        ],
      }),
    feeds: [{}],
  },
  'mel_weight_matrix with the sample rate and edge frequencies given at run time': {
    graph: () =>
      buildGraph({
        inputs: { rate: { dtype: 'i32', shape: [] }, low: { dtype: 'f32', shape: [] }, high: { dtype: 'f32', shape: [] } },
        build: (b, { rate, low, high }) => [
          b.emit('mel_weight_matrix', [b.constant(Tensor.scalar('i32', 8)), b.constant(Tensor.scalar('i32', 16)), rate, low, high])[0],
          b.emit('mel_weight_matrix', [b.constant(Tensor.scalar('i32', 5)), b.constant(Tensor.scalar('i32', 64)), rate, low, high])[0],
        ],
      }),
    feeds: [
      { rate: Tensor.scalar('i32', 8192), low: Tensor.scalar('f32', 0), high: Tensor.scalar('f32', 4096) },
      { rate: Tensor.scalar('i32', 16000), low: Tensor.scalar('f32', 300), high: Tensor.scalar('f32', 6000) },
    ],
  },
};
