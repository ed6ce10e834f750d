// The cascade (cascade.ts) on wasm: a run-time If. Inputs that take each arm give the reference interpreter's
// and onnxruntime's outputs through the runtime (run(), and step(i) when some outputs are asked for); an If
// whose arms give different shapes is refused by name. Threads and which kernels run: codegen/wasm/branches.test.ts;
// webgpu: codegen/wgsl/branch-workgroups.test.ts.
import { compile, type Artifact } from '../api/compile.js';
import { inspect } from '../api/inspect.js';
import { DlcError } from '../compiler/errors.js';
import { runGraph } from '../compiler/interpreter.js';
import { Tensor } from '../compiler/ir/tensor.js';
import { importOnnx } from '../compiler/onnx/frontend.js';
import { encodeOnnxModel } from '../compiler/onnx/writer.js';
import { loadModel } from '../runtime/index.js';
import { runOnnxruntime } from '../tests/util/ort.js';
import { cascadeInputs, cascadeModel } from './cascade.js';

const MODEL = encodeOnnxModel(cascadeModel());
const THRESHOLD = 0.5;

const inputs = cascadeInputs();
const graph = importOnnx(MODEL).graph;
const reference = (x: Tensor) => {
  const [logits, score] = runGraph(graph, [x], undefined, {});
  return { logits, score };
};

function expectClose(got: ArrayLike<number>, want: ArrayLike<number>, tolerance = 1e-4): void {
  expect(got.length).toBe(want.length);
  const worst = Math.max(...Array.from(want, (w, i) => Math.abs(got[i] - w)));
  expect(worst).toBeLessThan(tolerance);
}

test('the inputs take one arm each', () => {
  expect(reference(inputs.cheap).score.data[0]).toBeLessThan(THRESHOLD);
  expect(reference(inputs.second).score.data[0]).toBeGreaterThanOrEqual(THRESHOLD);
});

describe('through the runtime', () => {
  let one: Artifact;
  beforeAll(async () => {
    one = await compile(MODEL, { target: 'wasm' });
  });

  test.each(['cheap', 'second'] as const)('the %s arm matches the reference interpreter and onnxruntime', async (arm) => {
    const x = inputs[arm];
    const session = await loadModel(one.files);
    try {
      const got = await session.run({ x: Float32Array.from(x.data) });
      const want = reference(x);
      expectClose(got.logits as Float32Array, want.logits.data);
      expectClose(got.score as Float32Array, want.score.data);
      const ort = await runOnnxruntime(MODEL, { x });
      expectClose(got.logits as Float32Array, ort.logits.data);
      // Asked for the logits alone, the run calls step(i) for the kernels they need: each checks its arm.
      expectClose((await session.run({ x: Float32Array.from(x.data) }, { outputs: ['logits'] })).logits as Float32Array, want.logits.data);
    } finally {
      await session.release();
    }
  });

  test('the manifest: a reader of the If\'s output depends on the writers in both arms', () => {
    if (one.target !== 'wasm') throw new Error('wasm artifact expected');
    const arms = inspect(MODEL, { target: 'wasm' }).kernelList.map((k) => k.branch);
    const logits = one.manifest.dependencies!.outputs[0];
    expect(logits.map((k) => arms[k]).sort()).toEqual(['/If_23 else', '/If_23 then']);
  });
});

test('an If whose arms give different shapes is refused, naming the node', async () => {
  const spec = cascadeModel();
  const ifNode = spec.nodes.find((n) => n.op === 'If')!;
  const elseBranch = (ifNode.attrs!.else_branch as { graph: { outputs: { name: string; shape: (number | string)[] }[] } }).graph;
  // The else arm gives the first stage's flattened features, [1,64], in place of its logits.
  const features = spec.nodes.find((n) => n.op === 'Flatten')!.outputs[0];
  elseBranch.outputs[0] = { ...elseBranch.outputs[0], name: features, shape: [1, 64] };
  const error = await compile(encodeOnnxModel(spec), { target: 'wasm' }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(DlcError);
  expect((error as DlcError).message).toMatch(/node '\/If_23', op if: output 'logits' is \[1,10\] in then_branch and \[1,64\] in else_branch; both arms of a run-time If must give the same shape/);
});
