// What only the webgpu recurrent kernels (rnn, gru, lstm) have: layers too large for one workgroup (a dispatch
// per step). The cases both targets share, f64 layers included, run in tests/targets/recurrent-cases.test.ts.
import { layerGraph, OPS } from '../../../tests/cases/recurrent-cases.js';
import { webgpuMismatches as mismatches } from '../../../tests/util/webgpu-mismatches.js';

describe('recurrent kernels match the interpreter', () => {
  test('layers of more units than one workgroup has invocations run a dispatch per step: sequence_lens, layout 1, each gru form, peepholes', async () => {
    const lens = [4, 0, 2, 3, 1, 4, 4, 2, 3];
    const g = layerGraph([
      ...OPS.map((op) => ({ op, direction: 'reverse' as const, layout: 1 as const, steps: 4, batch: 9, input: 3, hidden: 30, bias: true, initial: true, sequenceLens: lens })),
      { op: 'gru', direction: 'forward', steps: 3, batch: 2, input: 4, hidden: 130, bias: true, attrs: { linear_before_reset: 1 } },
      { op: 'lstm', direction: 'bidirectional', steps: 3, batch: 3, input: 2, hidden: 50, peepholes: true, attrs: { input_forget: 1 } },
    ]);
    expect(await mismatches(g)).toEqual([]);
  });
});
