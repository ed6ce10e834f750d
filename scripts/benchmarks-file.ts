// BENCHMARKS.md is written by several commands (npm run bench, bench:compression, bench:cpu); each owns a
// section between its markers and replaces only that, so that regenerating one keeps the others.

/** `text` with the section between `begin` and `end` (markers included) replaced by `section`, or it appended. */
export function replaceSection(text: string, begin: string, end: string, section: string): string {
  const a = text.indexOf(begin);
  const b = text.indexOf(end);
  if (a >= 0 && b > a) return `${text.slice(0, a)}${section}${text.slice(b + end.length)}`;
  return `${text.trimEnd()}\n\n${section}\n`;
}

/** The section between `begin` and `end` in `text` (markers included), or undefined. */
export function sectionOf(text: string, begin: string, end: string): string | undefined {
  const a = text.indexOf(begin);
  const b = text.indexOf(end);
  return a >= 0 && b > a ? text.slice(a, b + end.length) : undefined;
}
