import { Tensor } from '../../../compiler/ir/tensor.js';
import { buildGraph, mismatches } from '../testing.js';

const f32 = (...shape: number[]) => ({ dtype: 'f32' as const, shape });

describe('element-wise kernels match the interpreter', () => {
  test('float ops with numpy broadcasting over odd shapes', async () => {
    const g = buildGraph({
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
    });
    expect(await mismatches(g)).toEqual([]);
  });

  test('integer and bool ops wrap and divide like C; casts', async () => {
    const g = buildGraph({
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
    });
    expect(await mismatches(g)).toEqual([]);
  });

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
});

test('fused element-wise chains compute what their nodes compute, broadcast operands included', async () => {
  const g = buildGraph({
    inputs: { x: f32(2, 4, 5), s: f32(4, 1) },
    build: (b, { x, s }) => {
      // hard-swish spelled out: x · clip(x + 3, 0, 6) / 6, then a broadcast scale; the sum is also an output.
      const c = (v: number) => b.constant(Tensor.scalar('f32', v));
      const t = b.emit('add', [x, c(3)])[0];
      const hs = b.emit('div', [b.emit('mul', [x, b.emit('clip', [t, c(0), c(6)])[0]])[0], c(6)])[0];
      const y = b.emit('sigmoid', [b.emit('mul', [hs, s])[0]])[0];
      return [y, t];
    },
  });
  expect(await mismatches(g)).toEqual([]);
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
