// BENCHMARKS.md is written by several commands (npm run bench, bench:compression, bench:cpu); each owns a
// section between its markers and replaces only that, so that regenerating one keeps the others.
import * as fs from 'node:fs';
import * as path from 'node:path';

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

/**
 * A command's section: printed when the run was filtered (a partial table must not replace the whole one), else
 * written between its markers in `file`.
 */
export function publishSection(file: string, begin: string, end: string, section: string, filtered: boolean, what: string): void {
  if (filtered) {
    process.stdout.write(`${section}\n`);
    return;
  }
  fs.writeFileSync(file, replaceSection(fs.readFileSync(file, 'utf8'), begin, end, section));
  process.stderr.write(`wrote the ${what} section of ${file}\n`);
}

/** Runs `main` when `moduleUrl` is the script node was started with (not when it is imported), exiting 1 on an error. */
export function runIfMain(moduleUrl: string, main: () => Promise<void>): void {
  if (!process.argv[1] || path.resolve(process.argv[1]) !== path.resolve(new URL(moduleUrl).pathname)) return;
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
