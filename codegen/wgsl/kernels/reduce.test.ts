import { Tensor } from '../../../compiler/ir/tensor.js';
import { buildGraph, randomTensor } from '../../wasm/testing.js';
import { webgpuMismatches as mismatches } from '../../../tests/util/webgpu-mismatches.js';

const f32 = (...shape: number[]) => ({ dtype: 'f32' as const, shape });
const axes = (...a: number[]) => Tensor.fromArray('i64', [a.length], a);

describe('reduction, softmax and batch-norm kernels match the interpreter', () => {
  test('reductions over any axes, with and without keepdims', async () => {
    const g = buildGraph({
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
    });
    expect(await mismatches(g)).toEqual([]);
  });

  test('softmax and log_softmax along inner and outer axes, coerced to 2-D', async () => {
    const g = buildGraph({
      inputs: { x: f32(2, 3, 5, 7) },
      build: (b, { x }) => [
        b.emit('softmax', [x])[0],
        b.emit('softmax', [x], { axis: 1 })[0],
        b.emit('log_softmax', [x], { axis: 2 })[0],
        b.emit('softmax', [x], { axis: 1, coerce_2d: 1 })[0],
        b.emit('hardmax', [x], { axis: 2 })[0],
      ],
    });
    expect(await mismatches(g)).toEqual([]);
  });

  test('layer normalization over the last axes, broadcast scale and bias, statistics outputs', async () => {
    const g = buildGraph({
      inputs: { x: f32(3, 4, 6) },
      build: (b, { x }) => [
        b.emit('layer_normalization', [x, b.constant(randomTensor('f32', [6], 1)), b.constant(randomTensor('f32', [6], 2))], {}, 1)[0],
        ...b.emit('layer_normalization', [x, b.constant(randomTensor('f32', [4, 1], 3))], { axis: 1, epsilon: 1e-3 }),
      ],
    });
    expect(await mismatches(g)).toEqual([]);
  });

  test('instance normalization', async () => {
    const g = buildGraph({
      inputs: { x: f32(2, 3, 4, 5) },
      build: (b, { x }) => b.emit('instance_normalization', [x, b.constant(randomTensor('f32', [3], 1)), b.constant(randomTensor('f32', [3], 2))], { epsilon: 1e-3 }),
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
