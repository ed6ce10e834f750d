// manifest.json: what an artifact holds and how to run it. The compiler's artifact writer produces it and
// this file is its definition; `parseManifest` checks every field a loader relies on, because the manifest
// is the one file that its own sha-256 list cannot cover.
import { DlcRuntimeError } from './errors.js';
import { bytesPerElement, elementCount, isDTypeName, type DTypeName } from './dtypes.js';

export const ARTIFACT_FORMAT = 'dlc-artifact';
/** Bumped on any change a runtime must know about to run an artifact. */
export const ARTIFACT_FORMAT_VERSION = 1;

export interface TensorInfo {
  name: string;
  dtype: DTypeName;
  shape: number[];
}

/** A model input or output and where it lives in the module's linear memory (byte offset). */
export interface TensorSlot extends TensorInfo {
  offset: number;
}

export interface FileEntry {
  bytes: number;
  /** Lower-case hex. */
  sha256: string;
}

export interface WasmManifest {
  format: typeof ARTIFACT_FORMAT;
  formatVersion: number;
  target: 'wasm';
  dlcVersion: string;
  inputs: TensorSlot[];
  outputs: TensorSlot[];
  memory: { bytes: number; weightsOffset: number; weightsBytes: number };
  kernels: number;
  /** Every file of the artifact but manifest.json itself. */
  files: Record<string, FileEntry>;
  /** How the artifact was compiled (model hash, input shapes, pipeline…): informative only. */
  options: Record<string, unknown>;
}

export const WASM_FILE = 'model.wasm';
export const WEIGHTS_FILE = 'weights.bin';

export function parseManifest(text: string, where: string): WasmManifest {
  const fail = (why: string): never => {
    throw new DlcRuntimeError(`${where}: bad manifest.json: ${why}`);
  };
  let m: Record<string, unknown>;
  try {
    m = JSON.parse(text);
  } catch (e) {
    return fail((e as Error).message);
  }
  if (!isObject(m) || m.format !== ARTIFACT_FORMAT) return fail(`not a dlc artifact (format is ${JSON.stringify(isObject(m) ? m.format : m)})`);
  if (m.formatVersion !== ARTIFACT_FORMAT_VERSION) {
    throw new DlcRuntimeError(`${where}: artifact format version ${m.formatVersion}, this runtime reads version ${ARTIFACT_FORMAT_VERSION}: recompile the model or update the runtime`);
  }
  if (m.target !== 'wasm') throw new DlcRuntimeError(`${where}: target '${m.target}' is not supported by this runtime (have: wasm)`);

  const memory = m.memory as WasmManifest['memory'];
  if (!isObject(memory) || ![memory.bytes, memory.weightsOffset, memory.weightsBytes].every(isCount)) fail('memory must hold byte counts bytes, weightsOffset, weightsBytes');
  checkRange('weights', memory.weightsOffset, memory.weightsBytes, memory.bytes, fail);
  const slots = (key: 'inputs' | 'outputs'): TensorSlot[] => {
    const list = m[key];
    if (!Array.isArray(list)) return fail(`${key} must be a list`);
    const names = new Set<string>();
    for (const s of list as TensorSlot[]) {
      if (!isObject(s) || typeof s.name !== 'string' || names.has(s.name)) fail(`${key} must have distinct names`);
      names.add(s.name);
      if (!isDTypeName(s.dtype)) fail(`${key.slice(0, -1)} '${s.name}' has unknown dtype ${JSON.stringify(s.dtype)}`);
      if (!Array.isArray(s.shape) || !s.shape.every(isCount)) fail(`${key.slice(0, -1)} '${s.name}' needs a shape of non-negative integers`);
      if (!isCount(s.offset)) fail(`${key.slice(0, -1)} '${s.name}' needs a byte offset`);
      checkRange(`${key.slice(0, -1)} '${s.name}'`, s.offset, elementCount(s.shape) * bytesPerElement(s.dtype), memory.bytes, fail);
    }
    return list as TensorSlot[];
  };
  const inputs = slots('inputs');
  const outputs = slots('outputs');

  const files = m.files as Record<string, FileEntry>;
  if (!isObject(files)) fail('files must map file names to {bytes, sha256}');
  for (const [name, f] of Object.entries(files)) {
    // Plain names only: a manifest must not reach outside its directory.
    if (!/^[\w-][\w.-]*$/.test(name) || name === 'manifest.json') fail(`bad file name ${JSON.stringify(name)}`);
    if (!isObject(f) || !isCount(f.bytes) || typeof f.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(f.sha256)) fail(`file '${name}' needs bytes and a hex sha256`);
  }
  for (const name of [WASM_FILE, WEIGHTS_FILE]) if (!files[name]) fail(`files must list ${name}`);
  if (files[WEIGHTS_FILE].bytes !== memory.weightsBytes) fail(`${WEIGHTS_FILE} has ${files[WEIGHTS_FILE].bytes} bytes, memory.weightsBytes says ${memory.weightsBytes}`);

  return {
    format: ARTIFACT_FORMAT,
    formatVersion: ARTIFACT_FORMAT_VERSION,
    target: 'wasm',
    dlcVersion: String(m.dlcVersion),
    inputs,
    outputs,
    memory,
    kernels: Number(m.kernels),
    files,
    options: isObject(m.options) ? (m.options as Record<string, unknown>) : {},
  };
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function isCount(x: unknown): x is number {
  return Number.isSafeInteger(x) && (x as number) >= 0;
}

function checkRange(what: string, offset: number, bytes: number, memoryBytes: number, fail: (why: string) => never): void {
  if (offset + bytes > memoryBytes) fail(`${what} (bytes ${offset}..${offset + bytes}) lies outside the ${memoryBytes}-byte memory`);
}
