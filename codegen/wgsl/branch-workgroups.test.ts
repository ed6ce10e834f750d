// A run-time If on webgpu (branch-workgroups.ts): the cascade's arms are dispatched indirectly, with counts
// that the If's decision dispatch writes from the condition on the GPU. Inputs that take each arm, in turn on
// one loaded artifact (so that counts left by the run before would show), give the reference interpreter's and
// onnxruntime's outputs, all of them and the logits alone.
import { compile } from '../../api/compile.js';
import { nodeGpuDevice } from '../../cli/webgpu-node.js';
import { runGraph } from '../../compiler/interpreter.js';
import { importOnnx } from '../../compiler/onnx/frontend.js';
import { encodeOnnxModel } from '../../compiler/onnx/writer.js';
import { cascadeInputs, cascadeModel } from '../../models/cascade.js';
import { PassManager } from '../../passes/manager.js';
import { DEFAULT_OPT_LEVEL, optPipeline } from '../../passes/pipelines.js';
import { loadModel } from '../../runtime/index.js';
import { runOnnxruntime } from '../../tests/util/ort.js';
import { compileToWebgpu } from './program.js';

const MODEL = encodeOnnxModel(cascadeModel());
const graph = new PassManager().run(optPipeline(DEFAULT_OPT_LEVEL), importOnnx(MODEL).graph);
const program = compileToWebgpu(graph);
const inputs = cascadeInputs();

test('every dispatch of an arm is indirect, its counts in the If\'s workgroups buffer after the decision', () => {
  const indirect = program.steps.map((s, i) => ({ ...s, i })).filter((s) => s.indirect);
  // The then arm's seven kernels (each conv with its relu) and the else arm's copy, one dispatch each or more.
  expect(indirect.length).toBeGreaterThanOrEqual(8);
  const first = indirect[0].i;
  // The decision runs directly just before, as the first dispatch of the arm's first kernel.
  expect(program.steps[first - 1].indirect).toBeUndefined();
  expect(program.stepKernels[first - 1]).toBe(program.stepKernels[first]);
  const buffer = indirect[0].indirect!.buffer;
  expect(indirect.every((s, j) => s.indirect!.buffer === buffer && s.indirect!.offset === indirect[0].indirect!.offset + 12 * j)).toBe(true);
  // Every indirect dispatch depends on the decision.
  expect(indirect.every((s) => program.dependencies.steps[s.i].includes(first - 1))).toBe(true);
});

test('each arm, taken in turn through the runtime, gives the reference interpreter\'s and onnxruntime\'s outputs', async () => {
  const artifact = await compile(MODEL, { target: 'webgpu' });
  const session = await loadModel(artifact.files, { device: await nodeGpuDevice() });
  const worst = (a: ArrayLike<number>, b: ArrayLike<number>) => Math.max(...Array.from(b, (w, i) => Math.abs(a[i] - w)));
  try {
    for (const arm of ['second', 'cheap', 'second', 'cheap'] as const) {
      const x = inputs[arm];
      const [logits, score] = runGraph(graph, [x], undefined, {});
      const got = await session.run({ x: Float32Array.from(x.data) });
      const ort = (await runOnnxruntime(MODEL, { x })).logits;
      // Asked for the logits alone, the run dispatches the steps they depend on: both arms' and the decision.
      const alone = (await session.run({ x: Float32Array.from(x.data) }, { outputs: ['logits'] })).logits as Float32Array;
      const logitsGot = got.logits as Float32Array;
      expect([arm, worst(logitsGot, logits.data) < 1e-4, worst(logitsGot, ort.data) < 1e-4, worst(got.score as Float32Array, score.data) < 1e-5, worst(alone, logits.data) < 1e-4])
        .toEqual([arm, true, true, true, true]);
    }
  } finally {
    await session.release();
  }
});
