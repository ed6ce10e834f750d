// The CPU section of BENCHMARKS.md (`npm run bench:cpu`): per model, dlc's wasm target untuned and tuned on one
// thread and tuned on two, beside onnxruntime-web's WASM backend on one and on two threads, all in one run.
//
// Tuning: `scripts/tuning-records.jsonl` holds the records `dlc tune` wrote on the machines that ran this; a
// model with no record for this machine (tune/device.ts: CPU, Node, thread count) is tuned first, as
// `dlc tune --time-budget` does, and its records are appended, so that a later run replays them (byte-identical
// artifacts). That is done twice: on one thread for the one-thread artifacts, and on two (`dlc tune --threads 2`,
// candidates timed in the two-thread module) for the two-thread artifacts, which take the two-thread device's
// records (tune/device.ts keys records by thread count): one-thread schedules replayed on two threads lost up to
// a quarter of the two-thread speed (PP-OCR cls 1.77 ms untuned, 2.34 ms with the one-thread records).
//
// Timing: onnxruntime-web reads its thread count once per process, and its two-thread pool spins after each run
// (taking a core from whatever runs next in that process), so each model is timed in three child processes:
// dlc untuned and tuned (one thread) with onnxruntime-web on one thread; dlc tuned on one and on two threads;
// onnxruntime-web on two threads alone. In each, the sessions run in turn, a block of runs each, round after
// round, so that a busy moment of the machine weighs on all alike; every ratio but dlc 2T / ort-web 2T compares
// medians taken in the same process.
//
//   npm run bench:cpu [-- --filter REGEX] [--budget SECONDS]
//   (--filter prints the section instead of writing BENCHMARKS.md)
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { compile, type Artifact } from '../api/compile.js';
import { loadInMemory } from '../api/session.js';
import { optimize } from '../api/optimize.js';
import { seededFeeds, type Feeds } from '../api/feeds.js';
import type { Graph } from '../compiler/ir/graph.js';
import type { TensorInfo } from '../runtime/index.js';
import { importOnnxruntimeWeb, onnxruntimeWebFeeds, percentiles } from '../cli/bench.js';
import { TORCHVISION_EXPORTS } from '../models/pytorch-style.js';
import type { RealModel } from '../tests/models/real-models.js';
import { REPO_ROOT } from '../tests/util/repo.js';
import { deviceKey, wasmDevice } from '../tune/device.js';
import { WasmMeasurer } from '../tune/measure-wasm.js';
import { appendRecords, readRecordsFile, recordsForDevice } from '../tune/records.js';
import { tuneModel } from '../tune/tune.js';
import { extractWorkloads } from '../tune/workload.js';
import { BIG_MODELS, builtModels, FILE_MODELS } from './bench-models.js';
import { publishSection, runIfMain } from './benchmarks-file.js';

export const CPU_BEGIN = '<!-- cpu section: npm run bench:cpu -->';
export const CPU_END = '<!-- end of cpu section -->';
const OUTPUT = path.join(REPO_ROOT, 'BENCHMARKS.md');
const RECORDS = path.join(REPO_ROOT, 'scripts', 'tuning-records.jsonl');
/** The models a conv net's two-thread target applies to (the issue: "on the conv nets"). */
const CONV_NETS = new Set(['ppocr-cls', 'ppocrv4-det', 'ppocrv4-rec', 'resnet', 'mobilenet-v2', 'squeezenet', ...Object.keys(TORCHVISION_EXPORTS)]);

// ------------------------------------------------------------------------------------------ child: timing

/** What a child process measured: medians in ms, by variant name. */
type Medians = Record<string, number>;

/**
 * One child's sides: 'dlc-1' untuned and tuned dlc on one thread with onnxruntime-web on one; 'dlc-2' tuned dlc
 * on one and on two threads; 'ort-2' onnxruntime-web on two threads alone (its pool's threads spin after each
 * run, which would take a core from whatever ran next in the same process).
 */
type Sides = 'dlc-1' | 'dlc-2' | 'ort-2';

