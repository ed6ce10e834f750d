// The artifact writer: a compiled WASM program → a directory of manifest.json, weights.bin and model.wasm; a
// compiled WebGPU program → manifest.json, weights.bin and kernels.wgsl (every distinct shader module once,
// labelled with the kernels that run it and their ONNX nodes, as the signature records them).
// The manifest format is defined by the runtime that reads it (runtime/manifest.ts); this file only imports
// its types, so the two cannot drift. Identical programs and options give byte-identical artifacts (sorted
// keys, no timestamps), and a directory is written beside its destination and renamed into place, so that
// no reader ever sees a half-written artifact. The program file records the manifest fields it was compiled
// with (codegen/program-record.ts), so that an edited manifest is refused at load.
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DlcError } from '../compiler/errors.js';
import { byteSize, f32ToBF16Bits, f32ToF16Bits } from '../compiler/ir/dtype.js';
import type { SpecializedInput } from '../compiler/ir/graph.js';
import { canonicalJson } from './canonical-json.js';
import type { TensorSlot, WasmProgram } from './wasm/program.js';
import {
  ARTIFACT_FORMAT,
  ARTIFACT_FORMAT_VERSION,
  SHAPE_GENERIC_FORMAT_VERSION,
  WASM_FILE,
  WEIGHTS_FILE,
  WGSL_FILE,
  type FileEntry,
  type SpecializedInput as SpecializedRecord,
  type WasmManifest,
  type WebgpuManifest,
  type WeightPlacement,
} from '../runtime/manifest.js';
import { wgslFile, type WebgpuProgram } from './wgsl/program.js';
import { packWeights } from './weights/pack-weights.js';
import { isBundle, packBundle } from '../runtime/bundle.js';
import { programRecord, withWasmRecord, withWgslRecord } from './program-record.js';

/** The package version, recorded in every manifest (a test keeps it equal to package.json's). */
export const DLC_VERSION = '0.1.0';

export const MANIFEST_FILE = 'manifest.json';

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** The artifact's files by name, manifest.json included, as they will be written. */
/** How weights.bin is written: the image as the kernels read it, or packed (compressed models). */
export interface WeightsFileOptions {
  packed?: boolean;
}

export function buildWasmArtifact(program: WasmProgram, options: Record<string, JsonValue>, weightsOptions: WeightsFileOptions = {}): Map<string, Uint8Array> {
  const { layout } = program;
  if (program.weights.length !== layout.weightsBytes) {
    throw new Error(`code generator bug: ${program.weights.length} bytes of weights, the layout says ${layout.weightsBytes}`);
  }
  const weights = weightsFile(program.weights, program.signature?.weights ?? [], weightsOptions);
  const slot = (s: TensorSlot) => {
    if (s.offset + s.shape.reduce((n, d) => n * d, 1) * byteSize(s.dtype) > layout.memoryBytes) {
      throw new Error(`code generator bug: the slot of '${s.name}' ends past the ${layout.memoryBytes}-byte memory`);
    }
    return { name: s.name, dtype: s.dtype, shape: [...s.shape], offset: s.offset, ...(s.extent ? { extent: { ...s.extent } } : {}), ...(s.symbolicShape ? { symbolicShape: s.symbolicShape } : {}) };
  };
  const manifest: WasmManifest = {
    format: ARTIFACT_FORMAT,
    formatVersion: program.dims ? SHAPE_GENERIC_FORMAT_VERSION : ARTIFACT_FORMAT_VERSION,
    ...(program.dims ? { dims: program.dims.map((r) => ({ ...r })) } : {}),
    target: 'wasm',
    dlcVersion: DLC_VERSION,
    inputs: layout.inputs.map(slot),
    outputs: layout.outputs.map(slot),
    memory: { bytes: layout.memoryBytes, weightsOffset: layout.weightsOffset, weightsBytes: layout.weightsBytes, ...(program.threads ? { threads: program.threads } : {}) },
    ...specializedField(program.specialized),
    kernels: program.kernels,
    ...(program.dependencies ? { dependencies: program.dependencies } : {}),
    ...(program.signature ? { signature: program.signature } : {}),
    ...weights.manifestFields,
    files: {},
    options: { ...options, ...weights.options },
  };
  const files = new Map<string, Uint8Array>([
    [WASM_FILE, withWasmRecord(program.wasm, programRecord(manifest))],
    [WEIGHTS_FILE, weights.file],
  ]);
  manifest.files = fileEntries(files);
  files.set(MANIFEST_FILE, new TextEncoder().encode(`${canonicalJson(manifest)}\n`));
  return files;
}

