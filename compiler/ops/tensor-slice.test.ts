import { GraphBuilder } from '../ir/builder.js';
import { Graph, Value, type TensorType } from '../ir/graph.js';
import { findOnnxImport } from './registry.js';
import { t, i64, iota, vals, run, infer, runOnnx, dlcError } from '../../tests/util/tensor-op-harness.js';

describe('slice', () => {
  test('starts, ends, axes and steps, negative steps and INT64 sentinels', () => {
    const x = iota([3, 4]);
    expect(vals(run('slice', [x, i64([1]), i64([3]), i64([1]), null])[0])).toEqual([1, 2, 5, 6, 9, 10]);
    expect(vals(run('slice', [x, i64([-1]), i64([-(2 ** 63)]), i64([1]), i64([-1])])[0])).toEqual([3, 2, 1, 0, 7, 6, 5, 4, 11, 10, 9, 8]);
    expect(vals(run('slice', [x, i64([0, 0]), i64([2 ** 63, 4]), i64([0, 1]), i64([2, 3])])[0])).toEqual([0, 3, 8, 11]);
    expect(run('slice', [x, i64([5]), i64([9]), null, null])[0].shape).toEqual([0, 4]);
  });

  test('a full slice of a symbolic dim keeps it; others get fresh dims', () => {
    const x: TensorType = { dtype: 'f32', shape: ['N', 4] };
    expect(infer('slice', [x, i64([0]), i64([2 ** 63 - 1]), i64([0]), null])[0].shape).toEqual(['N', 4]);
    expect(infer('slice', [x, i64([1]), i64([3]), i64([1]), null])[0].shape).toEqual(['N', 2]);
    const y = infer('slice', [x, { dtype: 'i64', shape: [1] }, { dtype: 'i64', shape: [1] }, i64([1]), null])[0].shape;
    expect(y[0]).toBe('N');
    expect(y[1]).toMatch(/^\?slice/);
  });

  test('Slice-1 takes starts, ends and axes as attributes', () => {
    const { ops, out } = runOnnx('Slice', 1, [iota([3, 4])], { starts: [1], ends: [2], axes: [0] });
    expect(ops).toEqual(['slice']);
    expect(vals(out[0])).toEqual([4, 5, 6, 7]);
  });
});

describe('concat and split', () => {
  test('concat joins along an axis', () => {
    const y = run('concat', [t('f32', [2, 1], [1, 2]), t('f32', [2, 2], [3, 4, 5, 6])], { axis: -1 })[0];
    expect(y.shape).toEqual([2, 3]);
    expect(vals(y)).toEqual([1, 3, 4, 2, 5, 6]);
    expect(infer('concat', [{ dtype: 'f32', shape: ['N', 2] }, { dtype: 'f32', shape: [3, 2] }], { axis: 1 })[0].shape).toEqual([3, 4]);
    expect(dlcError(() => run('concat', [iota([2, 2]), iota([3, 3])], { axis: 0 }))).toMatch(/differ in dim 1 \(2 and 3\)/);
  });

  test('split by sizes, by num_outputs (last chunk smaller)', () => {
    const x = iota([7]);
    expect(run('split', [x, i64([2, 5])]).map(vals)).toEqual([[0, 1], [2, 3, 4, 5, 6]]);
    expect(run('split', [x, null], { num_outputs: 3 }).map(vals)).toEqual([[0, 1, 2], [3, 4, 5], [6]]);
    const cols = run('split', [iota([2, 3]), i64([1, 2])], { axis: 1 });
    expect(cols.map(vals)).toEqual([[0, 3], [1, 2, 4, 5]]);
    expect(dlcError(() => run('split', [x, i64([2, 2])]))).toMatch(/do not add up/);
  });

  test('Split-2 sizes attribute, and Split-13 without sizes splits by the output count', () => {
    const graph = new Graph('g');
    const b = new GraphBuilder(graph);
    const x = new Value('x', { dtype: 'f32', shape: [6] });
    const imp = findOnnxImport('', 'Split')!.imp;
    const even = imp.convert!({ opType: 'Split', domain: '', name: 's', opset: 13, inputs: [x], attrs: {}, numOutputs: 3 }, b);
    expect(even.map((v) => v.type.shape)).toEqual([[2], [2], [2]]);
    const sized = imp.convert!({ opType: 'Split', domain: '', name: 's', opset: 2, inputs: [x], attrs: { split: [1, 5] }, numOutputs: 2 }, b);
    expect(sized.map((v) => v.type.shape)).toEqual([[1], [5]]);
  });
});

describe('pad and center_crop_pad', () => {
  const x = t('f32', [2, 3], [1, 2, 3, 4, 5, 6]);

  test('constant, edge, reflect and wrap modes', () => {
    const pads = i64([0, 2, 0, 1]);
    expect(vals(run('pad', [x, pads, t('f32', [], [9]), null])[0])).toEqual([9, 9, 1, 2, 3, 9, 9, 9, 4, 5, 6, 9]);
    expect(vals(run('pad', [x, pads, null, null], { mode: 'edge' })[0])).toEqual([1, 1, 1, 2, 3, 3, 4, 4, 4, 5, 6, 6]);
    expect(vals(run('pad', [x, pads, null, null], { mode: 'reflect' })[0])).toEqual([3, 2, 1, 2, 3, 2, 6, 5, 4, 5, 6, 5]);
    expect(vals(run('pad', [x, pads, null, null], { mode: 'wrap' })[0])).toEqual([2, 3, 1, 2, 3, 1, 5, 6, 4, 5, 6, 4]);
  });

  test('axes select the padded dims; negative pads crop', () => {
    expect(vals(run('pad', [x, i64([1, 0]), null, i64([0])])[0])).toEqual([0, 0, 0, 1, 2, 3, 4, 5, 6]);
    expect(vals(run('pad', [x, i64([0, -1, 0, 0]), null, null])[0])).toEqual([2, 3, 5, 6]);
  });

  test('Pad-2 takes pads and value as attributes', () => {
    const { out } = runOnnx('Pad', 2, [x], { pads: [0, 1, 0, 0], value: 7 });
    expect(vals(out[0])).toEqual([7, 1, 2, 3, 7, 4, 5, 6]);
  });

  test('center_crop_pad crops and pads around the centre', () => {
    const y = run('center_crop_pad', [iota([4, 2]), i64([2, 4])])[0];
    expect(y.shape).toEqual([2, 4]);
    expect(vals(y)).toEqual([0, 2, 3, 0, 0, 4, 5, 0]);
  });
});
