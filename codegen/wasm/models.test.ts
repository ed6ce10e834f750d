// Whole models compiled to one wasm module and matched against the reference interpreter: the sample model,
// the openWakeWord models and PP-OCR (cls, det, rec), each optimized by the default pipeline first.
import { interpret } from '../../compiler/interpreter.js';
import { compareTensors } from '../../compiler/compare.js';
import { loadOnnxFile } from '../../compiler/onnx/frontend.js';
import { plainContext } from '../../passes/manager.js';
import { DEFAULT_OPT_LEVEL, optPipeline } from '../../passes/pipelines.js';
import { REAL_MODELS } from '../../tests/models/real-models.js';
import { randomInputs } from '../../tests/util/random-inputs.js';
import { REPO_ROOT } from '../../tests/util/repo.js';
import { compileToWasm } from './program.js';
import { loadProgram } from './run-program.js';
import { TOLERANCE } from '../../tests/util/wasm-testing.js';

const MODELS = [{ name: 'tiny-cnn', file: `${REPO_ROOT}/models/tiny-cnn.onnx`, inputShapes: {} }, ...REAL_MODELS];

describe('whole models on the wasm target match the interpreter', () => {
  for (const m of MODELS) {
    test(m.name, async () => {
      const graph = optPipeline(DEFAULT_OPT_LEVEL).run(loadOnnxFile(m.file, { inputShapes: m.inputShapes }).graph, plainContext());
      const feeds = randomInputs(graph, 7);
      const want = interpret(graph, feeds);
      const program = await compileToWasm(graph);
      const got = (await loadProgram(program)).run(feeds);
      for (const out of graph.outputs) {
        const d = compareTensors(got[out.name], want[out.name], TOLERANCE);
        expect({ output: out.name, mismatch: d.mismatch }).toEqual({ output: out.name, mismatch: undefined });
      }
    });
  }

  test('compiling is deterministic: the same graph gives byte-identical wasm and weights', async () => {
    const load = () => optPipeline(DEFAULT_OPT_LEVEL).run(loadOnnxFile(MODELS[0].file).graph, plainContext());
    const [a, b] = [await compileToWasm(load()), await compileToWasm(load())];
    expect(Buffer.from(a.wasm).equals(Buffer.from(b.wasm))).toBe(true);
    expect(Buffer.from(a.weights).equals(Buffer.from(b.weights))).toBe(true);
    expect(a.layout).toEqual(b.layout);
  });
});
