// The compression section of BENCHMARKS.md (`npm run bench:compression`): per model and technique, the
// compressed wasm artifact against the f32 one and against the .onnx that onnxruntime-web ships as it is —
// weights.bin bytes (and gzip -9), the ratio to the .onnx, the accuracy metric of the f32 and compressed
// artifacts, load (fetch from memory, sha-256, decode, instantiate) and run times, all measured in this process
// in the same run. Every compressed artifact is compiled under the accuracy guard (`--eval DATA
// --max-accuracy-drop X`; det's metric is its end-to-end CER, det → boxes → crops → f32 rec → text, `--metric
// det-cer --recognizer REC.onnx`); the section is written between its markers in
// BENCHMARKS.md, which `npm run bench` keeps.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { makeDetPages } from '../accuracy/det-pages.js';
import type { AsyncLineRecognizer } from '../accuracy/det-rec-cer.js';
import { makeOcrLines } from '../accuracy/ocr-lines.js';
import { parseRecKeys } from '../accuracy/ctc.js';
import type { Dataset } from '../accuracy/dataset.js';
import { evaluate, type SampleRunner } from '../accuracy/evaluate.js';
import type { MetricName } from '../accuracy/metrics.js';
import { mnistDataset } from '../accuracy/mnist.js';
import { ppocrRecFiles } from '../accuracy/ppocr-rec.js';
import { compile, type Artifact, type CompileOptions } from '../api/compile.js';
import type { CompressionOptions } from '../api/compress.js';
import { sessionRunner } from '../api/eval.js';
import { compiledLineRecognizer } from '../api/recognizer.js';
import { loadInMemory } from '../api/session.js';
import { formatBytes } from '../cli/format.js';
import { REPO_ROOT } from '../tests/util/repo.js';
import { memoryDataset } from './bench-datasets.js';
import { publishSection, runIfMain } from './benchmarks-file.js';

const OUTPUT = path.join(REPO_ROOT, 'BENCHMARKS.md');
export const COMPRESSION_BEGIN = '<!-- compression:begin -->';
export const COMPRESSION_END = '<!-- compression:end -->';
const OCR = path.join(REPO_ROOT, 'node_modules', '@gutenye', 'ocr-models', 'assets');

const log = (line: string) => process.stderr.write(`${line}\n`);

interface Variant {
  label: string;
  techniques: string[];
  finetune?: boolean;
  /** A budget other than the case's. */
  maxAccuracyDrop?: number;
}

interface CompressionCase {
  name: string;
  file: string;
  inputShapes: Record<string, number[]>;
  evaluation: Dataset;
  metric: MetricName;
  keys?: readonly string[];
  /** det-cer: the f32 recognizer (ONNX) that reads the detected lines: on the interpreter in the guard, compiled for wasm when measuring. */
  recognizer?: string;
  /** The budget: a largest drop in points, or (SQNR) a least value in dB. */
  budget: { maxAccuracyDrop: number } | { minSqnrDb: number };
  /** The guard measures on the first samples only (all by default: it runs the compiled f32 kernels). */
  guardLimit?: number;
  finetune?: Dataset;
  /** Each retraining's epochs and the samples an epoch visits (api/compress.ts). */
  finetuneEpochs?: number;
  finetuneSamples?: number;
  variants: Variant[];
  runs: number;
}

const ALL: Variant[] = [
  { label: 'prune', techniques: ['prune'] },
  { label: 'share', techniques: ['share'] },
  { label: 'lowrank', techniques: ['lowrank'] },
  { label: 'ternary', techniques: ['ternary'] },
  { label: 'deep (prune + share)', techniques: ['deep'] },
];

/**
 * The LeNets' retraining: each round one epoch of 20,000 of the 60,000 training digits, drawn afresh: a round
 * costs a bounded time, and the rounds together see the whole set.
 */
const LENET_FINETUNE = { epochs: 1, samples: 20000 };

