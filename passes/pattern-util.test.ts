import { Value } from '../compiler/ir/graph.js';
import { Tensor } from '../compiler/ir/tensor.js';
import { commuted, isScalar, perChannel, scaleAlong, scalarOf } from './pattern-util.js';

describe('pattern-util', () => {
  test('commuted spells every operand order of nested adds and muls, other ops as given', () => {
    const x = { value: 'x' };
    const c = { value: 'c', const: true };
    const variants = commuted({ op: 'mul', inputs: [{ op: 'add', inputs: [x, c] }, c] });
    expect(variants).toHaveLength(4);
    expect(variants).toContainEqual({ op: 'mul', inputs: [c, { op: 'add', inputs: [c, x] }] });
    expect(commuted({ op: 'sub', inputs: [x, c] })).toEqual([{ op: 'sub', inputs: [x, c] }]);
  });

  test('scalarOf and isScalar read one-element constants of any rank', () => {
    const v = (t: Tensor) => new Value('c', { dtype: t.dtype, shape: [...t.shape] }, t);
    expect(scalarOf(v(Tensor.fromArray('f32', [1, 1], [6])))).toBe(6);
    expect(scalarOf(v(Tensor.fromArray('f32', [2], [6, 6])))).toBeUndefined();
    expect(scalarOf(new Value('x', { dtype: 'f32', shape: [] }))).toBeUndefined();
    expect(isScalar(v(Tensor.scalar('f32', 1 / 6)), 1 / 6)).toBe(true);
    expect(isScalar(v(Tensor.scalar('f32', 0.17)), 1 / 6)).toBe(false);
  });

  test('perChannel accepts constants varying along the channel axis only', () => {
    expect(Array.from(perChannel(Tensor.fromArray('f32', [1, 2, 1, 1], [2, 3]), [1, 2, 4, 4], 1, 2)!)).toEqual([2, 3]);
    expect(Array.from(perChannel(Tensor.fromArray('f32', [2, 1, 1], [2, 3]), [1, 2, 4, 4], 1, 2)!)).toEqual([2, 3]);
    expect(Array.from(perChannel(Tensor.scalar('f32', 5), [1, 2, 4, 4], 1, 2)!)).toEqual([5, 5]);
    expect(perChannel(Tensor.fromArray('f32', [1, 1, 4, 1], [1, 2, 3, 4]), [1, 2, 4, 4], 1, 2)).toBeUndefined();
    expect(perChannel(Tensor.fromArray('f32', [2], [2, 3]), [1, 2, 4, 2], 1, 2)).toBeUndefined(); // last axis, not 1
    expect(perChannel(Tensor.fromArray('f32', [1, 1, 2, 1, 1], [2, 3]), [1, 2, 4, 4], 1, 2)).toBeUndefined(); // grows the rank
  });

  test('scaleAlong multiplies each slice along an axis by its factor', () => {
    const w = Tensor.fromArray('f32', [2, 3], [1, 2, 3, 4, 5, 6]);
    expect(Array.from(scaleAlong(w, 0, Float64Array.from([10, 100])).data)).toEqual([10, 20, 30, 400, 500, 600]);
    expect(Array.from(scaleAlong(w, 1, Float64Array.from([1, 0, -1])).data)).toEqual([1, 0, -3, 4, 0, -6]);
  });
});
