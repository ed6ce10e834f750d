import { webgpuMismatches as mismatches } from '../../../tests/util/webgpu-mismatches.js';
import { buildGraph } from '../../../tests/util/graphs.js';

const f32 = (...shape: number[]) => ({ dtype: 'f32' as const, shape });

test('einsum matches the interpreter: products, diagonals, ellipses with broadcasting, the implicit form, full sums, three operands, integers', async () => {
  const g = buildGraph({
    inputs: { a: f32(3, 4), b: f32(4, 5), c: f32(2, 3, 3), d: f32(2, 1, 3, 4), e: f32(5, 4, 2), n: { dtype: 'i32', shape: [3, 4] } },
    build: (bb, { a, b, c, d, e, n }) => [
      bb.emit('einsum', [a, b], { equation: 'ij,jk->ik' })[0],
      bb.emit('einsum', [a, b], { equation: 'ij,jk' })[0],
      bb.emit('einsum', [c], { equation: 'bii->bi' })[0],
      bb.emit('einsum', [c], { equation: 'bii' })[0],
      bb.emit('einsum', [d, e], { equation: '...ij,kjl->...ikl' })[0],
      bb.emit('einsum', [d, b], { equation: '...ij,jk->...ik' })[0],
      bb.emit('einsum', [a], { equation: 'ij->' })[0],
      bb.emit('einsum', [a], { equation: 'ij->ji' })[0],
      bb.emit('einsum', [a, b, e], { equation: 'ij,jk,kjl->il' })[0],
      bb.emit('einsum', [n, n], { equation: 'ij,ij->i' })[0],
    ],
  });
  expect(await mismatches(g)).toEqual([]);
});
