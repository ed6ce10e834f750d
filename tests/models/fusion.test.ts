// Operator fusion on the real models: at -O2 every conv/matmul epilogue is fused, so the kernels left are
// about the anchors (convs, matmuls, pools, reductions) — the figures below are exact — each fused group is
// one kernel on both targets (webgpu's kernels are the IR's; wasm has one fewer per concat its producers write in
// place, compiler/concat-in-place.ts), and the fused model compiled to
// wasm still matches onnxruntime-node (codegen/wgsl/models.test.ts runs the webgpu artifacts).
import { analyzeGraph } from '../../compiler/analysis.js';
import { compareTensors } from '../../compiler/compare.js';
import type { Graph } from '../../compiler/ir/graph.js';
import { loadOnnxFile } from '../../compiler/onnx/frontend.js';
import { getOp } from '../../compiler/ops/registry.js';
import { compileToWasm } from '../../codegen/wasm/program.js';
import { loadProgram } from '../../codegen/wasm/run-program.js';
import { compileToWebgpu } from '../../codegen/wgsl/program.js';
import { TOLERANCE } from '../util/wasm-testing.js';
import { PassManager } from '../../passes/manager.js';
import { optPipeline } from '../../passes/pipelines.js';
import { runOnnxruntime } from '../util/ort.js';
import { randomInputs } from '../util/random-inputs.js';
import { REAL_MODELS } from './real-models.js';

const ANCHOR_OPS = /^(conv|conv_transpose|matmul|gemm|max_pool|average_pool|global_average_pool|global_max_pool|reduce_.*)$/;
const EPILOGUE_ANCHORS = new Set(['conv', 'conv_transpose', 'matmul', 'gemm']);

// Kernels at -O0 and -O2 and anchors at -O2, from `dlc inspect MODEL --json`. Above the anchors at -O2:
// cls, the 9 squeeze-excitation muls (x · hard_sigmoid(…) broadcast over the plane: its producer's group
// ends at the hard_sigmoid, its reader is the next conv) and a reshape and a softmax; det, 2 such muls and
// 7 groups of resize/concat/element-wise ops; rec, 2 SE muls, 5 layer norms, 3 softmaxes, a concat and
// the layout ops (reshape, transpose, slice, squeeze). fuse-ops forms only groups that are one kernel on every
// target (compiler/kernel-groups.ts), so the IR's kernel count at -O2 is the targets'.
const EXPECTED: Record<string, { o0: number; o2: number; anchors: number; wasmKernels: number }> = {
  'ppocr-cls': { o0: 220, o2: 75, anchors: 65, wasmKernels: 75 },
  'ppocrv4-det': { o0: 330, o2: 93, anchors: 74, wasmKernels: 92 },
  'ppocrv4-rec': { o0: 427, o2: 82, anchors: 54, wasmKernels: 81 },
};

/** Conv/matmul/gemm nodes left outside any group whose output an element-wise reader could have taken. */
function unfusedEpilogues(g: Graph): string[] {
  const users = g.users();
  const outputs = new Set(g.outputs);
  return g.nodes
    .filter((n) => EPILOGUE_ANCHORS.has(n.op) && !outputs.has(n.outputs[0]))
    .filter((n) => {
      const readers = users.get(n.outputs[0]) ?? [];
      const r = readers[0];
      return readers.length === 1 && r.op !== 'fused' && ['elemwise', 'broadcast'].includes(getOp(r.op).kind) && r.outputs[0].type.shape.join() === n.outputs[0].type.shape.join();
    })
    .map((n) => n.name);
}

describe('fusion on real models', () => {
  for (const m of REAL_MODELS.filter((r) => r.name in EXPECTED)) {
    test(m.name, async () => {
      const { graph } = loadOnnxFile(m.file, { inputShapes: m.inputShapes });
      const fused = new PassManager({ verifyEach: true }).run(optPipeline(2), graph);
      const stats = analyzeGraph(fused);
      // Anchors outside fused groups and inside them (the histograms count the two apart).
      const anchors = [...Object.entries(stats.ops), ...Object.entries(stats.fusedOps)].filter(([op]) => ANCHOR_OPS.test(op)).reduce((n, [, c]) => n + c, 0);
      const wasm = await compileToWasm(fused);
      expect({ o0: analyzeGraph(graph).kernels, o2: stats.kernels, anchors, wasmKernels: wasm.kernels }).toEqual(EXPECTED[m.name]);
      expect(compileToWebgpu(fused).kernels).toBe(stats.kernels);
      expect(unfusedEpilogues(fused)).toEqual([]);

      const feeds = randomInputs(graph, 7);
      const got = (await loadProgram(wasm)).run(feeds);
      const want = await runOnnxruntime(m.file, feeds);
      for (const out of graph.outputs) {
        const d = compareTensors(got[out.name], want[out.name], TOLERANCE);
        expect({ output: out.name, mismatch: d.mismatch }).toEqual({ output: out.name, mismatch: undefined });
      }
    });
  }
});
