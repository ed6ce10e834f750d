// The quantization section of BENCHMARKS.md (`npm run bench:quantization [-- REGEX]`; with a filter it prints the
// section instead of writing it): per model, the f32 artifact against the int8 one (and the
// mixed-precision one the accuracy guard picks under a 0.5-point budget, where the model has a labelled metric)
// — wasm latency, weights bytes and the accuracy metric of each, measured on the compiled artifacts — and
// onnxruntime-web's WASM backend (one thread) running the QDQ model dlc exports, timed in the same process as
// dlc's int8 artifact.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { mnistDataset } from '../accuracy/mnist.js';
import { makeOcrLines } from '../accuracy/ocr-lines.js';
import { parseRecKeys } from '../accuracy/ctc.js';
import { evaluate } from '../accuracy/evaluate.js';
import type { Dataset } from '../accuracy/dataset.js';
import type { MetricName } from '../accuracy/metrics.js';
import { ppocrRecFiles } from '../accuracy/ppocr-rec.js';
import { compile, writeArtifact, type CompileOptions } from '../api/compile.js';
import { sessionRunner } from '../api/eval.js';
import { quantizeSource, readModel } from '../api/optimize.js';
import type { QuantizationOptions } from '../api/quantize.js';
import { loadInMemory } from '../api/session.js';
import type { BenchReport } from '../cli/bench.js';
import { formatBytes } from '../cli/format.js';
import { Tensor } from '../compiler/ir/tensor.js';
import { exportOnnxModel } from '../compiler/onnx/export.js';
import { seededRandom } from '../compiler/random.js';
import type { QuantizationReport } from '../quantize/quantize-graph.js';
import { REPO_ROOT } from '../tests/util/repo.js';
import { detPages, memoryDataset } from './bench-datasets.js';
import { builtModels } from './bench-models.js';
import { cpuBench } from './bench-process.js';
import { publishSection, runIfMain } from './benchmarks-file.js';

const OUTPUT = path.join(REPO_ROOT, 'BENCHMARKS.md');
export const QUANTIZATION_BEGIN = '<!-- quantization:begin -->';
export const QUANTIZATION_END = '<!-- quantization:end -->';

const OCR = path.join(REPO_ROOT, 'node_modules', '@gutenye', 'ocr-models', 'assets');

/** A model with its calibration and evaluation data and the metric measured on the artifacts. */
interface QuantCase {
  name: string;
  file: string;
  inputShapes: Record<string, number[]>;
  calibration: Dataset;
  evaluation: Dataset;
  metric: MetricName;
  keys?: readonly string[];
  /** Evaluate on the first samples only (big models). */
  evalLimit?: number;
  /** Run the accuracy guard at this budget (points) for the mixed result. */
  guardBudget?: number;
  /** The guard measures on the first samples only (it runs the reference interpreter). */
  guardLimit?: number;
  /** Calibrate on the first N samples only. */
  calibrationLimit?: number;
  runs: number;
  warmup: number;
}

export interface QuantResult {
  name: string;
  metric: MetricName;
  samples: number;
  f32: Side;
  int8: Side;
  mixed?: Side & { f32Layers: number; layers: number };
  /** onnxruntime-web on the QDQ model dlc exports, timed beside the int8 artifact. */
  ortQdq?: { medianMs: number };
  error?: string;
}

interface Side {
  medianMs: number;
  weightsBytes: number;
  accuracy: number;
}

type Timer = (dir: string, peer: string[], runs: number, warmup: number) => BenchReport;

const log = (line: string) => process.stderr.write(`${line}\n`);

/**
 * Fresh processes a model of microseconds per run is timed in: one such process sometimes measures about
 * twice the others (seen on these machines for int8 LeNet-5 artifacts in 2 processes of 6, whatever V8's
 * tiering flags), so the median process counts.
 */
const PROCESSES_FOR_SMALL_MODELS = 5;