export async function cases(): Promise<CompressionCase[]> {
  const mnist = (name: string): CompressionCase => ({
    name, file: path.join(REPO_ROOT, 'models', 'mnist', `${name}.onnx`), inputShapes: {}, evaluation: mnistDataset('test'), metric: 'top1',
    // The guard runs the candidates on the compiled kernels: all 10,000 test digits take it about a second.
    budget: { maxAccuracyDrop: 0.1 }, finetune: mnistDataset('train'), finetuneEpochs: LENET_FINETUNE.epochs, finetuneSamples: LENET_FINETUNE.samples,
    variants: [
      ...ALL,
      { label: 'deep + retraining', techniques: ['deep'], finetune: true },
      { label: 'deep + retraining, 1-point budget', techniques: ['deep'], finetune: true, maxAccuracyDrop: 1 },
    ],
    runs: 2000,
  });
  log('compression: rendering the OCR lines');
  const [evalLines, pages] = await Promise.all([makeOcrLines({ count: 100, seed: 1, width: 320 }), makeDetPages({ pages: 8, width: 320, height: 320, seed: 1 })]);
  const keys = parseRecKeys(fs.readFileSync(ppocrRecFiles(REPO_ROOT).keys, 'utf8'));
  const ocr: Variant[] = [{ label: 'share', techniques: ['share'] }, { label: 'deep (prune + share)', techniques: ['deep'] }];
  return [
    mnist('lenet-300-100'),
    mnist('lenet-5'),
    {
      name: 'ppocrv4-rec', file: path.join(OCR, 'ch_PP-OCRv4_rec_infer.onnx'), inputShapes: { x: [1, 3, 48, 320] },
      evaluation: memoryDataset('ocr-lines', 'x', [1, 3, 48, 320], evalLines.x, [...evalLines.labels]), metric: 'cer', keys,
      budget: { maxAccuracyDrop: 0.5 }, variants: ocr, runs: 10,
    },
    {
      name: 'ppocrv4-det', file: path.join(OCR, 'ch_PP-OCRv4_det_infer.onnx'), inputShapes: { x: [1, 3, 320, 320] },
      evaluation: memoryDataset('det-pages', 'x', [1, 3, 320, 320], pages.x, pages.labels), metric: 'det-cer', keys,
      recognizer: ppocrRecFiles(REPO_ROOT).model, budget: { maxAccuracyDrop: 0.5 }, guardLimit: 4, variants: ocr, runs: 10,
    },
  ];
}

interface Measured {
  label: string;
  weightsBytes: number;
  gzipBytes: number;
  accuracy: number;
  loadMs: number;
  runMs: number;
  density?: number;
  retraining?: string;
  error?: string;
}

