import { runGraph } from '../interpreter.js';
import { GraphBuilder } from '../ir/builder.js';
import { Graph, Value, type Attrs } from '../ir/graph.js';
import { Tensor } from '../ir/tensor.js';
import { t, i64, vals, run, infer, runOnnx, dlcError } from '../../tests/util/tensor-op-harness.js';

/** Runs `op` with its inputs fed at run time (for ops whose output sizes depend on the data). */
function runDynamic(op: string, inputs: Tensor[], attrs: Attrs = {}): Tensor[] {
  const g = new Graph('g');
  g.inputs = inputs.map((x, i) => new Value(`x${i}`, { dtype: x.dtype, shape: [...x.shape] }));
  g.outputs = new GraphBuilder(g).emit(op, g.inputs, attrs);
  return runGraph(g, inputs, undefined, { checkTypes: true });
}

function expectClose(got: number[], want: number[]): void {
  expect(got).toHaveLength(want.length);
  got.forEach((g, i) => expect(g).toBeCloseTo(want[i], 5));
}

describe('unique', () => {
  const x = t('f32', [6], [2, 1, 1, 3, 4, 3]);

  test('sorted: values, first indices, inverse indices, counts', () => {
    expect(runDynamic('unique', [x]).map(vals)).toEqual([[1, 2, 3, 4], [1, 0, 3, 4], [1, 0, 0, 2, 3, 2], [2, 1, 2, 1]]);
  });

  test('unsorted keeps first-occurrence order', () => {
    expect(runDynamic('unique', [x], { sorted: 0 }).map(vals)).toEqual([[2, 1, 3, 4], [0, 1, 3, 4], [0, 1, 1, 2, 3, 2], [1, 2, 2, 1]]);
  });

  test('along an axis, slices are compared whole', () => {
    const rows = t('i32', [3, 2], [1, 0, 0, 5, 1, 0]);
    const [y, first, inverse, counts] = runDynamic('unique', [rows], { axis: 0 });
    expect(y.shape).toEqual([2, 2]);
    expect(vals(y)).toEqual([0, 5, 1, 0]);
    expect([vals(first), vals(inverse), vals(counts)]).toEqual([[1, 0], [1, 0, 1], [1, 2]]);
  });
});

describe('det', () => {
  test('2×2, pivoting, and a batch', () => {
    expect(vals(run('det', [t('f32', [2, 2], [1, 2, 3, 4])])[0])).toEqual([-2]);
    expect(vals(run('det', [t('f64', [2, 2], [0, 1, 1, 0])])[0])).toEqual([-1]);
    const batch = run('det', [t('f64', [2, 3, 3], [2, 0, 0, 0, 2, 0, 0, 0, 2, 1, 2, 3, 4, 5, 6, 7, 8, 10])])[0];
    expect(batch.shape).toEqual([2]);
    expectClose(vals(batch), [8, -3]);
  });

  test('non-square matrices are rejected at inference', () => {
    expect(dlcError(() => infer('det', [{ dtype: 'f32', shape: [2, 3] }]))).toMatch(/2×3, not square/);
  });
});

describe('dft', () => {
  // x = [1, 2, 3, 4] as a real signal of shape [1, 4, 1]: X = [10, -2+2i, -2, -2-2i].
  const x = t('f32', [1, 4, 1], [1, 2, 3, 4]);
  const axis = t('i64', [], [1]);

  test('forward, onesided, and the inverse round trip', () => {
    const y = run('dft', [x, null, axis])[0];
    expect(y.shape).toEqual([1, 4, 2]);
    expectClose(vals(y), [10, 0, -2, 2, -2, 0, -2, -2]);
    expectClose(vals(run('dft', [x, null, axis], { onesided: 1 })[0]), [10, 0, -2, 2, -2, 0]);
    expectClose(vals(run('dft', [y, null, axis], { inverse: 1 })[0]), [1, 0, 2, 0, 3, 0, 4, 0]);
  });

  test('dft_length zero-pads the signal', () => {
    const y = run('dft', [t('f32', [1, 1, 1], [1]), i64([2]), axis])[0];
    expect(y.shape).toEqual([1, 2, 2]);
    expectClose(vals(y), [1, 0, 1, 0]);
  });

  test('DFT-17 gives the axis as an attribute', () => {
    const { ops, out } = runOnnx('DFT', 17, [x], { axis: 1 });
    expect(ops).toEqual(['dft']);
    expectClose(vals(out[0]), [10, 0, -2, 2, -2, 0, -2, -2]);
  });
});
