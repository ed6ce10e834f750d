// Kernel cases every target runs (tests/targets/kernel-cases.test.ts): reductions, element-wise, movement and
// resize and grid_sample graphs each target must compute as the reference interpreter does. What only one target has stays in
// that target's test file (codegen/{wasm,wgsl}/kernels/*.test.ts).
import type { Graph } from '../../compiler/ir/graph.js';
import { Tensor } from '../../compiler/ir/tensor.js';
import { buildGraph, randomTensor } from '../util/graphs.js';

const f32 = (...shape: number[]) => ({ dtype: 'f32' as const, shape });
const i64 = (...v: number[]) => Tensor.fromArray('i64', [v.length], v);
const axes = i64;
const scales = (...v: number[]) => Tensor.fromArray('f32', [v.length], v);

export const KERNEL_CASES: Record<'reduce' | 'elementwise' | 'movement' | 'resize' | 'gridSample', Record<string, () => Graph>> = {
  reduce: {
    'contiguous softmax and log_softmax over a wide range of logits': () =>
      buildGraph({
        inputs: { x: f32(3, 2, 37) },
        build: (b, { x }) => {
          const wide = b.emit('mul', [x, b.constant(Tensor.scalar('f32', 40))])[0];
          return [b.emit('softmax', [wide])[0], b.emit('log_softmax', [wide])[0], b.emit('softmax', [x], { axis: 1, coerce_2d: 1 })[0]];
        },
      }),
    'batch normalization (inference)': () => {
      const c = (seed: number, shift = 0) => Tensor.fromArray('f32', [4], Array.from(randomTensor('f32', [4], seed).data, (v) => v + shift));
      return buildGraph({
        inputs: { x: f32(2, 4, 3, 5) },
        build: (b, { x }) => b.emit('batch_normalization', [x, b.constant(c(1)), b.constant(c(2)), b.constant(c(3)), b.constant(c(4, 2))], { epsilon: 1e-3 }, 1),
      });
    },
    'reductions over any axes, with and without keepdims': () =>
      buildGraph({
        inputs: { x: f32(3, 5, 7) },
        build: (b, { x }) => [
          b.emit('reduce_mean', [x, b.constant(axes(-1))])[0],
          b.emit('reduce_sum', [x, b.constant(axes(0, 2))], { keepdims: 0 })[0],
          b.emit('reduce_max', [x, b.constant(axes(1))])[0],
          b.emit('reduce_min', [x])[0],
          b.emit('reduce_l2', [x, b.constant(axes(2, 0))])[0],
          b.emit('reduce_sum_square', [x, b.constant(axes(1))], { keepdims: 0 })[0],
          b.emit('reduce_log_sum_exp', [x, b.constant(axes(2))])[0],
          b.emit('reduce_prod', [x, b.constant(axes(0))])[0],
          b.emit('arg_max', [x], { axis: 1 })[0],
          b.emit('arg_min', [x], { axis: -1, keepdims: 0 })[0],
          b.emit('arg_max', [b.emit('floor', [b.emit('mul', [x, b.constant(Tensor.scalar('f32', 2))])[0]])[0]], { axis: 0, select_last_index: 1 })[0],
        ],
      }),
    'reductions of f64 input': () =>
      buildGraph({
        inputs: { x: { dtype: 'f64', shape: [3, 4, 5] } },
        build: (b, { x }) => [
          b.emit('reduce_log_sum_exp', [x, b.constant(axes(1))])[0],
          b.emit('reduce_log_sum_exp', [x], { keepdims: 0 })[0],
          b.emit('reduce_mean', [x, b.constant(axes(0, -1))])[0],
          b.emit('reduce_max', [x, b.constant(axes(2))], { keepdims: 0 })[0],
        ],
      }),
    'softmax and log_softmax along inner and outer axes, coerced to 2-D': () =>
      buildGraph({
        inputs: { x: f32(2, 3, 5, 7) },
        build: (b, { x }) => [
          b.emit('softmax', [x])[0],
          b.emit('softmax', [x], { axis: 1 })[0],
          b.emit('log_softmax', [x], { axis: 2 })[0],
          b.emit('softmax', [x], { axis: 1, coerce_2d: 1 })[0],
          b.emit('hardmax', [x], { axis: 2 })[0],
        ],
      }),
    'layer normalization over the last axes, broadcast scale and bias, statistics outputs': () =>
      buildGraph({
        inputs: { x: f32(3, 4, 6) },
        build: (b, { x }) => [
          b.emit('layer_normalization', [x, b.constant(randomTensor('f32', [6], 1)), b.constant(randomTensor('f32', [6], 2))], {}, 1)[0],
          ...b.emit('layer_normalization', [x, b.constant(randomTensor('f32', [4, 1], 3))], { axis: 1, epsilon: 1e-3 }),
        ],
      }),
    'instance normalization': () =>
      buildGraph({
        inputs: { x: f32(2, 3, 4, 5) },
        build: (b, { x }) => b.emit('instance_normalization', [x, b.constant(randomTensor('f32', [3], 1)), b.constant(randomTensor('f32', [3], 2))], { epsilon: 1e-3 }),
      }),
  },
  elementwise: {
    'float ops with numpy broadcasting over odd shapes': () =>
      buildGraph({
        inputs: { a: f32(2, 3, 5, 7), b: f32(3, 1, 7), c: f32(7), s: f32() },
        build: (b, { a, b: bb, c, s }) => {
          const un = ['relu', 'sigmoid', 'tanh', 'exp', 'erf', 'hard_swish', 'abs', 'neg', 'floor', 'softplus', 'gelu', 'round'];
          const outs = un.map((op) => b.emit(op, [a])[0]);
          outs.push(b.emit('hard_sigmoid', [a], { alpha: 0.3, beta: 0.4 })[0]);
          outs.push(b.emit('leaky_relu', [a], { alpha: 0.1 })[0]);
          outs.push(b.emit('add', [a, bb])[0], b.emit('mul', [bb, a])[0], b.emit('sub', [c, a])[0], b.emit('div', [a, s])[0]);
          outs.push(b.emit('max', [a, bb, c])[0], b.emit('sum', [a, c])[0]);
          const lo = b.constant(Tensor.scalar('f32', -0.25));
          const hi = b.constant(Tensor.scalar('f32', 0.5));
          outs.push(b.emit('clip', [a, lo, hi])[0], b.emit('clip', [a, null, hi])[0]);
          outs.push(b.emit('pow', [b.emit('abs', [a])[0], b.constant(Tensor.scalar('f32', 2))])[0]);
          outs.push(b.emit('sqrt', [b.emit('abs', [bb])[0]])[0]);
          const cond = b.emit('greater', [a, bb])[0];
          outs.push(cond, b.emit('where', [cond, a, c])[0]);
          return outs;
        },
      }),
    'integer and bool ops wrap and divide like C; casts': () =>
      buildGraph({
        inputs: { i: { dtype: 'i64', shape: [4, 6] }, j: { dtype: 'i64', shape: [6] }, n: { dtype: 'i32', shape: [4, 6] }, x: f32(4, 6), p: { dtype: 'bool', shape: [4, 6] } },
        build: (b, { i, j, n, x, p }) => [
          b.emit('add', [i, j])[0],
          b.emit('mul', [i, j])[0],
          b.emit('div', [n, b.emit('cast', [j], { to: 'i32' })[0]])[0],
          b.emit('cast', [x], { to: 'i32' })[0],
          b.emit('cast', [i], { to: 'f32' })[0],
          b.emit('cast', [x], { to: 'bool' })[0],
          b.emit('equal', [i, j])[0],
          b.emit('and', [p, b.emit('less', [i, j])[0]])[0],
          b.emit('not', [p])[0],
          b.emit('where', [p, i, j])[0],
          b.emit('mod', [n, b.emit('cast', [j], { to: 'i32' })[0]])[0],
          b.emit('mod', [i, j], { fmod: 1 })[0],
        ],
      }),
    'integer powers wrap as repeated multiplication; negative and fractional exponents truncate the float power': () =>
      buildGraph({
        inputs: {},
        build: (b) => {
          const ints = (dtype: 'i32' | 'i64' | 'u8', v: number[]) => b.constant(Tensor.fromArray(dtype, [v.length], v));
          return [
            b.emit('pow', [ints('i32', [2, 3, -2, 3, 7, 0]), ints('i32', [10, 21, 3, 0, 1, 5])])[0],
            b.emit('pow', [ints('i64', [2, 3, -2, 4, 2, 5]), b.constant(Tensor.fromArray('f32', [6], [0.5, 2, 3, -1, 3.5, 1]))])[0],
            b.emit('pow', [ints('u8', [2, 3, 16, 1]), ints('i64', [7, 5, 2, 9])])[0],
          ];
        },
      }),
    'f16: casts from and to f32, f64 and integers, max, min and mod, a chain of f16 nodes': () =>
      buildGraph({
        inputs: { h: { dtype: 'f16', shape: [3, 5] }, g: { dtype: 'f16', shape: [5] }, x: f32(3, 5), d: { dtype: 'f64', shape: [3, 5] }, n: { dtype: 'i32', shape: [5] } },
        build: (b, { h, g, x, d, n }) => [
          b.emit('cast', [h], { to: 'f32' })[0],
          b.emit('cast', [h], { to: 'f64' })[0],
          b.emit('cast', [b.emit('mul', [h, b.constant(Tensor.scalar('f16', 9))])[0]], { to: 'i32' })[0],
          b.emit('cast', [b.emit('mul', [x, b.constant(Tensor.scalar('f32', 3000))])[0]], { to: 'f16' })[0],
          b.emit('cast', [d], { to: 'f16' })[0],
          b.emit('cast', [n], { to: 'f16' })[0],
          b.emit('max', [h, g])[0],
          b.emit('min', [h, g, b.emit('cast', [x], { to: 'f16' })[0]])[0],
          b.emit('mod', [h, g], { fmod: 1 })[0],
          b.emit('mod', [h, g])[0],
          b.emit('mul', [b.emit('add', [h, g])[0], h])[0],
        ],
      }),
    'bf16: casts from and to f32, f64 and integers, truncating, and a bf16 input passed through': () =>
      buildGraph({
        inputs: { h: { dtype: 'bf16', shape: [3, 5] }, x: f32(3, 5), d: { dtype: 'f64', shape: [3, 5] }, n: { dtype: 'i32', shape: [5] } },
        build: (b, { h, x, d, n }) => [
          b.emit('cast', [h], { to: 'f32' })[0],
          b.emit('cast', [h], { to: 'f64' })[0],
          b.emit('cast', [b.emit('mul', [b.emit('cast', [h], { to: 'f32' })[0], b.constant(Tensor.scalar('f32', 9))])[0]], { to: 'i32' })[0],
          b.emit('cast', [b.emit('mul', [x, b.constant(Tensor.scalar('f32', 3000.7))])[0]], { to: 'bf16' })[0],
          b.emit('cast', [d], { to: 'bf16' })[0],
          b.emit('cast', [n], { to: 'bf16' })[0],
          b.emit('cast', [b.emit('div', [x, b.constant(Tensor.scalar('f32', 0))])[0]], { to: 'bf16' })[0],
          b.emit('identity', [h])[0],
        ],
      }),
    'fused element-wise chains compute what their nodes compute, broadcast operands included': () =>
      buildGraph({
        inputs: { x: f32(2, 4, 5), s: f32(4, 1) },
        build: (b, { x, s }) => {
          // hard-swish spelled out: x · clip(x + 3, 0, 6) / 6, then a broadcast scale; the sum is also an output.
          const c = (v: number) => b.constant(Tensor.scalar('f32', v));
          const t = b.emit('add', [x, c(3)])[0];
          const hs = b.emit('div', [b.emit('mul', [x, b.emit('clip', [t, c(0), c(6)])[0]])[0], c(6)])[0];
          const y = b.emit('sigmoid', [b.emit('mul', [hs, s])[0]])[0];
          return [y, t];
        },
      }),
  },
  movement: {
    'data-movement kernels match the interpreter': () =>
      buildGraph({
        inputs: { x: f32(2, 3, 4, 5), y: f32(2, 2, 4, 5), z: f32(1, 8, 4, 6), idx: { dtype: 'i64', shape: [2, 2] } },
        build: (b, { x, y, z, idx }) => {
          const r = b.emit('reshape', [x, b.constant(i64(6, 20))])[0];
          return [
            b.emit('relu', [r])[0],
            b.emit('flatten', [x], { axis: 2 })[0],
            b.emit('unsqueeze', [x, b.constant(i64(0))])[0],
            b.emit('transpose', [x], { perm: [0, 2, 3, 1] })[0],
            b.emit('transpose', [x])[0],
            b.emit('concat', [x, y], { axis: 1 })[0],
            b.emit('concat', [x, x], { axis: -1 })[0],
            ...b.emit('split', [x, b.constant(i64(1, 3))], { axis: 2 }),
            b.emit('slice', [x, b.constant(i64(1, -1)), b.constant(i64(3, 0)), b.constant(i64(2, 3)), b.constant(i64(1, -2))])[0],
            b.emit('gather', [x, idx], { axis: 2 })[0],
            b.emit('pad', [x, b.constant(i64(0, 1, 2, -1, 0, 0, 1, 2)), b.constant(Tensor.scalar('f32', 0.5))])[0],
            b.emit('expand', [y, b.constant(i64(3, 2, 2, 4, 5))])[0],
            b.emit('shape', [x], { start: 1, end: -1 })[0],
            b.emit('size', [y])[0],
            b.emit('gather_elements', [x, b.emit('cast', [b.emit('floor', [b.emit('mul', [x, b.constant(Tensor.scalar('f32', 3))])[0]])[0]], { to: 'i64' })[0]], { axis: 1 })[0],
            b.emit('trilu', [x, b.constant(Tensor.scalar('i64', 1))])[0],
            b.emit('trilu', [x], { upper: 0 })[0],
            b.emit('depth_to_space', [z], { blocksize: 2 })[0],
            b.emit('depth_to_space', [z], { blocksize: 2, mode: 'CRD' })[0],
            b.emit('space_to_depth', [z], { blocksize: 2 })[0],
            b.emit('cum_sum', [x, b.constant(Tensor.scalar('i64', 2))])[0],
            b.emit('cum_sum', [x, b.constant(Tensor.scalar('i64', -1))], { exclusive: 1, reverse: 1 })[0],
          ];
        },
      }),
    'pad edge, reflect and cropping, reversed slice': () =>
      buildGraph({
        inputs: { x: f32(2, 3, 4) },
        build: (b, { x }) => [
          b.emit('pad', [x, b.constant(i64(0, 1, 2, 0, 2, 3))], { mode: 'edge' })[0],
          b.emit('pad', [x, b.constant(i64(0, 2, 3, 0, 1, 2))], { mode: 'reflect' })[0],
          b.emit('pad', [x, b.constant(i64(0, -1, 1, 1, -1, 0))])[0],
          b.emit('slice', [x, b.constant(i64(-1, 3)), b.constant(i64(-10, 0)), b.constant(i64(1, 2)), b.constant(i64(-1, -2))])[0],
        ],
      }),
    'dropout at inference with its mask, tile': () =>
      buildGraph({
        inputs: { x: f32(2, 3, 4) },
        build: (b, { x }) => [
          ...b.emit('dropout', [x], {}, 2),
          b.emit('tile', [x, b.constant(i64(2, 1, 3))])[0],
          b.emit('tile', [x, b.constant(i64(1, 3, 1))])[0],
        ],
      }),
  },
  resize: {
    'resize kernels (nearest and linear, up and down) match the interpreter': () =>
      buildGraph({
        inputs: { x: { dtype: 'f32', shape: [1, 3, 5, 7] } },
        build: (b, { x }) => {
          const resize = (s: number[], attrs: Record<string, string>) => b.emit('resize', [x, null, b.constant(scales(...s)), null], attrs)[0];
          return [
            resize([1, 1, 2, 2], { mode: 'nearest' }),
            resize([1, 1, 2, 3], { mode: 'nearest', coordinate_transformation_mode: 'asymmetric', nearest_mode: 'floor' }),
            resize([1, 1, 2, 2], { mode: 'linear' }),
            resize([1, 1, 0.6, 1.5], { mode: 'linear', coordinate_transformation_mode: 'align_corners' }),
            resize([1, 1, 1, 2], { mode: 'linear', coordinate_transformation_mode: 'pytorch_half_pixel' }),
            b.emit('resize', [x, null, null, b.constant(Tensor.fromArray('i64', [4], [1, 3, 9, 4]))], { mode: 'linear' })[0],
          ];
        },
      }),
    'resize kernels (cubic with its A and exclude_outside, antialiased linear, tf_crop_and_resize with a constant roi) match the interpreter': () =>
      buildGraph({
        inputs: { x: { dtype: 'f32', shape: [1, 2, 5, 7] } },
        build: (b, { x }) => {
          const resize = (s: number[], attrs: Record<string, string | number>) => b.emit('resize', [x, null, b.constant(scales(...s)), null], attrs)[0];
          const crop = (roi: number[], attrs: Record<string, string | number>) =>
            b.emit('resize', [x, b.constant(scales(...roi)), null, b.constant(i64(1, 2, 4, 6))], { coordinate_transformation_mode: 'tf_crop_and_resize', extrapolation_value: 2.5, ...attrs })[0];
          return [
            resize([1, 1, 2, 2], { mode: 'cubic' }),
            resize([1, 1, 0.6, 1.5], { mode: 'cubic', coordinate_transformation_mode: 'align_corners', cubic_coeff_a: -0.5, exclude_outside: 1 }),
            resize([1, 1, 1.4, 0.5], { mode: 'cubic', coordinate_transformation_mode: 'asymmetric' }),
            b.emit('resize', [x, null, null, b.constant(i64(1, 2, 3, 9))], { mode: 'cubic', coordinate_transformation_mode: 'pytorch_half_pixel' })[0],
            resize([1, 1, 0.5, 0.6], { mode: 'linear', antialias: 1 }),
            crop([0, 0, 0.2, -0.3, 1, 1, 0.9, 1.2], { mode: 'linear' }),
            crop([0, 0, -0.1, 0.1, 1, 1, 0.7, 1.1], { mode: 'cubic', exclude_outside: 1 }),
            crop([0, 0, 0.3, -0.2, 1, 1, 1.3, 0.8], { mode: 'nearest', nearest_mode: 'round_prefer_ceil' }),
          ];
        },
      }),
  },
  gridSample: {
    'grid_sample in every mode and padding mode, with and without align_corners, at points inside, past and far past the edges': () =>
      buildGraph({
        inputs: { x: f32(2, 3, 4, 5), grid: f32(2, 3, 6, 2) },
        build: (b, { x, grid }) => {
          // Random points are in [-1, 1): scaled, a third of them fall outside, and some several widths away.
          const near = b.emit('mul', [grid, b.constant(Tensor.scalar('f32', 1.5))])[0];
          const far = b.emit('mul', [grid, b.constant(Tensor.scalar('f32', 4))])[0];
          const outputs = [];
          for (const mode of ['nearest', 'linear', 'cubic']) {
            for (const padding_mode of ['zeros', 'border', 'reflection']) {
              outputs.push(b.emit('grid_sample', [x, near], { mode, padding_mode, align_corners: padding_mode === 'border' ? 1 : 0 })[0]);
            }
            outputs.push(b.emit('grid_sample', [x, far], { mode, padding_mode: 'reflection', align_corners: 1 })[0]);
          }
          return outputs;
        },
      }),
  },
};
