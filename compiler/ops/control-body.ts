// Helpers shared by the ops that run nested graphs (If, Loop, Scan): merging the types of values that
// take different shapes on different paths, re-typing a body whose inputs were widened, and the slicing
// and stacking that Loop and Scan do along one axis.
import { DlcError } from '../errors.js';
import { allocData, type DType } from '../ir/dtype.js';
import { Graph, formatShape, type Dim, type Node, type TensorType } from '../ir/graph.js';
import { Tensor, sizeOf } from '../ir/tensor.js';
import { inferNode } from '../infer.js';

/**
 * The type of a value that is `a` on one path and `b` on another: dims that agree are kept, dims that
 * differ become `fresh()`. The ranks and dtypes must agree (an IR type cannot leave the rank open).
 */
export function mergeTypes(a: TensorType, b: TensorType, fresh: () => string, what: string): TensorType {
  if (a.dtype !== b.dtype) throw new DlcError(`${what} is ${a.dtype} on one path and ${b.dtype} on another`);
  if (a.shape.length !== b.shape.length) {
    throw new DlcError(`${what} has shape ${formatShape(a.shape)} on one path and ${formatShape(b.shape)} on another (ranks differ)`);
  }
  return { dtype: a.dtype, shape: a.shape.map((d, i) => (d === b.shape[i] ? d : fresh())) };
}

let widenCounter = 0;

/**
 * Widens `declared` in place so that a value of type `actual` also fits it: every concrete dim of
 * `declared` that `actual` does not match becomes symbolic. Returns whether anything changed.
 */
export function widenInPlace(declared: TensorType, actual: TensorType, what: string): boolean {
  if (declared.dtype !== actual.dtype) throw new DlcError(`${what} is declared ${declared.dtype} but receives ${actual.dtype}`);
  if (declared.shape.length !== actual.shape.length) {
    throw new DlcError(`${what} is declared with shape ${formatShape(declared.shape)} but receives ${formatShape(actual.shape)}`);
  }
  let changed = false;
  declared.shape.forEach((d, i) => {
    if (typeof d === 'number' && d !== actual.shape[i]) {
      declared.shape[i] = `?varying_${widenCounter++}`;
      changed = true;
    }
  });
  return changed;
}

/** How a body's inputs relate to its outputs and to the values its op feeds it. */
export interface BodyBinding {
  /** For each body input, the type of what the op feeds it (null: leave the declared type). */
  fed: (TensorType | null)[];
  /** Pairs [body input index, body output index] of state carried from one iteration to the next. */
  carried: [number, number][];
}

/**
 * Makes a loop body's declared input types hold for every iteration: inputs are widened to what the op
 * feeds them, then each carried input to what the body produces for it, until nothing changes (each
 * round turns at least one concrete dim symbolic, so this ends). The body is re-typed after each change,
 * so a state that grows per iteration gets a symbolic dim and every node reading it is typed to match.
 */
export function settleBody(body: Graph, binding: BodyBinding): void {
  let changed = false;
  binding.fed.forEach((t, i) => {
    if (t && i < body.inputs.length) changed = widenInPlace(body.inputs[i].type, t, `body input '${body.inputs[i].name}'`) || changed;
  });
  if (changed) retypeGraph(body);
  for (;;) {
    changed = false;
    for (const [i, o] of binding.carried) {
      const input = body.inputs[i];
      changed = widenInPlace(input.type, body.outputs[o].type, `loop-carried body input '${input.name}'`) || changed;
    }
    if (!changed) return;
    retypeGraph(body);
  }
}

/** Nested ops that settle their own bodies when re-typed, given the node's (new) input types. */
const bodyBindings = new Map<string, (node: Node) => BodyBinding>();

export function registerBodyBinding(op: string, bind: (node: Node) => BodyBinding): void {
  bodyBindings.set(op, bind);
}

/** Re-infers every node's output types in order, after some of the graph's input types changed. */
export function retypeGraph(g: Graph): void {
  for (const node of g.nodes) {
    const bind = bodyBindings.get(node.op);
    for (const sg of Graph.subgraphsOf(node)) {
      if (bind) settleBody(sg, bind(node));
      retypeGraph(sg);
    }
    const types = inferNode(node);
    node.outputs.forEach((v, i) => (v.type = types[i]));
  }
}

/** Shape of a tensor of type `t` with zero elements: symbolic dims read as 0. */
function emptyShape(t: TensorType): number[] {
  return t.shape.map((d) => (typeof d === 'number' ? d : 0));
}

/** x[..., index, ...] along `axis`: the slice with that axis removed. */
export function sliceAlong(x: Tensor, axis: number, index: number): Tensor {
  const len = x.shape[axis];
  const outer = sizeOf(x.shape.slice(0, axis));
  const inner = sizeOf(x.shape.slice(axis + 1));
  const out = allocData(x.dtype, outer * inner);
  for (let o = 0; o < outer; o++) {
    const src = (o * len + index) * inner;
    for (let k = 0; k < inner; k++) out[o * inner + k] = x.data[src + k];
  }
  return new Tensor(x.dtype, [...x.shape.slice(0, axis), ...x.shape.slice(axis + 1)], out);
}

/**
 * Stacks equally shaped slices along a new axis `axis`; slice t lands at position `order(t)`.
 * `empty` is the slice type used when there are no slices.
 */
export function stackAlong(slices: readonly Tensor[], axis: number, empty: TensorType, order: (t: number) => number, what: string): Tensor {
  const count = slices.length;
  const dtype: DType = count ? slices[0].dtype : empty.dtype;
  const sliceShape = count ? slices[0].shape : emptyShape(empty);
  for (const s of slices) {
    if (s.shape.length !== sliceShape.length || s.shape.some((d, i) => d !== sliceShape[i])) {
      throw new DlcError(`${what} has shape [${s.shape}] in one iteration and [${sliceShape}] in another; scan outputs must keep one shape`);
    }
  }
  const outShape = [...sliceShape.slice(0, axis), count, ...sliceShape.slice(axis)];
  const outer = sizeOf(sliceShape.slice(0, axis));
  const inner = sizeOf(sliceShape.slice(axis));
  const result = new Tensor(dtype, outShape);
  const out = result.data;
  slices.forEach((s, t) => {
    const pos = order(t);
    for (let o = 0; o < outer; o++) {
      const dst = (o * count + pos) * inner;
      for (let k = 0; k < inner; k++) out[dst + k] = s.data[o * inner + k];
    }
  });
  return result;
}

/** The single element of a scalar-like tensor (shape [] or [1]), e.g. a trip count or a condition. */
export function scalarOf(t: Tensor, what: string): number {
  if (t.size !== 1) throw new DlcError(`${what} must hold one element, got shape [${t.shape}]`);
  return t.data[0];
}

/** Removes dim `axis` from a shape. */
export function dropDim(shape: readonly Dim[], axis: number): Dim[] {
  return [...shape.slice(0, axis), ...shape.slice(axis + 1)];
}
