// einsum: products of any number of operands summed over the labels the output omits. Covers ellipses
// (broadcast batch dims), repeated labels within a term (diagonals) and the implicit output form.
import { DlcError } from '../errors.js';
import type { Dim } from '../ir/graph.js';
import { Tensor, checkedSize, stridesOf } from '../ir/tensor.js';
import type { OpDef } from './registry.js';
import { attrString, required } from './util.js';
import { knownProduct } from './nn-window.js';

interface EinsumPlan {
  /** Labels of each operand, one per dim; ellipsis dims get labels '0', '1', … (right-aligned). */
  terms: string[][];
  output: string[];
  /** Every label: the output's first, then the summed ones. */
  labels: string[];
  sizes: Map<string, Dim>;
}

function parseTerm(term: string, rank: number | undefined, ellipsisRank: number): string[] {
  const parts = term.split('...');
  if (parts.length > 2) throw new DlcError(`einsum term '${term}' has more than one ellipsis`);
  for (const ch of parts.join('')) if (!/[a-zA-Z]/.test(ch)) throw new DlcError(`einsum term '${term}' has invalid label '${ch}'`);
  if (parts.length === 1) {
    if (rank !== undefined && rank !== term.length) throw new DlcError(`einsum term '${term}' labels ${term.length} dims of a rank-${rank} operand`);
    return [...term];
  }
  const own = rank === undefined ? ellipsisRank : rank - parts[0].length - parts[1].length;
  if (own < 0) throw new DlcError(`einsum term '${term}' labels more dims than its operand has`);
  const ell = Array.from({ length: own }, (_, i) => String(ellipsisRank - own + i));
  return [...parts[0], ...ell, ...parts[1]];
}

export function planEinsum(equation: string, shapes: readonly (readonly Dim[])[]): EinsumPlan {
  const eq = equation.replace(/\s+/g, '');
  const [lhs, rhs] = eq.split('->');
  const inputs = lhs.split(',');
  if (inputs.length !== shapes.length) throw new DlcError(`einsum '${equation}' names ${inputs.length} operands, got ${shapes.length}`);
  const ellipsisRank = Math.max(0, ...inputs.map((t, i) => (t.includes('...') ? shapes[i].length - (t.length - 3) : 0)));
  const terms = inputs.map((t, i) => parseTerm(t, shapes[i].length, ellipsisRank));
  let output: string[];
  if (rhs !== undefined) output = parseTerm(rhs, undefined, ellipsisRank);
  else {
    // Implicit form: broadcast dims, then the labels used exactly once, alphabetically.
    const counts = new Map<string, number>();
    for (const t of inputs) for (const ch of t.replace('...', '')) counts.set(ch, (counts.get(ch) ?? 0) + 1);
    const once = [...counts.entries()].filter(([, c]) => c === 1).map(([l]) => l).sort();
    output = [...Array.from({ length: ellipsisRank }, (_, i) => String(i)), ...once];
  }
  const sizes = new Map<string, Dim>();
  terms.forEach((labels, i) =>
    labels.forEach((l, d) => {
      const s = shapes[i][d];
      const prev = sizes.get(l);
      if (prev === undefined || prev === 1) sizes.set(l, s);
      else if (s !== 1 && typeof s === 'number' && typeof prev === 'number' && s !== prev) {
        throw new DlcError(`einsum label '${l}' has sizes ${prev} and ${s}`);
      }
    }),
  );
  if (new Set(output).size !== output.length) throw new DlcError(`einsum output '${rhs}' repeats a label`);
  for (const l of output) if (!sizes.has(l)) throw new DlcError(`einsum output label '${l}' is not in any input`);
  const labels = [...output, ...[...sizes.keys()].filter((l) => !output.includes(l))];
  return { terms, output, labels, sizes };
}

function runEinsum(equation: string, xs: Tensor[]): Tensor {
  const plan = planEinsum(equation, xs.map((x) => x.shape));
  const sizes = plan.labels.map((l) => plan.sizes.get(l) as number);
  // Per operand, its stride along every label: summed over repeats (diagonals), 0 where absent or broadcast.
  const strides = xs.map((x, i) => {
    const st = stridesOf(x.shape);
    return plan.labels.map((l) => plan.terms[i].reduce((acc, t, d) => (t === l && x.shape[d] !== 1 ? acc + st[d] : acc), 0));
  });
  const outShape = sizes.slice(0, plan.output.length);
  const outSize = checkedSize(outShape);
  const inner = checkedSize(sizes.slice(plan.output.length));
  const out = new Float64Array(outSize);
  const rank = sizes.length;
  const counter = new Array<number>(rank).fill(0);
  const offs = new Array<number>(xs.length).fill(0);
  const total = outSize * inner;
  for (let e = 0; e < total; e++) {
    let prod = 1;
    for (let k = 0; k < xs.length; k++) prod *= xs[k].data[offs[k]];
    out[Math.floor(e / inner)] += prod;
    for (let d = rank - 1; d >= 0; d--) {
      counter[d]++;
      for (let k = 0; k < xs.length; k++) offs[k] += strides[k][d];
      if (counter[d] < sizes[d]) break;
      for (let k = 0; k < xs.length; k++) offs[k] -= strides[k][d] * sizes[d];
      counter[d] = 0;
    }
  }
  return new Tensor(xs[0].dtype, outShape, out);
}

export const einsumOps: OpDef[] = [
  {
    name: 'einsum',
    attrs: { equation: { type: 'string' } },
    kind: 'opaque',
    onnx: [{ op: 'Einsum' }],
    infer: (ctx) => {
      const ts = ctx.inputs.map((t, i) => {
        if (!t) throw new DlcError(`missing input ${i}`);
        return t;
      });
      if (ts.length === 0) throw new DlcError('einsum needs at least one input');
      const plan = planEinsum(attrString(ctx.attrs, 'equation'), ts.map((t) => t.shape));
      return [{ dtype: ts[0].dtype, shape: plan.output.map((l) => plan.sizes.get(l)!) }];
    },
    ref: (inputs, attrs) => [runEinsum(attrString(attrs, 'equation'), inputs.map((_, i) => required(inputs, i)))],
    // One multiply-add per operand for every point of the full label space.
    cost: (ctx) => {
      const ts = ctx.inputs.filter((t) => t !== null);
      const plan = planEinsum(ctx.attrs.equation as string, ts.map((t) => t.shape));
      return { flops: ts.length * knownProduct(plan.labels.map((l) => plan.sizes.get(l)!)) };
    },
  },
];
