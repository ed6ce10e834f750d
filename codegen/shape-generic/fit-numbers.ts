// One text (a kernel source, a dispatch list) for every shape of a range, from the texts generated at sample
// shapes: their skeletons must agree (source-tokens.ts), and each number that varies becomes a polynomial of
// the dims (dim-polynomial.ts), fitted on the grid and checked on the other samples. The caller turns each
// fitted number into what its target reads at run time (a wasm global set from the dims, a WGSL constant
// substituted at load).
import { cartesian, evaluate, interpolate, type Term } from './dim-polynomial.js';
import { firstStructuralDifference, isFloatLiteral, tokenizeSource, type TokenizedSource } from './source-tokens.js';

/** A number of the generic text: an integer, a float, or the reciprocal of an integer polynomial (1/(H·W)). */
export interface FittedNumber {
  kind: 'int' | 'float' | 'reciprocal';
  terms: Term[];
}

/** The fitted numbers of a program, each once. */
export class FittedNumbers {
  readonly list: FittedNumber[] = [];
  private readonly index = new Map<string, number>();
  add(f: FittedNumber): number {
    const key = JSON.stringify(f);
    let i = this.index.get(key);
    if (i === undefined) {
      i = this.list.length;
      this.list.push(f);
      this.index.set(key, i);
    }
    return i;
  }
}

/** A fitted number's value at `dims`, as the generated code computes it. */
export function fittedValue(f: FittedNumber, dims: readonly number[]): number {
  const v = evaluate(f.terms, dims);
  return f.kind === 'int' ? Math.round(v) : f.kind === 'reciprocal' ? 1 / v : v;
}

/** The text generated at one sample shape (one value per dim). */
export interface SampledText {
  point: number[];
  text: string;
}

/** The generic text: `parts[i]`, then slot i (a literal's text, or the index of a fitted number), …, the last part. */
export interface GenericText {
  parts: string[];
  slots: (string | number)[];
}

export class ShapeGenericError extends Error {
  constructor(
    message: string,
    /** Character offset in the first node's text where the texts part ways. */
    readonly offset: number,
    /** The sample shape at which they do. */
    readonly point: number[],
  ) {
    super(message);
  }
}

/**
 * `nodes`: the texts at every shape of the grid nodes[0] × nodes[1] × … (grid order, the last dim fastest);
 * `checks`: texts at other shapes. Throws ShapeGenericError where the texts' structures differ or a number is
 * no polynomial of the dims that the checks confirm.
 */
export function fitTexts(grid: readonly (readonly number[])[], nodes: readonly SampledText[], checks: readonly SampledText[], numbers: FittedNumbers): GenericText {
  const samples = [...nodes, ...checks].map((s) => ({ ...s, tokens: tokenizeSource(s.text) }));
  const base = samples[0].tokens;
  for (const s of samples) {
    const at = firstStructuralDifference(base, s.tokens, new Map());
    if (at >= 0) {
      const excerpt = (t: TokenizedSource) => JSON.stringify((t.parts[at] ?? '').trim().slice(0, 60));
      throw new ShapeGenericError(`its code has another structure at ${s.point.join('×')} (${excerpt(s.tokens)} where ${nodes[0].point.join('×')} has ${excerpt(base)})`, offsetOfPart(base, at), s.point);
    }
  }
  const extents = grid.map((g) => g.length);
  const gridIndex = (idx: number[]) => idx.reduce((n, i, d) => n * extents[d] + i, 0);
  const slots = base.numbers.map((first, j): string | number => {
    const texts = samples.map((s) => s.tokens.numbers[j].text);
    if (texts.every((t) => t === first.text)) return first.text;
    const where = offsetOfPart(base, j) + base.parts[j].length;
    const values = samples.map((s) => s.tokens.numbers[j].value);
    const fitted = fitNumber(grid, (idx) => values[gridIndex(idx)], texts.some(isFloatLiteral));
    if (!fitted) throw new ShapeGenericError(`a number of its code (${first.text} at ${nodes[0].point.join('×')}) is no polynomial of the dims`, where, nodes[0].point);
    const wrong = samples.findIndex((s, k) => !sameNumber(fittedValue(fitted, s.point), values[k], fitted.kind));
    if (wrong >= 0) {
      const s = samples[wrong];
      throw new ShapeGenericError(`a number of its code (${values[wrong]} at ${s.point.join('×')}) is no polynomial of the dims`, where, s.point);
    }
    return numbers.add(fitted);
  });
  return { parts: base.parts, slots };
}

function fitNumber(grid: readonly (readonly number[])[], value: (idx: number[]) => number, float: boolean): FittedNumber | undefined {
  const idx = cartesian(grid.map((g) => g.length));
  const values = idx.map(value);
  if (values.every(Number.isSafeInteger)) return { kind: float ? 'float' : 'int', terms: interpolate(grid, value) };
  if (!float) return undefined;
  // 1/n printed as a float (an average's divisor): fit n.
  const inverses = values.map((v) => 1 / v);
  if (!inverses.every((x) => Number.isFinite(x) && Math.abs(x - Math.round(x)) <= 1e-6 * Math.abs(x))) return undefined;
  return { kind: 'reciprocal', terms: interpolate(grid, (i) => Math.round(1 / value(i))) };
}

function sameNumber(fitted: number, actual: number, kind: FittedNumber['kind']): boolean {
  if (kind === 'int') return fitted === actual;
  // A float literal is read as f32 or f64: agreeing to 1e-12 leaves the f32 the same and the f64 next to it.
  return Math.abs(fitted - actual) <= 1e-12 * Math.max(1, Math.abs(actual));
}

function offsetOfPart(t: TokenizedSource, part: number): number {
  let n = 0;
  for (let i = 0; i < part && i < t.parts.length; i++) n += t.parts[i].length + t.numbers[i].text.length;
  return n;
}

/** The generic text with each slot written out: literals as they are, fitted numbers as `name(i)` says. */
export function renderGeneric(t: GenericText, name: (i: number) => string): string {
  let out = t.parts[0];
  t.slots.forEach((s, i) => (out += (typeof s === 'string' ? s : name(s)) + t.parts[i + 1]));
  return out;
}