function timeSteadily(time: Timer, dir: string, peer: string[], c: QuantCase): BenchReport {
  if (c.runs < 1000) return time(dir, peer, c.runs, c.warmup);
  const reports = Array.from({ length: PROCESSES_FOR_SMALL_MODELS }, () => time(dir, peer, c.runs, c.warmup)).sort((a, b) => a.medianMs - b.medianMs);
  const middle = reports[Math.floor(reports.length / 2)];
  const peers = reports.map((r) => r.peer).filter((p) => p).sort((a, b) => a!.medianMs - b!.medianMs);
  return { ...middle, peer: peers.length ? peers[Math.floor(peers.length / 2)] : null };
}

async function cases(): Promise<QuantCase[]> {
  const mnistTest = mnistDataset('test');
  const mnistTrain = mnistDataset('train');
  const mnist = (name: string): QuantCase => ({
    name, file: path.join(REPO_ROOT, 'models', 'mnist', `${name}.onnx`), inputShapes: {}, calibration: mnistTrain, evaluation: mnistTest,
    // A run takes tens of microseconds: many warm-up runs, so that V8 has tiered the module up before timing.
    // The interpreter calibrates and guards on the first 2,000 digits (all 60,000 / 10,000 would take it an hour);
    // the table's top-1 is the artifact's on all 10,000 test digits.
    metric: 'top1', guardBudget: 0.5, guardLimit: 2000, calibrationLimit: 2000, runs: 2000, warmup: 500,
  });
  log('quantization: rendering the OCR lines');
  const [evalLines, calibLines, clsLines] = await Promise.all([
    makeOcrLines({ count: 100, seed: 1, width: 320 }),
    makeOcrLines({ count: 16, seed: 2, width: 320 }),
    makeOcrLines({ count: 100, seed: 3, width: 192 }),
  ]);
  const keys = parseRecKeys(fs.readFileSync(ppocrRecFiles(REPO_ROOT).keys, 'utf8'));
  const rec = (l: typeof evalLines, name: string) => memoryDataset(name, 'x', [1, 3, 48, 320], l.x, [...l.labels]);
  const cls = memoryDataset('ocr-lines-192', 'x', [1, 3, 48, 192], clsLines.x);
  const r = seededRandom(11);
  const noise = (n: number, size: number) => new Float32Array(n * size).map(() => r());
  return [
    mnist('lenet-300-100'),
    mnist('lenet-5'),
    {
      name: 'ppocrv4-rec', file: path.join(OCR, 'ch_PP-OCRv4_rec_infer.onnx'), inputShapes: { x: [1, 3, 48, 320] },
      calibration: rec(calibLines, 'ocr-calibration'), evaluation: rec(evalLines, 'ocr-lines'), metric: 'cer', keys, runs: 10, warmup: 2,
      guardBudget: 0.5, guardLimit: 30,
    },
    {
      name: 'ppocrv4-det', file: path.join(OCR, 'ch_PP-OCRv4_det_infer.onnx'), inputShapes: { x: [1, 3, 320, 320] },
      calibration: memoryDataset('det-pages', 'x', [1, 3, 320, 320], detPages(calibLines.x, 4, 320)),
      evaluation: memoryDataset('det-pages', 'x', [1, 3, 320, 320], detPages(evalLines.x, 8, 320)), metric: 'sqnr', runs: 10, warmup: 2,
    },
    {
      name: 'ppocr-cls', file: path.join(OCR, 'ch_ppocr_mobile_v2.0_cls_infer.onnx'), inputShapes: { x: [1, 3, 48, 192] },
      calibration: memoryDataset('cls-calibration', 'x', [1, 3, 48, 192], clsLines.x.subarray(0, 16 * 3 * 48 * 192)), evaluation: cls, metric: 'agreement', runs: 100, warmup: 10,
    },
    {
      name: 'mobilenet-v2 (zoo)', file: '', inputShapes: {},
      calibration: memoryDataset('noise', 'image', [1, 3, 64, 64], noise(16, 3 * 64 * 64)), evaluation: memoryDataset('noise', 'image', [1, 3, 64, 64], noise(32, 3 * 64 * 64)),
      metric: 'sqnr', runs: 100, warmup: 10,
    },
  ];
}

