import { Tensor } from '../../../compiler/ir/tensor.js';
import { buildGraph } from '../../../tests/util/graphs.js';
import { webgpuMismatches as mismatches } from '../../../tests/util/webgpu-mismatches.js';

const i64 = (shape: number[], v: number[]) => Tensor.fromArray('i64', shape, v);

test('scatter_elements, scatter_nd and gather_nd match the interpreter (duplicate and negative indices)', async () => {
  const g = buildGraph({
    inputs: { x: { dtype: 'f32', shape: [3, 4] }, u: { dtype: 'f32', shape: [2, 2] }, v: { dtype: 'f32', shape: [2, 4] } },
    build: (b, { x, u, v }) => [
      b.emit('scatter_elements', [x, b.constant(i64([2, 2], [1, -1, 1, 0])), u], { axis: 1 })[0],
      b.emit('scatter_elements', [x, b.constant(i64([2, 2], [2, 2, 0, 2])), u], { axis: 0, reduction: 'add' })[0],
      b.emit('scatter_nd', [x, b.constant(i64([2, 1], [2, -3])), v])[0],
      b.emit('scatter_nd', [x, b.constant(i64([2, 1], [1, 1])), v], { reduction: 'mul' })[0],
      b.emit('gather_nd', [x, b.constant(i64([2, 2], [0, 3, 2, -1]))])[0],
      b.emit('gather_nd', [x, b.constant(i64([3, 1], [1, 0, 3]))], { batch_dims: 1 })[0],
    ],
  });
  expect(await mismatches(g)).toEqual([]);
});
