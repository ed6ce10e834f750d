// manifest.json: what an artifact holds and how to run it, for either target (wasm: one module over a linear
// memory; webgpu: WGSL modules, GPU buffers and dispatches). The compiler's artifact writer produces it and
// this file is its definition; `parseManifest` checks every field a loader relies on, because the manifest
// is the one file that its own sha-256 list cannot cover.
import { DlcRuntimeError } from './errors.js';
import { bytesPerElement, elementCount, isDTypeName, type DTypeName } from './dtypes.js';
import type { DimRange, SymbolicShape } from './symbolic-dims.js';

export const ARTIFACT_FORMAT = 'dlc-artifact';
/** Bumped on any change a runtime must know about to run an artifact (2: run-time loops, run-time-sized outputs). */
export const ARTIFACT_FORMAT_VERSION = 2;
/** The version of a shape-generic artifact (manifest `dims`), which a runtime without symbolic dims must refuse. */
export const SHAPE_GENERIC_FORMAT_VERSION = 3;

export interface TensorInfo {
  name: string;
  dtype: DTypeName;
  shape: number[];
}

/**
 * A model input fixed at compile time because its value decides shapes (TensorRT's shape tensors): it is no
 * input of the compiled model, and a feed for it must equal `values`, the elements as the input's typed array
 * holds them (f16 as bits, bool as 0/1, non-finite floats as the strings 'NaN', 'Infinity', '-Infinity').
 */
export interface SpecializedInput extends TensorInfo {
  values: (number | string)[];
}

/**
 * An output whose extent along `dim` depends on data (NonZero, Compress, Unique, NonMaxSuppression): its
 * `shape` holds that dim's bound, and a run writes the actual extent as an int32 at byte `offset` (wasm: of
 * the linear memory; webgpu: of the output's buffer), the elements before it compactly (row-major of the
 * actual shape). The runtime returns the output trimmed to the actual shape.
 */
export interface RunTimeExtent {
  dim: number;
  offset: number;
}

/** A model input or output and where it lives in the module's linear memory (byte offset). */
export interface TensorSlot extends TensorInfo {
  offset: number;
  extent?: RunTimeExtent;
  /** In a shape-generic artifact: the shape as numbers and polynomials of the dims (`shape` is the largest). */
  symbolicShape?: SymbolicShape;
}

export interface FileEntry {
  bytes: number;
  /** Lower-case hex. */
  sha256: string;
}

/** A constant's place in the weights image (weights.bin as the kernels read it): byte offset and length. */
export interface WeightPlacement extends TensorInfo {
  offset: number;
  bytes: number;
}

/**
 * One kernel, in run order: the node it computes, the first 16 hex digits of the sha-256 of its generated code,
 * and the ONNX nodes it came from (their names in the model; informative, for profilers: absent in artifacts
 * compiled before it).
 */
export interface KernelDigest {
  node: string;
  sha256: string;
  sources?: string[];
}

/**
 * What the compiled program is apart from the weights' values. `sha256` covers everything that decides the
 * kernels file and the memory (or buffer) layout: the generated code, the layout, the inputs and outputs and
 * where each weight lies in the weights image; `weights` and `kernels` spell out parts of it, so that two
 * programs that differ can be told apart by their first difference. A model whose program has the same
 * signature runs on the same kernels file with its own weights.bin (`dlc update-weights`). The runtime does
 * not need it; artifacts written before it existed lack it.
 */
export interface ProgramSignature {
  sha256: string;
  weights: WeightPlacement[];
  kernels: KernelDigest[];
}

/**
 * What each step computes from, so that a run asked for some outputs computes only what they need: per step
 * (wasm: kernel; webgpu: dispatch) the earlier steps whose writes it reads, and per output the steps that
 * write it (none for an input or constant passed through). Absent in artifacts compiled before it: those
 * compute every step.
 */
export interface StepDependencies {
  steps: number[][];
  outputs: number[][];
}

