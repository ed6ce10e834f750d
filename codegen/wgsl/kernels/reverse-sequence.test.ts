import { Tensor } from '../../../compiler/ir/tensor.js';
import { webgpuMismatches as mismatches } from '../../../tests/util/webgpu-mismatches.js';
import { buildGraph } from '../../../tests/util/graphs.js';

test('reverse_sequence with the batch axis first or second, lengths from 0 to T, on a 3-D tensor', async () => {
  const lens = (v: number[]) => Tensor.fromArray('i64', [v.length], v);
  const g = buildGraph({
    inputs: { x: { dtype: 'f32', shape: [4, 5, 3] } },
    build: (b, { x }) => [
      b.emit('reverse_sequence', [x, b.constant(lens([5, 0, 2, 3]))], { batch_axis: 0, time_axis: 1 })[0],
      b.emit('reverse_sequence', [x, b.constant(lens([1, 4, 3, 2, 4]))], { batch_axis: 1, time_axis: 0 })[0],
    ],
  });
  expect(await mismatches(g)).toEqual([]);
});
