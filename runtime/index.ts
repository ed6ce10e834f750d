// The dlc runtime: loads a compiled artifact and runs it, in browsers and in Node, with no dependencies and
// nothing of the compiler.
//
//   import { loadModel } from 'dlc/runtime';
//   const session = await loadModel('./artifact');
//   const { y } = await session.run({ x: new Float32Array(3 * 224 * 224) });
import { DlcRuntimeError } from './errors.js';
import { artifactSource, sha256Hex, type FetchFunction } from './files.js';
import { parseManifest, WASM_FILE, WEIGHTS_FILE, type TensorInfo, type WasmManifest } from './manifest.js';
import type { TypedArray } from './dtypes.js';
import { WasmExecutor } from './wasm-executor.js';

export { DlcRuntimeError } from './errors.js';
export { ARRAY_TYPES, type DTypeName, type TypedArray } from './dtypes.js';
export { ARTIFACT_FORMAT_VERSION, type TensorInfo } from './manifest.js';

export interface LoadOptions {
  /** Replaces `fetch` (to add credentials, say); when given, paths are fetched in Node too. */
  fetch?: FetchFunction;
}

export class Session {
  readonly inputs: readonly TensorInfo[];
  readonly outputs: readonly TensorInfo[];
  /** The manifest's record of how the artifact was compiled. */
  readonly compileOptions: Readonly<Record<string, unknown>>;

  constructor(manifest: WasmManifest, private readonly executor: WasmExecutor) {
    this.inputs = manifest.inputs.map(({ name, dtype, shape }) => ({ name, dtype, shape: [...shape] }));
    this.outputs = manifest.outputs.map(({ name, dtype, shape }) => ({ name, dtype, shape: [...shape] }));
    this.compileOptions = manifest.options;
  }

  /** Runs the model on one typed array per input (see ARRAY_TYPES) and returns fresh arrays per output. */
  async run(feeds: Record<string, TypedArray>): Promise<Record<string, TypedArray>> {
    return this.executor.run(feeds);
  }
}

/** Loads an artifact directory (a path in Node) or URL, refusing one whose files do not match their sha-256. */
export async function loadModel(dirOrUrl: string, options: LoadOptions = {}): Promise<Session> {
  const source = artifactSource(dirOrUrl, options.fetch);
  const manifest = parseManifest(new TextDecoder().decode(await source.read('manifest.json')), source.where);
  const files: Record<string, Uint8Array> = {};
  await Promise.all(
    Object.entries(manifest.files).map(async ([name, entry]) => {
      const bytes = await source.read(name);
      if (bytes.length !== entry.bytes || (await sha256Hex(bytes)) !== entry.sha256) {
        throw new DlcRuntimeError(`${source.where}: ${name} does not match the sha-256 in manifest.json: the artifact is corrupted or was tampered with`);
      }
      files[name] = bytes;
    }),
  );
  return new Session(manifest, await WasmExecutor.create(files[WASM_FILE], files[WEIGHTS_FILE], manifest, source.where));
}
