// Character error rate: the Levenshtein distance (insertions, deletions, substitutions, each costing 1) between
// a recognized string and its reference, summed over a data set and divided by the references' total length.
// Both count Unicode code points, so that a Chinese character or an emoji is one character, not two UTF-16 units.

/** The edit distance between `a` and `b`, over code points. */
export function levenshtein(a: string, b: string): number {
  const x = Array.from(a);
  const y = Array.from(b);
  if (x.length === 0) return y.length;
  if (y.length === 0) return x.length;
  // One row of the dynamic-programming table at a time: previous[j] = distance(x[0..i), y[0..j)).
  let previous = Array.from({ length: y.length + 1 }, (_, j) => j);
  let current = new Array<number>(y.length + 1);
  for (let i = 1; i <= x.length; i++) {
    current[0] = i;
    for (let j = 1; j <= y.length; j++) {
      const substitution = previous[j - 1] + (x[i - 1] === y[j - 1] ? 0 : 1);
      current[j] = Math.min(substitution, previous[j] + 1, current[j - 1] + 1);
    }
    [previous, current] = [current, previous];
  }
  return previous[y.length];
}

export interface CerResult {
  /** Σ edits / Σ reference lengths (0 when every reference is empty and nothing was recognized). */
  cer: number;
  edits: number;
  referenceChars: number;
}

/** CER over pairs of (recognized, reference) strings; the two lists must be equally long. */
export function characterErrorRate(recognized: readonly string[], references: readonly string[]): CerResult {
  if (recognized.length !== references.length) {
    throw new Error(`characterErrorRate: ${recognized.length} recognized strings for ${references.length} references`);
  }
  let edits = 0;
  let referenceChars = 0;
  references.forEach((reference, i) => {
    edits += levenshtein(recognized[i], reference);
    referenceChars += Array.from(reference).length;
  });
  const cer = referenceChars === 0 ? (edits === 0 ? 0 : Infinity) : edits / referenceChars;
  return { cer, edits, referenceChars };
}
