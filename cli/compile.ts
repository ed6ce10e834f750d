// `dlc compile MODEL --target wasm|webgpu -o DIR`: loads an ONNX model, runs the -O pipeline, generates the
// WebAssembly module or the WGSL kernels and writes the artifact (manifest.json, weights.bin, and model.wasm
// or kernels.wgsl).
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { UsageError } from '../compiler/errors.js';
import { formatShape } from '../compiler/ir/graph.js';
import { loadOnnxFile } from '../compiler/onnx/frontend.js';
import { buildWebgpuArtifact, checkArtifactDestination, writeArtifactDir, writeWasmArtifact, type JsonValue } from '../codegen/artifact.js';
import { compileToWebgpu, type Precision, type WebgpuProgram } from '../codegen/wgsl/program.js';
import { compileToWasm, type WasmProgram } from '../codegen/wasm/program.js';
import { PassManager } from '../passes/manager.js';
import { printPipeline } from '../passes/pipelines.js';
import { formatBytes, parseInputShapes, selectPipeline } from './inspect.js';
import type { CliIo } from './main.js';

export const TARGETS = ['wasm', 'webgpu'];

export interface ModelOptions {
  target: string;
  inputShape: string[];
  optLevel?: string;
  passes?: string;
  /** webgpu only: the precision asked for (the manifest records the one used). */
  precision?: string;
}

export const PRECISIONS = ['f32', 'f16'];

export interface CompileOptions extends ModelOptions {
  output: string;
}

export type CompiledArtifact = { target: 'wasm'; program: WasmProgram; files: Map<string, Uint8Array> } | { target: 'webgpu'; program: WebgpuProgram; files: Map<string, Uint8Array> };

/** Compiles `model` and writes its artifact to `dest`; what `dlc compile` and `dlc verify` share. */
export async function compileModelToArtifact(model: string, opts: ModelOptions, dest: string, io: CliIo): Promise<CompiledArtifact> {
  if (!TARGETS.includes(opts.target)) throw new UsageError(`unknown target '${opts.target}' (have: ${TARGETS.join(', ')})`);
  if (opts.precision !== undefined && opts.target !== 'webgpu') throw new UsageError('--precision applies to --target webgpu');
  const inputShapes = parseInputShapes(opts.inputShape);
  const pass = selectPipeline(opts);
  checkArtifactDestination(dest);
  const { graph } = loadOnnxFile(model, { inputShapes });
  const manager = new PassManager({ warn: (message) => io.stderr.write(`dlc: warning: ${message}\n`) });
  const optimized = manager.run(pass, graph);
  // What decides the artifact's bytes, so that a manifest tells how to rebuild it.
  const options: Record<string, JsonValue> = {
    target: opts.target,
    pipeline: printPipeline(pass),
    inputShapes,
    model: { name: path.basename(model), sha256: createHash('sha256').update(fs.readFileSync(model)).digest('hex') },
  };
  if (opts.target === 'webgpu') {
    const precision = (opts.precision ?? 'f32') as Precision;
    options.precision = precision;
    const program = compileToWebgpu(optimized, { precision });
    const files = buildWebgpuArtifact(program, options);
    writeArtifactDir(dest, files);
    return { target: 'webgpu', program, files };
  }
  const program = await compileToWasm(optimized);
  return { target: 'wasm', program, files: writeWasmArtifact(dest, program, options) };
}

export async function compileCommand(model: string, opts: CompileOptions, io: CliIo): Promise<number> {
  const compiled = await compileModelToArtifact(model, opts, opts.output, io);
  const { program, files } = compiled;
  const slots = (list: readonly { name: string; dtype: string; shape: number[] }[]) => list.map((s) => `${s.name}: ${s.dtype}${formatShape(s.shape)}`).join(', ');
  const size = (name: string) => formatBytes(files.get(name)?.length ?? 0);
  const kernels = `${program.kernels} kernel${program.kernels === 1 ? '' : 's'}`;
  let details: string;
  const tensors = compiled.target === 'webgpu' ? compiled.program : compiled.program.layout;
  if (compiled.target === 'webgpu') {
    const p = compiled.program.precision;
    const gpuBytes = compiled.program.buffers.reduce((a, b) => a + b, 0);
    details =
      `${kernels} (${compiled.program.steps.length} dispatches, ${compiled.program.modules.length} shader modules); kernels.wgsl ${size('kernels.wgsl')}, ` +
      `weights.bin ${size('weights.bin')}, GPU buffers ${formatBytes(gpuBytes)}; precision ${p.used}${p.weights !== p.used ? `, weights ${p.weights}` : ''}${p.reason ? ` (${p.requested} requested: ${p.reason})` : ''}`;
  } else {
    details = `${kernels}; model.wasm ${size('model.wasm')}, weights.bin ${size('weights.bin')}, linear memory ${formatBytes(compiled.program.layout.memoryBytes)}`;
  }
  io.stdout.write(`compiled ${model} for ${opts.target} into ${opts.output}: ${details}; inputs ${slots(tensors.inputs)}; outputs ${slots(tensors.outputs)}.\n`);
  return 0;
}
