import { webgpuMismatches as mismatches } from '../../../tests/util/webgpu-mismatches.js';
import { buildGraph } from '../../../tests/util/graphs.js';

test('lrn (odd and even windows) and mean_variance_normalization (default, inner and all axes) match the interpreter', async () => {
  const g = buildGraph({
    inputs: { x: { dtype: 'f32', shape: [2, 5, 3, 4] } },
    build: (b, { x }) => [
      b.emit('lrn', [x], { size: 3 })[0],
      b.emit('lrn', [x], { size: 4, alpha: 0.02, beta: 0.5, bias: 2 })[0],
      b.emit('mean_variance_normalization', [x])[0],
      b.emit('mean_variance_normalization', [x], { axes: [-1] })[0],
      b.emit('mean_variance_normalization', [x], { axes: [0, 1, 2, 3] })[0],
    ],
  });
  expect(await mismatches(g)).toEqual([]);
});
