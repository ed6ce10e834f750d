// A run-time If in the wasm module (codegen/branches.ts): run() calls the taken arm's kernels and not the
// other's (a test build counts each kernel's runs), and a threaded module takes the same arm on every thread.
import { compile } from '../../api/compile.js';
import { inspect } from '../../api/inspect.js';
import { runGraph } from '../../compiler/interpreter.js';
import type { Tensor } from '../../compiler/ir/tensor.js';
import { importOnnx } from '../../compiler/onnx/frontend.js';
import { encodeOnnxModel } from '../../compiler/onnx/writer.js';
import { cascadeInputs, cascadeModel } from '../../models/cascade.js';
import { PassManager } from '../../passes/manager.js';
import { DEFAULT_OPT_LEVEL, optPipeline } from '../../passes/pipelines.js';
import { loadModel } from '../../runtime/index.js';
import { compileToWasm, type WasmProgram } from './program.js';
import { readSlot, writeSlot } from './run-program.js';

const MODEL = encodeOnnxModel(cascadeModel());
const inputs = cascadeInputs();
const graph = new PassManager().run(optPipeline(DEFAULT_OPT_LEVEL), importOnnx(MODEL).graph);

/** A fresh instance of `program` run once on `x`: its logits and each kernel's run count. */
async function runCounting(program: WasmProgram, x: Tensor): Promise<{ logits: Float32Array; runs: number[] }> {
  const { instance } = await WebAssembly.instantiate(program.wasm as Uint8Array<ArrayBuffer>, {});
  const memory = instance.exports.memory as WebAssembly.Memory;
  new Uint8Array(memory.buffer, program.layout.weightsOffset, program.layout.weightsBytes).set(program.weights);
  writeSlot(new DataView(memory.buffer), program.layout.inputs[0], x);
  (instance.exports.run as () => void)();
  const logits = Float32Array.from(readSlot(new DataView(memory.buffer), program.layout.outputs[0]).data);
  const kernelRuns = instance.exports.kernelRuns as (i: number) => number;
  return { logits, runs: Array.from({ length: program.kernels }, (_, i) => kernelRuns(i)) };
}

let counting: WasmProgram;
beforeAll(async () => {
  counting = await compileToWasm(graph, { countKernelRuns: true });
});

test.each([['cheap', 'else'], ['second', 'then']] as const)('the %s input runs the %s arm\'s kernels once and the other arm\'s not at all', async (arm, taken) => {
  const { logits, runs } = await runCounting(counting, inputs[arm]);
  const want = runGraph(graph, [inputs[arm]], undefined, {})[0].data;
  expect(Math.max(...Array.from(want, (w, i) => Math.abs(logits[i] - w)))).toBeLessThan(1e-4);
  // Kernels in run order, each marked with its arm as inspect lists them.
  const kernels = inspect(MODEL, { target: 'wasm' }).kernelList;
  expect(kernels).toHaveLength(counting.kernels);
  const expected = kernels.map((k) => (k.branch === undefined || k.branch.endsWith(taken) ? 1 : 0));
  expect(runs).toEqual(expected);
  expect(expected.filter((n) => n === 0)).toHaveLength(taken === 'else' ? 7 : 1);
});

test('on two threads each arm gives the one-thread module\'s logits, bit for bit', async () => {
  const threaded = await compile(MODEL, { target: 'wasm', threads: 2 });
  const session = await loadModel(threaded.files, { threads: 2 });
  try {
    for (const arm of ['second', 'cheap', 'second'] as const) {
      const want = (await runCounting(counting, inputs[arm])).logits;
      const got = (await session.run({ x: Float32Array.from(inputs[arm].data) })).logits as Float32Array;
      expect([arm, Buffer.from(got.buffer).equals(Buffer.from(want.buffer))]).toEqual([arm, true]);
    }
  } finally {
    await session.release();
  }
});
