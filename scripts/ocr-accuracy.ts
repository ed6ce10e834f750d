// npm run accuracy:ocr -- [--dataset DIR] [--dlc N]
// PP-OCRv4 rec's character error rate on the OCR lines data set (npm run datasets:ocr writes it): the f32
// model on onnxruntime-node (one thread) over every line, and with --dlc N dlc's wasm artifact of it
// (compiled here for x=1,3,48,W) over the first N lines, with onnxruntime's CER on the same lines beside it.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadRecKeys } from '../accuracy/ctc.js';
import { ppocrRecFiles, REC_INPUT, runRecDlc, runRecOnnxruntime, type RecBatch } from '../accuracy/ppocr-rec.js';
import { recognitionCer, type RecognitionResult } from '../accuracy/recognition.js';
import { compile } from '../api/compile.js';
import { loadInMemory } from '../api/session.js';
import { readNpy } from '../api/npy.js';

function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

function readDataset(dir: string): { batch: RecBatch; labels: string[] } {
  const xFile = path.join(dir, 'x.npy');
  if (!fs.existsSync(xFile)) throw new Error(`no data set at ${dir}: run npm run datasets:ocr`);
  const x = readNpy(fs.readFileSync(xFile), xFile);
  if (x.dtype !== 'f32' || x.shape.length !== 4 || x.shape[1] !== 3 || x.shape[2] !== 48) throw new Error(`${xFile}: expected [N, 3, 48, W] f32, got [${x.shape.join(', ')}] ${x.dtype}`);
  const labels = fs.readFileSync(path.join(dir, 'labels.txt'), 'utf8').replace(/\n$/, '').split('\n');
  if (labels.length !== x.shape[0]) throw new Error(`${dir}: ${x.shape[0]} lines in x.npy, ${labels.length} in labels.txt`);
  return { batch: { x: x.data as Float32Array, shape: x.shape }, labels };
}

function summary(name: string, r: RecognitionResult, lines: number, ms: number): string {
  return `${name}: CER ${(100 * r.cer).toFixed(2)} % (${r.edits} edits / ${r.referenceChars} chars, ${lines} lines), ${(ms / lines).toFixed(1)} ms per line`;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const dir = path.resolve(option(args, '--dataset') ?? path.join('build', 'datasets', 'ocr-lines'));
  const dlcLines = option(args, '--dlc');
  const { batch, labels } = readDataset(dir);
  const files = ppocrRecFiles();
  const keys = loadRecKeys(files.keys);
  const n = labels.length;

  let start = performance.now();
  const ortOutputs = await runRecOnnxruntime(files.model, batch);
  const ortMs = performance.now() - start;
  const ort = recognitionCer(ortOutputs, labels, keys);
  console.log(summary('f32 onnxruntime-node', ort, n, ortMs));
  for (let i = 0; i < n; i++) if (ort.recognized[i] !== labels[i]) console.log(`  ${JSON.stringify(labels[i])} → ${JSON.stringify(ort.recognized[i])}`);

  if (dlcLines === undefined) return;
  const count = Math.min(n, Number(dlcLines));
  start = performance.now();
  const artifact = await compile(files.model, { target: 'wasm', inputShapes: { [REC_INPUT]: [1, ...batch.shape.slice(1)] } });
  console.log(`dlc wasm: compiled in ${((performance.now() - start) / 1000).toFixed(1)} s`);
  const session = await loadInMemory(artifact, 'ppocrv4-rec');
  start = performance.now();
  const dlcOutputs = await runRecDlc(session, batch, { count });
  const dlcMs = performance.now() - start;
  const dlc = recognitionCer(dlcOutputs, labels.slice(0, count), keys);
  const ortSame = recognitionCer(ortOutputs.flatMap((o) => splitLines(o)).slice(0, count), labels.slice(0, count), keys);
  console.log(summary('f32 dlc wasm', dlc, count, dlcMs));
  console.log(`  onnxruntime on the same ${count} lines: CER ${(100 * ortSame.cer).toFixed(2)} %; ${dlc.recognized.filter((t, i) => t !== ortSame.recognized[i]).length} lines read differently`);
}

/** One [1, T, C] output per line of a [N, T, C] output. */
function splitLines(output: { shape: readonly number[]; data: ArrayLike<number> }): { shape: number[]; data: ArrayLike<number> }[] {
  const [n, t, c] = output.shape;
  const data = output.data as Float32Array;
  return Array.from({ length: n }, (_, i) => ({ shape: [1, t, c], data: data.subarray(i * t * c, (i + 1) * t * c) }));
}

main().catch((e) => {
  console.error(`ocr-accuracy: ${(e as Error).message}`);
  process.exit(1);
});
