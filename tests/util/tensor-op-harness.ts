// Harness for the tensor op tests: run an op with its inputs fed at run time and as constants, infer its
// types, import one ONNX node at a given opset.
import { DlcError } from '../../compiler/errors.js';
import { runGraph } from '../../compiler/interpreter.js';
import { GraphBuilder } from '../../compiler/ir/builder.js';
import type { DType } from '../../compiler/ir/dtype.js';
import { Graph, Value, type Attrs, type TensorType } from '../../compiler/ir/graph.js';
import { Tensor } from '../../compiler/ir/tensor.js';
import { findOnnxImport } from '../../compiler/ops/registry.js';
import '../../compiler/ops/index.js';

export const t = (dtype: DType, shape: number[], values: number[]) => Tensor.fromArray(dtype, shape, values);
export const i64 = (values: number[]) => t('i64', [values.length], values);
export const iota = (shape: number[]) => t('f32', shape, Array.from({ length: shape.reduce((p, d) => p * d, 1) }, (_, i) => i));
export const vals = (x: Tensor) => Array.from(x.data);
export const present = <T>(x: T | null): x is T => x !== null;

/** Runs `op` with its inputs fed at run time and again as constants; both must agree, and the constant run must infer concrete shapes. */
export function run(op: string, inputs: (Tensor | null)[], attrs: Attrs = {}): Tensor[] {
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
export function infer(op: string, inputs: (TensorType | Tensor | null)[], attrs: Attrs = {}): TensorType[] {
  const b = new GraphBuilder(new Graph('t'));
  const vs = inputs.map((x, i) => (x === null ? null : x instanceof Tensor ? b.constant(x) : new Value(`x${i}`, x)));
  return b.emit(op, vs, attrs).map((v) => v.type);
}

/** Imports one ONNX node at `opset` (inputs fed at run time); returns the canonical ops and the outputs. */
export function runOnnx(opType: string, opset: number, inputs: Tensor[], attrs: Attrs = {}): { ops: string[]; out: Tensor[] } {
  const graph = new Graph('onnx');
  const b = new GraphBuilder(graph);
  graph.inputs = inputs.map((x, i) => new Value(`x${i}`, { dtype: x.dtype, shape: [...x.shape] }));
  const { def, imp } = findOnnxImport('', opType)!;
  const node = { opType, domain: '', name: 'n', opset, inputs: graph.inputs, attrs, numOutputs: 1 };
  graph.outputs = imp.convert ? imp.convert(node, b) : b.emit(def.name, graph.inputs, attrs);
  return { ops: graph.nodes.map((n) => n.op), out: runGraph(graph, inputs, undefined, { checkTypes: true }) };
}

export function dlcError(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(DlcError);
    return (e as Error).message;
  }
  throw new Error('expected a DlcError');
}
