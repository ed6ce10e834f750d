// Nodes reading run-time-sized tensors (tests/cases/run-time-consumer-cases.ts) on every target against the
// reference interpreter: one compile per target, run on each feed (the last with zero rows everywhere).
import { compareTensors } from '../../compiler/compare.js';
import { interpret } from '../../compiler/interpreter.js';
import type { Tensor } from '../../compiler/ir/tensor.js';
import { nodeGpuDevice, nodeWgslLanguageFeatures } from '../../cli/webgpu-node.js';
import { compileToWasm } from '../../codegen/wasm/program.js';
import { loadProgram } from '../../codegen/wasm/run-program.js';
import { compileToWebgpu } from '../../codegen/wgsl/program.js';
import { loadWebgpuProgram } from '../../codegen/wgsl/run-program.js';
import { RUN_TIME_CONSUMER_FEEDS, RUN_TIME_CONSUMER_GRAPH } from '../cases/run-time-consumer-cases.js';
import { toleranceOf, type TargetName } from '../util/targets.js';

type Runner = (feeds: Record<string, Tensor>) => Promise<Record<string, Tensor>>;

const RUNNERS: Record<TargetName, () => Promise<{ run: Runner; release(): Promise<void> }>> = {
  async wasm() {
    const program = await loadProgram(await compileToWasm(RUN_TIME_CONSUMER_GRAPH()));
    return { run: async (feeds) => program.run(feeds), release: async () => {} };
  },
  async webgpu() {
    const program = await loadWebgpuProgram(await nodeGpuDevice(), compileToWebgpu(RUN_TIME_CONSUMER_GRAPH()), await nodeWgslLanguageFeatures());
    return { run: (feeds) => program.run(feeds), release: () => program.release() };
  },
};

for (const target of ['wasm', 'webgpu'] as const) {
  test(`${target}: NMS → Gather → Mul, NonZero → Transpose → GatherND, Compress → Relu → ReduceSum (and Cast, Shape, Slice, GatherElements, ReduceMax), zero rows included`, async () => {
    const graph = RUN_TIME_CONSUMER_GRAPH();
    const program = await RUNNERS[target]();
    try {
      for (const feeds of RUN_TIME_CONSUMER_FEEDS) {
        const want = interpret(graph, feeds);
        const got = await program.run(feeds);
        const mismatches = graph.outputs.flatMap((v) => {
          const d = compareTensors(got[v.name], want[v.name], toleranceOf(target, v.type.dtype)!);
          return d.mismatch ? [`${v.name}: ${d.mismatch}`] : [];
        });
        expect(mismatches).toEqual([]);
      }
    } finally {
      await program.release();
    }
  });
}
