// npm run bench: regenerates BENCHMARKS.md. For tiny-cnn, every real model (tests/models/real-models.ts), the
// classic zoo in miniature (models/zoo.ts) and torchvision's SqueezeNet 1.1 and MobileNetV2 at 224×224 as
// PyTorch's exporter writes them (models/pytorch-style.ts; both written to temporary .onnx files) it
// compiles a wasm artifact at -O0 and -O2 and times each with `dlc bench` in fresh Node processes (so that
// both sides' first run is that of a cold process, as on a page load, and nothing of the compiler runs
// beside the timed code; latency with --no-liftoff, see cpuBench), beside onnxruntime-web's WASM backend on one thread; and a webgpu artifact at -O0
// and -O2, timed in headless Chromium beside onnxruntime-web's WebGPU backend. It also reports artifact
// sizes, kernels and peak activation bytes (compiler/analysis.ts), and the runtime's minified size.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { analyzeGraph } from '../compiler/analysis.js';
import { loadOnnxFile } from '../compiler/onnx/frontend.js';
import { compile, writeArtifact } from '../api/compile.js';
import type { BenchReport } from '../cli/bench.js';
import { formatBytes } from '../cli/format.js';
import { PassManager } from '../passes/manager.js';
import { optPipeline } from '../passes/pipelines.js';
import { TORCHVISION_EXPORTS } from '../models/pytorch-style.js';
import { REAL_MODELS, type RealModel } from '../tests/models/real-models.js';
import { BIG_MODELS, builtModels, FILE_MODELS } from './bench-models.js';
import { REPO_ROOT } from '../tests/util/repo.js';
import { QUANTIZATION_BEGIN, QUANTIZATION_END } from './bench-quantization.js';
import { benchInFreshProcess, cpuBench } from './bench-process.js';
import { bundleSize } from './bundle-size.js';
import { COMPRESSION_BEGIN, COMPRESSION_END } from './bench-compression.js';
import { CPU_BEGIN, CPU_END } from './bench-cpu.js';
import { SHAPE_GENERIC_BEGIN, SHAPE_GENERIC_END } from './bench-shape-generic.js';
import { replaceSection, sectionOf } from './benchmarks-file.js';

/** The WebAssembly file onnxruntime-web's Node build loads (dist/ort.node.min.mjs imports its .mjs glue). */
const ORT_WASM = path.join(REPO_ROOT, 'node_modules', 'onnxruntime-web', 'dist', 'ort-wasm-simd-threaded.wasm');
const OUTPUT = path.join(REPO_ROOT, 'BENCHMARKS.md');
const LEVELS = [0, 2] as const;
/** Models whose WebGPU run on SwiftShader takes seconds: few runs there (224×224 inputs, PP-OCR's classifier). */
const BIG_ON_WEBGPU = new Set([...BIG_MODELS, 'ppocr-cls', ...Object.keys(TORCHVISION_EXPORTS)]);

const REAL = new Set(REAL_MODELS.map((m) => m.name));

/** `--filter REGEX` benches the models whose name matches and prints the report instead of writing BENCHMARKS.md. */
function parseFilter(args: readonly string[]): RegExp | undefined {
  const i = args.indexOf('--filter');
  if (i < 0) return undefined;
  if (args[i + 1] === undefined) throw new Error('--filter takes a regular expression');
  return new RegExp(args[i + 1]);
}

interface LevelResult {
  kernels: number;
  peakActivationBytes: number;
  artifactBytes: Record<string, number>;
  bench: BenchReport;
}

interface ModelResult {
  model: RealModel;
  runs: number;
  warmup: number;
  /** By -O level: the result, or the first line of why that level failed to compile or run. */
  levels: Record<number, LevelResult | string>;
  /** The webgpu artifact timed in Chromium, by -O level (the peer beside -O2), or why it failed. */
  webgpu: { runs: number; warmup: number; levels: Record<number, BenchReport | string> };
}

const log = (line: string) => process.stderr.write(`${line}\n`);

