// What tuning on two threads gives a model's two-thread module: the model is tuned with `dlc tune --threads 2`'s
// search (tune/tune.ts on a two-thread WasmMeasurer) into a records file of its own (the repo's
// scripts/tuning-records.jsonl is neither read nor written), then its two-thread artifact is timed with the
// default schedules, with the records tuned on two threads, and with this machine's one-thread records from
// scripts/tuning-records.jsonl replayed on two threads (what a two-thread build got before it had records of
// its own). The variants run in turn, a block of runs each on a session loaded afresh, round after round, as in
// scripts/split-threshold.ts; prints medians and fastest runs. Repeat it: on a shared machine one run says little.
//
//   npx tsx --no-liftoff scripts/tune-threads-gain.ts [--filter REGEX] [--budget SECONDS] [--runs N] [--records FILE]
// (--records: tune into FILE, or reuse its records of two threads where it has them, instead of a temporary file)
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { compile, type Artifact } from '../api/compile.js';
import { seededFeeds, type Feeds } from '../api/feeds.js';
import { REPO_ROOT } from '../tests/util/repo.js';
import { deviceKey, wasmDevice } from '../tune/device.js';
import { WasmMeasurer } from '../tune/measure-wasm.js';
import { appendRecords, readRecordsFile, recordsForDevice } from '../tune/records.js';
import { tuneModel } from '../tune/tune.js';
import { FILE_MODELS } from './bench-models.js';
import { timeInterleaved } from './interleaved-timing.js';

const arg = (name: string) => {
  const i = process.argv.indexOf(name);
  return i < 0 ? undefined : process.argv[i + 1];
};
const filter = new RegExp(arg('--filter') ?? '^ppocr-cls$');
const budgetS = Number(arg('--budget') ?? 60);
const runs = Number(arg('--runs') ?? 60);
const recordsFile = arg('--records') ?? path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'dlc-tune-threads-')), 'records.jsonl');
const ONE_THREAD_RECORDS = path.join(REPO_ROOT, 'scripts', 'tuning-records.jsonl');

const two = wasmDevice(2);
for (const model of FILE_MODELS.filter((m) => filter.test(m.name))) {
  const base = { target: 'wasm' as const, inputShapes: model.inputShapes, threads: 2 };
  const have = recordsForDevice(fs.existsSync(recordsFile) ? readRecordsFile(recordsFile) : [], deviceKey(two)).byWorkload;
  const tuned = await tuneModel(model.file, {
    target: 'wasm', inputShapes: model.inputShapes, measurer: new WasmMeasurer({ threads: 2 }), timeBudgetS: budgetS, skip: (w) => have.has(w.key),
    onProgress: (p) => process.stderr.write(`\r${model.name}: tuning on 2 threads, ${p.phase}, ${p.trials} trials, ${p.elapsedS.toFixed(0)} s   `),
  });
  process.stderr.write('\n');
  appendRecords(recordsFile, tuned.records);
  const chosen = tuned.workloads.filter((w) => Object.keys(w.best).length > 0).length;
  console.log(`${model.name}: tuned ${tuned.workloads.length} workloads on 2 threads in ${tuned.elapsedS.toFixed(0)} s: ${chosen} faster than the default, ${tuned.workloads.filter((w) => w.unconfirmed).length} not confirmed (records: ${recordsFile})`);
  // This machine's one-thread records, as if made on two threads.
  const oneThread = fs.existsSync(ONE_THREAD_RECORDS) ? readRecordsFile(ONE_THREAD_RECORDS).filter((r) => r.device === deviceKey(wasmDevice(1))).map((r) => ({ ...r, device: deviceKey(two), threads: 2 })) : [];
  const variants: { name: string; artifact: Artifact }[] = [
    { name: '2T default schedules', artifact: await compile(model.file, base) },
    { name: '2T tuned on 2 threads', artifact: await compile(model.file, { ...base, tuning: { records: readRecordsFile(recordsFile), device: two } }) },
    { name: '2T one-thread records', artifact: await compile(model.file, { ...base, tuning: { records: oneThread, device: two } }) },
  ];
  const feeds: Feeds = Object.fromEntries(variants[0].artifact.manifest.inputs.map((i) => [i.name, seededFeeds(1)(i)]));
    const { medians, fastest, runs: timed } = await timeInterleaved(model.name, variants.map((v) => ({ artifact: v.artifact, threads: 2 })), feeds, runs, 10);
  console.log(`${model.name} (${timed} runs each; load average ${os.loadavg().map((l) => l.toFixed(1)).join(', ')})`);
  for (const [i, v] of variants.entries()) {
    console.log(`  ${v.name.padEnd(24)} median ${medians[i].toFixed(3).padStart(8)} ms (${(medians[0] / medians[i]).toFixed(2)}x of default), fastest ${fastest[i].toFixed(3).padStart(8)} ms (${(fastest[0] / fastest[i]).toFixed(2)}x)`);
  }
}
