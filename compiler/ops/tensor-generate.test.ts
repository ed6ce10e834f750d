import { DlcError } from '../errors.js';
import { runGraph } from '../interpreter.js';
import { GraphBuilder } from '../ir/builder.js';
import type { DType } from '../ir/dtype.js';
import { Graph, Value, type Attrs, type TensorType } from '../ir/graph.js';
import { Tensor } from '../ir/tensor.js';
import { findOnnxImport } from './registry.js';
import './index.js';

const t = (dtype: DType, shape: number[], values: number[]) => Tensor.fromArray(dtype, shape, values);
const i64 = (values: number[]) => t('i64', [values.length], values);
const iota = (shape: number[]) => t('f32', shape, Array.from({ length: shape.reduce((p, d) => p * d, 1) }, (_, i) => i));
const vals = (x: Tensor) => Array.from(x.data);
const present = <T>(x: T | null): x is T => x !== null;

/** Runs `op` with its inputs fed at run time and again as constants; both must agree, and the constant run must infer concrete shapes. */
function run(op: string, inputs: (Tensor | null)[], attrs: Attrs = {}): Tensor[] {
  const dyn = new Graph('dyn');
  const vs = inputs.map((x, i) => (x ? new Value(`x${i}`, { dtype: x.dtype, shape: [...x.shape] }) : null));
  dyn.inputs = vs.filter(present);
  dyn.outputs = new GraphBuilder(dyn).emit(op, vs, attrs);
  const a = runGraph(dyn, inputs.filter(present), undefined, { checkTypes: true });
  const cst = new Graph('const');
  const b = new GraphBuilder(cst);
  cst.outputs = b.emit(op, inputs.map((x) => (x ? b.constant(x) : null)), attrs);
  const c = runGraph(cst, [], undefined, { checkTypes: true });
  c.forEach((x, i) => {
    expect(cst.outputs[i].type.shape).toEqual(x.shape);
    expect(a[i].shape).toEqual(x.shape);
    expect(vals(a[i])).toEqual(vals(x));
  });
  return c;
}

/** Output types of `op` for inputs given as types (run-time values) or tensors (constants). */
function infer(op: string, inputs: (TensorType | Tensor | null)[], attrs: Attrs = {}): TensorType[] {
  const b = new GraphBuilder(new Graph('t'));
  const vs = inputs.map((x, i) => (x === null ? null : x instanceof Tensor ? b.constant(x) : new Value(`x${i}`, x)));
  return b.emit(op, vs, attrs).map((v) => v.type);
}

/** Imports one ONNX node at `opset` (inputs fed at run time); returns the canonical ops and the outputs. */
function runOnnx(opType: string, opset: number, inputs: Tensor[], attrs: Attrs = {}): { ops: string[]; out: Tensor[] } {
  const graph = new Graph('onnx');
  const b = new GraphBuilder(graph);
  graph.inputs = inputs.map((x, i) => new Value(`x${i}`, { dtype: x.dtype, shape: [...x.shape] }));
  const { def, imp } = findOnnxImport('', opType)!;
  const node = { opType, domain: '', name: 'n', opset, inputs: graph.inputs, attrs, numOutputs: 1 };
  graph.outputs = imp.convert ? imp.convert(node, b) : b.emit(def.name, graph.inputs, attrs);
  return { ops: graph.nodes.map((n) => n.op), out: runGraph(graph, inputs, undefined, { checkTypes: true }) };
}

function dlcError(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(DlcError);
    return (e as Error).message;
  }
  throw new Error('expected a DlcError');
}


describe('constant_of_shape and range', () => {
  test('constant_of_shape fills with the value tensor (default f32 zero)', () => {
    const y = run('constant_of_shape', [i64([2, 1])], { value: t('i32', [1], [7]) })[0];
    expect(y.dtype).toBe('i32');
    expect(vals(y)).toEqual([7, 7]);
    expect(run('constant_of_shape', [i64([])])[0].shape).toEqual([]);
    const unknown = infer('constant_of_shape', [{ dtype: 'i64', shape: [3] }])[0].shape;
    expect(unknown).toHaveLength(3);
  });

  test('range counts ceil((limit - start) / delta) elements', () => {
    expect(vals(run('range', [t('i32', [], [10]), t('i32', [], [4]), t('i32', [], [-3])])[0])).toEqual([10, 7]);
    const y = run('range', [t('f32', [], [0]), t('f32', [], [1]), t('f32', [], [0.25])])[0];
    expect(vals(y)).toEqual([0, 0.25, 0.5, 0.75]);
    expect(run('range', [t('i64', [], [5]), t('i64', [], [1]), t('i64', [], [1])])[0].shape).toEqual([0]);
    expect(dlcError(() => run('range', [t('i64', [], [0]), t('i64', [], [1]), t('i64', [], [0])]))).toMatch(/delta is 0/);
  });
});

describe('eye_like, trilu, reverse_sequence', () => {
  test('eye_like puts ones on the k-th diagonal, in the input dtype or the ONNX dtype', () => {
    expect(vals(run('eye_like', [t('i32', [2, 3], [0, 0, 0, 0, 0, 0])], { k: 1 })[0])).toEqual([0, 1, 0, 0, 0, 1]);
    const { out } = runOnnx('EyeLike', 9, [t('i32', [2, 2], [5, 5, 5, 5])], { dtype: 11 });
    expect(out[0].dtype).toBe('f64');
    expect(vals(out[0])).toEqual([1, 0, 0, 1]);
  });

  test('trilu keeps the upper or lower triangle relative to diagonal k, batched', () => {
    const x = iota([2, 2, 3]);
    expect(vals(run('trilu', [x, null])[0])).toEqual([0, 1, 2, 0, 4, 5, 6, 7, 8, 0, 10, 11]);
    expect(vals(run('trilu', [x, t('i64', [], [-1])], { upper: 0 })[0])).toEqual([0, 0, 0, 3, 0, 0, 0, 0, 0, 9, 0, 0]);
  });

  test('reverse_sequence reverses each batch entry up to its length', () => {
    // time_axis 0, batch_axis 1: column b reverses its first lens[b] rows.
    const y = run('reverse_sequence', [iota([3, 2]), i64([3, 1])])[0];
    expect(vals(y)).toEqual([4, 1, 2, 3, 0, 5]);
  });
});

describe('windows', () => {
  test('periodic and symmetric hann, hamming, blackman', () => {
    const w = (op: string, periodic: number) => vals(run(op, [t('i32', [], [4])], { periodic })[0]);
    expectClose(w('hann_window', 1), [0, 0.5, 1, 0.5]);
    expectClose(w('hann_window', 0), [0, 0.75, 0.75, 0]);
    expectClose(w('hamming_window', 1), [4 / 46, 25 / 46, 1, 25 / 46]);
    expectClose(w('blackman_window', 1), [0, 0.34, 1, 0.34]);
  });

  test('output_datatype picks the dtype', () => {
    const { ops, out } = runOnnx('HannWindow', 17, [t('i64', [], [3])], { output_datatype: 11 });
    expect(ops).toEqual(['hann_window']);
    expect(out[0].dtype).toBe('f64');
  });
});

function expectClose(got: number[], want: number[]): void {
  expect(got).toHaveLength(want.length);
  got.forEach((g, i) => expect(g).toBeCloseTo(want[i], 6));
}
