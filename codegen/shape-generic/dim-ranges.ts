// Symbolic dims and their ranges (`--dim H=32..960/32`), and the sample shapes a shape-generic program is
// generated at: the largest (its memory plan serves every shape), a grid of 3 values per dim that the numbers
// of the code are fitted on (dim-polynomial.ts), and check shapes (each dim's range end to end, the others at
// their middle value, and every corner) that each fitted number must reproduce exactly.
import { UsageError } from '../../compiler/errors.js';

export interface DimRange {
  name: string;
  min: number;
  max: number;
  /** The dim takes the values min, min + step, …, max. */
  step: number;
}

/** The values of one dim's range. */
export function rangeValues(r: DimRange): number[] {
  const out: number[] = [];
  for (let v = r.min; v <= r.max; v += r.step) out.push(v);
  return out;
}

/** `H=32..960/32` (from 32 to 960 in steps of 32; `/step` may be left out for 1). */
export function parseDimRange(spec: string): DimRange {
  const m = /^([A-Za-z_][\w]*)=(\d+)\.\.(\d+)(?:\/(\d+))?$/.exec(spec.trim());
  if (!m) throw new UsageError(`--dim '${spec}' must look like NAME=MIN..MAX or NAME=MIN..MAX/STEP, e.g. H=32..960/32`);
  const [, name, min, max, step = '1'] = m;
  const r = { name, min: Number(min), max: Number(max), step: Number(step) };
  if (r.step < 1 || r.min < 1 || r.max <= r.min) throw new UsageError(`--dim '${spec}': needs 1 <= MIN < MAX and STEP >= 1`);
  if ((r.max - r.min) % r.step !== 0) throw new UsageError(`--dim '${spec}': MAX - MIN must be a multiple of STEP`);
  if (rangeValues(r).length < 5) throw new UsageError(`--dim '${spec}': a range needs at least 5 values (give the few shapes as separate compiles)`);
  return r;
}

/** Where a dim's value is outside its range, one line that says so; undefined when every dim fits. */
export function dimOutOfRange(r: DimRange, value: number): string | undefined {
  if (Number.isInteger(value) && value >= r.min && value <= r.max && (value - r.min) % r.step === 0) return undefined;
  return `dim ${r.name} = ${value} is outside the compiled range ${r.min}..${r.max}${r.step > 1 ? ` in steps of ${r.step}` : ''}`;
}

export interface SamplePlan {
  /** Per dim, the 3 values the numbers are fitted on. */
  nodes: number[][];
  /** Shapes (one value per dim) the fit is checked at. */
  checks: number[][];
  /** The largest shape: every dim at its max. */
  bound: number[];
}

/** The most values of one dim's range a check goes through (evenly spread, both ends included). */
const CHECKS_PER_DIM = 12;

export function samplePlan(ranges: readonly DimRange[]): SamplePlan {
  const values = ranges.map(rangeValues);
  const pick = (vs: number[], f: number) => vs[Math.round(f * (vs.length - 1))];
  const nodes = values.map((vs) => [pick(vs, 0.25), pick(vs, 0.5), pick(vs, 0.75)]);
  const middle = nodes.map((n) => n[1]);
  const key = (p: number[]) => p.join(',');
  const seen = new Set<string>();
  const checks: number[][] = [];
  const add = (p: number[]) => {
    if (seen.has(key(p))) return;
    seen.add(key(p));
    checks.push(p);
  };
  const isNode = (p: number[]) => p.every((v, d) => nodes[d].includes(v));
  // Corners first: the smallest shapes are where code most often changes form, and a failing check stops the compile.
  const corners = ranges.reduce<number[][]>((acc, r) => acc.flatMap((p) => [[...p, r.min], [...p, r.max]]), [[]]);
  for (const c of corners) if (!isNode(c)) add(c);
  values.forEach((vs, d) => {
    // Every value of short ranges; of long ones both ends, the second value and an even spread.
    const picks = vs.length <= CHECKS_PER_DIM ? vs : [...new Set([vs[1], ...Array.from({ length: CHECKS_PER_DIM - 1 }, (_, i) => pick(vs, i / (CHECKS_PER_DIM - 2)))])];
    for (const v of picks) {
      const p = [...middle];
      p[d] = v;
      if (!isNode(p)) add(p);
    }
  });
  return { nodes, checks, bound: ranges.map((r) => r.max) };
}

/** An input's shape with its symbolic dims replaced by their values at `point` (dims in `ranges` order). */
export function shapeAt(shape: readonly (number | string)[], ranges: readonly DimRange[], point: readonly number[]): number[] {
  return shape.map((d) => {
    if (typeof d === 'number') return d;
    const i = ranges.findIndex((r) => r.name === d);
    if (i < 0) throw new UsageError(`dim '${d}' has no range: give --dim ${d}=MIN..MAX`);
    return point[i];
  });
}

/** A polynomial of the dims as a reader writes it: `W/8`, `2·H·W/1024 + 4`. */
export function formatDimPolynomial(terms: readonly { coefficient: number; powers: number[] }[], names: readonly string[]): string {
  if (terms.length === 0) return '0';
  return terms
    .map((t) => {
      const factors = t.powers.flatMap((p, d) => (p === 0 ? [] : [p === 1 ? names[d] : `${names[d]}^${p}`]));
      const c = t.coefficient;
      if (factors.length === 0) return String(c);
      const inverse = 1 / c;
      if (Number.isInteger(inverse) && inverse > 1) return `${factors.join('·')}/${inverse}`;
      return c === 1 ? factors.join('·') : `${c}·${factors.join('·')}`;
    })
    .join(' + ');
}

/** A shape with its polynomial dims written out: `[1,3,48,W]`. */
export function formatSymbolicShape(shape: readonly (number | { terms: { coefficient: number; powers: number[] }[] })[], names: readonly string[]): string {
  return `[${shape.map((d) => (typeof d === 'number' ? String(d) : formatDimPolynomial(d.terms, names))).join(',')}]`;
}

/** `W 96..480/32, H 64..960/32`. */
export function formatDimRanges(ranges: readonly DimRange[]): string {
  return ranges.map((r) => `${r.name} ${r.min}..${r.max}${r.step > 1 ? `/${r.step}` : ''}`).join(', ');
}