/**
 * weights.bin for a program's weights image (the bytes its kernels read): the one place where an image becomes
 * the artifact's file, for `compile` and `update-weights` alike, so that an encoding of the file goes here.
 */
function weightsFile(image: Uint8Array, placements: readonly WeightPlacement[], options: WeightsFileOptions): { file: Uint8Array; manifestFields: { weightsEncoding?: 'packed' }; options: Record<string, JsonValue> } {
  if (!options.packed) return { file: image, manifestFields: {}, options: {} };
  const packed = packWeights(image, placements);
  // What each constant became, for reports (`dlc inspect DIR`): informative, like every compile option.
  const record = packed.ranges.map((r) => ({ ...r }) as unknown as JsonValue);
  return { file: packed.file, manifestFields: { weightsEncoding: 'packed' }, options: { packedWeights: record } };
}

/**
 * The manifest's record of the inputs fixed at compile time, left out when there are none (so that other
 * artifacts are as before): each element as the input's typed array holds it, f16 and bf16 as their bits, and non-finite
 * floats, which JSON cannot hold, as strings.
 */
function specializedField(list: readonly SpecializedInput[] = []): { specialized?: SpecializedRecord[] } {
  if (list.length === 0) return {};
  const element = (dtype: string, x: number) => (dtype === 'f16' ? f32ToF16Bits(x) : dtype === 'bf16' ? f32ToBF16Bits(x) : Number.isFinite(x) ? x : String(x));
  return { specialized: list.map(({ name, value }) => ({ name, dtype: value.dtype, shape: [...value.shape], values: Array.from(value.data, (x) => element(value.dtype, x)) })) };
}

