// Median latency of threaded wasm artifacts at 1 and N threads (N = --threads, 2 by default), beside the
// one-thread module, in this Node process: the zoo's squeezenet, mobilenet-v2 and resnet and PP-OCRv4 det.
// One artifact per model is compiled with --threads N and loaded twice (threads: 1 and N); the three
// sessions run in turn, round after round, so that a noisy machine weighs on each alike.
//
//   npx tsx scripts/bench-threads.ts [--threads N] [--runs R] [--filter REGEX]
import * as path from 'node:path';
import { compile, type Artifact } from '../api/compile.js';
import { encodeOnnxModel } from '../compiler/onnx/writer.js';
import { ZOO } from '../models/zoo.js';
import { loadModel, type Session } from '../runtime/index.js';
import { REPO_ROOT } from '../tests/util/repo.js';

const OCR = path.join(REPO_ROOT, 'node_modules', '@gutenye', 'ocr-models', 'assets');
const MODELS: { name: string; model: () => Uint8Array | string; inputShapes?: Record<string, number[]> }[] = [
  { name: 'squeezenet', model: () => encodeOnnxModel(ZOO.squeezenet()) },
  { name: 'mobilenet-v2', model: () => encodeOnnxModel(ZOO['mobilenet-v2']()) },
  { name: 'resnet', model: () => encodeOnnxModel(ZOO.resnet()) },
  { name: 'ppocrv4-det 320²', model: () => path.join(OCR, 'ch_PP-OCRv4_det_infer.onnx'), inputShapes: { x: [1, 3, 320, 320] } },
];

function flag(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i < 0 ? fallback : process.argv[i + 1];
}

/** Loads an artifact that `compile` returned, from memory. */
function load(artifact: Artifact, threads?: number): Promise<Session> {
  const fetch = async (url: string) => {
    const bytes = artifact.files.get(url.slice('mem/'.length))!;
    return { ok: true, status: 200, statusText: 'OK', arrayBuffer: async () => bytes.slice().buffer };
  };
  return loadModel('mem', { fetch, ...(threads ? { threads } : {}) });
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const threads = Number(flag('--threads', '2'));
const runs = Number(flag('--runs', '15'));
const filter = new RegExp(flag('--filter', '.'));
console.log(`median of ${runs} runs after 3 warm-up, Node ${process.version}, ${threads} threads`);
console.log('model                 one-thread module   threaded @1   threaded @' + threads + '   speedup (@1 / @' + threads + ')');
for (const m of MODELS.filter((m) => filter.test(m.name))) {
  const model = m.model();
  const one = await compile(model, { target: 'wasm', inputShapes: m.inputShapes });
  const many = await compile(model, { target: 'wasm', inputShapes: m.inputShapes, threads });
  const sessions = [await load(one), await load(many, 1), await load(many, threads)];
  const input = sessions[0].inputs[0];
  const x = Float32Array.from({ length: input.shape.reduce((a, b) => a * b, 1) }, (_, i) => Math.sin(i));
  const samples: number[][] = sessions.map(() => []);
  for (let round = 0; round < runs + 3; round++) {
    for (const [i, s] of sessions.entries()) {
      const start = performance.now();
      await s.run({ [input.name]: x });
      if (round >= 3) samples[i].push(performance.now() - start);
    }
  }
  const [a, b, c] = samples.map(median);
  console.log(`${m.name.padEnd(22)}${a.toFixed(2).padStart(10)} ms${b.toFixed(2).padStart(12)} ms${c.toFixed(2).padStart(12)} ms${(b / c).toFixed(2).padStart(12)}×`);
  for (const s of sessions) await s.release();
}