async function benchModel(model: RealModel, tmp: string): Promise<ModelResult> {
  const runs = BIG_MODELS.has(model.name) ? 10 : 100;
  const warmup = BIG_MODELS.has(model.name) ? 2 : 10;
  const levels: Record<number, LevelResult | string> = {};
  for (const level of LEVELS) {
    try {
      levels[level] = await benchLevel(model, level, tmp, runs, warmup);
    } catch (e) {
      levels[level] = (e as Error).message.split('\n')[0];
      log(`${model.name} -O${level}: FAILED: ${levels[level]}`);
    }
  }
  return { model, runs, warmup, levels, webgpu: await benchWebgpu(model, tmp) };
}

/**
 * WebGPU in headless Chromium (both dlc and onnxruntime-web's WebGPU backend, same adapter). Without a GPU
 * the adapter is SwiftShader, a CPU rasterizer, where a large model's first run (pipeline compilation)
 * takes tens of seconds and a run seconds: few runs.
 */
async function benchWebgpu(model: RealModel, tmp: string): Promise<ModelResult['webgpu']> {
  const big = BIG_ON_WEBGPU.has(model.name);
  const runs = big ? 3 : 10;
  const warmup = 1;
  const levels: Record<number, BenchReport | string> = {};
  for (const level of LEVELS) {
    try {
      log(`${model.name} webgpu -O${level}: compiling`);
      const dir = path.join(tmp, `${model.name}-webgpu-O${level}`);
      writeArtifact(await compile(model.file, { target: 'webgpu', inputShapes: model.inputShapes, optLevel: level, instruments: { warn } }), dir);
      log(`${model.name} webgpu -O${level}: timing in Chromium (${runs} runs after ${warmup} warm-up)`);
      levels[level] = benchInFreshProcess(dir, level === 2 ? ['--peer-model', model.file] : [], runs, warmup);
    } catch (e) {
      levels[level] = (e as Error).message.split('\n')[0];
      log(`${model.name} webgpu -O${level}: FAILED: ${levels[level]}`);
    }
  }
  return { runs, warmup, levels };
}

async function benchLevel(model: RealModel, level: number, tmp: string, runs: number, warmup: number): Promise<LevelResult> {
  log(`${model.name} -O${level}: compiling`);
  const { graph } = loadOnnxFile(model.file, { inputShapes: model.inputShapes });
  const stats = analyzeGraph(new PassManager({ warn: () => {} }).run(optPipeline(level), graph));
  const dir = path.join(tmp, `${model.name}-O${level}`);
  const { files } = await compile(model.file, { target: 'wasm', inputShapes: model.inputShapes, optLevel: level, instruments: { warn } });
  writeArtifact({ files }, dir);
  const artifactBytes = Object.fromEntries([...files].map(([name, bytes]) => [name, bytes.length]));
  log(`${model.name} -O${level}: timing (${runs} runs after ${warmup} warm-up)`);
  // The peer runs once, beside -O2; -O0 is timed alone.
  const peer = level === 2 ? ['--peer-model', model.file] : [];
  return { kernels: stats.kernels, peakActivationBytes: stats.peakActivationBytes, artifactBytes, bench: cpuBench(dir, peer, runs, warmup) };
}

function warn(message: string): void {
  process.stderr.write(`dlc: warning: ${message}\n`);
}

/** runtime/index.ts bundled and minified by esbuild, and its gzip size. */
function runtimeSize(): Promise<{ bytes: number; gzipBytes: number }> {
  return bundleSize("export * from './index.js';");
}

const ms = (x: number) => (x < 10 ? x.toFixed(3) : x < 100 ? x.toFixed(2) : x.toFixed(1));
const ratio = (x: number) => `${x.toFixed(2)}×`;
const sum = (r: Record<string, number>) => Object.values(r).reduce((a, b) => a + b, 0);
const shapes = (m: RealModel) => Object.entries(m.inputShapes).map(([n, d]) => `${n}=${d.join('×')}`).join(' ') || 'as in the model';

function geometricMean(xs: readonly number[]): number {
  return Math.exp(xs.reduce((s, x) => s + Math.log(x), 0) / xs.length);
}

function table(header: string[], rows: string[][]): string {
  const align = header.map((_, i) => (i === 0 ? '---' : '---:'));
  return [header, align, ...rows].map((r) => `| ${r.join(' | ')} |`).join('\n');
}