interface ChildRequest {
  model: RealModel;
  /** The model's inputs as compiled (the parent has them from the graph it tuned): the feeds are made for them. */
  inputs: TensorInfo[];
  sides: Sides;
  runs: number;
}

async function measureInChild({ model, inputs, sides, runs }: ChildRequest): Promise<Medians> {
  const tuning = { records: readRecordsFile(RECORDS), device: wasmDevice(1) };
  const base = { target: 'wasm' as const, inputShapes: model.inputShapes };
  const tuned = () => compile(model.file, { ...base, tuning });
  const variants: [string, () => Promise<Artifact>, number?][] =
    sides === 'dlc-1' ? [['untuned', () => compile(model.file, base)], ['tuned', tuned]]
    : sides === 'dlc-2' ? [['tuned', tuned], ['2 threads', () => compile(model.file, { ...base, tuning: { ...tuning, device: wasmDevice(2) }, threads: 2 }), 2]]
    : [];
  // Each dlc block loads its session and releases it after (the artifact compiled once), so that no other
  // session's idle workers are alive while it runs: a two-thread session left loaded beside the one-thread one
  // slowed both by a third on two cores. The block's first run after loading is not timed.
  type Side = { name: string; open(): Promise<{ run(): Promise<unknown>; release(): Promise<void> }> };
  const sessions: Side[] = [];
  const release: (() => Promise<void>)[] = [];
  const feeds: Feeds = Object.fromEntries(inputs.map((i) => [i.name, seededFeeds(1)(i)]));
  for (const [name, build, threads] of variants) {
    const artifact = await build();
    sessions.push({
      name,
      open: async () => {
        const session = await loadInMemory(artifact, model.name, undefined, threads);
        await session.run(feeds);
        return { run: () => Promise.resolve(session.run(feeds)), release: () => session.release() };
      },
    });
  }
  if (sides !== 'dlc-2') {
    const ortThreads = sides === 'dlc-1' ? 1 : 2;
    const ort = await importOnnxruntimeWeb();
    ort.env.wasm.numThreads = ortThreads;
    ort.env.wasm.simd = true;
    const ortSession = await ort.InferenceSession.create(fs.readFileSync(model.file), { executionProviders: ['wasm'] });
    const ortFeeds = onnxruntimeWebFeeds(ort, feeds, inputs);
    // onnxruntime-web's session stays loaded: its thread count is the process's, and it is alone on two threads.
    const opened = { run: () => ortSession.run(ortFeeds), release: async () => {} };
    sessions.push({ name: `onnxruntime-web ${ortThreads}`, open: async () => opened });
    release.push(() => ortSession.release());
  }

  // Rounds of a block of runs per side: the warm-up round is dropped.
  const block = BIG_MODELS.has(model.name) ? 2 : 10;
  const rounds = Math.ceil(runs / block);
  const samples = sessions.map((): number[] => []);
  for (let round = 0; round <= rounds; round++) {
    for (const [i, side] of sessions.entries()) {
      const session = await side.open();
      for (let r = 0; r < block; r++) {
        const t0 = performance.now();
        await session.run();
        if (round > 0) samples[i].push(performance.now() - t0);
      }
      await session.release();
    }
  }
  for (const r of release) await r();
  return Object.fromEntries(sessions.map(({ name }, i) => [name, percentiles(samples[i]).medianMs]));
}

// ------------------------------------------------------------------------------------------ parent

const log = (line: string) => process.stderr.write(`${line}\n`);

/**
 * Tunes `model` (optimized to `graph`) on `threads` threads unless the records file already holds this machine's
 * record for each of its workloads on that many threads.
 */
