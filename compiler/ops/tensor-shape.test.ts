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

describe('reshape', () => {
  test('0 copies a dim, -1 takes the rest, allowzero keeps a literal 0', () => {
    const x = iota([2, 3, 4]);
    expect(run('reshape', [x, i64([0, -1])])[0].shape).toEqual([2, 12]);
    expect(run('reshape', [x, i64([4, 0, -1])])[0].shape).toEqual([4, 3, 2]);
    expect(vals(run('reshape', [x, i64([24])])[0])).toEqual(vals(x));
    expect(run('reshape', [iota([0, 3]), i64([3, 0])], { allowzero: 1 })[0].shape).toEqual([3, 0]);
  });

  test('symbolic dims cancel between input and target', () => {
    const x: TensorType = { dtype: 'f32', shape: ['N', 3, 4] };
    expect(infer('reshape', [x, i64([0, -1])])[0].shape).toEqual(['N', 12]);
    expect(infer('reshape', [x, i64([-1, 4])])[0].shape).toEqual([expect.stringMatching(/^\?reshape/), 4]);
    expect(infer('reshape', [x, i64([0, 12])])[0].shape).toEqual(['N', 12]);
  });

  test('a run-time target shape gives fresh dims of the known rank', () => {
    const shape = infer('reshape', [{ dtype: 'f32', shape: [6] }, { dtype: 'i64', shape: [3] }])[0].shape;
    expect(shape).toHaveLength(3);
    shape.forEach((d) => expect(d).toMatch(/^\?reshape/));
  });

  test('impossible targets are DlcErrors', () => {
    expect(dlcError(() => run('reshape', [iota([2, 3]), i64([4, -1])]))).toMatch(/cannot reshape \[2,3\] to \[4,-1\]/);
    expect(dlcError(() => run('reshape', [iota([2, 3]), i64([-1, -1])]))).toMatch(/more than one -1/);
    expect(dlcError(() => infer('reshape', [{ dtype: 'f32', shape: [6] }, { dtype: 'i64', shape: ['K'] }]))).toMatch(/output rank is unknown/);
  });

  test('Reshape-1 takes the shape as an attribute', () => {
    const { ops, out } = runOnnx('Reshape', 1, [iota([2, 3])], { shape: [3, 2], consumed_inputs: [0] });
    expect(ops).toEqual(['reshape']);
    expect(out[0].shape).toEqual([3, 2]);
  });
});

describe('flatten, squeeze, unsqueeze', () => {
  test('flatten splits the dims at the axis', () => {
    expect(run('flatten', [iota([2, 3, 4])], { axis: 2 })[0].shape).toEqual([6, 4]);
    expect(run('flatten', [iota([2, 3, 4])], { axis: 0 })[0].shape).toEqual([1, 24]);
    expect(run('flatten', [iota([2, 3, 4])], { axis: -1 })[0].shape).toEqual([6, 4]);
    expect(infer('flatten', [{ dtype: 'f32', shape: ['N', 3, 4] }])[0].shape).toEqual(['N', 12]);
  });

  test('squeeze removes the given axes, or every 1', () => {
    expect(run('squeeze', [iota([1, 3, 1]), i64([-1])])[0].shape).toEqual([1, 3]);
    expect(run('squeeze', [iota([1, 3, 1]), null])[0].shape).toEqual([3]);
    expect(dlcError(() => run('squeeze', [iota([2, 3]), i64([0])]))).toMatch(/dim 0 has size 2, not 1/);
  });

  test('unsqueeze inserts axes counted in the output rank', () => {
    expect(run('unsqueeze', [iota([3, 4]), i64([0, 3])])[0].shape).toEqual([1, 3, 4, 1]);
    expect(run('unsqueeze', [iota([3, 4]), i64([-1])])[0].shape).toEqual([3, 4, 1]);
    expect(infer('unsqueeze', [{ dtype: 'f32', shape: ['N'] }, i64([1])])[0].shape).toEqual(['N', 1]);
  });

  test('before opset 13 the axes are an attribute', () => {
    expect(runOnnx('Unsqueeze', 11, [iota([3])], { axes: [0] }).out[0].shape).toEqual([1, 3]);
    expect(runOnnx('Squeeze', 11, [iota([1, 3])], { axes: [0] }).out[0].shape).toEqual([3]);
  });
});

describe('transpose, expand, tile', () => {
  test('transpose permutes (default: reverses) the axes', () => {
    const y = run('transpose', [iota([2, 3])])[0];
    expect(y.shape).toEqual([3, 2]);
    expect(vals(y)).toEqual([0, 3, 1, 4, 2, 5]);
    const z = run('transpose', [iota([2, 1, 3])], { perm: [2, 0, 1] })[0];
    expect(z.shape).toEqual([3, 2, 1]);
    expect(vals(z)).toEqual([0, 3, 1, 4, 2, 5]);
    expect(dlcError(() => run('transpose', [iota([2, 3])], { perm: [0, 0] }))).toMatch(/repeat/);
  });

  test('expand broadcasts both ways', () => {
    const y = run('expand', [t('f32', [3, 1], [1, 2, 3]), i64([2, 1, 2])])[0];
    expect(y.shape).toEqual([2, 3, 2]);
    expect(vals(y)).toEqual([1, 1, 2, 2, 3, 3, 1, 1, 2, 2, 3, 3]);
    const unknown = infer('expand', [{ dtype: 'f32', shape: [3, 1] }, { dtype: 'i64', shape: [3] }])[0].shape;
    expect(unknown[1]).toBe(3);
  });

  test('tile repeats the input along each axis', () => {
    const y = run('tile', [t('i32', [2, 2], [1, 2, 3, 4]), i64([1, 2])])[0];
    expect(y.shape).toEqual([2, 4]);
    expect(vals(y)).toEqual([1, 2, 1, 2, 3, 4, 3, 4]);
    expect(infer('tile', [{ dtype: 'f32', shape: ['N', 2] }, i64([1, 3])])[0].shape).toEqual(['N', 6]);
  });
});

describe('shape and size', () => {
  test('shape honours start and end, clamped', () => {
    const x = iota([2, 3, 4]);
    expect(vals(run('shape', [x])[0])).toEqual([2, 3, 4]);
    expect(vals(run('shape', [x], { start: 1 })[0])).toEqual([3, 4]);
    expect(vals(run('shape', [x], { start: -1 })[0])).toEqual([4]);
    expect(vals(run('shape', [x], { start: 1, end: -1 })[0])).toEqual([3]);
    expect(vals(run('shape', [x], { start: -10, end: 10 })[0])).toEqual([2, 3, 4]);
    expect(run('shape', [x], { start: 2, end: 1 })[0].shape).toEqual([0]);
    expect(infer('shape', [{ dtype: 'f32', shape: ['N', 3] }])[0]).toEqual({ dtype: 'i64', shape: [2] });
  });

  test('size counts the elements', () => {
    const y = run('size', [iota([2, 3, 4])])[0];
    expect(y.dtype).toBe('i64');
    expect(vals(y)).toEqual([24]);
  });
});
