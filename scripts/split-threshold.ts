// Times one model's two-thread wasm module at several split thresholds (compile options minSplitFlops and
// minSplitBytes), beside the one-thread module, in one process: the variants run in turn, a block of runs each,
// round after round, so a busy moment of the machine weighs on all alike. Prints each variant's median, its
// kernels left on thread 0 and its speed-up over one thread. Untuned schedules (the default ones).
//
//   npx tsx scripts/split-threshold.ts [--filter REGEX] [--runs N]
import { compile, generateProgram } from '../api/compile.js';
import { seededFeeds, type Feeds } from '../api/feeds.js';
import { loadInMemory } from '../api/session.js';
import { percentiles } from '../cli/bench.js';
import { FILE_MODELS } from './bench-models.js';

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
  const sessions: { name: string; run: () => Promise<unknown>; release: () => Promise<void>; serial: number }[] = [];
  const feeds: Feeds = Object.fromEntries(oneThread.manifest.inputs.map((i) => [i.name, seededFeeds(1)(i)]));
  const one = await loadInMemory(oneThread, model.name);
  sessions.push({ name: '1T', run: () => one.run(feeds), release: () => one.release(), serial: 0 });
  for (const [name, minSplitFlops, minSplitBytes] of VARIANTS) {
    const options = { ...base, threads: 2, minSplitFlops, minSplitBytes };
    const session = await loadInMemory(await compile(model.file, options), model.name, undefined, 2);
    const generated = generateProgram(model.file, options);
    if (generated.target !== 'wasm') throw new Error('wasm program expected');
    const { source, signature } = generated.program;
    const serial = signature.kernels.filter((_, i) => !source.includes(`function k${i}(tid: i32, nthreads: i32)`)).length;
    sessions.push({ name, run: () => session.run(feeds), release: () => session.release(), serial });
  }
  const block = model.name === 'ppocrv4-rec' ? 2 : 10;
  const samples = sessions.map((): number[] => []);
  for (let round = 0; round <= Math.ceil(runs / block); round++) {
    for (const [i, s] of sessions.entries()) {
      for (let r = 0; r < block; r++) {
        const t0 = performance.now();
        await s.run();
        if (round > 0) samples[i].push(performance.now() - t0);
      }
    }
  }
  const medians = samples.map((s) => percentiles(s).medianMs);
  console.log(`${model.name} (${samples[0].length} runs each)`);
  for (const [i, s] of sessions.entries()) {
    console.log(`  ${s.name.padEnd(30)} ${medians[i].toFixed(3).padStart(8)} ms  ${(medians[0] / medians[i]).toFixed(2)}x of 1T${i > 0 ? `  ${s.serial} kernels on thread 0 alone` : ''}`);
  }
  for (const s of sessions) await s.release();
}
