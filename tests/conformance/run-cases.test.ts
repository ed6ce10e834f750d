import { DlcError } from '../../compiler/errors.js';
import { runGraph } from '../../compiler/interpreter.js';
import { listCases } from './cases.js';
import { runCases, summarize, type BatchedBackend } from './run-cases.js';

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
