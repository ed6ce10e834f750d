// Golden IR tests: each tests/passes/*.ir file starts with `// RUN: <pipeline>`, then the input graph, then
// CHECK lines; `// -----` lines split a file into independent cases (each an input graph and its CHECK lines)
// that the one pipeline runs on. The pipeline runs with verification after every pass; the printed result
// must match the case's CHECK lines, and the input and output graphs must compute the same outputs on seeded
// random inputs.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { compareTensors } from '../../compiler/compare.js';
import { interpret } from '../../compiler/interpreter.js';
import { parseGraph } from '../../compiler/ir/parser.js';
import { printGraph } from '../../compiler/ir/printer.js';
import { PassManager } from '../../passes/manager.js';
import { parsePipeline } from '../../passes/pipelines.js';
import { fileCheck, splitInputFile } from '../filecheck.js';
import { randomInputs } from '../util/random-inputs.js';
import { REPO_ROOT } from '../util/repo.js';

const DIR = path.join(REPO_ROOT, 'tests', 'passes');
const FILES = fs.readdirSync(DIR).filter((f) => f.endsWith('.ir')).sort();

describe('golden IR tests', () => {
  test('there is a case for every simplification and fusion pass', () => {
    const passes = new Set(FILES.flatMap((f) => /^\/\/ RUN: (.*)$/m.exec(fs.readFileSync(path.join(DIR, f), 'utf8'))?.[1].split(',') ?? []));
    const expected = [
      'fold-batch-norm', 'fold-scale-axis', 'recognize-patterns', 'cancel-transpose-reshape', 'eliminate-common-subexpressions', 'simplify-algebra',
      'fuse-ops', 'fuse-horizontal', 'legalize', 'remove-identity', 'fold-shape-arithmetic', 'fold-qdq', 'fold-if', 'unroll-loops',
    ];
    expect(expected.filter((p) => !passes.has(p))).toEqual([]);
  });

  for (const file of FILES) {
    const text = fs.readFileSync(path.join(DIR, file), 'utf8');
    const run = /^\/\/ RUN: (.*)$/.exec(text.split('\n')[0]);
    const cases = splitInputFile(text);
    for (const c of cases) {
      test(cases.length === 1 ? file : `${file}:${c.line}`, () => {
        if (!run) throw new Error(`${file}: the first line must be '// RUN: <pipeline>'`);
        const input = parseGraph(c.text, file);
        const output = new PassManager({ verifyEach: true }).run(parsePipeline(run[1].trim()), input);
        const printed = printGraph(output);
        const failure = fileCheck(c.text, printed, file);
        expect(failure === undefined ? '' : `${failure}\n--- output ---\n${printed}`).toBe('');

        const feeds = randomInputs(input, 3);
        const want = interpret(input, feeds);
        const got = interpret(output, feeds, { checkTypes: true });
        expect(output.outputs.map((v) => v.name)).toEqual(input.outputs.map((v) => v.name));
        for (const v of input.outputs) {
          const d = compareTensors(got[v.name], want[v.name], { atol: 1e-4, rtol: 1e-3 });
          expect({ output: v.name, mismatch: d.mismatch }).toEqual({ output: v.name, mismatch: undefined });
        }
      });
    }
  }
});
