// npx tsx scripts/det-rec-cer.ts [DATA...]: PP-OCRv4 det's end-to-end CER (det → DB boxes → crops → rec →
// text, accuracy/det-rec-cer.ts) on det-page data sets (npm run datasets:det-pages), with det and rec compiled
// by dlc for wasm and run by the runtime, and the same pipeline with both on onnxruntime-node (one thread), as
// a check of the pipeline and of dlc. Prints CER, lines found and wall times per data set.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadRecKeys, type RecOutput } from '../accuracy/ctc.js';
import { readDataset } from '../accuracy/dataset.js';
import { detRecCerAsync, type AsyncLineRecognizer } from '../accuracy/det-rec-cer.js';
import { ppocrRecFiles } from '../accuracy/ppocr-rec.js';
import { REC_HEIGHT, REC_WIDTH } from '../accuracy/rec-preprocess.js';
import { compile } from '../api/compile.js';
import { sessionRunner } from '../api/eval.js';
import { importPeer, type Onnxruntime } from '../api/onnxruntime.js';
import { loadInMemory } from '../api/session.js';
import { Tensor } from '../compiler/ir/tensor.js';

const OCR = path.join('node_modules', '@gutenye', 'ocr-models', 'assets');
const DET = path.join(OCR, 'ch_PP-OCRv4_det_infer.onnx');
const REC_SHAPE = [1, 3, REC_HEIGHT, REC_WIDTH];

async function main(): Promise<void> {
  const dirs = process.argv.slice(2);
  if (dirs.length === 0) dirs.push(path.join('build', 'datasets', 'det-pages-320x320'));
  const keys = loadRecKeys(ppocrRecFiles().keys);
  const ort = await importPeer<Onnxruntime>('onnxruntime-node', 'the check against onnxruntime needs onnxruntime-node');
  const recOrt = await ort.InferenceSession.create(ppocrRecFiles().model, { intraOpNumThreads: 1 });
  const detOrt = await ort.InferenceSession.create(DET, { intraOpNumThreads: 1 });
  let t = performance.now();
  const recDlc = await loadInMemory(await compile(ppocrRecFiles().model, { target: 'wasm', inputShapes: { x: REC_SHAPE } }), 'rec');
  console.log(`rec compiled and loaded in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  const recognizers: Record<string, AsyncLineRecognizer> = {
    dlc: async (line) => ({ shape: recDlc.outputs[0].shape, data: (await recDlc.run({ x: line }))[recDlc.outputs[0].name] as Float32Array }),
    onnxruntime: async (line): Promise<RecOutput> => {
      const y = (await recOrt.run({ x: new ort.Tensor('float32', line, REC_SHAPE) }))[recOrt.outputNames[0]];
      return { shape: [...y.dims], data: y.data as Float32Array };
    },
  };
  for (const dir of dirs) {
    const probe = readDataset(dir, [{ name: 'x', shape: ['n', 3, 'h', 'w'], dtype: 'f32' }]);
    const shape = probe.sample(0).x.shape;
    const labels = probe.labels as string[];
    const pages = Array.from({ length: probe.count }, (_, i) => probe.sample(i).x);
    t = performance.now();
    const detDlc = sessionRunner(await loadInMemory(await compile(DET, { target: 'wasm', inputShapes: { x: [...shape] } }), 'det'));
    console.log(`${dir}: det compiled for [${shape.join(', ')}] in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    const runDet = {
      dlc: async (x: Tensor) => detDlc({ x }),
      onnxruntime: async (x: Tensor) => {
        const y = (await detOrt.run({ x: new ort.Tensor('float32', x.data as Float32Array, [...x.shape]) }))[detOrt.outputNames[0]];
        return new Tensor('f32', [...y.dims], y.data as Float32Array);
      },
    };
    for (const engine of ['dlc', 'onnxruntime'] as const) {
      t = performance.now();
      const outputs: Tensor[] = [];
      for (const x of pages) outputs.push(await runDet[engine](x));
      const detMs = performance.now() - t;
      t = performance.now();
      const result = await detRecCerAsync(pages, outputs, labels, keys, recognizers[engine]);
      const recMs = performance.now() - t;
      const truthLines = labels.reduce((n, l) => n + l.split('\t').length, 0);
      console.log(
        `  ${engine}: CER ${(100 * result.cer).toFixed(2)} % (${result.edits} edits / ${result.referenceChars} chars), ${result.lines} lines found of ${truthLines}; ` +
          `det ${(detMs / pages.length).toFixed(0)} ms/page, post-processing + rec ${(recMs / pages.length).toFixed(0)} ms/page`,
      );
      if (process.env.DET_REC_VERBOSE) result.recognized.forEach((r, i) => r !== labels[i] && console.log(`    page ${i}: ${JSON.stringify(r)}\n      want ${JSON.stringify(labels[i])}`));
    }
  }
  fs.writeSync(1, '');
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
