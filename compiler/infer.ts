// Type and shape inference of one node through its registry entry, with compile-time value propagation:
// small values computable at compile time (Shape of a concrete shape, arithmetic on such values) are
// recorded so that the inference of later nodes (a Reshape's target, say) sees them. The graph is not
// changed: folding those nodes away is the fold passes' job.
import { DlcError, withContext } from './errors.js';
import { Graph, type Attrs, type Node, type TensorType, type Value } from './ir/graph.js';
import { Tensor } from './ir/tensor.js';
import { getOp, resolveAttrs, type InferContext, type OpDef } from './ops/registry.js';

let freshCounter = 0;

/** Values known at compile time that are not constants of the graph. */
const knownValues = new WeakMap<Value, Tensor>();

/** Largest value propagated at compile time (shape vectors and scalars, not activations). */
export const MAX_PROPAGATED_ELEMENTS = 64;

/** The compile-time value of `v`: its constant data, or a value propagated during inference. */
export function knownValue(v: Value | null | undefined): Tensor | undefined {
  return v ? (v.data ?? knownValues.get(v)) : undefined;
}

function contextOf(node: Node): InferContext {
  return {
    node,
    attrs: node.attrs,
    inputs: node.inputs.map((v) => (v ? v.type : null)),
    constInput: (i) => knownValue(node.inputs[i]),
    freshDim: (hint) => `?${hint}_${freshCounter++}`,
  };
}

/** Every output type the op can produce for this node (its attrs must already be resolved). */
function inferAll(node: Node): TensorType[] {
  try {
    return getOp(node.op).infer(contextOf(node));
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
 * inferred types (`numOutputs` of them; all the op produces when omitted), and their values propagated
 * when they are known at compile time.
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
  propagateValues(node);
  return node;
}

function propagateValues(node: Node): void {
  const def = getOp(node.op);
  let values: Tensor[] | undefined;
  try {
    values = def.propagate?.(contextOf(node)) ?? evaluateIfKnown(node, def);
  } catch (e) {
    // Propagation is an optimization of inference: a failure here is left to the interpreter to report.
    if (e instanceof DlcError) return;
    throw e;
  }
  values?.forEach((t, i) => {
    const out = node.outputs[i];
    if (out && t.size <= MAX_PROPAGATED_ELEMENTS) knownValues.set(out, t);
  });
}

/** Runs the reference implementation when every input is known and small. */
function evaluateIfKnown(node: Node, def: OpDef): Tensor[] | undefined {
  if (Object.values(node.attrs).some((a) => a instanceof Graph)) return undefined;
  const args: (Tensor | null)[] = [];
  for (const v of node.inputs) {
    if (!v) {
      args.push(null);
      continue;
    }
    const t = knownValue(v);
    if (!t || t.size > MAX_PROPAGATED_ELEMENTS) return undefined;
    args.push(t);
  }
  if (!node.outputs.every((o) => isSmall(o.type))) return undefined;
  return def.ref(args, node.attrs, {
    numOutputs: node.outputs.length,
    runGraph: () => {
      throw new DlcError('no nested graphs at compile time');
    },
  });
}

function isSmall(t: TensorType): boolean {
  let n = 1;
  for (const d of t.shape) {
    if (typeof d !== 'number') return false;
    n *= d;
  }
  return n <= MAX_PROPAGATED_ELEMENTS;
}
