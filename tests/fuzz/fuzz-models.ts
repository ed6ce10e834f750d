// The models the fuzzer mutates: the small ones run through the interpreter too.
import * as path from 'node:path';
import { REAL_MODELS } from '../models/real-models.js';
import { REPO_ROOT } from '../util/repo.js';
import type { FuzzModel } from './run-fuzz.js';

const SAMPLE = path.join(REPO_ROOT, 'models', 'tiny-cnn.onnx');

/** Fast enough for CI: the sample model, ppocr cls (import only) and the wake-word models. */
export function ciFuzzModels(): FuzzModel[] {
  return [
    { name: 'tiny-cnn', file: SAMPLE, inputShapes: {}, run: true },
    ...REAL_MODELS.filter((m) => m.name === 'ppocr-cls' || m.name.startsWith('oww-')).map((m) => ({ ...m, run: m.name.startsWith('oww-') })),
  ];
}

/** Everything, for `npm run fuzz`: adds PP-OCRv4 det and rec (import only). */
export function allFuzzModels(): FuzzModel[] {
  const ci = ciFuzzModels();
  const big = REAL_MODELS.filter((m) => !ci.some((c) => c.name === m.name)).map((m) => ({ ...m, run: false }));
  return [...ci, ...big];
}
