import { Tensor } from '../../../compiler/ir/tensor.js';
import { webgpuMismatches as mismatches } from '../../../tests/util/webgpu-mismatches.js';
import { buildGraph } from '../../../tests/util/graphs.js';

const u8 = (shape: number[], v: number[]) => Tensor.fromArray('u8', shape, v);
const i8 = (shape: number[], v: number[]) => Tensor.fromArray('i8', shape, v);
const f32 = (shape: number[], v: number[]) => Tensor.fromArray('f32', shape, v);

describe('integer anchors match the interpreter', () => {
  test('matmul_integer and qlinear_matmul: per-tensor, per-row and per-column zero points and scales, broadcast batches', async () => {
    const g = buildGraph({
      inputs: { a: { dtype: 'u8', shape: [2, 3, 5] }, b: { dtype: 'u8', shape: [5, 4] }, c: { dtype: 'i8', shape: [3, 5] }, d: { dtype: 'i8', shape: [2, 5, 4] } },
      build: (bb, { a, b, c, d }) => [
        bb.emit('matmul_integer', [a, b])[0],
        bb.emit('matmul_integer', [a, b, bb.constant(u8([], [5])), bb.constant(u8([4], [3, 4, 5, 6]))])[0],
        bb.emit('matmul_integer', [c, d, bb.constant(i8([3], [1, -2, 0])), bb.constant(i8([], [-1]))])[0],
        bb.emit('qlinear_matmul', [
          a, bb.constant(f32([], [0.05])), bb.constant(u8([], [4])),
          b, bb.constant(f32([], [0.1])), bb.constant(u8([], [6])),
          bb.constant(f32([], [0.02])), bb.constant(u8([], [120])),
        ])[0],
        bb.emit('qlinear_matmul', [
          c, bb.constant(f32([], [0.07])), bb.constant(i8([], [1])),
          d, bb.constant(f32([4], [0.1, 0.2, 0.05, 0.3])), bb.constant(i8([], [0])),
          bb.constant(f32([], [0.03])), bb.constant(i8([], [-5])),
        ])[0],
      ],
    });
    expect(await mismatches(g)).toEqual([]);
  });

  test('conv_integer and qlinear_conv: pads, strides, dilations, groups, per-channel weight zero points and scales, bias', async () => {
    const g = buildGraph({
      inputs: { x: { dtype: 'u8', shape: [2, 4, 6, 5] }, w: { dtype: 'u8', shape: [6, 2, 3, 2] }, v: { dtype: 'i8', shape: [3, 4, 3, 3] } },
      build: (b, { x, w, v }) => [
        b.emit('conv_integer', [x, w, b.constant(u8([], [5]))], { group: 2, pads: [1, 0, 1, 1], strides: [2, 1] })[0],
        b.emit('conv_integer', [x, v, null, b.constant(i8([3], [1, 0, -1]))], { dilations: [2, 1], pads: [1, 1, 1, 1] })[0],
        b.emit('qlinear_conv', [
          x, b.constant(f32([], [0.04])), b.constant(u8([], [4])),
          w, b.constant(f32([6], [0.1, 0.2, 0.05, 0.3, 0.15, 0.25])), b.constant(u8([], [5])),
          b.constant(f32([], [0.05])), b.constant(u8([], [100])), b.constant(Tensor.fromArray('i32', [6], [10, -20, 0, 5, 300, -7])),
        ], { group: 2, strides: [1, 2] })[0],
      ],
    });
    expect(await mismatches(g)).toEqual([]);
  });
});
