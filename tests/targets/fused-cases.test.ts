// The fused-group cases (tests/cases/fused-cases.ts) on every target: a group with an anchor is one kernel whose
// epilogue reads its operands at each stored element, an element-wise group is one kernel, and anything else
// lowers node by node — always matching the reference interpreter.
import { fuseOps } from '../../passes/fuse-ops.js';
import { GOLDEN_FUSION_KERNELS, goldenFusionFiles, goldenFusionGraph, ONE_KERNEL_CASES } from '../cases/fused-cases.js';
import { buildGraph } from '../util/graphs.js';
import { forEachTarget } from '../util/targets.js';

describe('fused groups', () => {
  test('every golden fusion case has an expected kernel count', () => {
    expect(goldenFusionFiles()).toEqual(Object.keys(GOLDEN_FUSION_KERNELS).sort());
  });

  for (const [file, kernels] of Object.entries(GOLDEN_FUSION_KERNELS)) {
    forEachTarget(file, () => goldenFusionGraph(file), { check: (run) => expect(run.kernels).toBe(kernels) });
  }

  for (const [name, spec] of Object.entries(ONE_KERNEL_CASES)) {
    test(`fuse-ops makes one fused node: ${name}`, () => {
      expect(fuseOps(buildGraph(spec)).nodes.map((n) => n.op)).toEqual(['fused']);
    });
    forEachTarget(`one kernel: ${name}`, () => fuseOps(buildGraph(spec)), { check: (run) => expect(run.kernels).toBe(1) });
  }
});
