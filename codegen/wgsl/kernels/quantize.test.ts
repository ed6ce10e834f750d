import { Tensor } from '../../../compiler/ir/tensor.js';
import { webgpuMismatches as mismatches } from '../../../tests/util/webgpu-mismatches.js';
import { buildGraph } from '../../../tests/util/graphs.js';

const scales = (...v: number[]) => Tensor.fromArray('f32', [v.length], v);

describe('quantization kernels match the interpreter', () => {
  test('quantize_linear per tensor and along an axis, to u8 (saturating), i8 and without a zero point', async () => {
    const g = buildGraph({
      inputs: { x: { dtype: 'f32', shape: [2, 3, 5] } },
      build: (b, { x }) => [
        b.emit('quantize_linear', [x, b.constant(Tensor.scalar('f32', 0.003)), b.constant(Tensor.scalar('u8', 100))])[0],
        b.emit('quantize_linear', [x, b.constant(scales(0.01, 0.02, 0.05)), b.constant(Tensor.fromArray('i8', [3], [-3, 0, 7]))])[0],
        b.emit('quantize_linear', [x, b.constant(scales(0.01, 0.02, 0.03, 0.04, 0.05)), b.constant(Tensor.fromArray('u8', [5], [0, 10, 128, 200, 255]))], { axis: -1 })[0],
        b.emit('quantize_linear', [x, b.constant(Tensor.scalar('f32', 0.01))])[0],
      ],
    });
    expect(await mismatches(g)).toEqual([]);
  });

  test('dequantize_linear of u8 and i32, per tensor and along an axis', async () => {
    const g = buildGraph({
      inputs: { q: { dtype: 'u8', shape: [3, 4] }, a: { dtype: 'i32', shape: [3, 4] } },
      build: (b, { q, a }) => [
        b.emit('dequantize_linear', [q, b.constant(Tensor.scalar('f32', 0.5)), b.constant(Tensor.scalar('u8', 5))])[0],
        b.emit('dequantize_linear', [q, b.constant(scales(0.1, 0.2, 0.3)), b.constant(Tensor.fromArray('u8', [3], [1, 2, 3]))], { axis: 0 })[0],
        b.emit('dequantize_linear', [a, b.constant(scales(0.25, 0.5, 1, 2))], { axis: 1 })[0],
      ],
    });
    expect(await mismatches(g)).toEqual([]);
  });

  test('dynamic_quantize_linear: scale, zero point and values', async () => {
    const g = buildGraph({
      inputs: { x: { dtype: 'f32', shape: [4, 6] } },
      build: (b, { x }) => b.emit('dynamic_quantize_linear', [x], {}, 3),
    });
    expect(await mismatches(g)).toEqual([]);
  });
});
