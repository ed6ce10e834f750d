// npx tsx scripts/arm-fusion-figures.ts [--runs N] [--size S]
// Fusion inside the arms of a run-time If (passes/fuse-ops.ts), on the two sample models that have one: the
// cascade (models/cascade.ts, input [1,3,S,S], S = 16 by default as the model's) and the VAD-style model
// (models/vad-style.ts, its sample rate a run-time input). Each is compiled for wasm twice in this process, with
// the default pipeline (arms fused) and with `fuse-ops{nested=false}` in its place (arms unfused, as before),
// and the script prints the kernels of each arm and the median time of one run() taking each arm. The two
// sessions run alternately, run by run, so that load on the machine falls on both alike; still, read medians.
import { compile } from '../api/compile.js';
import { inspect } from '../api/inspect.js';
import { runGraph } from '../compiler/interpreter.js';
import { Tensor } from '../compiler/ir/tensor.js';
import { importOnnx } from '../compiler/onnx/frontend.js';
import { encodeOnnxModel } from '../compiler/onnx/writer.js';
import { seededRandom } from '../compiler/random.js';
import { cascadeModel } from '../models/cascade.js';
import { VAD_CHUNK, VAD_HIDDEN, vadStyle } from '../models/vad-style.js';
import { DEFAULT_OPT_LEVEL, optPipelineText } from '../passes/pipelines.js';
import { loadModel, type Feeds, type Session } from '../runtime/index.js';

const args = process.argv.slice(2);
const opt = (name: string, fallback: number) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : fallback);
const runs = opt('--runs', 300);
const size = opt('--size', 16);

const FUSED = optPipelineText(DEFAULT_OPT_LEVEL);
const UNFUSED = FUSED.replace(/fuse-ops$/, 'fuse-ops{nested=false}');

interface Subject {
  name: string;
  model: Uint8Array;
  /** Feeds taking each arm, by the arm's label in inspect's kernel list. */
  arms: Record<string, Feeds>;
}

/** Seeded cascade inputs, scaled until one stays below the threshold (else arm) and one reaches it (then arm). */
function cascadeSubject(): Subject {
  const model = encodeOnnxModel(cascadeModel({ size }));
  const graph = importOnnx(model).graph;
  const arms: Record<string, Feeds> = {};
  for (let seed = 1; seed < 200 && Object.keys(arms).length < 2; seed++) {
    const r = seededRandom(seed);
    const x = Tensor.fromArray('f32', [1, 3, size, size], Array.from({ length: 3 * size * size }, () => r() * (seed % 10) * 0.5));
    const score = runGraph(graph, [x], undefined, {})[1].data[0];
    arms[score >= 0.5 ? '/If_23 then' : '/If_23 else'] ??= { x: Float32Array.from(x.data) };
  }
  if (Object.keys(arms).length < 2) throw new Error('no seeded input takes both arms');
  return { name: `cascade [1,3,${size},${size}]`, model, arms };
}

function vadSubject(): Subject {
  const r = seededRandom(3);
  const feeds = (sr: number): Feeds => ({
    input: Float32Array.from({ length: VAD_CHUNK }, (_, i) => 0.5 * Math.sin(i * 0.05) + 0.02 * r()),
    sr: BigInt64Array.of(BigInt(sr)),
    h: new Float32Array(2 * VAD_HIDDEN),
    c: new Float32Array(2 * VAD_HIDDEN),
  });
  return { name: 'VAD-style', model: encodeOnnxModel(vadStyle()), arms: { 'If_1 then': feeds(16000), 'If_1 else': feeds(8000) } };
}

function kernelsPerArm(model: Uint8Array, pipeline: string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const k of inspect(model, { target: 'wasm', pipeline }).kernelList) counts[k.branch ?? 'main'] = (counts[k.branch ?? 'main'] ?? 0) + 1;
  return counts;
}

/** Median ms of one run of each session on `feeds`, the sessions taking turns run by run (first one, then the other). */
async function alternatingMedians(sessions: Session[], feeds: Feeds): Promise<number[]> {
  for (let i = 0; i < 10; i++) for (const s of sessions) await s.run(feeds);
  const times = sessions.map((): number[] => []);
  for (let i = 0; i < runs; i++) {
    const order = [...sessions.entries()];
    for (const [k, s] of i % 2 === 0 ? order : order.reverse()) {
      const start = performance.now();
      await s.run(feeds);
      times[k].push(performance.now() - start);
    }
  }
  return times.map((t) => t.sort((a, b) => a - b)[Math.floor(t.length / 2)]);
}

async function main(): Promise<void> {
  console.log(`wasm, one thread, ${runs} runs per arm and pipeline; medians (other work may share the machine)`);
  for (const subject of [cascadeSubject(), vadSubject()]) {
    const [before, after] = [kernelsPerArm(subject.model, UNFUSED), kernelsPerArm(subject.model, FUSED)];
    const sessions = [
      await loadModel((await compile(subject.model, { target: 'wasm', pipeline: UNFUSED })).files),
      await loadModel((await compile(subject.model, { target: 'wasm', pipeline: FUSED })).files),
    ];
    console.log(`${subject.name}: main graph ${before.main} kernels unfused arms, ${after.main} fused arms`);
    for (const [arm, feeds] of Object.entries(subject.arms)) {
      const [unfused, fused] = await alternatingMedians(sessions, feeds);
      console.log(`  ${arm}: kernels ${before[arm]} → ${after[arm]}; run ${unfused.toFixed(3)} ms → ${fused.toFixed(3)} ms (${(unfused / fused).toFixed(2)}×)`);
    }
    for (const s of sessions) await s.release();
  }
  process.exit(0);
}

main();
