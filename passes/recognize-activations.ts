// Activation patterns spelled as element-wise arithmetic (PP-OCR's HardSwish and HardSigmoid, PyTorch's GELU)
// recognized as the one op they compute. Each rule matches every operand order of its adds and muls.
import { isFloat } from '../compiler/ir/dtype.js';
import type { Value } from '../compiler/ir/graph.js';
import { attrFloat } from '../compiler/ops/util.js';
import { commuted, isScalar, sameType, scalarOf } from './pattern-util.js';
import type { InputPattern, Match, NodePattern, Rewriter, RewriteRule } from './rewrite.js';

const X = { value: 'x' };
const K = (name: string): InputPattern => ({ value: name, const: true });

/** Each named constant of the match is a scalar equal to the given number (within rounding). */
function constantsAre(m: Match, want: Record<string, number>): boolean {
  return Object.entries(want).every(([k, v]) => isScalar(m.values[k], v));
}

/** Emits `op(x)` for the match when x is a float tensor of the root's result type, else declines. */
function unary(m: Match, rw: Rewriter, op: string, attrs = {}): Value[] | undefined {
  const x = m.values.x;
  if (!isFloat(x.type.dtype) || !sameType(m.root.outputs[0].type, x.type)) return undefined;
  return rw.emit(op, [x], attrs);
}

/** Rules for every operand order of `pattern`, each with the same rewrite. */
function rules(pattern: NodePattern, rewrite: (m: Match, rw: Rewriter) => Value[] | undefined): RewriteRule[] {
  return commuted(pattern).map((p): RewriteRule => [p, rewrite]);
}

// relu6(x + 3) = clip(x + 3, 0, 6)
const RELU6_X3: NodePattern = { op: 'clip', inputs: [{ op: 'add', inputs: [X, K('three')] }, K('lo'), K('hi')] };
const RELU6_CONSTS = { three: 3, lo: 0, hi: 6 };
const HARD_SWISH_ONE_SIXTH = 1 / 6;

// 1 + erf(x/√2), the division also spelled as a product with 1/√2
const ERF_CORE: NodePattern[] = [
  { op: 'add', inputs: [{ op: 'erf', inputs: [{ op: 'div', inputs: [X, K('sqrt2')] }] }, K('one')] },
  { op: 'add', inputs: [{ op: 'erf', inputs: [{ op: 'mul', inputs: [X, K('rsqrt2')] }] }, K('one')] },
];
// 1 + tanh(√(2/π)·(x + 0.044715·x³))
const TANH_CORE: NodePattern = {
  op: 'add',
  inputs: [{ op: 'tanh', inputs: [{ op: 'mul', inputs: [{ op: 'add', inputs: [X, { op: 'mul', inputs: [{ op: 'pow', inputs: [X, K('three')] }, K('cubic')] }] }, K('k')] }] }, K('one')],
};

/** The three ways PyTorch exports ½·x·core: (x·core)·½, (x·½)·core, (x·core)/2. */
function halfTimesX(core: NodePattern): NodePattern[] {
  return [
    { op: 'mul', inputs: [{ op: 'mul', inputs: [X, core] }, K('half')] },
    { op: 'mul', inputs: [{ op: 'mul', inputs: [X, K('half')] }, core] },
    { op: 'div', inputs: [{ op: 'mul', inputs: [X, core] }, K('two')] },
  ];
}

function gelu(approximate: 'none' | 'tanh') {
  const consts = approximate === 'none' ? { sqrt2: Math.SQRT2, rsqrt2: Math.SQRT1_2 } : { three: 3, cubic: 0.044715, k: Math.sqrt(2 / Math.PI) };
  return (m: Match, rw: Rewriter) => {
    const present = Object.fromEntries(Object.entries({ one: 1, half: 0.5, two: 2, ...consts }).filter(([k]) => m.values[k]));
    return constantsAre(m, present) ? unary(m, rw, 'gelu', { approximate }) : undefined;
  };
}

export const ACTIVATION_RULES: readonly RewriteRule[] = [
  // x · relu6(x + 3) / 6  →  hard_swish(x)
  ...rules({ op: 'div', inputs: [{ op: 'mul', inputs: [X, RELU6_X3] }, K('six')] }, (m, rw) =>
    constantsAre(m, { ...RELU6_CONSTS, six: 6 }) ? unary(m, rw, 'hard_swish') : undefined),
  // x · relu6(x + 3) · (1/6)  →  hard_swish(x)
  ...rules({ op: 'mul', inputs: [{ op: 'mul', inputs: [X, RELU6_X3] }, K('sixth')] }, (m, rw) =>
    constantsAre(m, { ...RELU6_CONSTS, sixth: HARD_SWISH_ONE_SIXTH }) ? unary(m, rw, 'hard_swish') : undefined),
  // x · hard_sigmoid(x) {α=1/6, β=½}  →  hard_swish(x)
  ...rules({ op: 'mul', inputs: [X, { op: 'hard_sigmoid', inputs: [X], as: 'hs' }] }, (m, rw) => {
    const a = m.nodes.hs.attrs;
    const ok = Math.abs(attrFloat(a, 'alpha') - HARD_SWISH_ONE_SIXTH) <= 1e-6 && Math.abs(attrFloat(a, 'beta') - 0.5) <= 1e-6;
    return ok ? unary(m, rw, 'hard_swish') : undefined;
  }),
  // relu6(x + 3) / 6 = clip(x/6 + ½, 0, 1)  →  hard_sigmoid(x) {α=1/6, β=½}
  ...rules({ op: 'div', inputs: [RELU6_X3, K('six')] }, (m, rw) =>
    constantsAre(m, { ...RELU6_CONSTS, six: 6 }) ? unary(m, rw, 'hard_sigmoid', { alpha: HARD_SWISH_ONE_SIXTH, beta: 0.5 }) : undefined),
  // clip(x/d + b, 0, 1)  →  hard_sigmoid(x) {α=1/d, β=b}
  ...rules({ op: 'clip', inputs: [{ op: 'add', inputs: [{ op: 'div', inputs: [X, K('d')] }, K('b')] }, K('lo'), K('hi')] }, (m, rw) =>
    constantsAre(m, { lo: 0, hi: 1 }) && scalarOf(m.values.d) && scalarOf(m.values.b) !== undefined
      ? unary(m, rw, 'hard_sigmoid', { alpha: 1 / scalarOf(m.values.d)!, beta: scalarOf(m.values.b)! })
      : undefined),
  // clip(x·a + b, 0, 1)  →  hard_sigmoid(x) {α=a, β=b}
  ...rules({ op: 'clip', inputs: [{ op: 'add', inputs: [{ op: 'mul', inputs: [X, K('a')] }, K('b')] }, K('lo'), K('hi')] }, (m, rw) =>
    constantsAre(m, { lo: 0, hi: 1 }) && scalarOf(m.values.a) !== undefined && scalarOf(m.values.b) !== undefined
      ? unary(m, rw, 'hard_sigmoid', { alpha: scalarOf(m.values.a)!, beta: scalarOf(m.values.b)! })
      : undefined),
  // ½·x·(1 + erf(x/√2))  →  gelu(x)
  ...ERF_CORE.flatMap(halfTimesX).flatMap((p) => rules(p, gelu('none'))),
  // ½·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))  →  gelu(x) {approximate=tanh}
  ...halfTimesX(TANH_CORE).flatMap((p) => rules(p, gelu('tanh'))),
];