interface Machine {
  cpu: string;
  cores: number;
  node: string;
  date: string;
  loadBefore: number[];
  loadAfter: number[];
  minutes: number;
}

function render(results: ModelResult[], machine: Machine, runtime: { bytes: number; gzipBytes: number }, ort: { bytes: number; gzipBytes: number }): string {
  const at = (r: ModelResult, level: number) => (typeof r.levels[level] === 'string' ? undefined : (r.levels[level] as LevelResult));
  const failed = (r: ModelResult, level: number) => `failed: ${r.levels[level] as string}`;
  const ok = results.filter((r) => at(r, 2));
  const o2 = (r: ModelResult) => at(r, 2)!;
  const speedups = ok.map((r) => o2(r).bench.speedup).filter((s): s is number => s !== null);
  const realSpeedups = ok.filter((r) => REAL.has(r.model.name)).map((r) => o2(r).bench.speedup).filter((s): s is number => s !== null);
  const mean = (xs: number[]) => (xs.length ? ratio(geometricMean(xs)) : 'n/a');
  const load = (l: number[]) => l.map((x) => x.toFixed(2)).join(', ');
  const out: string[] = [];
  out.push('# Benchmarks');
  out.push('');
  out.push('Generated by `npm run bench` (scripts/bench.ts); never edit by hand.');
  out.push('');
  out.push(`- Machine: ${machine.cpu}, ${machine.cores} cores, Node ${machine.node}, ${machine.date}; the bench took ${machine.minutes.toFixed(1)} min.`);
  out.push(
    `- Load average (1, 5, 15 min) at the start: ${load(machine.loadBefore)}; at the end: ${load(machine.loadAfter)}. ` +
      'Other work shared the machine: read the ratios, which compare the two sides measured in the same run, rather than the absolute times.',
  );
  out.push(
    '- dlc: `dlc compile --target wasm` then the runtime (runtime/index.ts). Peer: onnxruntime-web ' +
      `${ortVersion()} WASM backend in Node, one thread (\`numThreads = 1\`, \`simd = true\`), default graph optimizations.`,
  );
  out.push(
    '- Each artifact is timed by `dlc bench DIR --json` in fresh Node processes on the same seeded random inputs for both sides. ' +
      'Median and p90 over the timed runs after untimed warm-up runs, in a process started with `--no-liftoff` (every wasm function of both sides compiled by V8\'s optimizing tier up front, so that neither is timed while its code tiers up). First run, in a second process with V8\'s default tiers: dlc from `loadModel` (reading and checking the artifact, ' +
      "instantiating model.wasm) to the first result; onnxruntime-web from `InferenceSession.create` (reading the .onnx) to the first result, " +
      'which includes its one-time WebAssembly initialization, as on a page load.',
  );
  out.push(`- Speedup = onnxruntime-web median / dlc median (above 1: dlc is faster). **Geometric mean speedup at -O2: ${mean(speedups)}** over ${speedups.length} models; ${mean(realSpeedups)} over the ${realSpeedups.length} real models (tests/models/real-models.ts).`);
  out.push('');
  out.push('## Latency at -O2 (ms)');
  out.push('');
  out.push(
    table(
      ['model', 'input', 'runs', 'dlc median', 'dlc p90', 'ort-web median', 'ort-web p90', 'speedup', 'dlc first run', 'ort-web first run', 'first-run ratio'],
      results.map((r) => {
        if (!at(r, 2)) return [r.model.name, shapes(r.model), '', failed(r, 2), '', '', '', '', '', '', ''];
        const b = o2(r).bench;
        const p = b.peer!;
        return [r.model.name, shapes(r.model), `${r.runs}+${r.warmup}`, ms(b.medianMs), ms(b.p90Ms), ms(p.medianMs), ms(p.p90Ms), `**${ratio(b.speedup!)}**`, ms(b.firstRunMs), ms(p.firstRunMs), ratio(p.firstRunMs / b.firstRunMs)];
      }),
    ),
  );
  out.push('');
  out.push('Runs: timed + warm-up. First-run ratio = onnxruntime-web first run / dlc first run.');
  out.push('');
  out.push('## -O0 against -O2');
  out.push('');
  out.push(
    table(
      ['model', 'kernels -O0', 'kernels -O2', 'peak activations -O0', 'peak activations -O2', 'dlc median -O0 (ms)', 'dlc median -O2 (ms)', '-O2 speedup'],
      ok.map((r) => {
        const [a, b] = [at(r, 0), o2(r)];
        if (!a) return [r.model.name, failed(r, 0), String(b.kernels), '', formatBytes(b.peakActivationBytes), '', ms(b.bench.medianMs), ''];
        return [r.model.name, String(a.kernels), String(b.kernels), formatBytes(a.peakActivationBytes), formatBytes(b.peakActivationBytes), ms(a.bench.medianMs), ms(b.bench.medianMs), ratio(a.bench.medianMs / b.bench.medianMs)];
      }),
    ),
  );
  out.push('');
  out.push('Kernels and peak activation bytes are compiler/analysis.ts figures for the optimized graph (what `dlc inspect` prints).');
  out.push('');
  out.push(...renderWebgpu(results));
  // The quantization section is npm run bench:quantization's; it goes here in a new file.
  out.push(QUANTIZATION_BEGIN, QUANTIZATION_END, '');
  out.push('## Size at -O2');
  out.push('');
  out.push(
    table(
      ['model', 'model.wasm', 'weights.bin', 'manifest.json', 'dlc artifact', '.onnx', 'ort-web wasm + .onnx', 'ort-web / dlc'],
      ok.map((r) => {
        const f = o2(r).artifactBytes;
        const dlc = sum(f);
        const onnx = fs.statSync(r.model.file).size;
        return [r.model.name, formatBytes(f['model.wasm']), formatBytes(f['weights.bin']), formatBytes(f['manifest.json']), formatBytes(dlc), formatBytes(onnx), formatBytes(ort.bytes + onnx), ratio((ort.bytes + onnx) / dlc)];
      }),
    ),
  );
  out.push('');
  out.push(`onnxruntime-web's side is ${path.basename(ORT_WASM)}, the WebAssembly file its Node build loads, plus the .onnx model; its JavaScript is not counted, nor is dlc's runtime (below).`);
  out.push('');
  out.push('## Runtime');
  out.push('');
  out.push(
    table(
      ['', 'bytes', 'gzip -9'],
      [
        ['dlc runtime (runtime/index.ts, esbuild --bundle --minify, ESM)', String(runtime.bytes), String(runtime.gzipBytes)],
        [`onnxruntime-web ${path.basename(ORT_WASM)}`, String(ort.bytes), String(ort.gzipBytes)],
        ['ratio onnxruntime-web / dlc', ratio(ort.bytes / runtime.bytes), ratio(ort.gzipBytes / runtime.gzipBytes)],
      ],
    ),
  );
  out.push('');
  return `${out.join('\n')}\n`;
}

