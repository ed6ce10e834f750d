import { Tensor } from '../../../compiler/ir/tensor.js';
import { buildGraph, mismatches, randomTensor } from '../../../tests/util/wasm-testing.js';

const f32 = (...shape: number[]) => ({ dtype: 'f32' as const, shape });

describe('reduction, softmax and batch-norm kernels match the interpreter', () => {
  test('contiguous softmax and log_softmax (f32x4 exp) over a wide range of logits', async () => {
    const g = buildGraph({
      inputs: { x: f32(3, 2, 37) },
      build: (b, { x }) => {
        const wide = b.emit('mul', [x, b.constant(Tensor.scalar('f32', 40))])[0];
        return [b.emit('softmax', [wide])[0], b.emit('log_softmax', [wide])[0], b.emit('softmax', [x], { axis: 1, coerce_2d: 1 })[0]];
      },
    });
    expect(await mismatches(g)).toEqual([]);
  });

  test('batch normalization (inference)', async () => {
    const c = (seed: number, shift = 0) => Tensor.fromArray('f32', [4], Array.from(randomTensor('f32', [4], seed).data, (v) => v + shift));
    const g = buildGraph({
      inputs: { x: f32(2, 4, 3, 5) },
      build: (b, { x }) => b.emit('batch_normalization', [x, b.constant(c(1)), b.constant(c(2)), b.constant(c(3)), b.constant(c(4, 2))], { epsilon: 1e-3 }, 1),
    });
    expect(await mismatches(g)).toEqual([]);
  });
});
