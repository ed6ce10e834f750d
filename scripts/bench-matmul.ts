// npm run bench:matmul -- [--size N] [--runs R] [--tileM M --tileN V --unrollK U]: GFLOP/s of the wasm target's N³ f32 matmul kernel (one
// thread), beside onnxruntime-web's WASM backend (one thread, no SIMD threads) measured in the same run.
import * as ort from 'onnxruntime-web';
import { GraphBuilder } from '../compiler/ir/builder.js';
import { Graph, Value } from '../compiler/ir/graph.js';
import { encodeOnnxModel } from '../compiler/onnx/writer.js';
import '../compiler/ops/index.js';
import { seededRandom } from '../compiler/random.js';
import { compileToWasm } from '../codegen/wasm/program.js';
import { loadProgram } from '../codegen/wasm/run-program.js';
import { DEFAULT_MATMUL } from '../codegen/schedule.js';
import { Tensor } from '../compiler/ir/tensor.js';

const args = process.argv.slice(2);
const opt = (name: string, dflt: number) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const N = opt('--size', 256);
const RUNS = opt('--runs', 50);
const FLOPS = 2 * N * N * N;
const SCHEDULE = { tileM: opt('--tileM', DEFAULT_MATMUL.tileM), tileN: opt('--tileN', DEFAULT_MATMUL.tileN), unrollK: opt('--unrollK', DEFAULT_MATMUL.unrollK) };

/** Best of `runs` timings after a warm-up, in seconds. */
async function best(f: () => unknown, runs: number): Promise<number> {
  for (let i = 0; i < 3; i++) await f();
  let min = Infinity;
  for (let i = 0; i < runs; i++) {
    const t = process.hrtime.bigint();
    await f();
    min = Math.min(min, Number(process.hrtime.bigint() - t) / 1e9);
  }
  return min;
}

async function dlc(): Promise<number> {
  const g = new Graph('bench');
  const [a, b] = ['a', 'b'].map((n) => new Value(n, { dtype: 'f32', shape: [N, N] }));
  g.inputs = [a, b];
  g.outputs = new GraphBuilder(g).emit('matmul', [a, b]);
  const program = await loadProgram(await compileToWasm(g, { schedules: { matmul: SCHEDULE } }));
  const rand = seededRandom(1);
  const t = () => Tensor.fromArray('f32', [N, N], Array.from({ length: N * N }, rand));
  program.run({ a: t(), b: t() });
  return best(() => program.runRaw(), RUNS);
}

async function onnxruntimeWeb(): Promise<number> {
  ort.env.wasm.numThreads = 1;
  const model = encodeOnnxModel({
    inputs: [{ name: 'a', dtype: 'f32', shape: [N, N] }, { name: 'b', dtype: 'f32', shape: [N, N] }],
    outputs: [{ name: 'y', dtype: 'f32', shape: [N, N] }],
    nodes: [{ op: 'MatMul', inputs: ['a', 'b'], outputs: ['y'] }],
  });
  const session = await ort.InferenceSession.create(model, { executionProviders: ['wasm'] });
  const feeds = { a: new ort.Tensor('float32', new Float32Array(N * N).fill(0.5), [N, N]), b: new ort.Tensor('float32', new Float32Array(N * N).fill(0.25), [N, N]) };
  return best(() => session.run(feeds), RUNS);
}

async function main(): Promise<void> {
  const ours = await dlc();
  console.log(`dlc wasm matmul ${N}³ (tile ${SCHEDULE.tileM}×${SCHEDULE.tileN} f32x4, K unrolled ${SCHEDULE.unrollK}): ${(ours * 1e3).toFixed(3)} ms, ${(FLOPS / ours / 1e9).toFixed(1)} GFLOP/s`);
  try {
    const theirs = await onnxruntimeWeb();
    console.log(`onnxruntime-web wasm (1 thread): ${(theirs * 1e3).toFixed(3)} ms, ${(FLOPS / theirs / 1e9).toFixed(1)} GFLOP/s`);
    console.log(`ratio dlc / onnxruntime-web: ${(theirs / ours).toFixed(2)}×`);
  } catch (e) {
    console.log(`onnxruntime-web unavailable: ${(e as Error).message}`);
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
