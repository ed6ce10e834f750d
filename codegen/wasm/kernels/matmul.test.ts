import { Tensor } from '../../../compiler/ir/tensor.js';
import { buildGraph, mismatches, randomTensor } from '../../../tests/util/wasm-testing.js';

const f32 = (...shape: number[]) => ({ dtype: 'f32' as const, shape });

describe('matmul and gemm kernels match the interpreter', () => {
  test('matmul: tile-multiple, ragged, batched with broadcasting, 1-D operands', async () => {
    const g = buildGraph({
      inputs: { a: f32(8, 16), b: f32(16, 8), c: f32(5, 7), d: f32(7, 13), e: f32(2, 3, 9, 11), f: f32(11, 6), v: f32(7), h: f32(3, 1, 4, 5), k: f32(2, 5, 3) },
      build: (b, x) => [
        b.emit('matmul', [x.a, x.b])[0],
        b.emit('matmul', [x.c, x.d])[0],
        b.emit('matmul', [x.e, x.f])[0],
        b.emit('matmul', [x.v, x.d])[0],
        b.emit('matmul', [x.c, x.v])[0],
        b.emit('matmul', [x.h, x.k])[0],
      ],
    });
    expect(await mismatches(g)).toEqual([]);
  });

  test('every schedule gives the same result', async () => {
    const g = buildGraph({ inputs: { a: f32(13, 19), b: f32(19, 23) }, build: (b, x) => b.emit('matmul', [x.a, x.b]) });
    for (const matmul of [{ tileM: 1, tileN: 1 }, { tileM: 3, tileN: 3, unrollK: 4 }, { tileM: 8, tileN: 4, unrollK: 2 }]) {
      expect(await mismatches(g, 2, { schedules: { matmul } })).toEqual([]);
    }
  });

  test('constant B packed into column panels (8-, 4- and 1-wide), rows in blocks of a few tiles', async () => {
    const g = buildGraph({
      inputs: { a: f32(11, 9), v: f32(9) },
      build: (b, x) => [
        b.emit('matmul', [x.a, b.constant(randomTensor('f32', [9, 29], 3))])[0],
        b.emit('matmul', [x.v, b.constant(randomTensor('f32', [9, 13], 4))])[0],
        b.emit('matmul', [x.a, b.constant(randomTensor('f32', [9], 5))])[0],
        b.emit('gemm', [x.a, b.constant(randomTensor('f32', [21, 9], 6)), b.constant(randomTensor('f32', [21], 7))], { transB: 1 })[0],
        b.emit('gemm', [x.a, b.constant(randomTensor('f32', [9, 6], 8))], { alpha: 0.5 })[0],
      ],
    });
    for (const matmul of [{}, { rowBlockBytes: 1 }, { tileM: 3, tileN: 1, rowBlockBytes: 9 * 4 * 6 }]) expect(await mismatches(g, 3, { schedules: { matmul } })).toEqual([]);
  });

  test('gemm: transposes (constant and not), alpha, beta, broadcast bias', async () => {
    const w = randomTensor('f32', [10, 6], 9);
    const g = buildGraph({
      inputs: { a: f32(5, 6), at: f32(6, 5), c: f32(10), b: f32(6, 10), bt: f32(10, 6) },
      build: (b, x) => [
        b.emit('gemm', [x.a, b.constant(w), x.c], { transB: 1 })[0],
        b.emit('gemm', [x.at, x.b, x.c], { transA: 1, alpha: 0.5, beta: 2 })[0],
        b.emit('gemm', [x.a, x.bt, b.constant(Tensor.fromArray('f32', [5, 1], [1, 2, 3, 4, 5]))], { transB: 1 })[0],
        b.emit('gemm', [x.a, x.b], { alpha: 1.5 })[0],
        b.emit('gemm', [x.at, x.bt], { transA: 1, transB: 1 })[0],
      ],
    });
    expect(await mismatches(g)).toEqual([]);
  });
});