function renderWebgpu(results: ModelResult[]): string[] {
  const report = (r: ModelResult, level: number) => (typeof r.webgpu.levels[level] === 'string' ? undefined : (r.webgpu.levels[level] as BenchReport));
  const where = results.map((r) => report(r, 2)?.where).find((w) => w);
  const speedups = results.map((r) => report(r, 2)?.speedup).filter((x): x is number => typeof x === 'number');
  const out = ['## WebGPU (ms)', ''];
  out.push(
    `Both sides in headless Chromium on the same adapter (${where ?? 'none ran'}), each from a fresh page: ` +
      '`dlc compile --target webgpu` run by the runtime on `navigator.gpu`, and onnxruntime-web ' +
      `${ortVersion()}'s WebGPU backend on the .onnx (\`dlc bench DIR --peer-model MODEL --json\`). First run: from the page's first line ` +
      '(adapter, device, pipelines, weights) to the first result read back; medians read the outputs back too. ' +
      `**Geometric mean speedup at -O2: ${speedups.length ? ratio(geometricMean(speedups)) : 'n/a'}** over ${speedups.length} models. ` +
      'SwiftShader is a CPU implementation of Vulkan: these figures rank the two compilers on it, not on a GPU.',
  );
  out.push('');
  out.push(
    table(
      ['model', 'input', 'runs', 'dlc median', 'ort-web median', 'speedup', 'dlc first run', 'ort-web first run', 'first-run ratio', 'dlc median -O0', '-O2 speedup over -O0'],
      results.map((r) => {
        const b = report(r, 2);
        const runs = `${r.webgpu.runs}+${r.webgpu.warmup}`;
        if (!b) return [r.model.name, shapes(r.model), runs, `failed: ${r.webgpu.levels[2] as string}`, '', '', '', '', '', '', ''];
        const p = b.peer;
        const o0 = report(r, 0);
        return [
          r.model.name, shapes(r.model), runs, ms(b.medianMs), p ? ms(p.medianMs) : 'n/a', b.speedup ? `**${ratio(b.speedup)}**` : 'n/a',
          ms(b.firstRunMs), p ? ms(p.firstRunMs) : 'n/a', p ? ratio(p.firstRunMs / b.firstRunMs) : 'n/a',
          o0 ? ms(o0.medianMs) : `failed: ${r.webgpu.levels[0] as string}`, o0 ? ratio(o0.medianMs / b.medianMs) : '',
        ];
      }),
    ),
  );
  out.push('');
  return out;
}