export interface WasmManifest {
  format: typeof ARTIFACT_FORMAT;
  formatVersion: number;
  target: 'wasm';
  dlcVersion: string;
  inputs: TensorSlot[];
  outputs: TensorSlot[];
  /**
   * `threads`, when present (above 1): the module was built for that many threads. It then imports a shared
   * memory of exactly `bytes` (a multiple of 64 KiB) as `env.memory` and exports `run(tid, nthreads)`, which
   * every thread calls; the runtime may run it on fewer threads.
   */
  memory: { bytes: number; weightsOffset: number; weightsBytes: number; threads?: number };
  /**
   * A shape-generic artifact's symbolic dims and their ranges: the module exports `setDims(d0, d1, …)` (in
   * this order), which a run calls before it writes the inputs. Absent in an artifact of one shape.
   */
  dims?: DimRange[];
  /** Absent when no input was specialized. */
  specialized?: SpecializedInput[];
  kernels: number;
  dependencies?: StepDependencies;
  signature?: ProgramSignature;
  /** 'packed': weights.bin holds the weights image packed (runtime/weights-decode.ts); absent: the image itself. */
  weightsEncoding?: 'packed';
  /** Every file of the artifact but manifest.json itself. */
  files: Record<string, FileEntry>;
  /** How the artifact was compiled (model hash, input shapes, pipeline…): informative only. */
  options: Record<string, unknown>;
}

/** How a webgpu artifact stores a tensor's elements on the GPU: 4 bytes each, in this WGSL scalar type. */
export type StorageType = 'f32' | 'i32' | 'u32';

/** A model input or output of a webgpu artifact: the GPU buffer that holds it, in its storage type. */
export interface GpuTensorSlot extends TensorInfo {
  storage: StorageType;
  buffer: number;
  extent?: RunTimeExtent;
}

export interface GpuBufferRange {
  buffer: number;
  offset: number;
  size: number;
}

/**
 * One compute dispatch: module `module` of kernels.wgsl with binding i bound to bindings[i]. `kernel`: the
 * kernel (index in signature.kernels) it is a dispatch of, for profilers (absent in artifacts compiled before it).
 * `indirect`: a dispatch of an If's arm, whose workgroup counts (three u32, `workgroups` when the arm is taken,
 * zeros when not) an earlier step writes at that place (dispatchWorkgroupsIndirect).
 */
export interface WebgpuStep {
  module: number;
  kernel?: number;
  bindings: GpuBufferRange[];
  workgroups: [number, number, number];
  indirect?: { buffer: number; offset: number };
}

/** A word of a GPU buffer: a run-time loop's trip count (i32) or condition (u32, 0 or 1). */
export interface GpuWord {
  buffer: number;
  offset: number;
}

/**
 * A run-time Loop or Scan: steps [first, end) are its body, dispatched once per iteration, at most `trips`
 * times (a count, or a word that the steps before it wrote, read back once; absent: no bound), while `condIn`
 * (read back once, before the first iteration) and `condOut` (read back after each iteration) are non-zero.
 */
export interface WebgpuLoop {
  first: number;
  end: number;
  trips?: number | GpuWord;
  condIn?: GpuWord;
  condOut?: GpuWord;
}

export interface WebgpuModuleInfo {
  access: ('read' | 'read_write')[];
  requires?: string[];
  fallback?: number;
}

export interface WeightEncodingRange {
  offset: number;
  bytes: number;
  encoding: 'i8x4';
}

export interface WebgpuManifest {
  format: typeof ARTIFACT_FORMAT;
  formatVersion: number;
  target: 'webgpu';
  dlcVersion: string;
  inputs: GpuTensorSlot[];
  outputs: GpuTensorSlot[];
  /** Byte size of each GPU buffer. */
  buffers: number[];
  /**
   * The buffer weights.bin fills once at load, as it is (null without weights); `encodings` lists the byte
   * ranges whose u32 words pack narrower elements, which the kernels read directly: 'i8x4', four i8 weights
   * per word, element 4q + j in byte j (absent when there are none).
   */
  weights: { buffer: number; bytes: number; encodings?: WeightEncodingRange[] } | null;
  /**
   * Per module of kernels.wgsl (in order): the access of each binding; a module that needs WGSL language
   * features names them in `requires` and, in `fallback`, a module with the same bindings that computes the
   * same in core WGSL, which a device lacking one of them runs instead (steps name the preferred module).
   */
  modules: WebgpuModuleInfo[];
  steps: WebgpuStep[];
  /** Run-time loops over the steps, in order and apart (absent: the steps run once each, in order). */
  loops?: WebgpuLoop[];
  /** The precision asked for, the one the kernels compute in, how weights are stored, and why they differ. */
  precision: { requested: 'f32' | 'f16'; used: 'f32' | 'f16'; weights: 'f32' | 'f16'; reason?: string };
  specialized?: SpecializedInput[];
  kernels: number;
  dependencies?: StepDependencies;
  signature?: ProgramSignature;
  weightsEncoding?: 'packed';
  files: Record<string, FileEntry>;
  options: Record<string, unknown>;
}

