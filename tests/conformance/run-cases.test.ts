import { DlcError } from '../../compiler/errors.js';
import { runGraph } from '../../compiler/interpreter.js';
import { listCases } from './cases.js';
import { formatSummary, loadCase, runCases, summarize, type BatchedBackend } from './run-cases.js';

const TOL = { atol: 1e-4, rtol: 1e-3 };

describe('runCases through a batched backend', () => {
  const cases = listCases('node').filter((c) => ['abs', 'relu', 'neg', 'exp'].includes(c.name));

  test('each graph gets its own runner or error, results keep case order, and failures group by reason', async () => {
    const batches: string[][] = [];
    const backend: BatchedBackend = {
      batchSize: 3,
      async compile(graphs) {
        batches.push(graphs.map((g) => g.nodes[0].op));
        return graphs.map((g) => {
          if (g.nodes[0].op === 'relu') return new DlcError('op relu is not supported by the wasm target: f32 input (f16 only) at [1, 2]', { node: 'Relu_0', op: 'relu' });
          if (g.nodes[0].op === 'neg') return new TypeError('generator bug');
          return (inputs) => runGraph(g, inputs, undefined, {});
        });
      },
    };
    const results = await runCases(cases, backend, TOL);
    expect(batches).toEqual([['abs', 'exp', 'neg'], ['relu']]);
    expect(results.map((r) => [r.name, r.passed, r.reason])).toEqual([
      ['abs', true, undefined],
      ['exp', true, undefined],
      ['neg', false, 'crash: TypeError'],
      ['relu', false, 'error: op relu is not supported by the wasm target: f32 input (f16 only) at […]'],
    ]);
    expect(summarize(results).passed).toBe(2);
  });
});

describe('shape inputs', () => {
  const byName = (name: string) => listCases('node').find((c) => c.name === name)!;

  test('loadCase specializes exactly the inputs whose values decide shapes, to the case values, and drops them from the feeds', () => {
    const reshape = loadCase(byName('reshape_negative_dim'));
    expect(reshape.specialized).toEqual(['shape']);
    expect(reshape.graph.inputs.map((v) => v.name)).toEqual(['data']);
    expect(reshape.graph.specialized.map((s) => [s.name, Array.from(s.value.data)])).toEqual([['shape', [2, -1, 2]]]);
    expect(reshape.inputs.map((t) => t.shape)).toEqual([[2, 3, 4]]);
    expect(reshape.graph.outputs[0].type.shape).toEqual([2, 6, 2]);

    const slice = loadCase(byName('slice_default_axes'));
    expect(slice.specialized).toEqual(['starts', 'ends']);
    expect(slice.graph.inputs.map((v) => v.name)).toEqual(['x']);
  });

  test('data inputs, and the inputs of data-dependent ops, stay inputs', () => {
    const cases: [string, string[], string[]][] = [
      ['abs', ['x'], []],
      ['nonzero_example', ['condition'], []],
      ['compress_0', ['input', 'condition'], []],
      // roi does not decide the output shape of Resize; sizes does.
      ['resize_tf_crop_and_resize', ['X', 'roi'], ['sizes']],
    ];
    for (const [name, inputs, specialized] of cases) {
      const loaded = loadCase(byName(name));
      expect([name, loaded.graph.inputs.map((v) => v.name), loaded.specialized, loaded.inputs.length]).toEqual([name, inputs, specialized, inputs.length]);
    }
  });

  test('the summary counts the passing cases that were specialized, after the parseable N/M passed', async () => {
    const cases = listCases('node').filter((c) => ['abs', 'reshape_negative_dim', 'nonzero_example'].includes(c.name));
    const results = await runCases(cases, (graph, inputs) => runGraph(graph, inputs, undefined, {}), TOL);
    expect(results.map((r) => [r.name, r.passed, r.specialized])).toEqual([
      ['abs', true, undefined],
      ['nonzero_example', true, undefined],
      ['reshape_negative_dim', true, ['shape']],
    ]);
    const summary = summarize(results);
    expect(summary.specialized).toBe(1);
    expect(formatSummary('reference', summary)).toBe('conformance(reference): 3/3 passed (1 with shape inputs specialized)');
  });
});
