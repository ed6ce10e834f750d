// Identity removal: nodes that return their input unchanged are bypassed (their readers read the input),
// through the rewrite driver. Each rule states the algebra that makes the node an identity.
import type { Graph, Node, TensorType, Value } from '../compiler/ir/graph.js';
import type { PassInfo } from './manager.js';
import { applyRewrites, type RewriteRule } from './rewrite.js';

export const removeIdentityPass: PassInfo = {
  name: 'remove-identity',
  description: 'bypasses identities, inference-mode dropout, no-op reshapes and casts, and x+0, x*1',
  options: {},
  create: () => (graph) => removeIdentity(graph),
};

export function removeIdentity(graph: Graph): Graph {
  return applyRewrites(graph, IDENTITY_RULES);
}

const X = { value: 'x' };
const C = { value: 'c', const: true };

export const IDENTITY_RULES: readonly RewriteRule[] = [
  // identity(x) → x
  [{ op: 'identity', inputs: [X] }, (m) => [m.values.x]],

  // dropout(x, ratio, training_mode) → x when training_mode is absent or false (inference); its mask is unread
  [{ op: 'dropout', inputs: [X] }, (m, rw) => {
    const training = m.root.inputs[2];
    if (training && (!training.data || training.data.data[0] !== 0)) return undefined;
    const mask = m.root.outputs[1];
    if (mask && rw.hasUses(mask)) return undefined;
    return m.root.outputs.map((_, i) => (i === 0 ? m.values.x : null));
  }],

  // reshape/expand/squeeze/unsqueeze/flatten(x, …) → x when the result has x's shape (they only relabel dims)
  [{ op: ['reshape', 'expand', 'squeeze', 'unsqueeze', 'flatten'], inputs: [X] }, (m) => (sameType(m.root.outputs[0].type, m.values.x.type) ? [m.values.x] : undefined)],

  // cast(x) {to=T} → x when x already has dtype T
  [{ op: 'cast', inputs: [X] }, (m) => (sameType(m.root.outputs[0].type, m.values.x.type) ? [m.values.x] : undefined)],

  // transpose(x) {perm=[0,1,…,n-1]} → x; a transpose of rank ≤ 1 is one whatever its perm
  [{ op: 'transpose', inputs: [X] }, (m) => {
    const perm = m.root.attrs.perm;
    const rank = m.values.x.type.shape.length;
    const trivial = rank <= 1 || (Array.isArray(perm) && perm.every((p, i) => p === i));
    return trivial ? [m.values.x] : undefined;
  }],

  // pad(x, [0,…,0]) → x
  [{ op: 'pad', inputs: [X, C] }, (m) => (allEqual(m.values.c, 0) && sameType(m.root.outputs[0].type, m.values.x.type) ? [m.values.x] : undefined)],

  // concat(x) → x: one input
  [{ op: 'concat', inputs: [X] }, (m) => (m.root.inputs.length === 1 ? [m.values.x] : undefined)],

  // x + 0 → x, x - 0 → x (exact but for the sign of a zero: -0 + 0 is +0), when 0 does not broadcast x up
  [{ op: ['add', 'sub'], inputs: [X, C] }, (m) => neutral(m.root, m.values.x, m.values.c, 0)],
  // 0 + x → x
  [{ op: 'add', inputs: [C, X] }, (m) => neutral(m.root, m.values.x, m.values.c, 0)],
  // x * 1 → x, x / 1 → x (exact), when 1 does not broadcast x up
  [{ op: ['mul', 'div'], inputs: [X, C] }, (m) => neutral(m.root, m.values.x, m.values.c, 1)],
  // 1 * x → x
  [{ op: 'mul', inputs: [C, X] }, (m) => neutral(m.root, m.values.x, m.values.c, 1)],
];

function neutral(node: Node, x: Value, c: Value, unit: number): Value[] | undefined {
  return allEqual(c, unit) && sameType(node.outputs[0].type, x.type) ? [x] : undefined;
}

function allEqual(c: Value, unit: number): boolean {
  const data = c.data?.data;
  if (!data) return false;
  for (let i = 0; i < data.length; i++) if (data[i] !== unit) return false;
  return true;
}

/** Same dtype and the same dims: concrete and equal, or the same symbolic name. */
function sameType(a: TensorType, b: TensorType): boolean {
  return a.dtype === b.dtype && a.shape.length === b.shape.length && a.shape.every((d, i) => d === b.shape[i]);
}
