// Streams the VAD-style model (models/vad-style.ts, compiled with sr=16000) chunk after chunk and prints the
// median time per chunk three ways: with the LSTM state fed back inside the runtime (run's `feedback`) and only
// the probability returned, the same returning the state too, and with the state returned to JS and fed in
// again on every run, as without feedback.
//
//   npx tsx scripts/bench-streaming.ts [--target wasm|webgpu] [--chunks N] [--reps R]
import { parseArgs } from 'node:util';
import { compile } from '../api/compile.js';
import { nodeGpuDevice } from '../cli/webgpu-node.js';
import { encodeOnnxModel } from '../compiler/onnx/writer.js';
import { loadModel, type Session } from '../runtime/index.js';
import { VAD_CHUNK, VAD_HIDDEN, vadStyle } from '../models/vad-style.js';

const { values } = parseArgs({ options: { target: { type: 'string', default: 'wasm' }, chunks: { type: 'string', default: '1000' }, reps: { type: 'string', default: '5' } } });
const target = values.target === 'webgpu' ? 'webgpu' : 'wasm';
const count = Number(values.chunks);
const audio = Array.from({ length: count }, (_, k) => Float32Array.from({ length: VAD_CHUNK }, (_, i) => Math.sin((k * VAD_CHUNK + i) * 0.05)));

const artifact = await compile(encodeOnnxModel(vadStyle()), { target, inputValues: { sr: [16000] } });
const session = await loadModel(artifact.files, target === 'webgpu' ? { device: await nodeGpuDevice() } : {});

const inRuntime = (outputs?: string[]) => async (s: Session): Promise<void> => {
  s.resetState();
  for (const input of audio) await s.run({ input }, { feedback: { hn: 'h', cn: 'c' }, outputs });
};

async function throughJs(s: Session): Promise<void> {
  let h: Float32Array = new Float32Array(2 * VAD_HIDDEN);
  let c: Float32Array = new Float32Array(2 * VAD_HIDDEN);
  for (const input of audio) {
    const out = await s.run({ input, h, c });
    [h, c] = [out.hn as Float32Array, out.cn as Float32Array];
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ways = [
  ['state fed back in the runtime, probability read', inRuntime(['output'])],
  ['state fed back in the runtime, every output read', inRuntime()],
  ['state through JS', throughJs],
] as const;
const timings: Record<string, number[]> = Object.fromEntries(ways.map(([name]) => [name, []]));
await throughJs(session);
for (let r = 0; r < Number(values.reps); r++) {
  for (const [name, stream] of ways) {
    const t0 = performance.now();
    await stream(session);
    timings[name].push(((performance.now() - t0) * 1000) / count);
  }
}
for (const [name, us] of Object.entries(timings)) console.log(`${target} ${name}: median ${median(us).toFixed(1)} µs per chunk over ${count} chunks (${us.length} runs)`);
await session.release();
