// Type and shape inference of one node through its registry entry.
import { DlcError, withContext } from './errors.js';
import type { Attrs, Node, TensorType, Value } from './ir/graph.js';
import { getOp, resolveAttrs, type InferContext } from './ops/registry.js';

let freshCounter = 0;

/** Every output type the op can produce for this node (its attrs must already be resolved). */
function inferAll(node: Node): TensorType[] {
  try {
    const ctx: InferContext = {
      node,
      attrs: node.attrs,
      inputs: node.inputs.map((v) => (v ? v.type : null)),
      constInput: (i) => node.inputs[i]?.data,
      freshDim: (hint) => `?${hint}_${freshCounter++}`,
    };
    return getOp(node.op).infer(ctx);
  } catch (e) {
    withContext(e, { node: node.name, op: node.op });
  }
}

/** Output types of an existing node. */
export function inferNode(node: Node): TensorType[] {
  const types = inferAll(node);
  if (types.length < node.outputs.length) {
    throw new DlcError(`op produces ${types.length} outputs, node has ${node.outputs.length}`, { node: node.name, op: node.op });
  }
  return types.slice(0, node.outputs.length);
}

/**
 * Builds a node of a canonical op: attributes resolved against the schema, outputs created with their
 * inferred types (`numOutputs` of them; all the op produces when omitted).
 */
export function makeNode(
  op: string,
  inputs: (Value | null)[],
  attrs: Attrs,
  name: string,
  numOutputs: number | undefined,
  makeOutput: (index: number, type: TensorType) => Value,
): Node {
  let resolved: Attrs;
  try {
    resolved = resolveAttrs(getOp(op), attrs);
  } catch (e) {
    withContext(e, { node: name, op });
  }
  const node: Node = { op, inputs, outputs: [], attrs: resolved, name };
  const types = inferAll(node);
  const n = numOutputs ?? types.length;
  if (n > types.length) throw new DlcError(`node has ${n} outputs, op produces at most ${types.length}`, { node: name, op });
  node.outputs = types.slice(0, n).map((t, i) => makeOutput(i, t));
  return node;
}
