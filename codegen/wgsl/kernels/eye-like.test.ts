import { webgpuMismatches as mismatches } from '../../../tests/util/webgpu-mismatches.js';
import { buildGraph } from '../../../tests/util/graphs.js';

test('eye_like matches the interpreter on and off the main diagonal, in the input\'s dtype and another', async () => {
  const g = buildGraph({
    inputs: { x: { dtype: 'f32', shape: [4, 6] }, n: { dtype: 'i32', shape: [5, 3] } },
    build: (b, { x, n }) => [
      b.emit('eye_like', [x])[0],
      b.emit('eye_like', [x], { k: 2 })[0],
      b.emit('eye_like', [x], { k: -3, dtype: 'i32' })[0],
      b.emit('eye_like', [n], { k: -1 })[0],
      b.emit('eye_like', [n], { k: 1, dtype: 'bool' })[0],
    ],
  });
  expect(await mismatches(g)).toEqual([]);
});
