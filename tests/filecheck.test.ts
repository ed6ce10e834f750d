import { fileCheck, parseDirectives, patternRegex, splitInputFile } from './filecheck.js';

const OUTPUT = ['graph @main(%x: f32[2]) {', '  %a: f32[2] = relu(%x)', '  %b: f32[2] = neg(%a)', '  return %b', '}'].join('\n');

describe('fileCheck', () => {
  test('parses directives with their lines', () => {
    expect(parseDirectives('x\n// CHECK: a\n  // CHECK-NEXT:  b c \n// CHECK-NOT: d\n// CHECK-LABEL: e\n// CHECK-DAG: f')).toEqual([
      { kind: 'CHECK', pattern: 'a', line: 2 },
      { kind: 'CHECK-NEXT', pattern: 'b c', line: 3 },
      { kind: 'CHECK-NOT', pattern: 'd', line: 4 },
      { kind: 'CHECK-LABEL', pattern: 'e', line: 5 },
      { kind: 'CHECK-DAG', pattern: 'f', line: 6 },
    ]);
  });

  test('patterns: literal text escaped, {{regex}} spans, flexible spaces', () => {
    expect(patternRegex('relu(%x)').test('%a: f32[2] = relu(%x)')).toBe(true);
    expect(patternRegex('relu(%x)').test('relux%x)')).toBe(false);
    expect(patternRegex('%{{[a-z]+}}: f32[{{[0-9]+}}]').test('  %abc: f32[12] = x')).toBe(true);
    expect(patternRegex('a b').test('a \t b')).toBe(true);
    expect(() => patternRegex('a {{b')).toThrow(/unterminated/);
  });

  test('CHECK and CHECK-NEXT pass in order', () => {
    expect(fileCheck('// CHECK-LABEL: graph @main\n// CHECK: relu(%x)\n// CHECK-NEXT: neg(%a)\n// CHECK-NEXT: return %b', OUTPUT)).toBeUndefined();
  });

  test('CHECK fails when the text is missing or only before the previous match', () => {
    expect(fileCheck('// CHECK: sigmoid', OUTPUT, 'f.ir')).toBe("f.ir:1: CHECK: 'sigmoid' not found after output line 1: graph @main(%x: f32[2]) {");
    expect(fileCheck('// CHECK: neg\n// CHECK: relu', OUTPUT, 'f.ir')).toMatch(/^f\.ir:2: CHECK: 'relu' not found after output line 3/);
  });

  test('CHECK may match later on the same line', () => {
    expect(fileCheck('// CHECK: relu\n// CHECK: (%x)', OUTPUT)).toBeUndefined();
    expect(fileCheck('// CHECK: (%x)\n// CHECK: relu', OUTPUT)).toMatch(/'relu' not found/);
  });

  test('CHECK-NEXT fails when the text is further down, showing the line it saw', () => {
    expect(fileCheck('// CHECK: relu\n// CHECK-NEXT: return', OUTPUT, 'f.ir')).toBe(
      "f.ir:2: CHECK-NEXT: 'return' is not on the line after the previous match\n  output line 3:   %b: f32[2] = neg(%a)",
    );
    expect(fileCheck('// CHECK-NEXT: relu', OUTPUT)).toMatch(/has no previous match/);
  });

  test('CHECK-NOT holds between matches and up to the end', () => {
    expect(fileCheck('// CHECK: relu\n// CHECK-NOT: relu\n// CHECK: return', OUTPUT)).toBeUndefined();
    expect(fileCheck('// CHECK: graph\n// CHECK-NOT: neg\n// CHECK: return', OUTPUT, 'f.ir')).toBe("f.ir:2: CHECK-NOT: 'neg' occurs\n  output line 3:   %b: f32[2] = neg(%a)");
    expect(fileCheck('// CHECK: return\n// CHECK-NOT: neg', OUTPUT)).toBeUndefined();
    expect(fileCheck('// CHECK: relu\n// CHECK-NOT: neg', OUTPUT)).toMatch(/CHECK-NOT: 'neg' occurs/);
  });

  test('CHECK-NOT does not look past the next match', () => {
    expect(fileCheck('// CHECK-NOT: return\n// CHECK: neg', OUTPUT)).toBeUndefined();
  });

  test('a check file without directives is an error', () => {
    expect(fileCheck('// nothing here', OUTPUT, 'f.ir')).toBe('f.ir: no CHECK directives');
  });

  test('a run of CHECK-DAG lines matches in any order between the surrounding CHECKs', () => {
    expect(fileCheck('// CHECK: graph\n// CHECK-DAG: neg(%a)\n// CHECK-DAG: relu(%x)\n// CHECK: return', OUTPUT)).toBeUndefined();
    expect(fileCheck('// CHECK-DAG: return\n// CHECK-DAG: graph\n// CHECK-DAG: relu\n// CHECK-NEXT: }', OUTPUT)).toBeUndefined();
  });

  test('a missing CHECK-DAG fails and says which', () => {
    expect(fileCheck('// CHECK: graph\n// CHECK-DAG: neg\n// CHECK-DAG: sigmoid\n// CHECK-DAG: relu', OUTPUT, 'f.ir')).toBe(
      "f.ir:3: CHECK-DAG: 'sigmoid' not found after output line 1: graph @main(%x: f32[2]) {",
    );
  });

  test('CHECK-DAG matches only after the previous match, each at its own place', () => {
    expect(fileCheck('// CHECK: neg\n// CHECK-DAG: return\n// CHECK-DAG: relu', OUTPUT, 'f.ir')).toMatch(/^f\.ir:3: CHECK-DAG: 'relu' not found after output line 3/);
    expect(fileCheck('// CHECK-DAG: relu\n// CHECK-DAG: relu', OUTPUT, 'f.ir')).toMatch(/^f\.ir:2: CHECK-DAG: 'relu' not found/);
    expect(fileCheck('// CHECK-DAG: f32[2] = \n// CHECK-DAG: f32[2] = \n// CHECK-DAG: f32[2] = ', OUTPUT, 'f.ir')).toMatch(/^f\.ir:3: CHECK-DAG/);
  });

  test('the directive after a CHECK-DAG run is searched for after the last of its matches', () => {
    expect(fileCheck('// CHECK-DAG: neg\n// CHECK-DAG: relu\n// CHECK: relu', OUTPUT, 'f.ir')).toMatch(/^f\.ir:3: CHECK: 'relu' not found after output line 3/);
    expect(fileCheck('// CHECK-DAG: neg\n// CHECK-DAG: relu\n// CHECK-NEXT: return', OUTPUT)).toBeUndefined();
  });

  test('CHECK-NOT before a CHECK-DAG run holds up to the first of its matches', () => {
    expect(fileCheck('// CHECK: graph\n// CHECK-NOT: neg\n// CHECK-DAG: return\n// CHECK-DAG: relu', OUTPUT)).toBeUndefined();
    expect(fileCheck('// CHECK: graph\n// CHECK-NOT: relu\n// CHECK-DAG: return\n// CHECK-DAG: neg', OUTPUT, 'f.ir')).toBe(
      "f.ir:2: CHECK-NOT: 'relu' occurs\n  output line 2:   %a: f32[2] = relu(%x)",
    );
  });
});

describe('splitInputFile', () => {
  test('`// -----` lines split a file into cases that keep the file\'s line numbers', () => {
    expect(splitInputFile('a\n// -----\nb\nc\n// -----  \nd')).toEqual([
      { text: 'a', line: 1 },
      { text: '\n\nb\nc', line: 3 },
      { text: '\n\n\n\n\nd', line: 6 },
    ]);
    expect(splitInputFile('a\n// ----- not a split\nb')).toEqual([{ text: 'a\n// ----- not a split\nb', line: 1 }]);
  });

  test('each case is checked with its own CHECK lines, failures named by the file\'s line', () => {
    const [first, second] = splitInputFile('// CHECK: relu\n// -----\n// CHECK: sigmoid');
    expect(fileCheck(first.text, OUTPUT, 'f.ir')).toBeUndefined();
    expect(fileCheck(second.text, OUTPUT, 'f.ir')).toMatch(/^f\.ir:3: CHECK: 'sigmoid' not found/);
  });
});
