// fuse-ops inside the arms of a run-time If (passes/fuse-ops.ts), on the two sample models that have one: the
// cascade (models/cascade.ts: a second stage of four conv + relu layers in its then arm) and the VAD-style model
// (models/vad-style.ts: a 16 kHz and an 8 kHz front end, its sample rate left a run-time input). Each arm runs
// fewer kernels than without fusion, its layers fused as they would be outside an If; and both targets, running
// the fused arms, give the reference interpreter's outputs of the model as imported (unfused), for each arm.
import { inspect } from '../api/inspect.js';
import { optimize } from '../api/optimize.js';
import { nodeGpuDevice, nodeWgslLanguageFeatures } from '../cli/webgpu-node.js';
import { compileToWasm } from '../codegen/wasm/program.js';
import { loadProgram } from '../codegen/wasm/run-program.js';
import { compileToWebgpu } from '../codegen/wgsl/program.js';
import { loadWebgpuProgram } from '../codegen/wgsl/run-program.js';
import { compareTensors } from '../compiler/compare.js';
import { interpret } from '../compiler/interpreter.js';
import { Graph } from '../compiler/ir/graph.js';
import { Tensor } from '../compiler/ir/tensor.js';
import { importOnnx } from '../compiler/onnx/frontend.js';
import { encodeOnnxModel } from '../compiler/onnx/writer.js';
import { cascadeInputs, cascadeModel } from '../models/cascade.js';
import { VAD_CHUNK, vadStyle } from '../models/vad-style.js';
import { randomFeeds } from '../tests/util/graphs.js';
import { TARGETS, toleranceOf, type TargetName } from '../tests/util/targets.js';
import { DEFAULT_OPT_LEVEL, optPipelineText } from './pipelines.js';

const CASCADE = encodeOnnxModel(cascadeModel());
const VAD = encodeOnnxModel(vadStyle());

/** How many kernels the main graph ('') and each arm (keyed by inspect's arm label) run on wasm with `pipeline`. */
function armKernels(model: Uint8Array, pipeline?: string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const k of inspect(model, { target: 'wasm', ...(pipeline ? { pipeline } : {}) }).kernelList) {
    counts[k.branch ?? ''] = (counts[k.branch ?? ''] ?? 0) + 1;
  }
  return counts;
}

describe('kernels per arm', () => {
  // The default pipeline with the arms left unfused (what every arm ran before fusion reached them); the main
  // graph fuses the same either way.
  const unfused = optPipelineText(DEFAULT_OPT_LEVEL).replace(/fuse-ops$/, 'fuse-ops{nested=false}');

  test('the cascade\'s second stage: each conv takes its relu (11 kernels without fusion, 7 with)', () => {
    expect(armKernels(CASCADE, unfused)).toEqual({ '': 6, '/If_23 then': 11, '/If_23 else': 1 });
    expect(armKernels(CASCADE)).toEqual({ '': 6, '/If_23 then': 7, '/If_23 else': 1 });
    const then = inspect(CASCADE, { target: 'wasm' }).kernelList.filter((k) => k.branch === '/If_23 then');
    expect(then.filter((k) => k.ops.join() === 'conv,relu')).toHaveLength(4);
  });

  test('the VAD front ends: |re + i·im| is one kernel, each conv takes its relu (13 kernels without fusion, 8 with)', () => {
    expect(armKernels(VAD, unfused)).toEqual({ '': 11, 'If_1 then': 13, 'If_1 else': 13 });
    expect(armKernels(VAD)).toEqual({ '': 11, 'If_1 then': 8, 'If_1 else': 8 });
    const arm = inspect(VAD, { target: 'wasm' }).kernelList.filter((k) => k.branch === 'If_1 else').map((k) => k.ops.join());
    expect(arm).toContain('mul,mul,add,sqrt');
    expect(arm.filter((ops) => ops === 'conv,relu')).toHaveLength(2);
  });
});

/** Feeds taking each arm of each model. */
const vadFeeds = (sr: number): Record<string, Tensor> => {
  const graph = importOnnx(VAD).graph;
  const input = Tensor.fromArray('f32', [1, VAD_CHUNK], Array.from({ length: VAD_CHUNK }, (_, i) => 0.5 * Math.sin(i * (sr / 1e5))));
  return { ...randomFeeds(graph, sr), sr: Tensor.scalar('i64', sr), input };
};
const MODELS: { name: string; model: Uint8Array; arms: Record<string, () => Record<string, Tensor>> }[] = [
  { name: 'cascade', model: CASCADE, arms: { 'first stage only (else)': () => ({ x: cascadeInputs().cheap }), 'second stage (then)': () => ({ x: cascadeInputs().second }) } },
  { name: 'VAD', model: VAD, arms: { '16 kHz front end (then)': () => vadFeeds(16000), '8 kHz front end (else)': () => vadFeeds(8000) } },
];

/** The model compiled once for `target` from its optimized graph; run(feeds) gives every output. */
async function load(target: TargetName, graph: Graph): Promise<{ run(feeds: Record<string, Tensor>): Promise<Record<string, Tensor>>; release(): Promise<void> }> {
  if (target === 'wasm') {
    const loaded = await loadProgram(await compileToWasm(graph));
    return { run: async (feeds) => loaded.run(feeds), release: async () => {} };
  }
  return loadWebgpuProgram(await nodeGpuDevice(), compileToWebgpu(graph), await nodeWgslLanguageFeatures());
}

describe.each(TARGETS)('on %s, the fused arms give the unfused model\'s reference outputs', (target) => {
  test.each(MODELS)('$name, each arm', async ({ model, arms }) => {
    const graph = optimize(model, { target }).graph;
    const armNodes = graph.nodes.filter((n) => n.op === 'if').flatMap((n) => Graph.subgraphsOf(n)).flatMap((arm) => arm.nodes);
    expect(armNodes.some((n) => n.op === 'fused')).toBe(true);
    const imported = importOnnx(model).graph;
    const program = await load(target, graph);
    try {
      for (const [arm, feeds] of Object.entries(arms)) {
        const given = feeds();
        const got = await program.run(given);
        const want = interpret(imported, given);
        for (const v of imported.outputs) {
          const d = compareTensors(got[v.name], want[v.name], toleranceOf(target, v.type.dtype)!);
          expect({ arm, output: v.name, mismatch: d.mismatch }).toEqual({ arm, output: v.name, mismatch: undefined });
        }
      }
    } finally {
      await program.release();
    }
  });
});