function fileEntries(files: ReadonlyMap<string, Uint8Array>): Record<string, FileEntry> {
  const entries: Record<string, FileEntry> = {};
  for (const [name, bytes] of files) entries[name] = { bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') };
  return entries;
}

/** The artifact of a WebGPU program: its files by name, manifest.json included. */
export function buildWebgpuArtifact(program: WebgpuProgram, options: Record<string, JsonValue>, weightsOptions: WeightsFileOptions = {}): Map<string, Uint8Array> {
  const wgsl = wgslFile(program.modules, moduleLabels(program));
  const image = program.weights?.data ?? new Uint8Array(0);
  const packed = weightsFile(image, program.signature.weights, weightsOptions);
  const slot = (s: WebgpuProgram['inputs'][number]) => ({ name: s.name, dtype: s.dtype, shape: [...s.shape], storage: s.storage, buffer: s.buffer, ...(s.extent ? { extent: { ...s.extent } } : {}) });
  const manifest: WebgpuManifest = {
    format: ARTIFACT_FORMAT,
    formatVersion: ARTIFACT_FORMAT_VERSION,
    target: 'webgpu',
    dlcVersion: DLC_VERSION,
    inputs: program.inputs.map(slot),
    outputs: program.outputs.map(slot),
    buffers: [...program.buffers],
    weights: program.weights
      ? { buffer: program.weights.buffer, bytes: image.length, ...(program.weights.encodings.length ? { encodings: program.weights.encodings.map((e) => ({ ...e })) } : {}) }
      : null,
    modules: program.modules.map((m) => ({ access: [...m.access], ...(m.requires ? { requires: [...m.requires], fallback: m.fallback } : {}) })),
    steps: program.steps.map((s, i) => ({ module: s.module, kernel: program.stepKernels[i], bindings: s.bindings.map((r) => ({ ...r })), workgroups: [...s.workgroups], ...(s.indirect ? { indirect: { ...s.indirect } } : {}) })),
    ...(program.loops ? { loops: program.loops.map((l) => ({ ...l })) } : {}),
    precision: { ...program.precision },
    ...specializedField(program.specialized),
    kernels: program.kernels,
    dependencies: program.dependencies,
    signature: program.signature,
    ...packed.manifestFields,
    files: {},
    options: { ...options, ...packed.options },
  };
  const files = new Map<string, Uint8Array>([
    [WGSL_FILE, new TextEncoder().encode(withWgslRecord(wgsl, programRecord(manifest)))],
    [WEIGHTS_FILE, packed.file],
  ]);
  manifest.files = fileEntries(files);
  files.set(MANIFEST_FILE, new TextEncoder().encode(`${canonicalJson(manifest)}\n`));
  return files;
}

/** What a kernels.wgsl label opens with: the comment lines after a module's mark read `// kernel <index> '<name>' from <ONNX nodes>`. */
export const WGSL_KERNEL_LABEL = 'kernel ';

/**
 * Per module of kernels.wgsl, the kernels that run it (its steps', and for a fallback module those of the steps
 * whose preferred module it stands in for), each with the ONNX nodes it came from where the signature records
 * them. Taken after modules were deduplicated by code, so a module shared by kernels names them all.
 */
function moduleLabels(program: WebgpuProgram): string[][] {
  const users = program.modules.map(() => new Set<number>());
  program.steps.forEach((s, i) => {
    const k = program.stepKernels[i];
    users[s.module].add(k);
    const fallback = program.modules[s.module].fallback;
    if (fallback !== undefined) users[fallback].add(k);
  });
  const kernels = program.signature.kernels;
  return users.map((set) => [...set].sort((a, b) => a - b).map((k) => {
    const sources = kernels[k].sources;
    return `${WGSL_KERNEL_LABEL}${k} '${kernels[k].node}'${sources?.length ? ` from ${sources.join(', ')}` : ''}`;
  }));
}

/** Builds the artifact and writes it to `dest` (see writeArtifactDir); returns its files. */
export function writeWasmArtifact(dest: string, program: WasmProgram, options: Record<string, JsonValue>): Map<string, Uint8Array> {
  const files = buildWasmArtifact(program, options);
  writeArtifactDir(dest, files);
  return files;
}

/**
 * Writes `files` as the directory `dest`: into a fresh sibling first, then renamed into place. An existing
 * artifact at `dest` is renamed away, the new one renamed in and the old one deleted; any other existing
 * file or non-empty directory is refused rather than deleted (`-o ~` must not wipe a home directory).
 */
export function writeArtifactDir(dest: string, files: ReadonlyMap<string, Uint8Array>): void {
  checkArtifactDestination(dest);
  const target = path.resolve(dest);
  const existing = fs.statSync(target, { throwIfNoEntry: false });
  const parent = path.dirname(target);
  try {
    fs.mkdirSync(parent, { recursive: true });
  } catch (e) {
    throw new DlcError(`cannot create ${parent}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const stem = path.join(parent, `.${path.basename(target)}.${randomBytes(4).toString('hex')}`);
  const fresh = `${stem}.new`;
  const old = `${stem}.old`;
  try {
    fs.mkdirSync(fresh);
    for (const [name, bytes] of files) fs.writeFileSync(path.join(fresh, name), bytes);
    if (existing) fs.renameSync(target, old);
    fs.renameSync(fresh, target);
  } catch (e) {
    fs.rmSync(fresh, { recursive: true, force: true });
    if (existing && !fs.existsSync(target) && fs.existsSync(old)) fs.renameSync(old, target);
    throw new DlcError(`cannot write artifact ${dest}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  fs.rmSync(old, { recursive: true, force: true });
}

/**
 * Writes `files` as one bundle file `dest` (runtime/bundle.ts), through a fresh sibling and a rename; an
 * existing bundle is replaced, any other existing file or a directory refused.
 */
export function writeArtifactBundle(dest: string, files: ReadonlyMap<string, Uint8Array>): void {
  checkBundleDestination(dest);
  const fresh = `${path.resolve(dest)}.${randomBytes(4).toString('hex')}.new`;
  try {
    fs.writeFileSync(fresh, packBundle(files));
    fs.renameSync(fresh, dest);
  } catch (e) {
    fs.rmSync(fresh, { force: true });
    throw new DlcError(`cannot write bundle ${dest}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

/** Refuses a bundle destination not named .dlc (loadModel tells bundles by it), or one that exists and is no bundle. */
export function checkBundleDestination(dest: string): void {
  if (!/\.dlc$/i.test(dest)) throw new DlcError(`${dest}: a bundle's name must end in .dlc`, {}, 2);
  const existing = fs.statSync(dest, { throwIfNoEntry: false });
  if (existing && !(existing.isFile() && isBundle(new Uint8Array(fs.readFileSync(dest).subarray(0, 9))))) {
    throw new DlcError(`${dest} exists and is not a dlc bundle; refusing to replace it`, {}, 2);
  }
}

/** Refuses a destination that exists and is not an artifact directory (or empty): checked before compiling, too. */
export function checkArtifactDestination(dest: string): void {
  const existing = fs.statSync(dest, { throwIfNoEntry: false });
  if (existing && !(existing.isDirectory() && isReplaceable(dest))) {
    throw new DlcError(`${dest} exists and is not a dlc artifact directory; refusing to replace it`, {}, 2);
  }
}

function isReplaceable(dir: string): boolean {
  const names = fs.readdirSync(dir);
  return names.length === 0 || names.includes(MANIFEST_FILE);
}
