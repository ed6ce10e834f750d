// The bounds of outputs whose size depends on data, and the marking boundRunTimeDims leaves for codegen.
import { Tensor } from './ir/tensor.js';
import { buildGraph } from '../tests/util/graphs.js';
import { boundRunTimeDims, checkRunTimeSizedConsumers } from './run-time-dims.js';

const shapes = (g: ReturnType<typeof buildGraph>) => g.outputs.map((o) => [o.type.shape, o.type.runTimeDim]);

test('each op bounds its run-time dim by what its inputs allow, and marks which dim it is', () => {
  const g = buildGraph({
    inputs: { x: { dtype: 'f32', shape: [2, 3, 4] }, c: { dtype: 'bool', shape: [2] }, boxes: { dtype: 'f32', shape: [2, 5, 4] }, scores: { dtype: 'f32', shape: [2, 3, 5] } },
    build: (b, { x, c, boxes, scores }) => [
      b.emit('non_zero', [x])[0],
      // A condition shorter than the axis keeps at most its length.
      b.emit('compress', [x, c], { axis: 1 })[0],
      b.emit('compress', [x, c])[0],
      ...b.emit('unique', [x], { axis: -1 }, 4),
      b.emit('non_max_suppression', [boxes, scores])[0],
      // A constant max_output_boxes_per_class bounds each class's rows.
      b.emit('non_max_suppression', [boxes, scores, b.constant(Tensor.fromArray('i64', [1], [2]))])[0],
    ],
  });
  boundRunTimeDims(g);
  expect(shapes(g)).toEqual([
    [[3, 24], 1],
    [[2, 2, 4], 1],
    [[2], 0],
    [[2, 3, 4], 2],
    [[4], 0],
    [[4], undefined],
    [[4], 0],
    [[30, 3], 0],
    [[12, 3], 0],
  ]);
  boundRunTimeDims(g);
  expect(shapes(g)[0]).toEqual([[3, 24], 1]);
});

test('readers keep the run-time dim and its bound; a slice of it is bounded by what it keeps', () => {
  const g = buildGraph({
    inputs: { x: { dtype: 'f32', shape: [5, 3] }, c: { dtype: 'bool', shape: [5] } },
    build: (b, { x, c }) => {
      const i64 = (v: number[]) => b.constant(Tensor.fromArray('i64', [v.length], v));
      const kept = b.emit('compress', [x, c], { axis: 0 })[0];
      const where = b.emit('transpose', [b.emit('non_zero', [x])[0]], { perm: [1, 0] })[0];
      return [
        b.emit('relu', [kept])[0],
        b.emit('slice', [kept, i64([1]), i64([-1]), i64([0])])[0],
        b.emit('slice', [kept, i64([0]), i64([100]), i64([0]), i64([2])])[0],
        where,
        b.emit('reduce_sum', [kept, i64([0])], { keepdims: 0 })[0],
      ];
    },
  });
  boundRunTimeDims(g);
  expect(shapes(g)).toEqual([[[5, 3], 0], [[3, 3], 0], [[3, 3], 0], [[15, 2], 0], [[3], undefined]]);
});

test('a node reading a run-time-sized tensor is refused, naming the node, before and after bounding', () => {
  const g = buildGraph({
    inputs: { x: { dtype: 'f32', shape: [4] } },
    build: (b, { x }) => [b.emit('cum_sum', [b.emit('non_zero', [x])[0], b.constant(Tensor.fromArray('i64', [], [1]))])[0]],
  });
  g.nodes[1].name = 'running';
  g.nodes[0].outputs[0].name = 'i';
  const message = "node 'running', op cum_sum: input 'i' has a size known only at run time (it depends on data); dlc cannot read it here: op cum_sum has no kernel reading it";
  expect(() => checkRunTimeSizedConsumers(g)).toThrow(message);
  boundRunTimeDims(g);
  expect(() => checkRunTimeSizedConsumers(g)).toThrow(message);
});