async function measure(c: QuantCase, tmp: string, time: Timer): Promise<QuantResult> {
  const quantize: QuantizationOptions = { mode: 'int8', calibration: c.calibration, calibrationLimit: c.calibrationLimit };
  const base: CompileOptions = { target: 'wasm', inputShapes: c.inputShapes };
  const reference = c.metric === 'sqnr' || c.metric === 'agreement';
  const f32 = await compile(c.file, base);
  const f32Run = sessionRunner(await loadInMemory(f32, c.name));
  const side = async (opts: CompileOptions, label: string, model = c.file, withPeer?: string): Promise<Side & { report?: QuantizationReport; bench: BenchReport }> => {
    log(`quantization: ${c.name} ${label}: compiling`);
    const artifact = label === 'f32' ? f32 : await compile(model, opts);
    const dir = path.join(tmp, `${c.name.replace(/\W+/g, '-')}-${label}`);
    writeArtifact(artifact, dir);
    log(`quantization: ${c.name} ${label}: evaluating`);
    const run = sessionRunner(await loadInMemory(artifact, c.name));
    const result = await evaluate(run, c.evaluation, { metric: c.metric, limit: c.evalLimit, keys: c.keys, reference: reference ? f32Run : undefined });
    log(`quantization: ${c.name} ${label}: timing`);
    const bench = timeSteadily(time, dir, withPeer ? ['--peer-model', withPeer] : [], c);
    return { medianMs: bench.medianMs, weightsBytes: artifact.files.get('weights.bin')!.length, accuracy: result.value, report: artifact.quantization, bench };
  };
  // The int8 artifact is compiled from the QDQ model dlc exports (for wasm: the layers no faster in int8 kept
  // f32), which onnxruntime-web runs as the peer: both sides compute the same model.
  const qdq = quantizeSource(readModel(c.file), { target: 'wasm', inputShapes: c.inputShapes, quantize });
  const qdqFile = path.join(tmp, `${c.name.replace(/\W+/g, '-')}.int8.onnx`);
  fs.writeFileSync(qdqFile, exportOnnxModel(qdq.graph, { producer: 'dlc quantize' }));
  const f32Side = await side(base, 'f32');
  const int8Side = await side(base, 'int8', qdqFile, qdqFile);
  const result: QuantResult = {
    name: c.name, metric: c.metric, samples: Math.min(c.evaluation.count, c.evalLimit ?? Infinity),
    f32: f32Side, int8: int8Side, ortQdq: int8Side.bench.peer ? { medianMs: int8Side.bench.peer.medianMs } : undefined,
  };
  if (c.guardBudget !== undefined) {
    const guarded = await side({ ...base, quantize: { ...quantize, guard: { data: c.evaluation, metric: c.metric, maxAccuracyDrop: c.guardBudget, keys: c.keys, limit: c.guardLimit } } }, 'mixed');
    const layers = guarded.report!.layers;
    result.mixed = { ...guarded, f32Layers: layers.filter((l) => l.precision === 'f32').length, layers: layers.length };
  }
  return result;
}

export async function benchQuantization(tmp: string, time: Timer, filter?: RegExp, zooFile?: (name: string) => string): Promise<QuantResult[]> {
  const results: QuantResult[] = [];
  for (const c of await cases()) {
    if (filter && !filter.test(c.name)) continue;
    const resolved = c.file === '' && zooFile ? { ...c, file: zooFile('mobilenet-v2') } : c;
    try {
      results.push(await measure(resolved, tmp, time));
    } catch (e) {
      const error = (e as Error).message.split('\n')[0];
      log(`quantization: ${c.name}: FAILED: ${error}`);
      const none = { medianMs: NaN, weightsBytes: NaN, accuracy: NaN };
      results.push({ name: c.name, metric: c.metric, samples: 0, f32: none, int8: none, error });
    }
  }
  return results;
}

const ms = (x: number) => (Number.isNaN(x) ? '' : x < 10 ? x.toFixed(3) : x < 100 ? x.toFixed(2) : x.toFixed(1));
const ratio = (x: number) => (Number.isFinite(x) ? `${x.toFixed(2)}×` : 'n/a');
const metricText = (m: MetricName, v: number) => (Number.isNaN(v) ? '' : m === 'sqnr' ? `${Number.isFinite(v) ? v.toFixed(1) : v} dB` : `${v.toFixed(2)} %`);

