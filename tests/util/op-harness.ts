// Helpers for op tests: run one op through inference and its reference implementation, and import a
// one-node ONNX model, so that each test states only the op, its operands and the expected values.
import { makeNode } from '../../compiler/infer.js';
import { Value, type Attrs, type Graph } from '../../compiler/ir/graph.js';
import { Tensor } from '../../compiler/ir/tensor.js';
import { importOnnx } from '../../compiler/onnx/frontend.js';
import { encodeOnnxModel, type OnnxModelSpec } from '../../compiler/onnx/writer.js';
import { getOp } from '../../compiler/ops/registry.js';
import '../../compiler/ops/index.js';

/**
 * Runs canonical op `op`; checks that every computed output has the inferred dtype and shape
 * (inputs given as `const` are visible to inference as constants).
 */
export function runOp(op: string, inputs: (Tensor | null)[], attrs: Attrs = {}, numOutputs?: number, constInputs: number[] = []): Tensor[] {
  const values = inputs.map((t, i) => (t ? new Value(`in${i}`, { dtype: t.dtype, shape: [...t.shape] }, constInputs.includes(i) ? t : undefined) : null));
  const node = makeNode(op, values, attrs, op, numOutputs, (i, type) => new Value(`out${i}`, type));
  const outs = getOp(op).ref(inputs, node.attrs, { numOutputs: node.outputs.length, runGraph: () => [] });
  node.outputs.forEach((v, i) => {
    expect({ dtype: outs[i].dtype, shape: outs[i].shape }).toEqual({ dtype: v.type.dtype, shape: v.type.shape });
  });
  return outs.slice(0, node.outputs.length);
}

export function tensor(values: number[], shape: number[], dtype: Tensor['dtype'] = 'f32'): Tensor {
  return Tensor.fromArray(dtype, shape, values);
}

/** The values of a tensor as a plain array, rounded to `digits` decimals for float comparisons. */
export function values(t: Tensor, digits = 5): number[] {
  return Array.from(t.data as ArrayLike<number>, (v) => Number(v.toFixed(digits)));
}

/** Imports a model and returns its graph. */
export function importModel(spec: OnnxModelSpec): Graph {
  return importOnnx(encodeOnnxModel(spec)).graph;
}
