// Folding of shape arithmetic: once input shapes are concrete, `shape(x)` is a constant, and so is
// `size(x)`. Those constants then fold onward through fold-constants (Gather, Concat, Unsqueeze, Cast… on
// constants), so exported Shape → Gather → Concat → Reshape chains collapse into a Reshape by a constant.
// Where x is only partly known, `gather(shape(x), i)` still folds when the gathered dims are.
import type { Dim, Graph, Value } from '../compiler/ir/graph.js';
import { Tensor } from '../compiler/ir/tensor.js';
import { refineTypes } from './graph-edit.js';
import type { PassInfo } from './manager.js';
import { applyRewrites, type RewriteRule } from './rewrite.js';

export const foldShapeArithmeticPass: PassInfo = {
  name: 'fold-shape-arithmetic',
  description: 'replaces shape(x) and size(x) by constants where the dims they read are known',
  options: {},
  create: () => (graph) => foldShapeArithmetic(graph),
};

export function foldShapeArithmetic(graph: Graph): Graph {
  const g = applyRewrites(graph, SHAPE_RULES);
  // New constants can make downstream types concrete (a Reshape by a folded shape).
  refineTypes(g);
  return g;
}

export const SHAPE_RULES: readonly RewriteRule[] = [
  // shape(x) {start, end} → [dims(x)[start:end]] when those dims are known
  [{ op: 'shape', inputs: [{ value: 'x' }] }, (m, rw) => {
    const dims = shapeSlice(m.values.x, m.root.attrs.start, m.root.attrs.end);
    return dims && isKnown(dims) ? [rw.constant(Tensor.fromArray('i64', [dims.length], dims))] : undefined;
  }],

  // size(x) → ∏ dims(x) when every dim is known
  [{ op: 'size', inputs: [{ value: 'x' }] }, (m, rw) => {
    const dims = m.values.x.type.shape;
    return isKnown(dims) ? [rw.constant(Tensor.scalar('i64', dims.reduce((a, b) => a * b, 1)))] : undefined;
  }],

  // gather(shape(x), i) {axis=0} → dims(x)[i] when the gathered dims are known (others may be symbolic)
  [{ op: 'gather', inputs: [{ op: 'shape', inputs: [{ value: 'x' }], as: 'shape' }, { value: 'i', const: true }] }, (m, rw) => {
    const dims = shapeSlice(m.values.x, m.nodes.shape.attrs.start, m.nodes.shape.attrs.end);
    const indices = m.values.i.data!;
    const axis = m.root.attrs.axis ?? 0;
    if (!dims || (axis !== 0 && axis !== -1)) return undefined;
    const picked: Dim[] = [];
    for (const k of indices.toNumbers()) {
      const j = k < 0 ? k + dims.length : k;
      if (!Number.isInteger(j) || j < 0 || j >= dims.length) return undefined; // out of range: an error at run time
      picked.push(dims[j]);
    }
    return isKnown(picked) ? [rw.constant(Tensor.fromArray('i64', [...indices.shape], picked))] : undefined;
  }],
];

/** dims(x)[start:end] with ONNX Shape's clamping; undefined when the attributes are not ints. */
function shapeSlice(x: Value, start: unknown, end: unknown): Dim[] | undefined {
  const dims = x.type.shape;
  const rank = dims.length;
  const clamp = (a: number) => Math.min(Math.max(a < 0 ? a + rank : a, 0), rank);
  const s = start === undefined ? 0 : start;
  const e = end === undefined ? rank : end;
  if (typeof s !== 'number' || typeof e !== 'number') return undefined;
  return dims.slice(clamp(s), Math.max(clamp(s), clamp(e)));
}

function isKnown(dims: readonly Dim[]): dims is number[] {
  return dims.every((d) => typeof d === 'number');
}