function ortVersion(): string {
  return JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'node_modules', 'onnxruntime-web', 'package.json'), 'utf8')).version;
}

async function main(): Promise<void> {
  const filter = parseFilter(process.argv.slice(2));
  const start = Date.now();
  const loadBefore = os.loadavg();
  if (!fs.existsSync(ORT_WASM)) throw new Error(`${ORT_WASM} is missing: npm install onnxruntime-web`);
  const ortBytes = fs.readFileSync(ORT_WASM);
  const ort = { bytes: ortBytes.length, gzipBytes: gzipSync(ortBytes, { level: 9 }).length };
  const runtime = await runtimeSize();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dlc-bench-'));
  // The zoo's .onnx files live in tmp until the report (which reads their sizes) is rendered.
  try {
    await benchAndReport(tmp, filter, { start, loadBefore, runtime, ort });
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

interface Context {
  start: number;
  loadBefore: number[];
  runtime: { bytes: number; gzipBytes: number };
  ort: { bytes: number; gzipBytes: number };
}

async function benchAndReport(tmp: string, filter: RegExp | undefined, { start, loadBefore, runtime, ort }: Context): Promise<void> {
  const results: ModelResult[] = [];
  const zoo = builtModels(tmp);
  for (const model of [...FILE_MODELS, ...zoo].filter((m) => !filter || filter.test(m.name))) results.push(await benchModel(model, tmp));
  const machine: Machine = {
    cpu: os.cpus()[0]?.model.trim() ?? 'unknown CPU',
    cores: os.cpus().length,
    node: process.version,
    date: new Date().toISOString().slice(0, 10),
    loadBefore,
    loadAfter: os.loadavg(),
    minutes: (Date.now() - start) / 60000,
  };
  const report = render(results, machine, runtime, ort);
  if (filter) {
    process.stdout.write(report);
  } else {
    // The quantization, compression, CPU and shape-generic sections are regenerated by their own commands
    // (npm run bench:quantization, bench:compression, bench:cpu, bench:shape-generic): kept as they are.
    const previous = fs.existsSync(OUTPUT) ? fs.readFileSync(OUTPUT, 'utf8') : '';
    let text = report;
    for (const [begin, end] of [[QUANTIZATION_BEGIN, QUANTIZATION_END], [COMPRESSION_BEGIN, COMPRESSION_END], [CPU_BEGIN, CPU_END], [SHAPE_GENERIC_BEGIN, SHAPE_GENERIC_END]]) {
      const kept = sectionOf(previous, begin, end);
      if (kept !== undefined) text = replaceSection(text, begin, end, kept);
    }
    fs.writeFileSync(OUTPUT, text);
    log(`wrote ${OUTPUT}`);
  }
  if (results.some((r) => [...Object.values(r.levels), ...Object.values(r.webgpu.levels)].some((l) => typeof l === 'string'))) process.exitCode = 1;
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
