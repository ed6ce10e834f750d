import { compareTensors } from '../../../compiler/compare.js';
import { interpret } from '../../../compiler/interpreter.js';
import { Tensor } from '../../../compiler/ir/tensor.js';
import { nodeGpuDevice } from '../../../cli/webgpu-node.js';
import { buildGraph, randomTensor } from '../../../tests/util/graphs.js';
import { TOLERANCE } from '../../../tests/util/webgpu-mismatches.js';
import { compileToWebgpu } from '../program.js';
import { loadWebgpuProgram } from '../run-program.js';

const x = randomTensor('f32', [2, 3, 4], 1);

/** Every output's mismatch against the interpreter when the graph runs on the feeds (empty when all match). */
async function mismatches(graph: ReturnType<typeof buildGraph>, feeds: Record<string, Tensor>): Promise<string[]> {
  const want = interpret(graph, feeds);
  const got = await (await loadWebgpuProgram(await nodeGpuDevice(), compileToWebgpu(graph))).run(feeds);
  return graph.outputs.flatMap((v) => compareTensors(got[v.name], want[v.name], TOLERANCE).mismatch ?? []);
}

test('trilu with k given at run time, upper and lower, k below, on and above the diagonal', async () => {
  const g = buildGraph({
    inputs: { x: { dtype: 'f32', shape: [2, 3, 4] }, k: { dtype: 'i64', shape: [] } },
    build: (b, { x, k }) => [b.emit('trilu', [x, k])[0], b.emit('trilu', [x, k], { upper: 0 })[0]],
  });
  for (const k of [-2, 0, 1, 5]) expect(await mismatches(g, { x, k: Tensor.scalar('i64', k) })).toEqual([]);
});

test('cum_sum along an axis given at run time, negative axes, exclusive and reverse', async () => {
  const g = buildGraph({
    inputs: { x: { dtype: 'f32', shape: [2, 3, 4] }, axis: { dtype: 'i32', shape: [] } },
    build: (b, { x, axis }) => [
      b.emit('cum_sum', [x, axis])[0],
      b.emit('cum_sum', [x, axis], { exclusive: 1 })[0],
      b.emit('cum_sum', [x, axis], { reverse: 1 })[0],
      b.emit('cum_sum', [x, axis], { exclusive: 1, reverse: 1 })[0],
    ],
  });
  for (const axis of [0, 1, 2, -1, -3]) expect(await mismatches(g, { x, axis: Tensor.scalar('i32', axis) })).toEqual([]);
});

test('reduce_sum and reduce_max with empty axes fed at run time: all axes, or none with noop_with_empty_axes', async () => {
  const g = buildGraph({
    inputs: { x: { dtype: 'f32', shape: [2, 3, 4] }, axes: { dtype: 'i64', shape: [0] } },
    build: (b, { x, axes }) => [
      b.emit('reduce_sum', [x, axes])[0],
      b.emit('reduce_sum', [x, axes], { noop_with_empty_axes: 1 })[0],
      b.emit('reduce_max', [x, axes], { keepdims: 0 })[0],
    ],
  });
  expect(await mismatches(g, { x, axes: new Tensor('i64', [0]) })).toEqual([]);
});
