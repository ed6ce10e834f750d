// Fused groups on the webgpu target, the same cases as on wasm (codegen/fused-cases.ts): a group with an
// anchor is one kernel whose epilogue reads its operands at each stored element (vec4 and scalar stores,
// split-K's second dispatch, the direct conv), an element-wise group is one kernel, and anything else lowers
// node by node — always matching the reference interpreter, run through the runtime's executor.
import { fuseOps } from '../../passes/fuse-ops.js';
import { GOLDEN_FUSION_KERNELS, goldenFusionFiles, goldenFusionGraph, ONE_KERNEL_CASES } from '../../tests/cases/fused-cases.js';
import { buildGraph } from '../../tests/util/graphs.js';
import { compileToWebgpu } from './program.js';
import { webgpuMismatches } from '../../tests/util/webgpu-mismatches.js';

describe('fused groups on webgpu', () => {
  test('every golden fusion case has an expected kernel count', () => {
    expect(goldenFusionFiles()).toEqual(Object.keys(GOLDEN_FUSION_KERNELS).sort());
  });

  for (const [file, kernels] of Object.entries(GOLDEN_FUSION_KERNELS)) {
    test(file, async () => {
      const graph = goldenFusionGraph(file);
      expect(await webgpuMismatches(graph)).toEqual([]);
      expect(compileToWebgpu(graph).kernels).toBe(kernels);
    });
  }

  for (const [name, spec] of Object.entries(ONE_KERNEL_CASES)) {
    test(`one kernel: ${name}`, async () => {
      const graph = fuseOps(buildGraph(spec));
      expect(graph.nodes.map((n) => n.op)).toEqual(['fused']);
      expect(await webgpuMismatches(graph)).toEqual([]);
      expect(compileToWebgpu(graph).kernels).toBe(1);
    });
  }
});
