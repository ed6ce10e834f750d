// The training preview's optimizers (compiler/ops/nn-training.ts) as element-wise math: the scalar learning
// rate and step count are computed once (a few scalar nodes), then each optimized tensor's update.
import type { DType } from '../compiler/ir/dtype.js';
import type { Node, Value } from '../compiler/ir/graph.js';
import { optimizedCount } from '../compiler/ops/nn-training.js';
import { attrFloat, attrString } from '../compiler/ops/util.js';
import { castTo, emit1, scalarConstant } from './legalize-util.js';
import type { Rewriter, RewriteRule } from './rewrite.js';

/** Element-wise arithmetic on values and numbers (numbers become scalar constants of `dtype`). */
function arithmetic(rw: Rewriter, dtype: DType) {
  const v = (a: Value | number) => (typeof a === 'number' ? scalarConstant(rw, dtype, a) : a);
  const op = (name: string) => (a: Value | number, b: Value | number) => emit1(rw, name, [v(a), v(b)]);
  return { add: op('add'), sub: op('sub'), mul: op('mul'), div: op('div'), pow: op('pow'), sqrt: (a: Value) => emit1(rw, 'sqrt', [a]) };
}

/** The node's inputs past R and T split into `perTensor` groups (X, G, then the state tensors), if all are f32. */
function groups(node: Node, perTensor: number): Value[][] | undefined {
  const n = optimizedCount(node.inputs.length, perTensor, node.op);
  const inputs = node.inputs.slice(2);
  if (inputs.some((v) => !v || v.type.dtype !== 'f32') || node.inputs[0]?.type.dtype !== 'f32' || !node.inputs[1]) return undefined;
  return Array.from({ length: perTensor }, (_, k) => inputs.slice(k * n, (k + 1) * n) as Value[]);
}

/** `when` where T > 0, else `otherwise` (scalars). */
function ifStarted(rw: Rewriter, t: Value, when: Value, otherwise: Value): Value {
  return emit1(rw, 'where', [emit1(rw, 'greater', [t, scalarConstant(rw, t.type.dtype, 0)]), when, otherwise]);
}

/** norm·X + G, or G alone when norm = 0. */
function regularized(rw: Rewriter, x: Value, g: Value, norm: number): Value {
  const f = arithmetic(rw, 'f32');
  return norm === 0 ? g : f.add(f.mul(x, norm), g);
}

export const TRAINING_RULES: readonly RewriteRule[] = [
  // adagrad: r = R / (1 + T·decay); g = norm·X + G; H' = H + g·g; X' = X − r·g / (√H' + ε)
  [{ op: 'adagrad' }, (m, rw) => {
    const tensors = groups(m.root, 3);
    if (!tensors) return undefined;
    const [r, t] = m.root.inputs as Value[];
    const a = m.root.attrs;
    const f = arithmetic(rw, 'f32');
    const rate = f.div(r, f.add(f.mul(castTo(rw, t, 'f32'), attrFloat(a, 'decay_factor')), 1));
    const [xs, gs, hs] = tensors;
    const updates = xs.map((x, i) => {
      const g = regularized(rw, x, gs[i], attrFloat(a, 'norm_coefficient'));
      const h = f.add(hs[i], f.mul(g, g));
      return [f.sub(x, f.div(f.mul(g, rate), f.add(f.sqrt(h), attrFloat(a, 'epsilon')))), h];
    });
    return [...updates.map((u) => u[0]), ...updates.map((u) => u[1])];
  }],
  // adam: g = norm·X + G; V' = α·V + (1 − α)·g; H' = β·H + (1 − β)·g·g;
  // X' = (1 − norm_post)·(X − r·V' / (√H' + ε)), r = R·√(1 − β^T) / (1 − α^T) where T > 0, else R
  [{ op: 'adam' }, (m, rw) => {
    const tensors = groups(m.root, 4);
    if (!tensors) return undefined;
    const [r, t] = m.root.inputs as Value[];
    const a = m.root.attrs;
    const [alpha, beta, post] = ['alpha', 'beta', 'norm_coefficient_post'].map((k) => attrFloat(a, k));
    const f = arithmetic(rw, 'f32');
    const steps = castTo(rw, t, 'f32');
    const corrected = f.div(f.mul(r, f.sqrt(f.sub(1, f.pow(beta, steps)))), f.sub(1, f.pow(alpha, steps)));
    const rate = ifStarted(rw, t, corrected, r);
    const [xs, gs, vs, hs] = tensors;
    const updates = xs.map((x, i) => {
      const g = regularized(rw, x, gs[i], attrFloat(a, 'norm_coefficient'));
      const v = f.add(f.mul(vs[i], alpha), f.mul(g, 1 - alpha));
      const h = f.add(f.mul(hs[i], beta), f.mul(f.mul(g, g), 1 - beta));
      const stepped = f.sub(x, f.mul(rate, f.div(v, f.add(f.sqrt(h), attrFloat(a, 'epsilon')))));
      return [post === 0 ? stepped : f.mul(stepped, 1 - post), v, h];
    });
    return [0, 1, 2].flatMap((k) => updates.map((u) => u[k]));
  }],
  // momentum: g = norm·X + G; V' = α·V + b·g with b = β where T > 0, else 1;
  // standard: X' = X − R·V'; nesterov: X' = X − R·(g + α·V')
  [{ op: 'momentum' }, (m, rw) => {
    const tensors = groups(m.root, 3);
    if (!tensors) return undefined;
    const [r, t] = m.root.inputs as Value[];
    const a = m.root.attrs;
    const alpha = attrFloat(a, 'alpha');
    const nesterov = attrString(a, 'mode') === 'nesterov';
    const f = arithmetic(rw, 'f32');
    const b = ifStarted(rw, t, scalarConstant(rw, 'f32', attrFloat(a, 'beta')), scalarConstant(rw, 'f32', 1));
    const [xs, gs, vs] = tensors;
    const updates = xs.map((x, i) => {
      const g = regularized(rw, x, gs[i], attrFloat(a, 'norm_coefficient'));
      const v = f.add(f.mul(vs[i], alpha), f.mul(g, b));
      return [f.sub(x, f.mul(nesterov ? f.add(g, f.mul(v, alpha)) : v, r)), v];
    });
    return [...updates.map((u) => u[0]), ...updates.map((u) => u[1])];
  }],
];