export type Manifest = WasmManifest | WebgpuManifest;

export const WASM_FILE = 'model.wasm';
export const WGSL_FILE = 'kernels.wgsl';
export const WEIGHTS_FILE = 'weights.bin';
/** The line that opens each module of kernels.wgsl. */
export const WGSL_MODULE_MARK = /^\/\/ dlc:module (\d+)$/;

export function wgslModuleMark(i: number): string {
  return `// dlc:module ${i}`;
}

type Fail = (why: string) => never;

export function parseManifest(text: string, where: string): Manifest {
  const fail: Fail = (why) => {
    throw new DlcRuntimeError(`${where}: bad manifest.json: ${why}`);
  };
  let m: Record<string, unknown>;
  try {
    m = JSON.parse(text);
  } catch (e) {
    return fail((e as Error).message);
  }
  if (!isObject(m) || m.format !== ARTIFACT_FORMAT) return fail(`not a dlc artifact (format is ${JSON.stringify(isObject(m) ? m.format : m)})`);
  if (m.formatVersion !== ARTIFACT_FORMAT_VERSION && !(m.formatVersion === SHAPE_GENERIC_FORMAT_VERSION && m.dims !== undefined)) {
    throw new DlcRuntimeError(`${where}: artifact format version ${m.formatVersion}, this runtime reads version ${ARTIFACT_FORMAT_VERSION}: recompile the model or update the runtime`);
  }
  if (m.dims !== undefined && m.target !== 'wasm') fail('dims (a shape-generic artifact) apply to the wasm target');
  if (m.target !== 'wasm' && m.target !== 'webgpu') throw new DlcRuntimeError(`${where}: target '${m.target}' is not supported by this runtime (have: wasm, webgpu)`);

  const files = m.files as Record<string, FileEntry>;
  if (!isObject(files)) fail('files must map file names to {bytes, sha256}');
  for (const [name, f] of Object.entries(files)) {
    // Plain names only: a manifest must not reach outside its directory.
    if (!/^[\w-][\w.-]*$/.test(name) || name === 'manifest.json') fail(`bad file name ${JSON.stringify(name)}`);
    if (!isObject(f) || !isCount(f.bytes) || typeof f.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(f.sha256)) fail(`file '${name}' needs bytes and a hex sha256`);
  }
  if (m.weightsEncoding !== undefined && m.weightsEncoding !== 'packed') fail(`unknown weightsEncoding ${JSON.stringify(m.weightsEncoding)} (this runtime reads 'packed')`);
  const packed = m.weightsEncoding === 'packed';
  const common = {
    ...(packed ? { weightsEncoding: 'packed' as const } : {}),
    format: ARTIFACT_FORMAT,
    formatVersion: ARTIFACT_FORMAT_VERSION,
    dlcVersion: String(m.dlcVersion),
    kernels: Number(m.kernels),
    files,
    options: isObject(m.options) ? (m.options as Record<string, unknown>) : {},
    specialized: m.specialized === undefined ? [] : tensorList<SpecializedInput>(m, 'specialized', fail, (s, what) => {
      if (!Array.isArray(s.values) || s.values.length !== elementCount(s.shape) || !s.values.every((v) => typeof v === 'number' || typeof v === 'string')) fail(`${what} needs one value per element`);
    }),
  } as const;
  const manifest: Manifest = m.target === 'wasm' ? { ...common, target: 'wasm', ...parseWasm(m, files, packed, fail) } : { ...common, target: 'webgpu', ...parseWebgpu(m, files, packed, fail) };
  if (m.dependencies !== undefined) {
    const d = m.dependencies as StepDependencies;
    const steps = manifest.target === 'wasm' ? manifest.kernels : manifest.steps.length;
    const list = (x: unknown, below: (i: number) => number) => Array.isArray(x) && x.every((l, i) => Array.isArray(l) && l.every((j) => isCount(j) && j < below(i)));
    if (!isObject(d) || d.steps?.length !== steps || !list(d.steps, (i) => i) || d.outputs?.length !== manifest.outputs.length || !list(d.outputs, () => steps)) {
      fail(`dependencies must list, per step (${steps}), earlier steps, and per output the steps that write it`);
    }
    manifest.dependencies = d;
  }
  if (m.signature !== undefined) {
    const weightsBytes = manifest.target === 'wasm' ? manifest.memory.weightsBytes : (manifest.weights?.bytes ?? 0);
    manifest.signature = parseSignature(m.signature, weightsBytes, manifest.kernels, fail);
  }
  return manifest;
}

