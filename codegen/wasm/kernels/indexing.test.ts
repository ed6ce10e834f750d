import { Tensor } from '../../../compiler/ir/tensor.js';
import { buildGraph, mismatches } from '../../../tests/util/wasm-testing.js';

const f32 = (...shape: number[]) => ({ dtype: 'f32' as const, shape });
const i64 = (shape: number[], values: number[]) => Tensor.fromArray('i64', shape, values);

describe('indexing kernels match the interpreter', () => {
  test('gather_nd: whole slices, single elements, batch_dims, negative indices, i32 indices', async () => {
    const g = buildGraph({
      inputs: { x: f32(3, 4, 5) },
      build: (b, { x }) => [
        b.emit('gather_nd', [x, b.constant(i64([2, 1], [2, -3]))])[0],
        b.emit('gather_nd', [x, b.constant(i64([2, 2, 3], [0, 1, 2, 2, 3, 4, 1, -1, 0, 0, 0, 0]))])[0],
        b.emit('gather_nd', [x, b.constant(i64([3, 2, 1], [1, 3, 0, 0, -1, 2]))], { batch_dims: 1 })[0],
        b.emit('gather_nd', [x, b.constant(Tensor.fromArray('i32', [1, 2], [2, 1]))])[0],
      ],
    });
    expect(await mismatches(g)).toEqual([]);
  });

  test('scatter_nd with each reduction', async () => {
    const g = buildGraph({
      inputs: { x: f32(4, 3), u: f32(2, 3), e: f32(3) },
      build: (b, { x, u, e }) => [
        b.emit('scatter_nd', [x, b.constant(i64([2, 1], [3, -4])), u])[0],
        ...['add', 'mul', 'max', 'min'].map((reduction) => b.emit('scatter_nd', [x, b.constant(i64([3, 2], [1, 1, 1, 1, 0, 2])), e], { reduction })[0]),
      ],
    });
    expect(await mismatches(g)).toEqual([]);
  });

  test('scatter_elements along each axis, duplicates reduced, run-time indices', async () => {
    const g = buildGraph({
      inputs: { x: f32(3, 4), u: f32(2, 4) },
      build: (b, { x, u }) => {
        const idx = b.constant(i64([2, 4], [0, 2, -1, 1, 2, 2, 0, 0]));
        return [
          b.emit('scatter_elements', [x, idx, u])[0],
          b.emit('scatter_elements', [x, idx, u], { axis: 0, reduction: 'add' })[0],
          b.emit('scatter_elements', [x, b.constant(i64([2, 2], [3, -4, 0, 3])), b.emit('slice', [u, b.constant(i64([1], [0])), b.constant(i64([1], [2])), b.constant(i64([1], [1]))])[0]], { axis: 1, reduction: 'max' })[0],
        ];
      },
    });
    expect(await mismatches(g)).toEqual([]);
  });

  test('eye_like: diagonals above and below, another dtype', async () => {
    const g = buildGraph({
      inputs: { x: f32(3, 5) },
      build: (b, { x }) => [
        b.emit('eye_like', [x])[0],
        b.emit('eye_like', [x], { k: 2 })[0],
        b.emit('eye_like', [x], { k: -1, dtype: 'i32' })[0],
      ],
    });
    expect(await mismatches(g)).toEqual([]);
  });
});
