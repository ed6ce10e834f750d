import { Tensor } from '../../../compiler/ir/tensor.js';
import { buildGraph, mismatches } from '../../../tests/util/wasm-testing.js';

const f32 = (...shape: number[]) => ({ dtype: 'f32' as const, shape });

describe('element-wise kernels match the interpreter', () => {
  test('bit shifts of each unsigned width, amounts up to and past the width', async () => {
    const amounts = (dtype: 'u8' | 'u16' | 'u32' | 'u64', width: number) => Tensor.fromArray(dtype, [6], [0, 1, 3, width - 1, width, width + 3]);
    const g = buildGraph({
      inputs: { a: { dtype: 'u8', shape: [2, 6] }, b: { dtype: 'u16', shape: [6] }, c: { dtype: 'u32', shape: [6] }, d: { dtype: 'u64', shape: [6] } },
      build: (bb, { a, b, c, d }) => [
        bb.emit('bit_shift', [a, bb.constant(amounts('u8', 8))], { direction: 'LEFT' })[0],
        bb.emit('bit_shift', [b, bb.constant(amounts('u16', 16))], { direction: 'RIGHT' })[0],
        bb.emit('bit_shift', [c, bb.constant(amounts('u32', 32))], { direction: 'LEFT' })[0],
        bb.emit('bit_shift', [d, bb.constant(amounts('u64', 64))], { direction: 'RIGHT' })[0],
      ],
    });
    expect(await mismatches(g)).toEqual([]);
  });

  test('i64 powers wrap at 64 bits (webgpu holds i64 in 32)', async () => {
    const i64 = (v: number[]) => Tensor.fromArray('i64', [v.length], v);
    const g = buildGraph({
      inputs: {},
      build: (b) => [b.emit('pow', [b.constant(i64([3, -3, 7, 2])), b.constant(i64([41, 39, 20, 64]))])[0]],
    });
    expect(await mismatches(g)).toEqual([]);
  });
});

test('f32x4 element-wise loops: rows of 4n + 3, operands contiguous or broadcast along the row, clip and activations', async () => {
  const g = buildGraph({
    inputs: { x: f32(2, 3, 5, 19), row: f32(19), ch: f32(3, 1, 1), one: f32(1) },
    build: (b, { x, row, ch, one }) => {
      const c = (v: number) => b.constant(Tensor.scalar('f32', v));
      const scaled = b.emit('add', [b.emit('mul', [x, c(1.5)])[0], c(-0.25)])[0];
      return [
        b.emit('hard_swish', [b.emit('add', [scaled, ch])[0]])[0],
        b.emit('relu', [b.emit('sub', [x, row])[0]])[0],
        b.emit('div', [b.emit('max', [x, row, one])[0], b.emit('add', [b.emit('abs', [ch])[0], c(1)])[0]])[0],
        b.emit('clip', [b.emit('neg', [x])[0], c(-0.5), c(0.25)])[0],
        b.emit('leaky_relu', [b.emit('min', [x, ch])[0]], { alpha: 0.2 })[0],
        b.emit('sqrt', [b.emit('hard_sigmoid', [x], { alpha: 0.3, beta: 0.4 })[0]])[0],
        // f32x4 exp across the exponent range: x·80 + 5 spans [−75, 85).
        b.emit('exp', [b.emit('add', [b.emit('mul', [x, c(80)])[0], c(5)])[0]])[0],
        b.emit('sigmoid', [b.emit('mul', [x, c(30)])[0]])[0],
      ];
    },
  });
  expect(await mismatches(g)).toEqual([]);
});
