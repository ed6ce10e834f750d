// updateWeights: a retrained model re-shipped against an artifact's compiled kernels. The model goes through
// the frontend, the passes and the code generator with the compile options the artifact's manifest records,
// compiling no kernel, and its program must have the artifact's signature (runtime/manifest.ts,
// ProgramSignature). Then the kernels file is kept byte for byte, and weights.bin and manifest.json are made
// as `compile` makes them for the new model: the result equals what compiling it would give. A program that
// differs is refused, naming its first difference, before anything is written.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DlcError } from '../compiler/errors.js';
import { bf16BitsToF32, f16BitsToF32 } from '../compiler/ir/dtype.js';
import { buildWasmArtifact, buildWebgpuArtifact, checkArtifactDestination, DLC_VERSION, MANIFEST_FILE, WGSL_KERNEL_LABEL, writeArtifactDir, type JsonValue, type WeightsFileOptions } from '../codegen/artifact.js';
import { canonicalJson } from '../codegen/canonical-json.js';
import { parseScheduleOverrides } from '../codegen/schedule.js';
import { firstDifference } from '../codegen/signature.js';
import type { WasmSource } from '../codegen/wasm/program.js';
import { DlcRuntimeError } from '../runtime/errors.js';
import { parseManifest, WASM_FILE, WGSL_FILE, type Manifest, type WasmManifest } from '../runtime/manifest.js';
import { generateProgram, type CompileOptions } from './compile.js';
import { MEMORY_MODEL } from './optimize.js';

export interface UpdateWeightsOptions {
  /** The directory to write the updated artifact to; by default the artifact's own, replaced. */
  output?: string;
}

export interface UpdatedArtifact {
  target: Manifest['target'];
  /** Every file of the updated artifact by name, manifest.json included, as written. */
  files: Map<string, Uint8Array>;
  manifest: Manifest;
  /** The kernels file kept (model.wasm or kernels.wgsl). */
  kernelsFile: string;
  /** The directory written. */
  output: string;
}

/** The compile options a manifest records, each of which update-weights replays (quantization needs its data sets). */
const REPLAYED_OPTIONS = ['target', 'pipeline', 'inputShapes', 'schedules', 'precision', 'model'];

/**
 * What a compressed artifact records besides: the compression report and what each weight packed into. The
 * new model is not compressed again (its weights are the retrained ones, as they are to ship): its weights are
 * packed like the artifact's, and the pipeline replays without the compression step.
 */
const COMPRESSION_RECORDS = ['compression', 'packedWeights'];

/** The pipeline a compressed artifact records, without its compression step. */
function withoutCompression(pipeline: unknown): unknown {
  return typeof pipeline === 'string' ? pipeline.replace(/(^|,)compress\{[^}]*\}/, '').replace(/^,/, '') : pipeline;
}

export async function updateWeights(artifactDir: string, model: Uint8Array | string, options: UpdateWeightsOptions = {}): Promise<UpdatedArtifact> {
  const output = options.output ?? artifactDir;
  checkArtifactDestination(output);
  const { manifest, kernels } = readArtifact(artifactDir);
  const { signature } = manifest;
  if (!signature) throw new DlcError(`${artifactDir}: the artifact records no program signature (dlc ${manifest.dlcVersion} wrote it); recompile with dlc compile`);
  const generated = generateProgram(model, replayedOptions(manifest, artifactDir));
  checkReplayed(manifest.options, generated.recorded, artifactDir);
  const modelName = typeof model === 'string' ? model : MEMORY_MODEL;
  const fresh = generated.target === 'wasm' ? { ...generated.program.layout, signature: generated.program.signature } : generated.program;
  const difference = firstDifference({ ...manifest, signature }, fresh, ['in the artifact', `in ${modelName}`]);
  if (difference) {
    // Code generators change between versions: then even the same model may not match.
    const version = manifest.dlcVersion === DLC_VERSION ? '' : ` (the artifact was compiled by dlc ${manifest.dlcVersion}, this is dlc ${DLC_VERSION})`;
    throw new DlcError(`${artifactDir}: ${modelName} does not match the compiled program: ${difference}${version}; recompile with dlc compile`);
  }

  const weightsOptions = { packed: manifest.weightsEncoding === 'packed' };
  const files =
    generated.target === 'webgpu'
      ? buildWebgpuArtifact(generated.program, generated.recorded, weightsOptions)
      : wasmFiles(generated.program, manifest as WasmManifest, kernels.bytes, generated.recorded, weightsOptions);
  // wasm keeps the artifact's module; webgpu writes kernels.wgsl anew, whose code equal signatures cover (not
  // its labels: the new model's nodes may be named otherwise).
  const code = (bytes: Uint8Array) => (kernels.name === WGSL_FILE ? unlabelled(bytes) : bytes);
  if (!equalBytes(code(files.get(kernels.name)!), code(kernels.bytes))) throw new Error(`update-weights bug: ${kernels.name} differs under an equal program signature`);
  writeArtifactDir(output, files);
  const written = JSON.parse(new TextDecoder().decode(files.get(MANIFEST_FILE))) as Manifest;
  return { target: manifest.target, files, manifest: written, kernelsFile: kernels.name, output };
}

