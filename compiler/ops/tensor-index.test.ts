import { runGraph } from '../interpreter.js';
import { GraphBuilder } from '../ir/builder.js';
import { Graph, Value } from '../ir/graph.js';
import { t, i64, iota, vals, run, runOnnx, dlcError } from '../../tests/util/tensor-op-harness.js';

describe('gather family', () => {
  test('gather along an axis with negative indices', () => {
    const y = run('gather', [iota([3, 2]), t('i64', [2, 2], [0, -1, 2, 1])])[0];
    expect(y.shape).toEqual([2, 2, 2]);
    expect(vals(y)).toEqual([0, 1, 4, 5, 4, 5, 2, 3]);
    expect(vals(run('gather', [iota([2, 3]), t('i32', [], [2])], { axis: 1 })[0])).toEqual([2, 5]);
    expect(dlcError(() => run('gather', [iota([3]), i64([3])]))).toMatch(/index 3 is out of range/);
  });

  test('gather_elements and gather_nd with batch_dims', () => {
    expect(vals(run('gather_elements', [t('f32', [2, 2], [1, 2, 3, 4]), t('i64', [2, 2], [0, 0, 1, 0])], { axis: 1 })[0])).toEqual([1, 1, 4, 3]);
    expect(vals(run('gather_nd', [iota([2, 2]), t('i64', [2, 2], [0, 0, 1, 1])])[0])).toEqual([0, 3]);
    const b = run('gather_nd', [iota([2, 2, 2]), t('i64', [2, 1], [1, 0])], { batch_dims: 1 })[0];
    expect(b.shape).toEqual([2, 2]);
    expect(vals(b)).toEqual([2, 3, 4, 5]);
  });
});

describe('scatter family', () => {
  test('scatter_elements with each reduction', () => {
    const data = t('f32', [1, 4], [1, 2, 3, 4]);
    const idx = t('i64', [1, 2], [1, 1]);
    const upd = t('f32', [1, 2], [10, 20]);
    expect(vals(run('scatter_elements', [data, idx, upd], { axis: 1 })[0])).toEqual([1, 20, 3, 4]);
    expect(vals(run('scatter_elements', [data, idx, upd], { axis: 1, reduction: 'add' })[0])).toEqual([1, 32, 3, 4]);
    expect(vals(run('scatter_elements', [data, idx, upd], { axis: 1, reduction: 'mul' })[0])).toEqual([1, 400, 3, 4]);
    expect(vals(run('scatter_elements', [data, t('i64', [1, 2], [0, -1]), upd], { axis: 1, reduction: 'min' })[0])).toEqual([1, 2, 3, 4]);
    expect(vals(run('scatter_elements', [data, t('i64', [1, 2], [0, -1]), upd], { axis: 1, reduction: 'max' })[0])).toEqual([10, 2, 3, 20]);
  });

  test('scatter_nd writes slices; integer adds wrap', () => {
    expect(vals(run('scatter_nd', [iota([2, 2]), t('i64', [1, 1], [1]), t('f32', [1, 2], [8, 9])])[0])).toEqual([0, 1, 8, 9]);
    const wrapped = run('scatter_nd', [t('i8', [2], [120, 0]), t('i64', [1, 1], [0]), t('i8', [1], [10])], { reduction: 'add' })[0];
    expect(vals(wrapped)).toEqual([-126, 0]);
  });

  test('old Scatter imports as scatter_elements', () => {
    const { ops } = runOnnx('Scatter', 10, [iota([3]), i64([0]), t('f32', [1], [5])], { axis: 0 });
    expect(ops).toEqual(['scatter_elements']);
  });
});

describe('compress, one_hot, non_zero', () => {
  test('compress keeps the selected slices, or elements without an axis', () => {
    expect(vals(run('compress', [iota([3, 2]), t('bool', [2], [0, 1])], { axis: 0 })[0])).toEqual([2, 3]);
    expect(vals(run('compress', [iota([3, 2]), t('bool', [5], [0, 1, 1, 0, 1])])[0])).toEqual([1, 2, 4]);
  });

  test('one_hot places on/off values at the axis; negative indices count from depth', () => {
    const y = run('one_hot', [i64([0, -1]), t('f32', [], [3]), t('f32', [2], [0, 5])], { axis: 0 })[0];
    expect(y.shape).toEqual([3, 2]);
    expect(vals(y)).toEqual([5, 0, 0, 0, 0, 5]);
    expect(vals(run('one_hot', [i64([1, 7]), t('i64', [], [2]), t('i32', [2], [-1, 1])])[0])).toEqual([-1, 1, -1, -1]);
  });

  test('non_zero lists coordinates, one row per axis', () => {
    const g = new Graph('g');
    const x = new Value('x', { dtype: 'i32', shape: [2, 2] });
    g.inputs = [x];
    g.outputs = new GraphBuilder(g).emit('non_zero', [x]);
    expect(g.outputs[0].type.shape).toEqual([2, expect.stringMatching(/^\?nonzero/)]);
    const [y] = runGraph(g, [t('i32', [2, 2], [1, 0, 0, 3])], undefined, { checkTypes: true });
    expect(y.shape).toEqual([2, 2]);
    expect(vals(y)).toEqual([0, 1, 0, 1]);
  });
});