async function ensureTuned(model: RealModel, graph: Graph, budgetS: number, threads: number): Promise<string> {
  const device = deviceKey(wasmDevice(threads));
  const { byWorkload } = recordsForDevice(fs.existsSync(RECORDS) ? readRecordsFile(RECORDS) : [], device);
  const workloads = extractWorkloads(graph, 'wasm');
  if (workloads.every((w) => byWorkload.has(w.key))) return `${workloads.length} workloads, replayed`;
  // Only the workloads without a record: a search the budget cut short leaves some, which the next run takes up.
  const result = await tuneModel(model.file, {
    target: 'wasm', inputShapes: model.inputShapes, measurer: new WasmMeasurer({ threads }), timeBudgetS: budgetS, skip: (w) => byWorkload.has(w.key),
    onProgress: (p) => process.stderr.write(`\r${model.name}: tuning on ${threads} thread${threads > 1 ? 's' : ''}, ${p.phase === 'final' ? 'final comparison, ' : ''}${p.trials} trials, ${p.elapsedS.toFixed(0)} s   `),
  });
  process.stderr.write('\n');
  appendRecords(RECORDS, result.records);
  const retuned = result.workloads.filter((w) => Object.keys(w.best).length > 0).length;
  const unconfirmed = result.workloads.filter((w) => w.unconfirmed).length;
  return `${workloads.length} workloads, ${result.records.length} tuned now (${retuned} faster than the default${unconfirmed ? `, ${unconfirmed} not confirmed: left to the next run` : ''}) in ${result.elapsedS.toFixed(0)} s`;
}

function child(request: ChildRequest): Medians {
  // --no-liftoff: every wasm function compiled by the optimizing tier up front. Otherwise a module's hot kernels
  // may wait behind onnxruntime-web's (megabytes of wasm) in the background tier-up queue and run unoptimized for
  // the whole measurement: seen as a dlc artifact three times slower beside onnxruntime-web than alone.
  const out = execFileSync(process.execPath, [...process.execArgv, '--no-liftoff', new URL(import.meta.url).pathname, '--child', JSON.stringify(request)], {
    encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 20,
  });
  return JSON.parse(out.trim().split('\n').pop()!) as Medians;
}

interface Row {
  model: RealModel;
  tuning: string;
  one: Medians;
  two: Medians;
}

const ms = (v: number) => (v >= 10 ? v.toFixed(1) : v >= 1 ? v.toFixed(2) : v.toFixed(3));
const x = (v: number) => `${v.toFixed(2)}×`;
const geomean = (xs: readonly number[]) => Math.exp(xs.reduce((s, v) => s + Math.log(v), 0) / xs.length);

