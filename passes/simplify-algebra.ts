// Algebraic identities that are exact in IEEE arithmetic (beyond remove-identity's x + 0 and x · 1): each
// rewrite gives the same value for every input, ±0 and ±∞ included (a NaN stays a NaN). Identities that are not exact —
// x − x = 0 (false for NaN and ±∞), (x · c) / c = x (rounding) — are deliberately absent.
import { isFloat } from '../compiler/ir/dtype.js';
import type { Graph } from '../compiler/ir/graph.js';
import type { PassInfo } from './manager.js';
import { commuted, isScalar, sameType } from './pattern-util.js';
import { applyRewrites, type RewriteRule } from './rewrite.js';

export const simplifyAlgebraPass: PassInfo = {
  name: 'simplify-algebra',
  description: 'applies exact algebraic identities: neg(neg(x)), not(not(x)), idempotent relu/abs, x·−1',
  options: {},
  create: () => (graph) => simplifyAlgebra(graph),
};

export function simplifyAlgebra(graph: Graph): Graph {
  return applyRewrites(graph, ALGEBRA_RULES);
}

const X = { value: 'x' };

export const ALGEBRA_RULES: readonly RewriteRule[] = [
  // neg(neg(x))  →  x: negation flips the sign bit only
  [{ op: 'neg', inputs: [{ op: 'neg', inputs: [X] }] }, (m) => [m.values.x]],
  // not(not(x))  →  x, for bool x
  [{ op: 'not', inputs: [{ op: 'not', inputs: [X] }] }, (m) => [m.values.x]],
  // relu(relu(x))  →  relu(x); abs(abs(x))  →  abs(x): idempotent
  [{ op: 'relu', inputs: [{ op: 'relu', inputs: [X], as: 'inner' }] }, (m) => [m.nodes.inner.outputs[0]]],
  [{ op: 'abs', inputs: [{ op: 'abs', inputs: [X], as: 'inner' }] }, (m) => [m.nodes.inner.outputs[0]]],
  // abs(neg(x))  →  abs(x): |−x| = |x|, sign bit cleared either way
  [{ op: 'abs', inputs: [{ op: 'neg', inputs: [X] }] }, (m, rw) => rw.emit('abs', [m.values.x])],
  // x · (−1)  →  neg(x): multiplying by −1 is exact and flips the sign bit (float x; the result type is x's)
  ...commuted({ op: 'mul', inputs: [X, { value: 'c', const: true }] }).map((p): RewriteRule => [p, (m, rw) =>
    isScalar(m.values.c, -1, 0) && isFloat(m.values.x.type.dtype) && sameType(m.root.outputs[0].type, m.values.x.type)
      ? rw.emit('neg', [m.values.x])
      : undefined]),
];
