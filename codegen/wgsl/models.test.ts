// Whole models on the webgpu target (Dawn; SwiftShader without a GPU) against onnxruntime-node: the sample
// model, the openWakeWord models and PP-OCR (cls, det, rec), within abs 1e-3 / rel 1e-3 on seeded random
// inputs. Prints each model's max errors and how long compiling, loading and one run took.
//
// SwiftShader compiles every shader on the CPU, and loading (pipeline creation) dominates: on a busy 2-core
// machine PP-OCR det at 320×320 took 132 s to load and 39 s to run, at 128×160 250 s to load (busier) and
// 6 s to run; each GEMM-based conv module takes seconds to compile. PP-OCR det and rec run here at smaller
// sizes of the same graphs (webgpuTestModels).
import { compareTensors } from '../../compiler/compare.js';
import { loadOnnxFile } from '../../compiler/onnx/frontend.js';
import { plainContext } from '../../passes/manager.js';
import { DEFAULT_OPT_LEVEL, optPipeline } from '../../passes/pipelines.js';
import { nodeGpuDevice } from '../../cli/webgpu-node.js';
import { webgpuTestModels } from '../../tests/models/real-models.js';
import { runOnnxruntime } from '../../tests/util/ort.js';
import { randomInputs } from '../../tests/util/random-inputs.js';
import { compileToWebgpu } from './program.js';
import { loadWebgpuProgram } from './run-program.js';

const TOLERANCE = { atol: 1e-3, rtol: 1e-3 };
const MODELS = webgpuTestModels();

describe('whole models on the webgpu target match onnxruntime', () => {
  for (const m of MODELS) {
    test(m.name, async () => {
      const t0 = performance.now();
      const graph = optPipeline(DEFAULT_OPT_LEVEL).run(loadOnnxFile(m.file, { inputShapes: m.inputShapes }).graph, plainContext());
      const feeds = randomInputs(graph, 7);
      const program = compileToWebgpu(graph);
      const t1 = performance.now();
      const loaded = await loadWebgpuProgram(await nodeGpuDevice(), program);
      const t2 = performance.now();
      const got = await loaded.run(feeds);
      const t3 = performance.now();
      const want = await runOnnxruntime(m.file, feeds);
      const errors: string[] = [];
      for (const out of graph.outputs) {
        const d = compareTensors(got[out.name], want[out.name], TOLERANCE);
        errors.push(`${out.name} max abs ${d.maxAbsError.toPrecision(3)} max rel ${d.maxRelError.toPrecision(3)}`);
        expect({ output: out.name, mismatch: d.mismatch }).toEqual({ output: out.name, mismatch: undefined });
      }
      const ms = (a: number, b: number) => `${Math.round(b - a)} ms`;
      process.stdout.write(`webgpu ${m.name}: ${errors.join('; ')} (compile ${ms(t0, t1)}, load ${ms(t1, t2)}, run ${ms(t2, t3)}; ${program.steps.length} dispatches)\n`);
    });
  }
});
