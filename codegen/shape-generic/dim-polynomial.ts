// A number of generated code as a polynomial of the symbolic dims, fitted exactly on a grid of sample shapes.
// A kernel's sizes are products of dims and constants (C·H·W, H/2·W/2 - 4, (W/8)² for attention over a row),
// so each is a polynomial of degree at most 2 in each dim; the fit interpolates it on 3 values per dim
// (tensor-product Lagrange, in exact rationals) and the caller checks it on shapes it was not fitted on, which
// is what rejects a number that is not such a polynomial (a ceiling division, a tile count).
import { evaluateDims } from '../../runtime/symbolic-dims.js';

/** An exact rational. */
class Q {
  constructor(readonly n: bigint, readonly d: bigint) {}
  static of(v: bigint): Q {
    return new Q(v, 1n);
  }
  static make(n: bigint, d: bigint): Q {
    if (d < 0n) [n, d] = [-n, -d];
    const g = gcd(n < 0n ? -n : n, d);
    return new Q(n / g, d / g);
  }
  add(o: Q): Q {
    return Q.make(this.n * o.d + o.n * this.d, this.d * o.d);
  }
  mul(o: Q): Q {
    return Q.make(this.n * o.n, this.d * o.d);
  }
  get isZero(): boolean {
    return this.n === 0n;
  }
  /** As the f64 the generated code computes it: numerator over denominator, each exact below 2^53. */
  toNumber(): number {
    return Number(this.n) / Number(this.d);
  }
}

function gcd(a: bigint, b: bigint): bigint {
  while (b) [a, b] = [b, a % b];
  return a === 0n ? 1n : a;
}

/** One term: coefficient · Π dims[i]^powers[i]. */
export interface Term {
  coefficient: number;
  powers: number[];
}

/** The 1-D Lagrange basis over `nodes` as monomial coefficients: basis[i][p] is L_i's coefficient of x^p. */
function lagrangeBasis(nodes: readonly number[]): Q[][] {
  return nodes.map((xi, i) => {
    let poly: Q[] = [Q.of(1n)];
    let denom = Q.of(1n);
    nodes.forEach((xk, k) => {
      if (k === i) return;
      // poly · (x - xk)
      const next: Q[] = Array.from({ length: poly.length + 1 }, () => Q.of(0n));
      poly.forEach((c, p) => {
        next[p + 1] = next[p + 1].add(c);
        next[p] = next[p].add(c.mul(Q.of(BigInt(-xk))));
      });
      poly = next;
      denom = denom.mul(Q.of(BigInt(xi - xk)));
    });
    const inverse = Q.make(denom.d, denom.n);
    return poly.map((c) => c.mul(inverse));
  });
}

/**
 * Interpolates values given on the tensor grid nodes[0] × nodes[1] × … (value(idx) for each grid index tuple)
 * as a polynomial of degree < nodes[d].length in dim d. Values must be integers (or the reciprocals' integers).
 */
export function interpolate(nodes: readonly (readonly number[])[], value: (idx: number[]) => number): Term[] {
  const bases = nodes.map(lagrangeBasis);
  const coeff = new Map<string, Q>();
  const grid = cartesian(nodes.map((n) => n.length));
  for (const idx of grid) {
    const v = value(idx);
    if (!Number.isSafeInteger(v)) throw new Error(`interpolate: ${v} is not a safe integer`);
    // Π_d basis_d[idx_d] expanded: every choice of power per dim.
    for (const powers of cartesian(idx.map((i, d) => bases[d][i].length))) {
      let c = Q.of(BigInt(v));
      powers.forEach((p, d) => (c = c.mul(bases[d][idx[d]][p])));
      if (c.isZero) continue;
      const key = powers.join(',');
      coeff.set(key, (coeff.get(key) ?? Q.of(0n)).add(c));
    }
  }
  return [...coeff]
    .filter(([, c]) => !c.isZero)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, c]) => ({ coefficient: c.toNumber(), powers: key.split(',').map(Number) }));
}

/** Every index tuple of a grid of these extents, the last index fastest. */
export function cartesian(extents: readonly number[]): number[][] {
  let out: number[][] = [[]];
  for (const n of extents) out = out.flatMap((t) => Array.from({ length: n }, (_, i) => [...t, i]));
  return out;
}

/** The polynomial at `dims`, in f64 and in the order the generated code sums it (the runtime's evaluator). */
export const evaluate: (terms: readonly Term[], dims: readonly number[]) => number = evaluateDims;

/** The polynomial as an f64 expression over the dims' f64 names (the same sum evaluate computes). */
export function polynomialSource(terms: readonly Term[], dimNames: readonly string[], floatLiteral: (x: number) => string): string {
  if (terms.length === 0) return floatLiteral(0);
  return terms
    .map((t) => {
      const factors = t.powers.flatMap((p, d) => Array.from({ length: p }, () => dimNames[d]));
      return [floatLiteral(t.coefficient), ...factors].join(' * ');
    })
    .reduce((sum, term, i) => (i === 0 ? term : `${sum} + ${term}`));
}