function render(rows: Row[], budgetS: number, startedLoad: number[]): string {
  const out = [CPU_BEGIN, '## WASM on the CPU: tuned against untuned, one thread against two (ms)', ''];
  out.push(
    `Generated by \`npm run bench:cpu\` on ${os.cpus()[0]?.model.trim()} (${os.cpus().length} cores), Node ${process.version}, ${new Date().toISOString().slice(0, 10)}; ` +
      `load average ${startedLoad.map((l) => l.toFixed(2)).join(', ')} before the run.`,
    '- dlc: the wasm artifact run by the runtime; **tuned** = compiled with `--tuning-records scripts/tuning-records.jsonl`, records made by ' +
      `\`dlc tune --target wasm --time-budget ${budgetS}\` on this machine (one thread). **dlc 2T**: the two-thread artifact with the records of two threads (tune/device.ts keys them by thread count), made by \`dlc tune --target wasm --threads 2 --time-budget ${budgetS}\` (candidates timed in the two-thread module): one-thread schedules replayed on two threads lost up to a quarter of the two-thread speed. ` +
      'Peer: onnxruntime-web (same version as above) WASM backend in Node with `numThreads` 1 and 2 (its pthreads run on worker_threads).',
    '- Each model is timed in three processes (onnxruntime-web takes its thread count once per process, and its two-thread pool spins after ' +
      'each run, which would take a core from whatever ran next in its process): untuned, tuned and ort-web on 1 thread; tuned on 1 and 2 threads; ' +
      'ort-web on 2 threads alone. In each the sides run in turn, a block of runs each, round after round (each dlc block on its session loaded afresh, so that no other session\'s workers are alive beside it; its first run untimed); medians. Ratios are taken within one ' +
      'process, except dlc 2T vs ort-web 2T (two processes, one after the other).',
    '',
  );
  const header = ['model', 'tuning', 'untuned 1T', 'tuned 1T', 'tuned / untuned', 'ort-web 1T', '**dlc tuned 1T vs ort-web 1T**', 'dlc 2T', 'dlc 2T vs dlc 1T', 'ort-web 2T', '**dlc 2T vs ort-web 2T**'];
  out.push(`| ${header.join(' | ')} |`, `| ${header.map((_, i) => (i < 2 ? '---' : '---:')).join(' | ')} |`);
  for (const r of rows) {
    const { one, two } = r;
    out.push(`| ${[
      r.model.name, r.tuning, ms(one.untuned), ms(one.tuned), x(one.untuned / one.tuned), ms(one['onnxruntime-web 1']), `**${x(one['onnxruntime-web 1'] / one.tuned)}**`,
      ms(two['2 threads']), x(two.tuned / two['2 threads']), ms(two['onnxruntime-web 2']), `**${x(two['onnxruntime-web 2'] / two['2 threads'])}**`,
    ].join(' | ')} |`);
  }
  const vsOrt = rows.map((r) => r.one['onnxruntime-web 1'] / r.one.tuned);
  const convs = rows.filter((r) => CONV_NETS.has(r.model.name));
  out.push(
    '',
    `- Tuned, one thread each: **geometric mean ${x(geomean(vsOrt))}** over onnxruntime-web on ${rows.length} models; lowest ${x(Math.min(...vsOrt))} (${rows[vsOrt.indexOf(Math.min(...vsOrt))].model.name}). ` +
      `Untuned: ${x(geomean(rows.map((r) => r.one['onnxruntime-web 1'] / r.one.untuned)))}.`,
    `- Two threads over dlc's one: geometric mean ${x(geomean(convs.map((r) => r.two.tuned / r.two['2 threads'])))} on the ${convs.length} conv nets (${convs.map((r) => r.model.name).join(', ')}); ` +
      `dlc on two threads against onnxruntime-web on two: geometric mean ${x(geomean(rows.map((r) => r.two['onnxruntime-web 2'] / r.two['2 threads'])))}, ` +
      `${rows.filter((r) => r.two['onnxruntime-web 2'] > r.two['2 threads']).length} of ${rows.length} models ahead.`,
    CPU_END,
  );
  return out.join('\n');
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const arg = (name: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
  const childRequest = arg('--child');
  if (childRequest !== undefined) {
    process.stdout.write(`${JSON.stringify(await measureInChild(JSON.parse(childRequest) as ChildRequest))}\n`);
    process.exit(0);
  }
  const filter = arg('--filter') === undefined ? undefined : new RegExp(arg('--filter')!);
  const budgetS = Number(arg('--budget') ?? 60);
  const startedLoad = os.loadavg();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dlc-bench-cpu-'));
  try {
    const rows: Row[] = [];
    for (const model of [...FILE_MODELS, ...builtModels(tmp)].filter((m) => !filter || filter.test(m.name))) {
      const { graph } = optimize(model.file, { target: 'wasm', inputShapes: model.inputShapes });
      const tuning = `1T: ${await ensureTuned(model, graph, budgetS, 1)}; 2T: ${await ensureTuned(model, graph, budgetS, 2)}`;
      const inputs = graph.inputs.map((v) => ({ name: v.name, dtype: v.type.dtype, shape: v.type.shape as number[] }));
      const request = { model, inputs, runs: BIG_MODELS.has(model.name) ? 10 : 60 };
      const one = child({ ...request, sides: 'dlc-1' });
      const two = { ...child({ ...request, sides: 'dlc-2' }), ...child({ ...request, sides: 'ort-2' }) };
      rows.push({ model, tuning, one, two });
      log(`${model.name}: ${JSON.stringify({ tuning, one, two })}`);
    }
    const section = render(rows, budgetS, startedLoad);
    publishSection(OUTPUT, CPU_BEGIN, CPU_END, section, filter !== undefined, 'cpu');
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

runIfMain(import.meta.url, main);
