import { Tensor } from '../../../compiler/ir/tensor.js';
import { buildGraph, randomTensor } from '../../../tests/util/graphs.js';
import { webgpuMismatches as mismatches } from '../../../tests/util/webgpu-mismatches.js';

const f32 = (...shape: number[]) => ({ dtype: 'f32' as const, shape });

describe('reduction, softmax and batch-norm kernels match the interpreter', () => {
  test('batch normalization (inference)', async () => {
    const c = (seed: number, shift = 0) => Tensor.fromArray('f32', [4], Array.from(randomTensor('f32', [4], seed).data, (v) => v + shift));
    const g = buildGraph({
      inputs: { x: f32(2, 4, 3, 5) },
      build: (b, { x }) => b.emit('batch_normalization', [x, b.constant(c(1)), b.constant(c(2)), b.constant(c(3)), b.constant(c(4, 2))], { epsilon: 1e-3 }, 1),
    });
    expect(await mismatches(g)).toEqual([]);
  });
});
