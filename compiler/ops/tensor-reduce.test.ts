import { GraphBuilder } from '../ir/builder.js';
import { Graph, Value, type TensorType } from '../ir/graph.js';
import { Tensor } from '../ir/tensor.js';
import { getOp } from './registry.js';
import { t, i64, vals, run, infer, runOnnx, dlcError } from '../../tests/util/tensor-op-harness.js';

const m = t('f32', [2, 2], [1, 2, 3, 4]);

describe('reductions', () => {
  test('axes, keepdims, all axes, and noop_with_empty_axes', () => {
    const kept = run('reduce_sum', [m, i64([1])])[0];
    expect(kept.shape).toEqual([2, 1]);
    expect(vals(kept)).toEqual([3, 7]);
    expect(run('reduce_sum', [m, i64([-1])], { keepdims: 0 })[0].shape).toEqual([2]);
    expect(vals(run('reduce_sum', [m, null])[0])).toEqual([10]);
    expect(run('reduce_sum', [m, null], { keepdims: 0 })[0].shape).toEqual([]);
    expect(vals(run('reduce_sum', [m, null], { noop_with_empty_axes: 1 })[0])).toEqual([1, 2, 3, 4]);
  });

  test('each reduction computes its formula', () => {
    const one = (op: string, x: Tensor, axes = [0]) => vals(run(op, [x, i64(axes)], { keepdims: 0 })[0]);
    expect(one('reduce_mean', m)).toEqual([2, 3]);
    expect(one('reduce_max', m)).toEqual([3, 4]);
    expect(one('reduce_min', m, [1])).toEqual([1, 3]);
    expect(one('reduce_prod', m, [0, 1])).toEqual([24]);
    expect(one('reduce_l1', t('f32', [2], [-1, 2]))).toEqual([3]);
    expect(one('reduce_l2', t('f32', [2], [3, -4]))).toEqual([5]);
    expect(one('reduce_sum_square', m, [0, 1])).toEqual([30]);
    expect(one('reduce_log_sum', m, [0, 1])[0]).toBeCloseTo(Math.log(10), 6);
    // The shift by the maximum keeps exp from overflowing.
    expect(one('reduce_log_sum_exp', t('f32', [2], [1000, 1000]))[0]).toBeCloseTo(1000 + Math.log(2), 3);
  });

  test('integer sums wrap like C', () => {
    expect(vals(run('reduce_sum', [t('i8', [2], [100, 100]), null])[0])).toEqual([-56]);
  });

  test('inference with symbolic dims and run-time axes', () => {
    const x: TensorType = { dtype: 'f32', shape: ['N', 3, 4] };
    expect(infer('reduce_mean', [x, i64([-1])])[0].shape).toEqual(['N', 3, 1]);
    expect(infer('reduce_mean', [x, i64([0])], { keepdims: 0 })[0].shape).toEqual([3, 4]);
    expect(infer('reduce_sum', [x, { dtype: 'i64', shape: [0] }], { noop_with_empty_axes: 1 })[0].shape).toEqual(['N', 3, 4]);
    expect(infer('reduce_sum', [x, { dtype: 'i64', shape: [2] }], { keepdims: 0 })[0].shape).toHaveLength(1);
  });

  test('before opset 18 (13 for ReduceSum) the axes are an attribute', () => {
    expect(vals(runOnnx('ReduceMean', 13, [m], { axes: [1], keepdims: 0 }).out[0])).toEqual([1.5, 3.5]);
    expect(vals(runOnnx('ReduceSum', 11, [m], { axes: [0], keepdims: 0 }).out[0])).toEqual([4, 6]);
  });

  test('cost counts the input elements', () => {
    const g = new Graph('g');
    const x = new Value('x', { dtype: 'f32', shape: [8, 16] });
    const [y] = new GraphBuilder(g).emit('reduce_l2', [x, null]);
    const node = g.nodes[0];
    const def = getOp('reduce_l2');
    expect(def.kind).toBe('reduce');
    expect(def.cost!({ node, attrs: node.attrs, inputs: [x.type, null], outputs: [y.type] }).flops).toBe(2 * 128);
  });
});

describe('arg_max, arg_min', () => {
  test('ties go to the first index, or the last with select_last_index', () => {
    const x = t('f32', [3], [1, 3, 3]);
    expect(vals(run('arg_max', [x])[0])).toEqual([1]);
    expect(vals(run('arg_max', [x], { select_last_index: 1 })[0])).toEqual([2]);
    const y = run('arg_min', [t('i32', [2, 2], [4, 2, 1, 5])], { axis: 1, keepdims: 0 })[0];
    expect(y.dtype).toBe('i64');
    expect(vals(y)).toEqual([1, 0]);
  });
});

describe('cum_sum', () => {
  test('inclusive, exclusive, reverse', () => {
    const x = t('f32', [3], [1, 2, 3]);
    const axis = t('i64', [], [0]);
    expect(vals(run('cum_sum', [x, axis])[0])).toEqual([1, 3, 6]);
    expect(vals(run('cum_sum', [x, axis], { exclusive: 1 })[0])).toEqual([0, 1, 3]);
    expect(vals(run('cum_sum', [x, axis], { reverse: 1 })[0])).toEqual([6, 5, 3]);
    expect(vals(run('cum_sum', [x, axis], { exclusive: 1, reverse: 1 })[0])).toEqual([5, 3, 0]);
    expect(vals(run('cum_sum', [m, t('i32', [], [1])])[0])).toEqual([1, 3, 3, 7]);
  });
});

describe('top_k', () => {
  const x = t('f32', [4], [1, 3, 2, 3]);

  test('largest and smallest, equal values in index order', () => {
    const [v, i] = run('top_k', [x, i64([2])]);
    expect(vals(v)).toEqual([3, 3]);
    expect(vals(i)).toEqual([1, 3]);
    const [s, j] = run('top_k', [x, i64([2])], { largest: 0 });
    expect(vals(s)).toEqual([1, 2]);
    expect(vals(j)).toEqual([0, 2]);
  });

  test('TopK-1 gives k as an attribute; K past the axis is an error', () => {
    expect(vals(runOnnx('TopK', 1, [x], { k: 1 }).out[0])).toEqual([3]);
    expect(dlcError(() => run('top_k', [x, i64([5])]))).toMatch(/exceeds the axis size 4/);
  });
});
