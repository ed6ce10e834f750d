import { Tensor } from '../../../compiler/ir/tensor.js';
import { buildGraph } from '../../wasm/testing.js';
import { webgpuMismatches as mismatches } from '../../../tests/util/webgpu-mismatches.js';

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
