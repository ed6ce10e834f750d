// The webgpu recurrent kernels (rnn, gru, lstm) against the interpreter on the cases both targets share
// (codegen/recurrent-cases.ts), and what only this target has: layers too large for one workgroup (a dispatch
// per step), f64 computed in f32.
import { layerGraph, OPS, recurrentCases } from '../../../tests/cases/recurrent-cases.js';
import { webgpuMismatches as mismatches } from '../../../tests/util/webgpu-mismatches.js';
import { buildGraph } from '../../../tests/util/graphs.js';

describe('recurrent kernels match the interpreter', () => {
  for (const [name, layers] of Object.entries(recurrentCases())) {
    test(name, async () => {
      expect(await mismatches(layerGraph(layers))).toEqual([]);
    });
  }

  test('layers of more units than one workgroup has invocations run a dispatch per step: sequence_lens, layout 1, each gru form, peepholes', async () => {
    const lens = [4, 0, 2, 3, 1, 4, 4, 2, 3];
    const g = layerGraph([
      ...OPS.map((op) => ({ op, direction: 'reverse' as const, layout: 1 as const, steps: 4, batch: 9, input: 3, hidden: 30, bias: true, initial: true, sequenceLens: lens })),
      { op: 'gru', direction: 'forward', steps: 3, batch: 2, input: 4, hidden: 130, bias: true, attrs: { linear_before_reset: 1 } },
      { op: 'lstm', direction: 'bidirectional', steps: 3, batch: 3, input: 2, hidden: 50, peepholes: true, attrs: { input_forget: 1 } },
    ]);
    expect(await mismatches(g)).toEqual([]);
  });

  test('f64 layers compute in f32 (the target stores every float as f32)', async () => {
    const g = buildGraph({
      inputs: { x: { dtype: 'f64', shape: [3, 2, 3] }, w: { dtype: 'f64', shape: [1, 12, 3] }, r: { dtype: 'f64', shape: [1, 12, 3] } },
      build: (b, { x, w, r }) => b.emit('lstm', [x, w, r], { hidden_size: 3 }, 3),
    });
    expect(await mismatches(g)).toEqual([]);
  });
});