function parseSignature(s: unknown, weightsBytes: number, kernels: number, fail: Fail): ProgramSignature {
  const hex = (x: unknown, digits: number) => typeof x === 'string' && x.length === digits && /^[0-9a-f]+$/.test(x);
  const weight = (w: WeightPlacement) =>
    isObject(w) && typeof w.name === 'string' && isDTypeName(w.dtype) && Array.isArray(w.shape) && w.shape.every(isCount) && isCount(w.offset) && isCount(w.bytes) && w.offset + w.bytes <= weightsBytes;
  const ok = isObject(s) && hex(s.sha256, 64) && Array.isArray(s.weights) && s.weights.every(weight) &&
    Array.isArray(s.kernels) && s.kernels.length === kernels && s.kernels.every((k) => isObject(k) && typeof k.node === 'string' && hex(k.sha256, 16));
  if (!ok) fail(`signature needs a hex sha256, weights {name, dtype, shape, offset, bytes} within the ${weightsBytes} bytes of weights, and {node, sha256 (16 hex digits)} for each of the ${kernels} kernels`);
  return s as unknown as ProgramSignature;
}

/** The inputs or outputs: distinct names, known dtypes, shapes of non-negative integers; `check` the rest of each. */
function tensorList<T extends TensorInfo>(m: Record<string, unknown>, key: 'inputs' | 'outputs' | 'specialized', fail: Fail, check: (s: T, what: string) => void): T[] {
  const list = m[key];
  if (!Array.isArray(list)) return fail(`${key} must be a list`);
  const names = new Set<string>();
  for (const s of list as T[]) {
    if (!isObject(s) || typeof s.name !== 'string' || names.has(s.name)) fail(`${key} must have distinct names`);
    names.add(s.name);
    const what = `${key === 'specialized' ? 'specialized input' : key.slice(0, -1)} '${s.name}'`;
    if (!isDTypeName(s.dtype)) fail(`${what} has unknown dtype ${JSON.stringify(s.dtype)}`);
    if (!Array.isArray(s.shape) || !s.shape.every(isCount)) fail(`${what} needs a shape of non-negative integers`);
    check(s, what);
  }
  return list as T[];
}

function parseWasm(m: Record<string, unknown>, files: Record<string, FileEntry>, packed: boolean, fail: Fail): Pick<WasmManifest, 'inputs' | 'outputs' | 'memory' | 'dims'> {
  const memory = m.memory as WasmManifest['memory'];
  if (!isObject(memory) || ![memory.bytes, memory.weightsOffset, memory.weightsBytes].every(isCount)) fail('memory must hold byte counts bytes, weightsOffset, weightsBytes');
  if (memory.threads !== undefined && !(isCount(memory.threads) && memory.threads > 1 && memory.bytes % 65536 === 0)) fail('memory.threads must be a count above 1, with bytes a multiple of 65536');
  checkRange('weights', memory.weightsOffset, memory.weightsBytes, memory.bytes, fail);
  const slot = (s: TensorSlot, what: string) => {
    if (!isCount(s.offset)) fail(`${what} needs a byte offset`);
    checkRange(what, s.offset, elementCount(s.shape) * bytesPerElement(s.dtype), memory.bytes, fail);
    checkExtent(s, what, memory.bytes, fail);
    if (s.symbolicShape !== undefined) checkSymbolicShape(s, what, m.dims as DimRange[], fail);
  };
  checkDims(m.dims, fail);
  const inputs = tensorList<TensorSlot>(m, 'inputs', fail, slot);
  const outputs = tensorList<TensorSlot>(m, 'outputs', fail, slot);
  for (const name of [WASM_FILE, WEIGHTS_FILE]) if (!files[name]) fail(`files must list ${name}`);
  // A packed file's size is its own; decoding checks the image it gives.
  if (!packed && files[WEIGHTS_FILE].bytes !== memory.weightsBytes) fail(`${WEIGHTS_FILE} has ${files[WEIGHTS_FILE].bytes} bytes, memory.weightsBytes says ${memory.weightsBytes}`);
  return { inputs, outputs, memory, ...(m.dims === undefined ? {} : { dims: m.dims as DimRange[] }) };
}