export interface CompressionResult {
  name: string;
  metric: MetricName;
  budget: CompressionCase['budget'];
  onnxBytes: number;
  onnxGzipBytes: number;
  f32: Measured;
  variants: Measured[];
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function measureArtifact(artifact: Artifact, c: CompressionCase, label: string, reference?: SampleRunner, recognizer?: AsyncLineRecognizer): Promise<Measured> {
  const where = `${c.name}-${label}`.replace(/\W+/g, '-');
  const loads: number[] = [];
  let session = await loadInMemory(artifact, where);
  for (let i = 0; i < 5; i++) {
    const t = performance.now();
    session = await loadInMemory(artifact, where);
    loads.push(performance.now() - t);
  }
  const run = sessionRunner(session);
  const result = await evaluate(run, c.evaluation, { metric: c.metric, keys: c.keys, reference, recognizer });
  const feeds = c.evaluation.sample(0);
  const arrays = Object.fromEntries(Object.entries(feeds).map(([k, t]) => [k, t.data as Float32Array]));
  for (let i = 0; i < Math.min(200, c.runs / 4); i++) await session.run(arrays);
  const times: number[] = [];
  for (let i = 0; i < c.runs; i++) {
    const t = performance.now();
    await session.run(arrays);
    times.push(performance.now() - t);
  }
  const weights = artifact.files.get('weights.bin')!;
  const layers = artifact.compression?.layers ?? [];
  const elements = layers.reduce((a, l) => a + l.elements, 0);
  return {
    label,
    weightsBytes: weights.length,
    gzipBytes: gzipSync(weights, { level: 9 }).length,
    accuracy: result.value,
    loadMs: median(loads),
    runMs: median(times),
    ...(elements ? { density: layers.reduce((a, l) => a + l.density * l.elements, 0) / elements, retraining: artifact.compression!.retraining } : {}),
  };
}

export async function measureCase(c: CompressionCase): Promise<CompressionResult> {
  const onnx = fs.readFileSync(c.file);
  const base: CompileOptions = { target: 'wasm', inputShapes: c.inputShapes };
  log(`compression: ${c.name} f32`);
  const f32Artifact = await compile(c.file, base);
  const f32Session = sessionRunner(await loadInMemory(f32Artifact, `${c.name}-f32`));
  const reference = c.metric === 'sqnr' ? f32Session : undefined;
  const recognizer = c.recognizer ? await compiledLineRecognizer(c.recognizer) : undefined;
  const f32 = await measureArtifact(f32Artifact, c, 'f32', reference, recognizer);
  const variants: Measured[] = [];
  for (const v of c.variants) {
    log(`compression: ${c.name} ${v.label}`);
    const started = Date.now();
    const compress: CompressionOptions = {
      techniques: v.techniques,
      guard: {
        data: c.evaluation, metric: c.metric, keys: c.keys, limit: c.guardLimit, ...(c.recognizer ? { recognizer: c.recognizer } : {}),
        ...(v.maxAccuracyDrop !== undefined ? { maxAccuracyDrop: v.maxAccuracyDrop } : 'maxAccuracyDrop' in c.budget ? { maxAccuracyDrop: c.budget.maxAccuracyDrop } : { minSqnrDb: c.budget.minSqnrDb }),
      },
      ...(v.finetune && c.finetune ? { finetune: c.finetune, finetuneEpochs: c.finetuneEpochs, finetuneSamples: c.finetuneSamples } : {}),
    };
    try {
      const artifact = await compile(c.file, { ...base, compress });
      variants.push(await measureArtifact(artifact, c, v.label, reference, recognizer));
    } catch (e) {
      const error = (e as Error).message.split('\n')[0];
      log(`compression: ${c.name} ${v.label}: FAILED: ${error}`);
      variants.push({ label: v.label, weightsBytes: NaN, gzipBytes: NaN, accuracy: NaN, loadMs: NaN, runMs: NaN, error });
    }
    log(`compression: ${c.name} ${v.label}: ${((Date.now() - started) / 1000).toFixed(0)} s`);
  }
  return { name: c.name, metric: c.metric, budget: c.budget, onnxBytes: onnx.length, onnxGzipBytes: gzipSync(onnx, { level: 9 }).length, f32, variants };
}

const ratio = (x: number) => (Number.isFinite(x) ? `${x.toFixed(1)}×` : 'n/a');
const ms = (x: number) => (Number.isNaN(x) ? '' : x < 10 ? x.toFixed(3) : x.toFixed(1));
const metricText = (m: MetricName, v: number) => (Number.isNaN(v) ? '' : m === 'sqnr' ? (Number.isFinite(v) ? `${v.toFixed(1)} dB` : 'reference (∞ dB)') : `${v.toFixed(2)} %`);

export function renderCompression(results: readonly CompressionResult[]): string[] {
  const out = [COMPRESSION_BEGIN, '## Compression (wasm, one thread)', ''];
  out.push(
    'Per model and technique, the artifact of `dlc compile --target wasm --compress T --eval DATA --max-accuracy-drop X` (the accuracy guard picks each ' +
      "layer's step running every candidate on the f32 model's compiled wasm kernels with the candidate's weights; LeNets: top-1 on the 10,000 MNIST test digits, " +
      'budget 0.1 points unless the row says otherwise; rec: CER on the 100 rendered lines, budget 0.5 points; det: end-to-end CER, det\'s boxes (DB post-processing) ' +
      'cut from the page and read by the f32 rec, on 8 pages of 320×320 with 43 rendered lines (`npm run datasets:det-pages`), guard on the first 4 pages (rec on the ' +
      'interpreter), budget 0.5 points; rec and det, of more than 16 layers, get their shared steps by rate–distortion over the output SQNR each layer alone leaves) ' +
      'beside the f32 artifact of the same run. Shared convs that would run Winograd run implicit-gemm, whose weights keep the codebook (codegen/wasm/shared-conv-schedules.ts). ' +
      'weights.bin is what ships (packed: codebooks and sparse rows, Huffman-coded; the runtime decodes it at load); the .onnx is what onnxruntime-web ships. ' +
      'Accuracy is measured on the compiled artifacts, on all samples (the LeNets: all 10,000 test digits). Load = the runtime loading the artifact from memory (sha-256, decode, instantiate), median of 5; ' +
      'run = median of in-process runs. "deep + retraining" adds `--finetune` on the 60,000 training digits, `--finetune-epochs 1 --finetune-samples 20000` (iterative pruning with masked retraining, then centroid fine-tuning; each retraining round one epoch of 20,000 digits drawn afresh).',
  );
  out.push('');
  const header = ['model', 'technique', 'weights.bin', 'gzip', '.onnx / weights.bin', '.onnx.gz / gzip', 'density', 'accuracy (f32 → compressed)', 'load ms', 'run ms', 'run vs f32'];
  const rows: string[][] = [];
  for (const r of results) {
    rows.push([r.name, 'f32 (.onnx ' + formatBytes(r.onnxBytes) + ')', formatBytes(r.f32.weightsBytes), formatBytes(r.f32.gzipBytes), ratio(r.onnxBytes / r.f32.weightsBytes), ratio(r.onnxGzipBytes / r.f32.gzipBytes), '1', metricText(r.metric, r.f32.accuracy), ms(r.f32.loadMs), ms(r.f32.runMs), '1.00×']);
    for (const v of r.variants) {
      if (v.error) {
        rows.push([r.name, v.label, `failed: ${v.error}`, '', '', '', '', '', '', '', '']);
        continue;
      }
      rows.push([
        r.name, v.label, formatBytes(v.weightsBytes), formatBytes(v.gzipBytes), `**${ratio(r.onnxBytes / v.weightsBytes)}**`, ratio(r.onnxGzipBytes / v.gzipBytes),
        v.density === undefined ? '' : v.density.toFixed(3), `${metricText(r.metric, r.f32.accuracy)} → ${metricText(r.metric, v.accuracy)}`,
        ms(v.loadMs), ms(v.runMs), `${(r.f32.runMs / v.runMs).toFixed(2)}×`,
      ]);
    }
  }
  const align = header.map((_, i) => (i < 2 ? '---' : '---:'));
  out.push(...[header, align, ...rows].map((row) => `| ${row.join(' | ')} |`));
  out.push('', 'run vs f32 = f32 median / compressed median (above 1: faster). density = non-zero weights / weights of the compressed layers.', COMPRESSION_END);
  return out;
}

async function main(): Promise<void> {
  const filter = process.argv[2] ? new RegExp(process.argv[2]) : undefined;
  const results: CompressionResult[] = [];
  for (const c of await cases()) if (!filter || filter.test(c.name)) results.push(await measureCase(c));
  const section = renderCompression(results).join('\n');
  publishSection(OUTPUT, COMPRESSION_BEGIN, COMPRESSION_END, section, filter !== undefined, 'compression');
  if (results.some((r) => r.variants.some((v) => v.error))) process.exitCode = 1;
}

runIfMain(import.meta.url, main);
