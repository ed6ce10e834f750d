// The webgpu loss kernels against the interpreter on the cases both targets share (codegen/loss-cases.ts).
import { LOSS_CASES } from '../../../tests/cases/loss-cases.js';
import { webgpuMismatches as mismatches } from '../../../tests/util/webgpu-mismatches.js';

describe('loss kernels match the interpreter', () => {
  for (const [name, graph] of Object.entries(LOSS_CASES)) {
    test(name, async () => {
      expect(await mismatches(graph())).toEqual([]);
    });
  }
});
