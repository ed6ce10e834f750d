// npm run bench:tune -- [--filter REGEX] [--trials N] [--time-budget S] [--runs R] [--records FILE [--no-tune]]:
// tuned against untuned on the wasm target, whole models. Each model is tuned (as `dlc tune` does, S seconds at
// most, records appended to FILE, a temporary file by default; --no-tune replays FILE as it is), compiled with and
// without the records, and both programs are run alternately in this process (one run() call each, R times after
// a warm-up); the table gives the median of each and their ratio. The models: the zoo's SqueezeNet and
// MobileNetV2 (models/zoo.ts) and PP-OCRv4 det at 320×320.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { compile, type CompileOptions } from '../api/compile.js';
import { encodeOnnxModel } from '../compiler/onnx/writer.js';
import { loadProgram } from '../codegen/wasm/run-program.js';
import { ZOO } from '../models/zoo.js';
import { REAL_MODELS } from '../tests/models/real-models.js';
import { wasmDevice } from '../tune/device.js';
import { WasmMeasurer } from '../tune/measure-wasm.js';
import { median } from '../tune/measure.js';
import { appendRecords, readRecordsFile } from '../tune/records.js';
import { tuneModel } from '../tune/tune.js';

const args = process.argv.slice(2);
const opt = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const FILTER = new RegExp(opt('--filter') ?? '.');
const TRIALS = Number(opt('--trials') ?? 32);
const RUNS = Number(opt('--runs') ?? 30);
const BUDGET = opt('--time-budget') === undefined ? undefined : Number(opt('--time-budget'));
const TUNE = !args.includes('--no-tune');
if (!TUNE && !opt('--records')) throw new Error('--no-tune replays the records of --records FILE');

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dlc-tune-figures-'));
const RECORDS = opt('--records') ?? path.join(tmp, 'records.json');

function zooFile(name: string): string {
  const file = path.join(tmp, `${name}.onnx`);
  fs.writeFileSync(file, encodeOnnxModel(ZOO[name]()));
  return file;
}

const det = REAL_MODELS.find((m) => m.name === 'ppocrv4-det')!;
const MODELS = [
  { name: 'squeezenet', file: () => zooFile('squeezenet'), inputShapes: {} },
  { name: 'mobilenet-v2', file: () => zooFile('mobilenet-v2'), inputShapes: {} },
  { name: 'ppocrv4-det 320×320', file: () => det.file, inputShapes: det.inputShapes },
];

/** Median milliseconds of `run` for each program, run alternately so that a busy moment falls on both. */
function timeAlternately(runs: readonly (() => void)[], n: number): number[] {
  for (const run of runs) for (let i = 0; i < 3; i++) run();
  const samples = runs.map((): number[] => []);
  for (let r = 0; r < n; r++) {
    runs.forEach((run, i) => {
      const t0 = performance.now();
      run();
      samples[i].push(performance.now() - t0);
    });
  }
  return samples.map(median);
}

async function main(): Promise<void> {
  const rows: string[] = [];
  for (const m of MODELS.filter((x) => FILTER.test(x.name))) {
    const file = m.file();
    const tuned = TUNE ? await tuneModel(file, { target: 'wasm', inputShapes: m.inputShapes, measurer: new WasmMeasurer(), trials: TRIALS, timeBudgetS: BUDGET }) : undefined;
    if (tuned) appendRecords(RECORDS, tuned.records);
    const base: CompileOptions = { target: 'wasm', inputShapes: m.inputShapes };
    const plain = await compile(file, base);
    const withRecords = await compile(file, { ...base, tuning: { records: readRecordsFile(RECORDS), device: wasmDevice() } });
    if (plain.target !== 'wasm' || withRecords.target !== 'wasm') throw new Error('unreachable');
    const programs = [await loadProgram(plain.program), await loadProgram(withRecords.program)];
    const [untunedMs, tunedMs] = timeAlternately(programs.map((p) => () => p.runRaw()), RUNS);
    const tunedNodes = Object.keys((withRecords.manifest.options.schedules as { nodes: object }).nodes).length;
    const tuning = tuned ? `${tuned.workloads.length} workloads in ${tuned.elapsedS.toFixed(0)} s` : 'replayed';
    rows.push(`| ${m.name} | ${tuning} | ${tunedNodes} | ${untunedMs.toFixed(2)} ms | ${tunedMs.toFixed(2)} ms | ${(untunedMs / tunedMs).toFixed(2)}× |`);
    console.error(rows[rows.length - 1]);
  }
  console.log(`wasm, one thread, ${wasmDevice().name}; median of ${RUNS} alternating runs of each program\n`);
  console.log('| model | tuning | nodes given a tuned schedule | untuned | tuned | speedup |');
  console.log('|---|---|---|---|---|---|');
  for (const r of rows) console.log(r);
}

main()
  .finally(() => fs.rmSync(tmp, { recursive: true, force: true }))
  .catch((e) => {
    console.error(e);
    process.exitCode = 1;
  });
