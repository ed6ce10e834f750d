import { Tensor } from '../../../compiler/ir/tensor.js';
import { webgpuMismatches as mismatches } from '../../../tests/util/webgpu-mismatches.js';
import { buildGraph } from '../../../tests/util/graphs.js';

const i64 = (v: number) => Tensor.scalar('i64', v);

test('det of single and batched matrices, with row swaps and a singular matrix', async () => {
  const g = buildGraph({
    inputs: { x: { dtype: 'f32', shape: [3, 4, 4] }, m: { dtype: 'f32', shape: [2, 2] } },
    build: (b, { x, m }) => [
      b.emit('det', [x])[0],
      b.emit('det', [m])[0],
      b.emit('det', [b.constant(Tensor.fromArray('f32', [2, 3, 3], [0, 1, 2, 3, 4, 5, 6, 7, 9, 1, 2, 3, 2, 4, 6, 0, 1, 1]))])[0],
    ],
  });
  expect(await mismatches(g)).toEqual([]);
});

test('dft of real and complex signals along each axis, inverse, onesided, padded and truncated lengths', async () => {
  const g = buildGraph({
    inputs: { r: { dtype: 'f32', shape: [2, 7, 5, 1] }, c: { dtype: 'f32', shape: [3, 6, 2] } },
    build: (b, { r, c }) => [
      b.emit('dft', [r, null, b.constant(i64(1))])[0],
      b.emit('dft', [r, null, b.constant(i64(-2))])[0],
      b.emit('dft', [r, null, b.constant(i64(1))], { onesided: 1 })[0],
      b.emit('dft', [c, null, b.constant(i64(1))], { inverse: 1 })[0],
      b.emit('dft', [c, b.constant(i64(9)), b.constant(i64(1))])[0],
      b.emit('dft', [c, b.constant(i64(4)), b.constant(i64(0))], { inverse: 1 })[0],
    ],
  });
  expect(await mismatches(g)).toEqual([]);
});
