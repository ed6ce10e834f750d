// A small FileCheck (LLVM) for golden IR tests. Directives sit in `// CHECK…:` comments of a check file and
// are matched in order against the output:
//   CHECK: p        p occurs at or after the end of the previous match
//   CHECK-NEXT: p   p occurs on the line right after the previous match's line
//   CHECK-NOT: p    p does not occur between the previous match and the next one (or the end)
//   CHECK-LABEL: p  like CHECK, for the line that opens a section (a graph header)
//   CHECK-DAG: p    a run of CHECK-DAG lines matches in any order, each at a different place, between the
//                   previous match and the next directive's, which is searched for after the last of them
// A pattern is literal text in which `{{re}}` spans are regular expressions and runs of spaces match any
// horizontal whitespace. A failure message names the directive's line and shows the output line involved.
// A `// -----` line splits one file into independent cases, each with its own input and CHECK lines (MLIR's
// -split-input-file): see splitInputFile.

export interface Directive {
  kind: 'CHECK' | 'CHECK-NEXT' | 'CHECK-NOT' | 'CHECK-LABEL' | 'CHECK-DAG';
  pattern: string;
  /** 1-based line of the directive in the check file. */
  line: number;
}

const DIRECTIVE = /\/\/\s*(CHECK(?:-NEXT|-NOT|-LABEL|-DAG)?):(.*)$/;
const SPLIT = /^\/\/ -----\s*$/;

export interface SplitCase {
  /** The case's text, preceded by one empty line per line of the file before it, so that line numbers stay the file's. */
  text: string;
  /** 1-based line of the file where the case starts. */
  line: number;
}

/** The cases of a file split at its `// -----` lines (one case when it has none). */
export function splitInputFile(text: string): SplitCase[] {
  const lines = text.split('\n');
  const cases: SplitCase[] = [];
  let start = 0;
  lines.forEach((l, i) => {
    if (!SPLIT.test(l)) return;
    cases.push({ text: '\n'.repeat(start) + lines.slice(start, i).join('\n'), line: start + 1 });
    start = i + 1;
  });
  cases.push({ text: '\n'.repeat(start) + lines.slice(start).join('\n'), line: start + 1 });
  return cases;
}

export function parseDirectives(checkText: string): Directive[] {
  const out: Directive[] = [];
  checkText.split('\n').forEach((text, i) => {
    const m = DIRECTIVE.exec(text);
    if (m) out.push({ kind: m[1] as Directive['kind'], pattern: m[2].trim(), line: i + 1 });
  });
  return out;
}

/** The pattern as a regular expression: literal text escaped, `{{…}}` spans verbatim, spaces flexible. */
export function patternRegex(pattern: string): RegExp {
  let source = '';
  let rest = pattern;
  while (rest.length) {
    const open = rest.indexOf('{{');
    const literal = open < 0 ? rest : rest.slice(0, open);
    source += literal.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/ +/g, '[ \\t]+');
    if (open < 0) break;
    const close = rest.indexOf('}}', open + 2);
    if (close < 0) throw new Error(`unterminated {{ in pattern '${pattern}'`);
    source += `(?:${rest.slice(open + 2, close)})`;
    rest = rest.slice(close + 2);
  }
  return new RegExp(source);
}

interface Position {
  line: number;
  col: number;
}

interface Match extends Position {
  end: number;
}

const before = (a: Position, b: Position) => a.line < b.line || (a.line === b.line && a.col < b.col);
const overlap = (a: Match, b: Match) => a.line === b.line && a.col < Math.max(b.end, b.col + 1) && b.col < Math.max(a.end, a.col + 1);

/** The first match of `re` at or after `from`, searching line by line, that overlaps none of `taken`. */
function find(lines: string[], re: RegExp, from: Position, lastLine = lines.length - 1, taken: readonly Match[] = []): Match | undefined {
  for (let l = from.line; l <= lastLine; l++) {
    for (let start = l === from.line ? from.col : 0; start <= lines[l].length; ) {
      const m = re.exec(lines[l].slice(start));
      if (!m) break;
      const hit = { line: l, col: start + m.index, end: start + m.index + m[0].length };
      if (!taken.some((t) => overlap(t, hit))) return hit;
      start = hit.col + 1;
    }
  }
  return undefined;
}

/**
 * Matches the directives of `checkText` against `output`; returns undefined on success, else a message
 * (`file:line: …`) naming the directive that failed and the output line it was compared with.
 */
export function fileCheck(checkText: string, output: string, file = '<checks>'): string | undefined {
  const directives = parseDirectives(checkText);
  if (directives.length === 0) return `${file}: no CHECK directives`;
  const lines = output.split('\n');
  const show = (l: number) => (l >= 0 && l < lines.length ? `output line ${l + 1}: ${lines[l]}` : 'end of output');
  let pos: Position = { line: 0, col: 0 };
  let prevLine = -1;
  let pendingNot: Directive[] = [];

  const checkNots = (until: Position | undefined): string | undefined => {
    for (const d of pendingNot) {
      const last = until ? until.line : lines.length - 1;
      const hit = find(lines, patternRegex(d.pattern), pos, last);
      if (hit && (!until || before(hit, until))) {
        return `${file}:${d.line}: CHECK-NOT: '${d.pattern}' occurs\n  ${show(hit.line)}`;
      }
    }
    pendingNot = [];
    return undefined;
  };

  for (let i = 0; i < directives.length; i++) {
    const d = directives[i];
    if (d.kind === 'CHECK-NOT') {
      pendingNot.push(d);
      continue;
    }
    if (d.kind === 'CHECK-DAG') {
      // The run of CHECK-DAG lines from here: each matches after the previous match, apart from the others.
      const group: Match[] = [];
      for (; i < directives.length && directives[i].kind === 'CHECK-DAG'; i++) {
        const dag = directives[i];
        const hit = find(lines, patternRegex(dag.pattern), pos, undefined, group);
        if (!hit) return `${file}:${dag.line}: CHECK-DAG: '${dag.pattern}' not found after ${show(pos.line)}`;
        group.push(hit);
      }
      i--;
      const bad = checkNots(group.reduce((a, b) => (before(b, a) ? b : a)));
      if (bad) return bad;
      const last = group.reduce((a, b) => (b.line > a.line || (b.line === a.line && b.end > a.end) ? b : a));
      pos = { line: last.line, col: last.end };
      prevLine = last.line;
      continue;
    }
    const re = patternRegex(d.pattern);
    let hit: Match | undefined;
    if (d.kind === 'CHECK-NEXT') {
      if (prevLine < 0) return `${file}:${d.line}: CHECK-NEXT: '${d.pattern}' has no previous match to follow`;
      hit = find(lines, re, { line: prevLine + 1, col: 0 }, prevLine + 1);
      if (!hit) return `${file}:${d.line}: CHECK-NEXT: '${d.pattern}' is not on the line after the previous match\n  ${show(prevLine + 1)}`;
    } else {
      hit = find(lines, re, pos);
      if (!hit) return `${file}:${d.line}: ${d.kind}: '${d.pattern}' not found after ${show(pos.line)}`;
    }
    const bad = checkNots(hit);
    if (bad) return bad;
    pos = { line: hit.line, col: hit.end };
    prevLine = hit.line;
  }
  return checkNots(undefined);
}
