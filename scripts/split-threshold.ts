// Times one model's two-thread wasm module at several split thresholds (compile options minSplitFlops and
// minSplitBytes), beside the one-thread module, in one process: the variants run in turn, a block of runs each,
// round after round, so a busy moment of the machine weighs on all alike. Each block loads its session and
// releases it after, so that no other variant's idle workers spin meanwhile (the runtime's workers spin a
// while after each run before they sleep). Prints each variant's median, its
// fastest run (on a busy machine the least disturbed one), its kernels left on thread 0 and its speed-up over
// one thread. Untuned schedules (the default ones).
//
//   npx tsx --no-liftoff scripts/split-threshold.ts [--filter REGEX] [--runs N]
// (--no-liftoff: each block loads its module anew, which would otherwise start in the baseline tier)
import { compile, generateProgram, type Artifact } from '../api/compile.js';
import { seededFeeds, type Feeds } from '../api/feeds.js';
import { FILE_MODELS } from './bench-models.js';
import { timeInterleaved } from './interleaved-timing.js';

const arg = (name: string) => {
  const i = process.argv.indexOf(name);
  return i < 0 ? undefined : process.argv[i + 1];
};
const filter = new RegExp(arg('--filter') ?? '^(ppocr-cls|ppocrv4-rec)$');
const runs = Number(arg('--runs') ?? 40);

/** [name, minSplitFlops, minSplitBytes]: the threshold before this change, the default, lower ones. */
const VARIANTS: [string, number, number][] = [
  ['2T flops>=2^20 only', 1 << 20, Infinity],
  ['2T flops>=2^20|bytes>=2^18', 1 << 20, 1 << 18],
  ['2T flops>=2^18|bytes>=2^16', 1 << 18, 1 << 16],
  ['2T flops>=2^16|bytes>=2^14', 1 << 16, 1 << 14],
  ['2T every kernel', 0, 0],
];

for (const model of FILE_MODELS.filter((m) => filter.test(m.name))) {
  const base = { target: 'wasm' as const, inputShapes: model.inputShapes };
  const oneThread = await compile(model.file, base);
  const feeds: Feeds = Object.fromEntries(oneThread.manifest.inputs.map((i) => [i.name, seededFeeds(1)(i)]));
  const variants: { name: string; artifact: Artifact; threads?: number; serial: number }[] = [{ name: '1T', artifact: oneThread, serial: 0 }];
  for (const [name, minSplitFlops, minSplitBytes] of VARIANTS) {
    const options = { ...base, threads: 2, minSplitFlops, minSplitBytes };
    const generated = generateProgram(model.file, options);
    if (generated.target !== 'wasm') throw new Error('wasm program expected');
    const { source, signature } = generated.program;
    const serial = signature.kernels.filter((_, i) => !source.includes(`function k${i}(tid: i32, nthreads: i32)`)).length;
    variants.push({ name, artifact: await compile(model.file, options), threads: 2, serial });
  }
    const { medians, fastest, runs: timed } = await timeInterleaved(model.name, variants, feeds, runs, model.name === 'ppocrv4-rec' ? 3 : 20);
  console.log(`${model.name} (${timed} runs each)`);
  for (const [i, s] of variants.entries()) {
    console.log(`  ${s.name.padEnd(30)} median ${medians[i].toFixed(3).padStart(8)} ms (${(medians[0] / medians[i]).toFixed(2)}x of 1T), fastest ${fastest[i].toFixed(3).padStart(8)} ms (${(fastest[0] / fastest[i]).toFixed(2)}x)${i > 0 ? `  ${s.serial} kernels on thread 0 alone` : ''}`);
  }
}
