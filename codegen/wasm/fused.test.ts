// Fused groups on the wasm target: a group with an anchor is one kernel whose epilogue reads its operands at
// each stored element (vector and scalar forms, ragged edges included), an element-wise group is one kernel,
// and anything else lowers node by node — always matching the reference interpreter.
import { GOLDEN_FUSION_KERNELS, goldenFusionFiles, goldenFusionGraph, ONE_KERNEL_CASES } from '../../tests/cases/fused-cases.js';
import { fuseOps } from '../../passes/fuse-ops.js';
import { compileToWasm } from './program.js';
import { buildGraph, mismatches } from '../../tests/util/wasm-testing.js';

describe('fused groups on wasm', () => {
  test('every golden fusion case has an expected kernel count', () => {
    expect(goldenFusionFiles()).toEqual(Object.keys(GOLDEN_FUSION_KERNELS).sort());
  });

  for (const [file, kernels] of Object.entries(GOLDEN_FUSION_KERNELS)) {
    test(file, async () => {
      const graph = goldenFusionGraph(file);
      expect(await mismatches(graph)).toEqual([]);
      expect((await compileToWasm(graph)).kernels).toBe(kernels);
    });
  }

  for (const [name, spec] of Object.entries(ONE_KERNEL_CASES)) {
    test(`one kernel: ${name}`, async () => {
      const graph = fuseOps(buildGraph(spec));
      expect(graph.nodes.map((n) => n.op)).toEqual(['fused']);
      expect(await mismatches(graph)).toEqual([]);
      expect((await compileToWasm(graph)).kernels).toBe(1);
    });
  }
});
