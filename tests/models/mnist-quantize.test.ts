// Post-training int8 quantization of the committed LeNets, measured on the first 2,000 MNIST test digits: the accuracy
// guard holds a 0.3-point top-1 budget, the compiled int8 artifacts compute what the QDQ graph computes (their
// top-1 equals the reference interpreter's on it) with weights about 4× smaller than f32, and dlc's int8
// outputs equal onnxruntime's on the QDQ model dlc exports, within one quantization step.
import * as path from 'node:path';
import { mnistDataset } from '../../accuracy/mnist.js';
import { evaluate } from '../../accuracy/evaluate.js';
import { compile } from '../../api/compile.js';
import { sessionRunner } from '../../api/eval.js';
import { quantizeSource, readModel, type OptimizedModel } from '../../api/optimize.js';
import { withDequantizedConstants, type QuantizationReport } from '../../quantize/quantize-graph.js';
import { loadInMemory } from '../../api/session.js';
import { nodeGpuDevice } from '../../cli/webgpu-node.js';
import { interpret } from '../../compiler/interpreter.js';
import { exportOnnxModel } from '../../compiler/onnx/export.js';
import { runOnnxruntime } from '../util/ort.js';
import { REPO_ROOT } from '../util/repo.js';

/** The first 2,000 of the 10,000 test digits: the guard evaluates them several times in the interpreter. */
const GUARD_SAMPLES = 2000;
const test_ = mnistDataset('test', 'input', GUARD_SAMPLES);
const train = mnistDataset('train');
/** Samples the compiled artifacts are evaluated on (the guard measures all 2,000 in the interpreter). */
const ARTIFACT_SAMPLES = 400;

describe.each(['lenet-300-100', 'lenet-5'])('int8 %s', (name) => {
  const file = path.join(REPO_ROOT, 'models', 'mnist', `${name}.onnx`);
  const unguarded = { mode: 'int8' as const, calibration: train, calibrationLimit: 200 };
  const quantize = { ...unguarded, guard: { data: test_, metric: 'top1' as const, maxAccuracyDrop: 0.3 } };
  let quantized: OptimizedModel;
  let report: QuantizationReport;
  beforeAll(() => {
    quantized = quantizeSource(readModel(file), { quantize });
    report = quantized.quantization!;
  });

  test('the accuracy guard holds a 0.3-point top-1 budget on 2,000 held-out digits, every layer int8', () => {
    console.log(`${name}: top-1 f32 ${report.guard!.f32.toFixed(2)} %, int8 ${report.guard!.quantized.toFixed(2)} %`);
    expect(report.guard!.drop).toBeLessThanOrEqual(0.3);
    expect(report.layers.every((l) => l.precision === 'int8')).toBe(true);
    expect(report.layers.every((l) => l.sqnrDb! > 30)).toBe(true);
  });

  test('the wasm artifact gives the QDQ graph\'s top-1; weights.bin about 4× smaller than f32', async () => {
    // Without the guard (the test above holds it; it would only evaluate the same 2,000 digits again).
    const [int8, f32] = await Promise.all([compile(file, { target: 'wasm', quantize: unguarded }), compile(file, { target: 'wasm' })]);
    const ratio = f32.files.get('weights.bin')!.length / int8.files.get('weights.bin')!.length;
    console.log(`${name}: weights.bin f32 ${f32.files.get('weights.bin')!.length} B, int8 ${int8.files.get('weights.bin')!.length} B (${ratio.toFixed(2)}×)`);
    // LeNet-5's convs (2.6 k of its 62 k weights) stay f32 on wasm, where they are no faster in int8.
    expect(ratio).toBeGreaterThan(name === 'lenet-5' ? 3.2 : 3.7);
    const session = await loadInMemory(int8, name);
    const ours = await evaluate(sessionRunner(session), test_, { metric: 'top1', limit: ARTIFACT_SAMPLES });
    // The graph the wasm artifact was compiled from: on wasm, layers that are no faster in int8 stay f32.
    const qdq = withDequantizedConstants(quantizeSource(readModel(file), { target: 'wasm', quantize: unguarded }).graph);
    const reference = await evaluate((f) => interpret(qdq, f)[qdq.outputs[0].name], test_, { metric: 'top1', limit: ARTIFACT_SAMPLES });
    expect(ours.value).toBeCloseTo(reference.value, 5);
  });

  test("dlc's int8 logits equal onnxruntime's on dlc's QDQ export within one quantization step (wasm, webgpu)", async () => {
    const bytes = exportOnnxModel(quantized.graph, { producer: 'dlc quantize' });
    // One step of the last layer's input moves a logit by at most s_x · max Σ|w|.
    const step = report.layers[report.layers.length - 1].outputStep!;
    const device = await nodeGpuDevice();
    for (const target of ['wasm', 'webgpu'] as const) {
      const session = await loadInMemory(await compile(bytes, { target }), `${name}.int8.onnx`, target === 'webgpu' ? device : undefined);
      const run = sessionRunner(session);
      let worst = 0;
      for (let i = 0; i < 16; i++) {
        const feeds = test_.sample(i);
        const [ours, theirs] = [await run(feeds), (await runOnnxruntime(bytes, feeds)).logits];
        for (let k = 0; k < theirs.size; k++) worst = Math.max(worst, Math.abs(ours.data[k] - theirs.data[k]));
      }
      console.log(`${name} ${target}: largest |dlc − onnxruntime| ${worst.toExponential(2)}, one step ${step.toExponential(2)}`);
      expect(worst).toBeLessThanOrEqual(step);
    }
  });
});
