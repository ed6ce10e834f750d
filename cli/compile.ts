// `dlc compile MODEL --target wasm -o DIR`: loads an ONNX model, runs the -O pipeline, generates the
// WebAssembly module and writes the artifact (manifest.json, weights.bin, model.wasm).
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { UsageError } from '../compiler/errors.js';
import { formatShape } from '../compiler/ir/graph.js';
import { loadOnnxFile } from '../compiler/onnx/frontend.js';
import { checkArtifactDestination, writeWasmArtifact, type JsonValue } from '../codegen/artifact.js';
import { compileToWasm, type WasmProgram } from '../codegen/wasm/program.js';
import { PassManager } from '../passes/manager.js';
import { printPipeline } from '../passes/pipelines.js';
import { checkInputNames, formatBytes, parseInputShapes, selectPipeline } from './inspect.js';
import type { CliIo } from './main.js';

export const TARGETS = ['wasm', 'webgpu'];

export interface ModelOptions {
  target: string;
  inputShape: string[];
  optLevel?: string;
  passes?: string;
}

export interface CompileOptions extends ModelOptions {
  output: string;
}

export interface CompiledArtifact {
  program: WasmProgram;
  files: Map<string, Uint8Array>;
}

/** Compiles `model` and writes its artifact to `dest`; what `dlc compile` and `dlc verify` share. */
export async function compileModelToArtifact(model: string, opts: ModelOptions, dest: string, io: CliIo): Promise<CompiledArtifact> {
  if (opts.target !== 'wasm') throw new UsageError(`target '${opts.target}' is not yet supported (have: wasm)`);
  const inputShapes = parseInputShapes(opts.inputShape);
  const pass = selectPipeline(opts);
  checkArtifactDestination(dest);
  const { graph } = loadOnnxFile(model, { inputShapes });
  checkInputNames(graph, inputShapes);
  const manager = new PassManager({ warn: (message) => io.stderr.write(`dlc: warning: ${message}\n`) });
  const program = await compileToWasm(manager.run(pass, graph));
  // What decides the artifact's bytes, so that a manifest tells how to rebuild it.
  const options: Record<string, JsonValue> = {
    target: opts.target,
    pipeline: printPipeline(pass),
    inputShapes,
    model: { name: path.basename(model), sha256: createHash('sha256').update(fs.readFileSync(model)).digest('hex') },
  };
  return { program, files: writeWasmArtifact(dest, program, options) };
}

export async function compileCommand(model: string, opts: CompileOptions, io: CliIo): Promise<number> {
  const { program, files } = await compileModelToArtifact(model, opts, opts.output, io);
  const { layout } = program;
  const slots = (list: typeof layout.inputs) => list.map((s) => `${s.name}: ${s.dtype}${formatShape(s.shape)}`).join(', ');
  const size = (name: string) => formatBytes(files.get(name)?.length ?? 0);
  io.stdout.write(
    `compiled ${model} for ${opts.target} into ${opts.output}: ${program.kernels} kernel${program.kernels === 1 ? '' : 's'}; ` +
      `model.wasm ${size('model.wasm')}, weights.bin ${size('weights.bin')}, linear memory ${formatBytes(layout.memoryBytes)}; ` +
      `inputs ${slots(layout.inputs)}; outputs ${slots(layout.outputs)}.\n`,
  );
  return 0;
}
