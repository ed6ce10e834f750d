// The real models that ship in npm packages and must compile and match onnxruntime: where they live and the
// input shapes they are specialized to.
import * as path from 'node:path';
import { REPO_ROOT } from '../util/repo.js';

export interface RealModel {
  name: string;
  file: string;
  inputShapes: Record<string, number[]>;
}

const NM = path.join(REPO_ROOT, 'node_modules');
const OCR = path.join(NM, '@gutenye', 'ocr-models', 'assets');
const OWW = path.join(NM, 'openwakeword-js', 'models');

export const REAL_MODELS: RealModel[] = [
  { name: 'ppocr-cls', file: path.join(OCR, 'ch_ppocr_mobile_v2.0_cls_infer.onnx'), inputShapes: { x: [1, 3, 48, 192] } },
  { name: 'ppocrv4-det', file: path.join(OCR, 'ch_PP-OCRv4_det_infer.onnx'), inputShapes: { x: [1, 3, 320, 320] } },
  { name: 'ppocrv4-rec', file: path.join(OCR, 'ch_PP-OCRv4_rec_infer.onnx'), inputShapes: { x: [1, 3, 48, 320] } },
  { name: 'oww-hello-deepa', file: path.join(OWW, 'hello_deepa.onnx'), inputShapes: {} },
  { name: 'oww-hello-deepa-old', file: path.join(OWW, 'hello_deepa_old.onnx'), inputShapes: {} },
  { name: 'oww-namaste-deepa', file: path.join(OWW, 'namaste_deepa.onnx'), inputShapes: {} },
];

/**
 * The real models at the input sizes the webgpu tests run them at: PP-OCR det and rec at smaller sizes of the
 * same graphs, since SwiftShader (no GPU) runs them on the CPU and its run time scales with the pixels, while
 * the kernels are the same kinds. The sample model (tiny-cnn) comes first.
 */
export function webgpuTestModels(): RealModel[] {
  const smaller: Record<string, Record<string, number[]>> = { 'ppocrv4-det': { x: [1, 3, 128, 160] }, 'ppocrv4-rec': { x: [1, 3, 48, 160] } };
  const sample = { name: 'tiny-cnn', file: path.join(REPO_ROOT, 'models', 'tiny-cnn.onnx'), inputShapes: {} };
  return [sample, ...REAL_MODELS].map((m) => ({ ...m, inputShapes: smaller[m.name] ?? m.inputShapes }));
}
