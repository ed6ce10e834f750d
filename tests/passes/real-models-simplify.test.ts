// -O2 on the real models: the HardSwish, HardSigmoid and LayerNorm spellings of PP-OCR and openWakeWord
// become single ops (no clip, div, pow or sqrt survives them), and the result still matches -O0.
import { compareTensors } from '../../compiler/compare.js';
import { interpret } from '../../compiler/interpreter.js';
import type { Graph } from '../../compiler/ir/graph.js';
import { loadOnnxFile } from '../../compiler/onnx/frontend.js';
import { PassManager } from '../../passes/manager.js';
import { optPipeline } from '../../passes/pipelines.js';
import { REAL_MODELS } from '../models/real-models.js';
import { randomInputs } from '../util/random-inputs.js';

function histogram(g: Graph): Record<string, number> {
  const h: Record<string, number> = {};
  for (const n of g.allNodes()) h[n.op] = (h[n.op] ?? 0) + 1;
  return h;
}

const PATTERN_OPS = ['clip', 'div', 'pow', 'sqrt', 'batch_normalization'];

// Ops each model has at -O2, counted by hand from its -O1 histogram: 18 HardSwish in ppocr-cls, 28 in
// PP-OCRv4 rec and its 5 LayerNorms, hello_deepa's 2 LayerNorms.
const EXPECTED: Record<string, Record<string, number>> = {
  'ppocr-cls': { hard_swish: 18, hard_sigmoid: 9, layer_normalization: 0 },
  'ppocrv4-rec': { hard_swish: 28, hard_sigmoid: 2, layer_normalization: 5 },
  'oww-hello-deepa': { hard_swish: 0, hard_sigmoid: 0, layer_normalization: 2 },
};

describe('-O2 simplification on real models', () => {
  for (const m of REAL_MODELS.filter((r) => r.name in EXPECTED)) {
    test(m.name, () => {
      const { graph } = loadOnnxFile(m.file, { inputShapes: m.inputShapes });
      const optimized = new PassManager({ verifyEach: true }).run(optPipeline(2), graph);
      const h = histogram(optimized);
      expect(Object.fromEntries(PATTERN_OPS.map((op) => [op, h[op] ?? 0]))).toEqual(Object.fromEntries(PATTERN_OPS.map((op) => [op, 0])));
      const want = EXPECTED[m.name];
      expect(Object.fromEntries(Object.keys(want).map((op) => [op, h[op] ?? 0]))).toEqual(want);

      const feeds = randomInputs(graph, 7);
      const before = interpret(graph, feeds);
      const after = interpret(optimized, feeds, { checkTypes: true });
      for (const out of graph.outputs) {
        const d = compareTensors(after[out.name], before[out.name], { atol: 1e-4, rtol: 1e-3 });
        expect({ output: out.name, mismatch: d.mismatch }).toEqual({ output: out.name, mismatch: undefined });
      }
    });
  }
});