export function renderQuantization(results: readonly QuantResult[]): string[] {
  const out = [QUANTIZATION_BEGIN, '## Quantization (wasm, one thread)', ''];
  out.push(
    'Per model: the f32 artifact and the int8 one (`dlc compile --quantize int8 --calibration DIR`, minmax calibration), and where the model has a ' +
      'labelled metric the mixed-precision artifact the accuracy guard picks under a 0.5-point budget (`--eval-data DIR --max-accuracy-drop 0.5`, ' +
      'calibrated and measured by the guard on the first 2,000 MNIST training / test digits for the LeNets and on the first 30 lines for rec; the table gives the artifact\'s figure on all samples). ' +
      'Latency: `dlc bench DIR` in a fresh Node process (median; for the LeNets, whose runs take microseconds, the median of five processes). The int8 artifact is compiled from the QDQ model dlc writes for the ' +
      'calibration (`dlc quantize`, with wasm\'s choice of layers: convs too small to be faster in int8 stay f32), and onnxruntime-web\'s WASM ' +
      'backend (one thread) runs that same QDQ model, timed in the same process as the int8 artifact. Accuracy is measured on the compiled artifacts: top-1 on ' +
      'the 10,000 MNIST test digits (the LeNets are trained on the 60,000 training digits); CER of PP-OCRv4 rec on 100 rendered lines (greedy CTC); for models without labels, agreement of the ' +
      'arg-max with the f32 artifact (ppocr-cls on 100 lines) or the output SQNR against it (det on 8 pages of rendered lines, the zoo ' +
      'MobileNetV2 with random weights on noise).',
  );
  out.push('');
  const header = ['model', 'metric', 'f32', 'int8', 'mixed (f32 layers)', 'f32 ms', 'int8 ms', 'int8 speed-up', 'ort-web on QDQ ms', 'int8 vs ort-web', 'weights f32', 'weights int8', 'smaller'];
  const rows = results.map((r) => {
    if (r.error) return [r.name, r.metric, `failed: ${r.error}`, ...new Array<string>(header.length - 3).fill('')];
    const mixed = r.mixed ? `${metricText(r.metric, r.mixed.accuracy)} (${r.mixed.f32Layers}/${r.mixed.layers}), ${ms(r.mixed.medianMs)} ms` : '';
    return [
      r.name, r.metric, metricText(r.metric, r.f32.accuracy), metricText(r.metric, r.int8.accuracy), mixed,
      ms(r.f32.medianMs), ms(r.int8.medianMs), `**${ratio(r.f32.medianMs / r.int8.medianMs)}**`,
      r.ortQdq ? ms(r.ortQdq.medianMs) : 'n/a', r.ortQdq ? ratio(r.ortQdq.medianMs / r.int8.medianMs) : 'n/a',
      formatBytes(r.f32.weightsBytes), formatBytes(r.int8.weightsBytes), ratio(r.f32.weightsBytes / r.int8.weightsBytes),
    ];
  });
  const align = header.map((_, i) => (i === 0 ? '---' : '---:'));
  out.push(...[header, align, ...rows].map((row) => `| ${row.join(' | ')} |`));
  out.push('');
  out.push('int8 speed-up = f32 median / int8 median; int8 vs ort-web = onnxruntime-web median on the QDQ model / dlc int8 median (above 1: dlc is faster).');
  out.push(QUANTIZATION_END);
  return out;
}

async function main(): Promise<void> {
  const filter = process.argv[2] ? new RegExp(process.argv[2]) : undefined;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dlc-bench-quantization-'));
  try {
    // The zoo's MobileNetV2 is built in memory and written to tmp, as npm run bench does.
    const zoo = builtModels(tmp);
    const results = await benchQuantization(tmp, cpuBench, filter, (name) => zoo.find((m) => m.name === name)!.file);
    const section = renderQuantization(results).join('\n');
    publishSection(OUTPUT, QUANTIZATION_BEGIN, QUANTIZATION_END, section, filter !== undefined, 'quantization');
    if (results.some((q) => q.error)) process.exitCode = 1;
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

runIfMain(import.meta.url, main);
