import { fileCheck, parseDirectives, patternRegex } from './filecheck.js';

const OUTPUT = ['graph @main(%x: f32[2]) {', '  %a: f32[2] = relu(%x)', '  %b: f32[2] = neg(%a)', '  return %b', '}'].join('\n');

describe('fileCheck', () => {
  test('parses directives with their lines', () => {
    expect(parseDirectives('x\n// CHECK: a\n  // CHECK-NEXT:  b c \n// CHECK-NOT: d\n// CHECK-LABEL: e')).toEqual([
      { kind: 'CHECK', pattern: 'a', line: 2 },
      { kind: 'CHECK-NEXT', pattern: 'b c', line: 3 },
      { kind: 'CHECK-NOT', pattern: 'd', line: 4 },
      { kind: 'CHECK-LABEL', pattern: 'e', line: 5 },
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
});
