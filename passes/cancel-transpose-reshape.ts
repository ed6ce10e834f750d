// Layout-op cancellation: two transposes compose into one (or none), two reshapes into one. Both are pure
// data movement, so the rewrites are exact.
import type { Graph, Node, Value } from '../compiler/ir/graph.js';
import { isConcreteShape } from '../compiler/ir/graph.js';
import { Tensor } from '../compiler/ir/tensor.js';
import { attrInt, attrInts } from '../compiler/ops/util.js';
import type { PassInfo } from './manager.js';
import { applyRewrites, type RewriteRule } from './rewrite.js';

export const cancelTransposeReshapePass: PassInfo = {
  name: 'cancel-transpose-reshape',
  description: 'composes transpose∘transpose into one transpose or none, and reshape∘reshape into one reshape',
  options: {},
  create: () => (graph) => cancelTransposeReshape(graph),
};

export function cancelTransposeReshape(graph: Graph): Graph {
  return applyRewrites(graph, LAYOUT_RULES);
}

const X = { value: 'x' };

/** A transpose's permutation, its default (reversing the axes) spelled out. */
function permOf(node: Node): number[] {
  const rank = node.inputs[0]!.type.shape.length;
  return attrInts(node.attrs, 'perm') ?? Array.from({ length: rank }, (_, i) => rank - 1 - i);
}

/** The reshape's target shape when it means the same applied to any input: constant, without 0 (copy-a-dim). */
function portableShape(node: Node): Value | undefined {
  const shape = node.inputs[1];
  if (!shape?.data) return undefined;
  return attrInt(node.attrs, 'allowzero') === 1 || !shape.data.toNumbers().includes(0) ? shape : undefined;
}

export const LAYOUT_RULES: readonly RewriteRule[] = [
  // transpose(transpose(x, p), q) = transpose(x, r) with r[i] = p[q[i]]; r = identity  →  x
  [{ op: 'transpose', inputs: [{ op: 'transpose', inputs: [X], as: 'inner' }] }, (m, rw) => {
    const p = permOf(m.nodes.inner);
    const q = permOf(m.root);
    const r = q.map((i) => p[i]);
    if (r.every((a, i) => a === i)) return [m.values.x];
    return rw.emit('transpose', [m.values.x], { perm: r });
  }],
  // reshape(reshape(x, s), t)  →  reshape(x, t): a reshape keeps the row-major element order
  [{ op: 'reshape', inputs: [{ op: 'reshape', inputs: [X] }] }, (m, rw) => {
    const out = m.root.outputs[0].type.shape;
    const target = portableShape(m.root) ?? (isConcreteShape(out) ? rw.constant(new Tensor('i64', [out.length], out)) : undefined);
    return target ? rw.emit('reshape', [m.values.x, target], m.root.attrs) : undefined;
  }],
];
