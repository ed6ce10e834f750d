// A text recognizer (PP-OCR rec) as the det-cer metric reads lines with it: an ONNX model specialized to one
// line of [1, 3, 48, W], on the reference interpreter or compiled for wasm; both synchronous, as the accuracy
// guard inside the compiler needs, and memoized per distinct line, so that a compressed det's candidates re-read
// only the lines whose boxes moved. Measured on a shared 2-core machine: a 48 × 320 line takes about 4 s on the
// interpreter and about 0.2–0.4 s compiled.
import type { LineRecognizer } from '../accuracy/det-rec-cer.js';
import { memoizedRecognizer } from '../accuracy/det-rec-cer.js';
import { graphRunner } from '../accuracy/evaluate.js';
import { REC_HEIGHT, REC_WIDTH } from '../accuracy/rec-preprocess.js';
import { DlcError } from '../compiler/errors.js';
import { Tensor } from '../compiler/ir/tensor.js';
import { quantizationPipelines } from '../passes/pipelines.js';
import { compileWasmProgram } from '../codegen/wasm/program.js';
import { loadProgram } from '../codegen/wasm/run-program.js';
import { generateProgram } from './compile.js';
import { declaredInputs } from './model-inputs.js';
import { MEMORY_MODEL, optimize, readModel } from './optimize.js';

/** The rec model's one input, specialized to a line of width `width`. */
function lineShape(width: number): number[] {
  return [1, 3, REC_HEIGHT, width];
}

/** The name of the model's one input (a line). */
function recognizerModel(model: string | Uint8Array): { input: string } {
  const { bytes, file } = readModel(model);
  const inputs = declaredInputs(bytes, file ?? MEMORY_MODEL);
  if (inputs.length !== 1) throw new DlcError(`a recognizer takes one input (a line of text), this model has ${inputs.length}`, { file });
  return { input: inputs[0].name };
}

/** rec on the reference interpreter (the graph the guard's own candidates are optimized to), memoized. */
export function interpretedRecognizer(model: string | Uint8Array, width = REC_WIDTH): LineRecognizer {
  const { input } = recognizerModel(model);
  const shape = lineShape(width);
  const { graph } = optimize(model, { inputShapes: { [input]: shape }, pipeline: quantizationPipelines(2).optimize });
  const run = graphRunner(graph);
  return memoizedRecognizer((line) => {
    const y = run({ [input]: new Tensor('f32', shape, line) });
    return { shape: y.shape, data: y.data as Float32Array };
  });
}

/**
 * rec compiled for wasm and run synchronously on its loaded module, memoized: what `dlc eval` reads lines with, and
 * the compression guard when its candidates run compiled too (about 0.2 s a line instead of 4 s on the interpreter).
 */
export async function compiledLineRecognizer(model: string | Uint8Array, width = REC_WIDTH): Promise<LineRecognizer> {
  const { input } = recognizerModel(model);
  const shape = lineShape(width);
  const generated = generateProgram(model, { target: 'wasm', inputShapes: { [input]: shape } });
  if (generated.target !== 'wasm') throw new DlcError('a wasm program was expected');
  const loaded = await loadProgram(await compileWasmProgram(generated.program));
  const output = generated.program.layout.outputs[0].name;
  return memoizedRecognizer((line) => {
    const y = loaded.run({ [input]: new Tensor('f32', shape, line) })[output];
    return { shape: y.shape, data: y.data as Float32Array };
  });
}
