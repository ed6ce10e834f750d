import { DlcError } from './errors.js';
import { Tensor } from './ir/tensor.js';
import { importOnnx } from './onnx/frontend.js';
import { encodeOnnxModel, type OnnxModelSpec } from './onnx/writer.js';
import { allOps, getOp } from './ops/registry.js';
import { checkStaticShapes, shapeInputs } from './shape-inputs.js';

/** y = reshape(x, shape) + reshape(reshape(x, shape(x)), [6, 4]), with `shape` an input. */
const reshapeModel: OnnxModelSpec = {
  inputs: [
    { name: 'x', dtype: 'f32', shape: [2, 3, 4] },
    { name: 'shape', dtype: 'i64', shape: [2] },
  ],
  outputs: [{ name: 'y', dtype: 'f32', shape: ['a', 'b'] }],
  initializers: [{ name: 'two', tensor: Tensor.fromArray('i64', [2], [6, 4]) }],
  nodes: [
    { op: 'Shape', inputs: ['x'], outputs: ['xs'] },
    { op: 'Reshape', inputs: ['x', 'xs'], outputs: ['same'] },
    { op: 'Reshape', inputs: ['same', 'two'], outputs: ['flat'] },
    { op: 'Reshape', inputs: ['x', 'shape'], outputs: ['r'], name: 'Reshape_0' },
    { op: 'Add', inputs: ['r', 'flat'], outputs: ['y'] },
  ],
};

/** The count of `range` computed from the inputs: limit - start feeds Range's limit through arithmetic. */
const rangeModel: OnnxModelSpec = {
  inputs: [
    { name: 'start', dtype: 'f32', shape: [] },
    { name: 'len', dtype: 'f32', shape: [] },
    { name: 'bias', dtype: 'f32', shape: [] },
  ],
  outputs: [{ name: 'y', dtype: 'f32', shape: ['n'] }],
  initializers: [{ name: 'one', tensor: Tensor.scalar('f32', 1) }],
  nodes: [
    { op: 'Add', inputs: ['start', 'len'], outputs: ['limit'] },
    { op: 'Range', inputs: ['start', 'limit', 'one'], outputs: ['r'], name: 'Range_0' },
    { op: 'Add', inputs: ['r', 'bias'], outputs: ['y'] },
  ],
};

const nonzeroModel: OnnxModelSpec = {
  inputs: [{ name: 'x', dtype: 'f32', shape: [4] }],
  outputs: [{ name: 'i', dtype: 'i64', shape: [1, 'n'] }],
  nodes: [{ op: 'NonZero', inputs: ['x'], outputs: ['i'], name: 'NonZero_0' }],
};

const nonzeroConsumedModel: OnnxModelSpec = {
  inputs: [{ name: 'x', dtype: 'f32', shape: [4] }],
  outputs: [{ name: 't', dtype: 'i64', shape: ['n', 1] }],
  nodes: [
    { op: 'NonZero', inputs: ['x'], outputs: ['i'], name: 'NonZero_0' },
    { op: 'Transpose', inputs: ['i'], outputs: ['t'], name: 'Transpose_0' },
  ],
};

const nonzeroConcatenatedModel: OnnxModelSpec = {
  inputs: [{ name: 'x', dtype: 'f32', shape: [4] }],
  outputs: [{ name: 'c', dtype: 'i64', shape: [2, 'n'] }],
  nodes: [
    { op: 'NonZero', inputs: ['x'], outputs: ['i'], name: 'NonZero_0' },
    { op: 'Concat', inputs: ['i', 'i'], outputs: ['c'], name: 'Concat_0', attrs: { axis: 0 } },
  ],
};

const importOf = (spec: OnnxModelSpec) => importOnnx(encodeOnnxModel(spec), { file: 'm.onnx' }).graph;

function messageOf(f: () => void): string {
  try {
    f();
  } catch (e) {
    if (e instanceof DlcError) return e.message;
    throw e;
  }
  return 'no error';
}

describe('shape operands in the registry', () => {
  test('are valid input indices, declared by the ops whose output shapes read input values', () => {
    for (const op of allOps()) for (const i of op.shapeOperands ?? []) expect(Number.isInteger(i) && i >= 0).toBe(true);
    expect(getOp('reshape').shapeOperands).toEqual([1]);
    expect(getOp('slice').shapeOperands).toEqual([1, 2, 3, 4]);
    expect(getOp('resize').shapeOperands).toEqual([2, 3]);
  });

  test('data-dependent ops have none: their output sizes come from data, not from a shape given ahead', () => {
    for (const name of ['non_zero', 'compress', 'unique']) expect(getOp(name).shapeOperands).toBeUndefined();
  });
});

describe('shapeInputs', () => {
  test('finds the input that reaches a shape operand, and not the data input whose shape alone is read', () => {
    const found = shapeInputs(importOf(reshapeModel));
    expect([...found].map(([x, node]) => [x.name, node.name])).toEqual([['shape', 'Reshape_0']]);
  });

  test('follows values through arithmetic to the operand', () => {
    const found = shapeInputs(importOf(rangeModel));
    expect([...found].map(([x, node]) => [x.name, node.op])).toEqual([
      ['start', 'range'],
      ['len', 'range'],
    ]);
  });

  test('finds none once the values are given', () => {
    const { graph } = importOnnx(encodeOnnxModel(reshapeModel), { inputValues: { shape: [6, 4] } });
    expect(shapeInputs(graph).size).toBe(0);
    expect(() => checkStaticShapes(graph)).not.toThrow();
  });
});

describe('checkStaticShapes', () => {
  test('names the input whose missing value leaves a shape symbolic, and the node it sets', () => {
    expect(messageOf(() => checkStaticShapes(importOf(reshapeModel), 'm.onnx'))).toBe(
      "m.onnx: input 'shape' sets the shape of node 'Reshape_0' (op reshape); give its value with --input-value shape=...",
    );
    expect(messageOf(() => checkStaticShapes(importOf(rangeModel), 'm.onnx'))).toBe(
      "m.onnx: input 'start' sets the shape of node 'Range_0' (op range); give its value with --input-value start=...",
    );
  });

  test('accepts a graph output whose size depends on data within a bound (compiler/run-time-dims.ts)', () => {
    expect(() => checkStaticShapes(importOf(nonzeroModel), 'm.onnx')).not.toThrow();
  });

  test('accepts a node with a kernel reading a tensor whose size depends on data (compiler/run-time-consumers.ts)', () => {
    expect(() => checkStaticShapes(importOf(nonzeroConsumedModel), 'm.onnx')).not.toThrow();
  });

  test('refuses a node without such a kernel that reads a tensor whose size depends on data, naming that node', () => {
    expect(messageOf(() => checkStaticShapes(importOf(nonzeroConcatenatedModel), 'm.onnx'))).toBe(
      "m.onnx, node 'Concat_0', op concat: input 'i' has a size known only at run time (it depends on data); dlc cannot read it here: op concat has no kernel reading it",
    );
  });
});