/**
 * The artifact's files for a generated wasm program (the signatures are equal, so the artifact is wasm too):
 * its module, and the memory that module declares, which only the AssemblyScript compiler could tell.
 */
function wasmFiles(program: WasmSource, manifest: WasmManifest, wasm: Uint8Array, recorded: Record<string, JsonValue>, weightsOptions: WeightsFileOptions): Map<string, Uint8Array> {
  const { weights, layout, kernels, signature, specialized } = program;
  // The artifact's module keeps its own exports: `step` and dependencies only where it was compiled with them.
  const dependencies = manifest.dependencies && program.dependencies;
  return buildWasmArtifact({ wasm, weights, layout: { ...layout, memoryBytes: manifest.memory.bytes }, kernels, signature, specialized, dependencies }, recorded, weightsOptions);
}

/** The artifact's manifest and its kernels file, which must match the sha-256 the manifest lists. */
function readArtifact(dir: string): { manifest: Manifest; kernels: { name: string; bytes: Uint8Array } } {
  const read = (name: string) => {
    try {
      return new Uint8Array(fs.readFileSync(path.join(dir, name)));
    } catch (e) {
      throw new DlcError(`${dir}: cannot read ${name}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
  };
  let manifest: Manifest;
  try {
    manifest = parseManifest(new TextDecoder().decode(read(MANIFEST_FILE)), dir);
  } catch (e) {
    throw e instanceof DlcRuntimeError ? new DlcError(e.message) : e;
  }
  const name = manifest.target === 'wasm' ? WASM_FILE : WGSL_FILE;
  const bytes = read(name);
  const entry = manifest.files[name];
  if (bytes.length !== entry.bytes || createHash('sha256').update(bytes).digest('hex') !== entry.sha256) {
    throw new DlcError(`${dir}: ${name} does not match the sha-256 in manifest.json: the artifact is corrupted or was tampered with`);
  }
  return { manifest, kernels: { name, bytes } };
}

/** The compile options the manifest records, as `compile` takes them; what cannot be replayed is refused. */
function replayedOptions(manifest: Manifest, where: string): CompileOptions {
  const recorded = manifest.options;
  if ('quantization' in recorded) {
    throw new DlcError(`${where}: the artifact was quantized with calibration data, which update-weights cannot replay; recompile with dlc compile --quantize`);
  }
  const unknown = Object.keys(recorded).find((key) => !REPLAYED_OPTIONS.includes(key) && !COMPRESSION_RECORDS.includes(key));
  if (unknown !== undefined) throw new DlcError(`${where}: the artifact records the compile option '${unknown}', which update-weights cannot replay; recompile with dlc compile`);
  const { inputShapes, schedules, precision } = recorded;
  const pipeline = withoutCompression(recorded.pipeline);
  if (recorded.target !== manifest.target || typeof pipeline !== 'string' || !isObject(inputShapes) || !isObject(schedules)) {
    throw new DlcError(`${where}: manifest.json does not record the compile options update-weights replays (target, pipeline, inputShapes, schedules)`);
  }
  return {
    target: manifest.target,
    pipeline,
    inputShapes: inputShapes as Record<string, number[]>,
    inputValues: Object.fromEntries((manifest.specialized ?? []).map((s) => [s.name, s.values.map((v) => (typeof v === 'string' ? Number(v) : s.dtype === 'f16' ? f16BitsToF32(v) : s.dtype === 'bf16' ? bf16BitsToF32(v) : v))])),
    schedules: parseScheduleOverrides(schedules, `${where}: manifest.json options.schedules`),
    ...(precision === undefined ? {} : { precision: precision as CompileOptions['precision'] }),
  };
}

/** The options recorded anew must be the artifact's (but the model's name and hash): else one did not replay. */
function checkReplayed(before: Record<string, unknown>, after: Record<string, JsonValue>, where: string): void {
  for (const key of REPLAYED_OPTIONS) {
    const recorded = key === 'pipeline' ? withoutCompression(before[key]) : before[key];
    if (key === 'model' || canonicalJson(recorded) === canonicalJson(after[key])) continue;
    throw new DlcError(`${where}: the compile option '${key}' the artifact records did not replay (${JSON.stringify(before[key])} recorded, ${JSON.stringify(after[key])} replayed); recompile with dlc compile`);
  }
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** kernels.wgsl without the comment lines that label its modules with their kernels. */
function unlabelled(bytes: Uint8Array): Uint8Array {
  const text = new TextDecoder().decode(bytes);
  return new TextEncoder().encode(text.split('\n').filter((l) => !l.startsWith(`// ${WGSL_KERNEL_LABEL}`)).join('\n'));
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
