// What only the wasm recurrent kernels (rnn, gru, lstm) have: f64 refused, the cells' rational tanh and σ. The
// cases both targets share run in tests/targets/recurrent-cases.test.ts.
import { DlcError } from '../../../compiler/errors.js';
import { Tensor } from '../../../compiler/ir/tensor.js';
import { compileToWasm } from '../program.js';
import { loadProgram } from '../run-program.js';
import { buildGraph } from '../../../tests/util/wasm-testing.js';

describe('recurrent kernels match the interpreter', () => {
  test('f64 layers are refused with the node and op named', async () => {
    const g = buildGraph({
      inputs: { x: { dtype: 'f64', shape: [2, 1, 3] }, w: { dtype: 'f64', shape: [1, 4, 3] }, r: { dtype: 'f64', shape: [1, 4, 4] } },
      build: (b, { x, w, r }) => b.emit('rnn', [x, w, r], { hidden_size: 4 }, 2),
    });
    await expect(compileToWasm(g)).rejects.toThrow(DlcError);
    await expect(compileToWasm(g)).rejects.toThrow(/op rnn: op rnn is not supported by the wasm target: f64 operands/);
  });

  test('the cells\' tanh and sigmoid stay within 1e-6 of tanh and σ from -20 to 20', async () => {
    // With W = 1 and R = 0, a one-unit rnn outputs its activation of each input step.
    const grid = Array.from({ length: 4001 }, (_, i) => -20 + i / 100);
    const one = (v: number) => Tensor.fromArray('f32', [1, 1, 1], [v]);
    const g = buildGraph({
      inputs: { x: { dtype: 'f32', shape: [grid.length, 1, 1] } },
      build: (b, { x }) => ['Tanh', 'Sigmoid'].map((f) => b.emit('rnn', [x, b.constant(one(1)), b.constant(one(0))], { hidden_size: 1, activations: [f] }, 2)[0]),
    });
    const out = (await loadProgram(await compileToWasm(g))).run({ x: Tensor.fromArray('f32', [grid.length, 1, 1], grid) });
    const [tanh, sigmoid] = g.outputs.map((v) => Array.from(out[v.name].data));
    const worst = (got: number[], f: (x: number) => number) => Math.max(...grid.map((x, i) => Math.abs(got[i] - f(Math.fround(x)))));
    expect(worst(tanh, Math.tanh)).toBeLessThan(1e-6);
    expect(worst(sigmoid, (x) => 1 / (1 + Math.exp(-x)))).toBeLessThan(1e-6);
  });
});
