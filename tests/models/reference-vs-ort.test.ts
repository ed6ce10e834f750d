// The real models import, specialize, and the reference interpreter matches onnxruntime-node.
import { interpret } from '../../compiler/interpreter.js';
import { loadOnnxFile } from '../../compiler/onnx/frontend.js';
import { compareTensors } from '../../compiler/compare.js';
import { runOnnxruntime } from '../util/ort.js';
import { randomInputs } from '../util/random-inputs.js';
import { REAL_MODELS } from './real-models.js';

describe('reference interpreter vs onnxruntime-node on real models', () => {
  for (const m of REAL_MODELS) {
    test(m.name, async () => {
      const { graph } = loadOnnxFile(m.file, { inputShapes: m.inputShapes });
      const feeds = randomInputs(graph, 7);
      const ours = interpret(graph, feeds, { checkTypes: true });
      const theirs = await runOnnxruntime(m.file, feeds);
      for (const out of graph.outputs) {
        const d = compareTensors(ours[out.name], theirs[out.name], { atol: 1e-4, rtol: 1e-3 });
        expect({ output: out.name, mismatch: d.mismatch }).toEqual({ output: out.name, mismatch: undefined });
      }
    });
  }
});
