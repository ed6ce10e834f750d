import { Tensor } from '../../../compiler/ir/tensor.js';
import { buildGraph } from '../../../tests/util/graphs.js';
import { webgpuMismatches as mismatches } from '../../../tests/util/webgpu-mismatches.js';

const f32 = (...shape: number[]) => ({ dtype: 'f32' as const, shape });
const i64 = (...v: number[]) => Tensor.fromArray('i64', [v.length], v);

test('pad edge and reflect, reversed slice match the interpreter', async () => {
  const g = buildGraph({
    inputs: { x: f32(2, 3, 4) },
    build: (b, { x }) => [
      b.emit('pad', [x, b.constant(i64(0, 1, 2, 0, 2, 3))], { mode: 'edge' })[0],
      b.emit('pad', [x, b.constant(i64(0, 2, 3, 0, 1, 2))], { mode: 'reflect' })[0],
      b.emit('slice', [x, b.constant(i64(-1, 3)), b.constant(i64(-10, 0)), b.constant(i64(1, 2)), b.constant(i64(-1, -2))])[0],
    ],
  });
  expect(await mismatches(g)).toEqual([]);
});