function checkDims(dims: unknown, fail: Fail): void {
  if (dims === undefined) return;
  const ok = Array.isArray(dims) && dims.length > 0 && dims.every((r: DimRange) => isObject(r) && typeof r.name === 'string' && [r.min, r.max, r.step].every(isCount) && r.min <= r.max && r.step > 0);
  if (!ok) fail('dims must list ranges {name, min, max, step}');
}

function checkSymbolicShape(s: TensorSlot, what: string, dims: DimRange[] | undefined, fail: Fail): void {
  const poly = (d: unknown) => isObject(d) && Array.isArray(d.terms) && d.terms.every((t: { coefficient: unknown; powers: unknown }) => isObject(t) && typeof t.coefficient === 'number' && Array.isArray(t.powers) && t.powers.length === dims!.length && t.powers.every(isCount));
  if (!dims || !Array.isArray(s.symbolicShape) || s.symbolicShape.length !== s.shape.length || !s.symbolicShape.every((d) => isCount(d) || poly(d))) {
    fail(`${what} has a symbolicShape that does not match its shape and the dims`);
  }
}

const STORAGE_TYPES: readonly string[] = ['f32', 'i32', 'u32'];

function parseWebgpu(m: Record<string, unknown>, files: Record<string, FileEntry>, packed: boolean, fail: Fail): Pick<WebgpuManifest, 'inputs' | 'outputs' | 'buffers' | 'weights' | 'modules' | 'steps' | 'loops' | 'precision'> {
  const buffers = m.buffers as number[];
  if (!Array.isArray(buffers) || !buffers.every((b) => isCount(b) && b > 0 && b % 4 === 0)) fail('buffers must list positive byte sizes, multiples of 4');
  const isBuffer = (b: unknown): b is number => isCount(b) && b < buffers.length;
  const slot = (s: GpuTensorSlot, what: string) => {
    if (!STORAGE_TYPES.includes(s.storage)) fail(`${what} has unknown storage type ${JSON.stringify(s.storage)}`);
    if (!isBuffer(s.buffer)) fail(`${what} needs a buffer index`);
    if (elementCount(s.shape) * 4 > buffers[s.buffer]) fail(`${what} does not fit its ${buffers[s.buffer]}-byte buffer`);
    checkExtent(s, what, buffers[s.buffer], fail);
  };
  const inputs = tensorList<GpuTensorSlot>(m, 'inputs', fail, slot);
  const outputs = tensorList<GpuTensorSlot>(m, 'outputs', fail, slot);
  const weights = m.weights as WebgpuManifest['weights'];
  if (weights !== null && !(isObject(weights) && isBuffer(weights.buffer) && isCount(weights.bytes) && weights.bytes <= buffers[weights.buffer])) {
    fail('weights must be null or {buffer, bytes} within that buffer');
  }
  if (weights?.encodings !== undefined) {
    const ok = Array.isArray(weights.encodings) && weights.encodings.every((e) => isObject(e) && e.encoding === 'i8x4' && isCount(e.offset) && isCount(e.bytes) && e.offset + e.bytes <= weights.bytes);
    if (!ok) fail("weights.encodings must list {offset, bytes, encoding: 'i8x4'} ranges within the weights");
  }
  const modules = m.modules as WebgpuManifest['modules'];
  if (!Array.isArray(modules) || !modules.every((x) => isObject(x) && Array.isArray(x.access) && x.access.every((a) => a === 'read' || a === 'read_write'))) {
    fail('modules must list the access (read or read_write) of each binding');
  }
  modules.forEach((x, i) => {
    if (x.requires === undefined && x.fallback === undefined) return;
    const fallback = isCount(x.fallback) ? modules[x.fallback] : undefined;
    const same = fallback && fallback.requires === undefined && fallback.access.length === x.access.length && fallback.access.every((a, j) => a === x.access[j]);
    if (!Array.isArray(x.requires) || !x.requires.every((f) => typeof f === 'string') || !same) {
      fail(`module ${i}: requires must list WGSL language features and fallback name a module without requirements and with the same bindings`);
    }
  });
  const steps = m.steps as WebgpuStep[];
  const kernels = m.kernels as number;
  if (!Array.isArray(steps)) fail('steps must be a list');
  steps.forEach((s, i) => {
    const bad = (why: string) => fail(`step ${i}: ${why}`);
    if (!isObject(s) || !isCount(s.module) || s.module >= modules.length) bad('needs a module index');
    if (s.kernel !== undefined && !(isCount(s.kernel) && s.kernel < kernels)) bad('has a bad kernel index');
    if (!Array.isArray(s.workgroups) || s.workgroups.length !== 3 || !s.workgroups.every((n) => isCount(n) && n > 0)) bad('needs three positive workgroup counts');
    if (!Array.isArray(s.bindings) || s.bindings.length !== modules[s.module].access.length) bad(`needs one buffer range per binding of module ${s.module}`);
    for (const r of s.bindings) {
      if (!isObject(r) || !isBuffer(r.buffer) || !isCount(r.offset) || !isCount(r.size) || r.size === 0) bad('has a bad buffer range');
      checkRange(`step ${i}'s binding`, r.offset, r.size, buffers[r.buffer], fail);
    }
    const counts = s.indirect;
    if (counts !== undefined) {
      if (!isObject(counts) || !isBuffer(counts.buffer) || !isCount(counts.offset) || counts.offset % 4 !== 0) bad('has a bad indirect range');
      checkRange(`step ${i}'s indirect`, counts.offset, 12, buffers[counts.buffer], fail);
    }
  });
  const loops = m.loops as WebgpuLoop[] | undefined;
  const isWord = (w: unknown) => isObject(w) && isBuffer(w.buffer) && isCount(w.offset) && w.offset % 4 === 0 && w.offset + 4 <= buffers[w.buffer];
  let after = 0;
  if (loops !== undefined && !(Array.isArray(loops) && loops.every((l) => {
    const ok = isObject(l) && isCount(l.first) && l.first >= after && isCount(l.end) && l.end >= l.first && l.end <= steps.length &&
      (l.trips === undefined || isCount(l.trips) || isWord(l.trips)) && (l.condIn === undefined || isWord(l.condIn)) && (l.condOut === undefined || isWord(l.condOut));
    after = ok ? l.end : Infinity;
    return ok;
  }))) {
    fail('loops must list, in order and apart, {first, end} step ranges with trips a count or a buffer word and condIn, condOut buffer words');
  }
  const precision = m.precision as WebgpuManifest['precision'];
  const isPrecision = (p: unknown) => p === 'f32' || p === 'f16';
  if (!isObject(precision) || !isPrecision(precision.requested) || !isPrecision(precision.used) || !isPrecision(precision.weights)) {
    fail('precision must give requested, used and weights (f32 or f16)');
  }
  for (const name of [WGSL_FILE, WEIGHTS_FILE]) if (!files[name]) fail(`files must list ${name}`);
  if (!packed && files[WEIGHTS_FILE].bytes !== (weights?.bytes ?? 0)) fail(`${WEIGHTS_FILE} has ${files[WEIGHTS_FILE].bytes} bytes, weights says ${weights?.bytes ?? 0}`);
  return { inputs, outputs, buffers, weights, modules, steps, ...(loops ? { loops } : {}), precision };
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function isCount(x: unknown): x is number {
  return Number.isSafeInteger(x) && (x as number) >= 0;
}

/** A run-time extent names a dim of the shape and an aligned int32 word inside `bytes`. */
function checkExtent(s: TensorInfo & { extent?: RunTimeExtent }, what: string, bytes: number, fail: Fail): void {
  const e = s.extent;
  if (e === undefined) return;
  if (!isObject(e) || !isCount(e.dim) || e.dim >= s.shape.length || !isCount(e.offset) || e.offset % 4 !== 0) fail(`${what} needs an extent {dim, offset}: a dim of its shape and a 4-byte aligned offset`);
  checkRange(`the extent of ${what}`, e.offset, 4, bytes, fail);
}

function checkRange(what: string, offset: number, bytes: number, memoryBytes: number, fail: Fail): void {
  if (offset + bytes > memoryBytes) fail(`${what} (bytes ${offset}..${offset + bytes}) lies outside the ${memoryBytes}-byte memory`);
}
