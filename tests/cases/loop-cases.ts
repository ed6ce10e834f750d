// Loop and Scan graphs that both targets must compute as the reference interpreter does: the targets run them
// unrolled (passes/unroll-loops.ts), so each case is small enough to unroll and covers one way a loop is
// written: scan inputs along other axes and reversed, a plain for loop reading outer values and its
// iteration number, a loop that its own condition stops, and a Scan nested in a Loop body.
import { GraphBuilder } from '../../compiler/ir/builder.js';
import { Graph, Value, type TensorType } from '../../compiler/ir/graph.js';
import { Tensor } from '../../compiler/ir/tensor.js';
import { buildGraph } from '../util/graphs.js';

/** A body graph: inputs of the given types, outputs what `build` returns. */
export function bodyGraph(name: string, inputs: Record<string, TensorType>, build: (b: GraphBuilder, x: Value[]) => Value[]): Graph {
  const g = new Graph(name, Object.entries(inputs).map(([n, t]) => new Value(`${name}/${n}`, { dtype: t.dtype, shape: [...t.shape] })));
  g.outputs = build(new GraphBuilder(g), g.inputs);
  return g;
}

const f32 = (shape: number[], values: number[]) => Tensor.fromArray('f32', shape, values);
const i64 = (v: number) => Tensor.scalar('i64', v);
const ITERATION: TensorType = { dtype: 'i64', shape: [] };
const COND: TensorType = { dtype: 'bool', shape: [] };

/** A Loop body's iteration number as f32 times `scale`: i·scale. */
function scaledIteration(b: GraphBuilder, i: Value, scale: number): Value {
  return b.emit('mul', [b.emit('cast', [i], { to: 'f32' })[0], b.constant(f32([], [scale]))])[0];
}

export const LOOP_CASES: Record<string, () => Graph> = {
  'scan: a state through four steps, one scan input along axis 1 read in reverse, one scan output along axis 1 stacked in reverse': () =>
    buildGraph({
      inputs: { s: { dtype: 'f32', shape: [2, 3] }, x: { dtype: 'f32', shape: [4, 2, 3] }, w: { dtype: 'f32', shape: [3, 4] } },
      build: (b, { s, x, w }) => {
        const body = bodyGraph('step', { state: { dtype: 'f32', shape: [2, 3] }, xt: { dtype: 'f32', shape: [2, 3] }, wt: { dtype: 'f32', shape: [3] } }, (bb, [state, xt, wt]) => {
          const decayed = bb.emit('mul', [state, bb.constant(f32([], [0.5]))])[0];
          const next = bb.emit('add', [decayed, bb.emit('mul', [xt, wt])[0]])[0];
          return [next, bb.emit('tanh', [next])[0]];
        });
        return b.emit('scan', [s, x, w], {
          body, num_scan_inputs: 2, scan_input_axes: [0, 1], scan_input_directions: [0, 1], scan_output_axes: [1], scan_output_directions: [1],
        });
      },
    }),

  'loop: a for loop of five iterations (no condition), reading an outer input, an outer weight and its iteration number': () =>
    buildGraph({
      inputs: { h: { dtype: 'f32', shape: [2, 4] }, x: { dtype: 'f32', shape: [2, 4] } },
      build: (b, { h, x }) => {
        const weight = b.constant(f32([4], [0.9, -0.4, 0.3, 1.1]));
        const body = bodyGraph('cell', { i: ITERATION, cond: COND, h: { dtype: 'f32', shape: [2, 4] } }, (bb, [i, cond, hi]) => {
          const mixed = bb.emit('add', [bb.emit('mul', [hi, weight])[0], x])[0];
          const next = bb.emit('tanh', [bb.emit('add', [mixed, scaledIteration(bb, i, 0.1)])[0]])[0];
          return [cond, next, bb.emit('relu', [next])[0]];
        });
        return b.emit('loop', [b.constant(i64(5)), null, h], { body });
      },
    }),

  'loop: a trip count of ten that its condition (i < 2) stops after three iterations': () =>
    buildGraph({
      inputs: { y: { dtype: 'f32', shape: [3] } },
      build: (b, { y }) => {
        const body = bodyGraph('count', { i: ITERATION, cond: COND, y: { dtype: 'f32', shape: [3] } }, (bb, [i, , yi]) => {
          const more = bb.emit('less', [i, bb.constant(i64(2))])[0];
          const next = bb.emit('add', [bb.emit('mul', [yi, yi])[0], scaledIteration(bb, i, 1)])[0];
          return [more, next, next];
        });
        return b.emit('loop', [b.constant(i64(10)), b.constant(Tensor.scalar('bool', 1)), y], { body });
      },
    }),

  'loop: each of two iterations runs a scan over an outer input, carrying its final state': () =>
    buildGraph({
      inputs: { h: { dtype: 'f32', shape: [3] }, x: { dtype: 'f32', shape: [4, 3] } },
      build: (b, { h, x }) => {
        const scanBody = bodyGraph('accumulate', { acc: { dtype: 'f32', shape: [3] }, xt: { dtype: 'f32', shape: [3] } }, (bb, [acc, xt]) => {
          const next = bb.emit('add', [bb.emit('mul', [acc, bb.constant(f32([], [0.9]))])[0], xt])[0];
          return [next, bb.emit('abs', [next])[0]];
        });
        const body = bodyGraph('outer', { i: ITERATION, cond: COND, h: { dtype: 'f32', shape: [3] } }, (bb, [, cond, hi]) => {
          const [final, trace] = bb.emit('scan', [hi, x], { body: scanBody, num_scan_inputs: 1 });
          return [cond, final, bb.emit('reduce_sum', [trace, bb.constant(Tensor.fromArray('i64', [1], [0]))], { keepdims: 0 })[0]];
        });
        return b.emit('loop', [b.constant(i64(2)), null, h], { body });
      },
    }),
};
