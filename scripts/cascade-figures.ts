// npx tsx scripts/cascade-figures.ts [--runs N] [--size S]
// The cascade (models/cascade.ts) compiled for wasm and webgpu: the median time of one run on an input that
// takes the cheap arm (the first stage alone) and on one that takes the second stage, so that what the untaken
// arm costs shows: nothing on wasm (run() skips its kernels); on webgpu the decision dispatch and one empty
// indirect dispatch per kernel of the untaken arm. Timings on a shared machine are noisy: read the medians.
import { compile } from '../api/compile.js';
import { nodeGpuDevice } from '../cli/webgpu-node.js';
import { runGraph } from '../compiler/interpreter.js';
import { Tensor } from '../compiler/ir/tensor.js';
import { importOnnx } from '../compiler/onnx/frontend.js';
import { encodeOnnxModel } from '../compiler/onnx/writer.js';
import { seededRandom } from '../compiler/random.js';
import { cascadeModel } from '../models/cascade.js';
import { loadModel, type Session } from '../runtime/index.js';

const args = process.argv.slice(2);
const opt = (name: string, fallback: number) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : fallback);
const runs = opt('--runs', 200);
const size = opt('--size', 64);

const model = encodeOnnxModel(cascadeModel({ size }));
const graph = importOnnx(model).graph;
/** Seeded inputs, scaled up until one stays below the threshold and one reaches it. */
function armInputs(): Record<'cheap' | 'second', Float32Array> {
  const found: Partial<Record<'cheap' | 'second', Float32Array>> = {};
  for (let seed = 1; seed < 200 && !(found.cheap && found.second); seed++) {
    const r = seededRandom(seed);
    const x = Tensor.fromArray('f32', [1, 3, size, size], Array.from({ length: 3 * size * size }, () => r() * (seed % 10) * 0.5));
    const score = runGraph(graph, [x], undefined, {})[1].data[0];
    found[score >= 0.5 ? 'second' : 'cheap'] ??= Float32Array.from(x.data);
  }
  if (!found.cheap || !found.second) throw new Error('no seeded input takes both arms');
  return found as Record<'cheap' | 'second', Float32Array>;
}

async function medianMs(session: Session, x: Float32Array): Promise<number> {
  for (let i = 0; i < 5; i++) await session.run({ x });
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await session.run({ x });
    times.push(performance.now() - start);
  }
  return times.sort((a, b) => a - b)[Math.floor(times.length / 2)];
}

async function main(): Promise<void> {
  const inputs = armInputs();
  for (const target of ['wasm', 'webgpu'] as const) {
    const artifact = await compile(model, { target });
    const session = await loadModel(artifact.files, target === 'webgpu' ? { device: await nodeGpuDevice() } : {});
    const [cheap, second] = [await medianMs(session, inputs.cheap), await medianMs(session, inputs.second)];
    console.log(`${target}: input [1,3,${size},${size}], ${runs} runs: cheap arm (first stage) ${cheap.toFixed(3)} ms, second stage ${second.toFixed(3)} ms (median)`);
    await session.release();
  }
  process.exit(0);
}

main();
