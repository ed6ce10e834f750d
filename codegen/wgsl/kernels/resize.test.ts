import { Tensor } from '../../../compiler/ir/tensor.js';
import { buildGraph } from '../../wasm/testing.js';
import { webgpuMismatches as mismatches } from '../../../tests/util/webgpu-mismatches.js';

const scales = (...v: number[]) => Tensor.fromArray('f32', [v.length], v);

test('resize kernels (nearest and linear, up and down) match the interpreter', async () => {
  const g = buildGraph({
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
  });
  expect(await mismatches(g)).toEqual([]);
});
