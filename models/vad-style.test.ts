// The VAD-style model (models/vad-style.ts) as a stream: compiled with its sample rate fixed (--input-value
// sr=16000, or 8000), which folds its If to one front end, then run chunk after chunk with the LSTM state fed
// back inside the runtime (run's `feedback`), on wasm and webgpu (Dawn), against onnxruntime-node with the
// state fed back by hand, chunk by chunk.
import * as ort from 'onnxruntime-node';
import { compile } from '../api/compile.js';
import { nodeGpuDevice } from '../cli/webgpu-node.js';
import { compareTensors } from '../compiler/compare.js';
import { Tensor } from '../compiler/ir/tensor.js';
import { encodeOnnxModel } from '../compiler/onnx/writer.js';
import { seededRandom } from '../compiler/random.js';
import { loadModel, type Feeds, type Session } from '../runtime/index.js';
import { VAD_CHUNK, VAD_HIDDEN, vadStyle } from './vad-style.js';

const MODEL = encodeOnnxModel(vadStyle());
const STATE = [2, 1, VAD_HIDDEN];
const TOLERANCE = { atol: 1e-4, rtol: 1e-3 };

/** Seeded audio: a tone whose loudness comes and goes (speech-like bursts), with noise. */
function chunks(count: number, seed: number): Float32Array[] {
  const rand = seededRandom(seed);
  return Array.from({ length: count }, (_, k) => {
    const loud = Math.abs(Math.sin(k / 7)) > 0.5 ? 0.8 : 0.05;
    return Float32Array.from({ length: VAD_CHUNK }, (_, i) => loud * Math.sin((k * VAD_CHUNK + i) * 0.05) + 0.02 * rand());
  });
}

/** onnxruntime's outputs chunk by chunk, hn and cn fed back as h and c by hand. */
async function reference(audio: Float32Array[], sr: number): Promise<{ output: number; hn: Float32Array; cn: Float32Array }[]> {
  const session = await ort.InferenceSession.create(MODEL, { intraOpNumThreads: 1 });
  let h: Float32Array = new Float32Array(2 * VAD_HIDDEN);
  let c: Float32Array = new Float32Array(2 * VAD_HIDDEN);
  const steps: { output: number; hn: Float32Array; cn: Float32Array }[] = [];
  for (const chunk of audio) {
    const out = await session.run({
      input: new ort.Tensor('float32', chunk, [1, VAD_CHUNK]),
      sr: new ort.Tensor('int64', BigInt64Array.from([BigInt(sr)]), []),
      h: new ort.Tensor('float32', h, STATE),
      c: new ort.Tensor('float32', c, STATE),
    });
    h = out.hn.data as Float32Array;
    c = out.cn.data as Float32Array;
    steps.push({ output: (out.output.data as Float32Array)[0], hn: h, cn: c });
  }
  await session.release();
  return steps;
}

async function load(target: 'wasm' | 'webgpu', sr: number): Promise<Session> {
  const artifact = await compile(MODEL, { target, inputValues: { sr: [sr] } });
  expect(artifact.manifest.specialized?.map((s) => s.name)).toEqual(['sr']);
  return loadModel(artifact.files, target === 'webgpu' ? { device: await nodeGpuDevice() } : {});
}

/** Streams `audio` through the session (h and c never leave the runtime) and checks each chunk against onnxruntime. */
async function expectStreamMatches(session: Session, audio: Float32Array[], sr: number): Promise<number[]> {
  const want = await reference(audio, sr);
  const probabilities: number[] = [];
  const compare = (name: string, k: number, got: Float32Array, expected: Float32Array, shape: number[]) => {
    const d = compareTensors(Tensor.fromArray('f32', shape, Array.from(got)), Tensor.fromArray('f32', shape, Array.from(expected)), TOLERANCE);
    expect({ chunk: k, output: name, mismatch: d.mismatch }).toEqual({ chunk: k, output: name, mismatch: undefined });
  };
  for (const [k, chunk] of audio.entries()) {
    // Every chunk but the first leaves h and c out: they are the state the last chunk fed back.
    const feeds: Feeds = k === 0 ? { input: chunk, h: new Float32Array(2 * VAD_HIDDEN), c: new Float32Array(2 * VAD_HIDDEN) } : { input: chunk };
    const got = await session.run(feeds, { feedback: { hn: 'h', cn: 'c' } });
    compare('output', k, got.output as Float32Array, Float32Array.of(want[k].output), [1, 1]);
    // The state is compared where onnxruntime has it; the runtime keeps its own copy of it.
    compare('hn', k, got.hn as Float32Array, want[k].hn, STATE);
    compare('cn', k, got.cn as Float32Array, want[k].cn, STATE);
    probabilities.push((got.output as Float32Array)[0]);
  }
  return probabilities;
}

describe.each(['wasm', 'webgpu'] as const)('the VAD-style model streams on %s', (target) => {
  test('16 kHz: 100 chunks with the state fed back match onnxruntime chunk by chunk', async () => {
    const session = await load(target, 16000);
    expect(session.inputs.map((i) => i.name)).toEqual(['input', 'h', 'c']);
    const probabilities = await expectStreamMatches(session, chunks(100, 1), 16000);
    // The chunks differ, and so do their probabilities: the comparison is not of constants.
    expect(new Set(probabilities.map((p) => p.toFixed(4))).size).toBeGreaterThan(10);
    await session.release();
  });

  test('8 kHz: the other front end, 20 chunks', async () => {
    const session = await load(target, 8000);
    await expectStreamMatches(session, chunks(20, 2), 8000);
    await session.release();
  });
});
