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
