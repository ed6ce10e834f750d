// One graph both targets run against the reference interpreter for the ops of detection heads and audio front
// ends: top_k (selection with ties), roi_align, stft and mel_weight_matrix. One graph, so that the test pays
// for one wasm module: each op's variants are its outputs, and its data operands are inputs fed below.
import type { Graph } from '../../compiler/ir/graph.js';
import { Tensor } from '../../compiler/ir/tensor.js';
import { buildGraph } from '../util/graphs.js';

const i64s = (v: number[]) => Tensor.fromArray('i64', [v.length], v);
const i64 = (v: number) => Tensor.scalar('i64', v);
const i32 = (v: number) => Tensor.scalar('i32', v);

/** Values drawn from {0, 1, 2}: every line has ties, which must keep ascending indices. */
const withTies = (shape: number[]) => Tensor.fromArray('f32', shape, Array.from({ length: shape.reduce((p, d) => p * d, 1) }, (_, e) => (e * 7) % 3));

export function detectionAudioGraph(): Graph {
  return buildGraph({
    inputs: {
      x: { dtype: 'f32', shape: [2, 5, 3] }, ties: { dtype: 'f32', shape: [2, 5, 3] }, n: { dtype: 'i32', shape: [4, 6] },
      image: { dtype: 'f32', shape: [2, 3, 9, 11] }, rois: { dtype: 'f32', shape: [4, 4] }, batch: { dtype: 'i64', shape: [4] },
      r: { dtype: 'f32', shape: [2, 40, 1] }, c: { dtype: 'f32', shape: [1, 21, 2] }, w: { dtype: 'f32', shape: [8] },
      rate: { dtype: 'i32', shape: [] }, low: { dtype: 'f32', shape: [] }, high: { dtype: 'f32', shape: [] },
      rate2: { dtype: 'i32', shape: [] }, low2: { dtype: 'f32', shape: [] }, high2: { dtype: 'f32', shape: [] },
    },
    build: (b, v) => [
      // top_k: largest and smallest, a middle and the last axis, K from 1 to the whole axis, i32 values.
      ...b.emit('top_k', [v.x, b.constant(i64s([3]))], { axis: 1 }, 2),
      ...b.emit('top_k', [v.ties, b.constant(i64s([3]))], { axis: 1 }, 2),
      ...b.emit('top_k', [v.ties, b.constant(i64s([2]))], { axis: -2, largest: 0 }, 2),
      ...b.emit('top_k', [v.ties, b.constant(i64s([3]))], { axis: -1 }, 2),
      ...b.emit('top_k', [v.n, b.constant(i64s([1]))], { axis: 1, largest: 0 }, 2),
      ...b.emit('top_k', [v.n, b.constant(i64s([6]))], { axis: 1 }, 2),
      // roi_align: avg and max, both coordinate modes, fixed and adaptive sampling, rois reaching outside.
      b.emit('roi_align', [v.image, v.rois, v.batch], { output_height: 3, output_width: 2, sampling_ratio: 2 })[0],
      b.emit('roi_align', [v.image, v.rois, v.batch], { output_height: 2, output_width: 4, coordinate_transformation_mode: 'output_half_pixel', spatial_scale: 0.5 })[0],
      b.emit('roi_align', [v.image, v.rois, v.batch], { mode: 'max', output_height: 3, output_width: 3, sampling_ratio: 2 })[0],
      b.emit('roi_align', [v.image, v.rois, v.batch], { mode: 'max', output_height: 2, output_width: 2, spatial_scale: 2 })[0],
      // stft: a run-time window or a frame_length, onesided or not, real and complex, frames leaving a tail.
      b.emit('stft', [v.r, b.constant(i64(6)), v.w])[0],
      b.emit('stft', [v.r, b.constant(i64(8)), null, b.constant(i64(7))], { onesided: 0 })[0],
      b.emit('stft', [v.c, b.constant(i64(4)), null, b.constant(i64(5))], { onesided: 0 })[0],
      // mel_weight_matrix: sample rate and edge frequencies at run time.
      b.emit('mel_weight_matrix', [b.constant(i32(8)), b.constant(i32(16)), v.rate, v.low, v.high])[0],
      b.emit('mel_weight_matrix', [b.constant(i32(5)), b.constant(i32(64)), v.rate2, v.low2, v.high2])[0],
    ],
  });
}

/** The inputs that are not random: tied values, rois and their images, sample rates and edges. */
export const DETECTION_AUDIO_FEEDS: Record<string, Tensor> = {
  ties: withTies([2, 5, 3]),
  rois: Tensor.fromArray('f32', [4, 4], [0, 0, 10, 8, 2.5, 1.2, 6.3, 7.9, -3, -2, 4, 3, 7, 5, 14, 12]),
  batch: Tensor.fromArray('i64', [4], [0, 1, 1, 0]),
  rate: i32(8192), low: Tensor.scalar('f32', 0), high: Tensor.scalar('f32', 4096),
  rate2: i32(16000), low2: Tensor.scalar('f32', 300), high2: Tensor.scalar('f32', 6000),
};
