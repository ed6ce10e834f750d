// A generated kernel source split into its skeleton and its numbers, so that sources generated for several
// input shapes can be compared: where the skeletons agree token for token, the program has one structure over
// those shapes and only its numbers (sizes, strides, trip counts) vary with the dims. Identifiers may differ in
// name where a generator hashes a kernel's contents into its name; they must map one to one.

/** One literal number of a source: its text and where it sits. */
export interface NumberToken {
  text: string;
  value: number;
}

/** A source as alternating text and number literals: `parts[i]` precedes `numbers[i]`; the last part ends it. */
export interface TokenizedSource {
  parts: string[];
  numbers: NumberToken[];
}

// A number not glued to an identifier (k88, f32x4, v128 keep their digits), with an optional fraction/exponent.
const NUMBER = /(?<![A-Za-z_$0-9.])\d+(?:\.\d+)?(?:[eE][-+]?\d+)?(?![A-Za-z_$0-9])/g;
const IDENT = /[A-Za-z_$][\w$]*/g;

export function tokenizeSource(source: string): TokenizedSource {
  const parts: string[] = [];
  const numbers: NumberToken[] = [];
  let last = 0;
  for (const m of source.matchAll(NUMBER)) {
    parts.push(source.slice(last, m.index));
    numbers.push({ text: m[0], value: Number(m[0]) });
    last = m.index! + m[0].length;
  }
  parts.push(source.slice(last));
  return { parts, numbers };
}

export const isFloatLiteral = (text: string): boolean => /[.eE]/.test(text);

/**
 * Compares the text parts of `other` with `base`'s. Identifiers that differ must map one to one (a renamed
 * hashed helper); `rename` collects other's names → base's. Returns the index of the first part that differs
 * beyond renaming, or -1 when the structures agree.
 */
export function firstStructuralDifference(base: TokenizedSource, other: TokenizedSource, rename: Map<string, string>): number {
  const back = new Map<string, string>();
  for (const [from, to] of rename) back.set(to, from);
  const n = Math.min(base.parts.length, other.parts.length);
  for (let i = 0; i < n; i++) {
    const a = base.parts[i];
    const b = other.parts[i];
    if (a === b) continue;
    const ia = [...a.matchAll(IDENT)];
    const ib = [...b.matchAll(IDENT)];
    if (ia.length !== ib.length || a.replace(IDENT, '@') !== b.replace(IDENT, '@')) return i;
    for (let j = 0; j < ia.length; j++) {
      const x = ib[j][0];
      const y = ia[j][0];
      if (x === y) continue;
      if ((rename.get(x) ?? y) !== y || (back.get(y) ?? x) !== x) return i;
      rename.set(x, y);
      back.set(y, x);
    }
  }
  return base.parts.length === other.parts.length ? -1 : n - 1;
}
