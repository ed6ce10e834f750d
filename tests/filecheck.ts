// A small FileCheck (LLVM) for golden IR tests. Directives sit in `// CHECK…:` comments of a check file and
// are matched in order against the output:
//   CHECK: p        p occurs at or after the end of the previous match
//   CHECK-NEXT: p   p occurs on the line right after the previous match's line
//   CHECK-NOT: p    p does not occur between the previous match and the next one (or the end)
//   CHECK-LABEL: p  like CHECK, for the line that opens a section (a graph header)
// A pattern is literal text in which `{{re}}` spans are regular expressions and runs of spaces match any
// horizontal whitespace. A failure message names the directive's line and shows the output line involved.

export interface Directive {
  kind: 'CHECK' | 'CHECK-NEXT' | 'CHECK-NOT' | 'CHECK-LABEL';
  pattern: string;
  /** 1-based line of the directive in the check file. */
  line: number;
}

const DIRECTIVE = /\/\/\s*(CHECK(?:-NEXT|-NOT|-LABEL)?):(.*)$/;

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

/** The first match of `re` at or after `from`, searching line by line. */
function find(lines: string[], re: RegExp, from: Position, lastLine = lines.length - 1): Position & { end: number } | undefined {
  for (let l = from.line; l <= lastLine; l++) {
    const text = l === from.line ? lines[l].slice(from.col) : lines[l];
    const m = re.exec(text);
    if (m) {
      const col = (l === from.line ? from.col : 0) + m.index;
      return { line: l, col, end: col + m[0].length };
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
      if (hit && (!until || hit.line < until.line || hit.col < until.col)) {
        return `${file}:${d.line}: CHECK-NOT: '${d.pattern}' occurs\n  ${show(hit.line)}`;
      }
    }
    pendingNot = [];
    return undefined;
  };

  for (const d of directives) {
    if (d.kind === 'CHECK-NOT') {
      pendingNot.push(d);
      continue;
    }
    const re = patternRegex(d.pattern);
    let hit: (Position & { end: number }) | undefined;
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
