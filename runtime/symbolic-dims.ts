// Shape-generic artifacts (compiled with `--dim H=32..960/32`): the manifest lists the symbolic dims and their
// ranges, and each input and output slot gives its shape as numbers and polynomials of the dims. A run names
// the dims' values (`session.run(feeds, { dims: { H: 640, W: 480 } })`); the runtime checks them against the
// ranges, hands them to the module, and sizes the feeds and outputs by them. The slot's `shape` is the largest.
import { DlcRuntimeError } from './errors.js';

export interface DimRange {
  name: string;
  min: number;
  max: number;
  step: number;
}

/** Σ coefficient · Π dims[i]^powers[i] (dims in the manifest's order). */
export interface DimPolynomial {
  terms: { coefficient: number; powers: number[] }[];
}

export type SymbolicShape = (number | DimPolynomial)[];

/** The dims' values in the manifest's order, checked against their ranges. */
export function dimValues(ranges: readonly DimRange[], given: Record<string, number> | undefined): number[] {
  const names = ranges.map((r) => r.name).join(', ');
  if (!given) throw new DlcRuntimeError(`the model was compiled for a range of shapes: give the dims ${names} (run(feeds, { dims: { ${ranges.map((r) => `${r.name}: ${r.max}`).join(', ')} } }))`);
  for (const k of Object.keys(given)) if (!ranges.some((r) => r.name === k)) throw new DlcRuntimeError(`unknown dim '${k}' (dims: ${names})`);
  return ranges.map((r) => {
    const v = given[r.name];
    if (v === undefined) throw new DlcRuntimeError(`missing dim '${r.name}' (dims: ${names})`);
    if (!(Number.isInteger(v) && v >= r.min && v <= r.max && (v - r.min) % r.step === 0)) {
      throw new DlcRuntimeError(`dim ${r.name} = ${v} is outside the compiled range ${r.min}..${r.max}${r.step > 1 ? ` in steps of ${r.step}` : ''}`);
    }
    return v;
  });
}

/**
 * A polynomial at the dims' values, in f64 and in the order the generated setDims() sums it (coefficient times
 * each dim, term after term), so that the compiler checks its fit with the runtime's own arithmetic.
 */
export function evaluateDims(terms: readonly { coefficient: number; powers: readonly number[] }[], dims: readonly number[]): number {
  let sum = 0;
  for (const t of terms) {
    let term = t.coefficient;
    t.powers.forEach((p, i) => {
      for (let k = 0; k < p; k++) term *= dims[i];
    });
    sum += term;
  }
  return sum;
}

/** A symbolic shape at the dims' values (exact for the range). */
export function shapeAtDims(shape: SymbolicShape, dims: readonly number[]): number[] {
  return shape.map((d) => (typeof d === 'number' ? d : Math.round(evaluateDims(d.terms, dims))));
}
