// The dlc runtime: loads a compiled artifact and runs it, in browsers and in Node, with no dependencies and
// nothing of the compiler. The manifest says which executor runs it: wasm, or webgpu on a GPUDevice (the
// caller's, or one from navigator.gpu). weights.bin may come from its own URL, with progress as it streams
// in, and be kept in Cache Storage.
//
//   import { loadModel } from 'dlc/runtime';
//   const session = await loadModel('./artifact', { device, onProgress: (e) => show(e.loaded / e.total), cache: 'dlc-weights' });
//   const { y } = await session.run({ x: new Float32Array(3 * 224 * 224) });
//   const { y: t } = await session.runTensors(feeds, { outputs: ['y'] });  // t.data, t.dims, t.dtype; only y's kernels run
//   const { p } = await session.run({ chunk }, { feedback: { hn: 'h' } });  // output hn becomes input h of the next run, in the runtime
import { DlcRuntimeError } from './errors.js';
import { artifactSource, checkIntegrity, sha256Hex, type ArtifactFiles, type FetchFunction } from './files.js';
import { unpackBundle } from './bundle.js';
import { cacheKey, readThroughCache } from './file-cache.js';
import { feedbackPlan, type Feedback, type FeedbackPlan } from './feedback.js';
import { checkFeedNames, withoutSpecialized, type Feeds } from './feeds.js';
import { parseManifest, WASM_FILE, WEIGHTS_FILE, WGSL_FILE, type FileEntry, type Manifest, type SpecializedInput, type TensorInfo } from './manifest.js';
import type { Tensor, TypedArray } from './dtypes.js';
import { checkProgramRecord, wasmRecord, wgslRecord } from './program-record.js';
import { WasmExecutor } from './wasm-executor.js';
import { weightsImage } from './weights-decode.js';
import { dimsOf } from './run-time-extent.js';
import { dimValues, shapeAtDims, type DimRange, type SymbolicShape } from './symbolic-dims.js';
import { WebgpuExecutor, type GpuTensor } from './webgpu-executor.js';

export { DlcRuntimeError } from './errors.js';
export { ARRAY_TYPES, type ArrayOf, type DTypeName, type Tensor, type TypedArray } from './dtypes.js';
export type { Feeds } from './feeds.js';
export type { Feedback } from './feedback.js';
export type { GpuTensor } from './webgpu-executor.js';
export { ARTIFACT_FORMAT_VERSION, type SpecializedInput, type TensorInfo } from './manifest.js';
export type { DimRange } from './symbolic-dims.js';
export type { ArtifactFiles, FetchFunction, FetchResponse } from './files.js';

/** A file of the artifact arriving: its bytes so far, and its size from the manifest. */
export interface LoadProgress {
  file: string;
  loaded: number;
  total: number;
}

export interface LoadOptions {
  /** Replaces `fetch` (to add credentials, say); when given, paths are fetched in Node too. */
  fetch?: FetchFunction;
  /** The GPUDevice a webgpu artifact runs on; without one, the runtime asks navigator.gpu for one. */
  device?: GPUDevice;
  /**
   * The WGSL language features of the GPU object the device came from, which decide the variant of kernels
   * that have one (the int8 kernels use dot4I8Packed where 'packed_4x8_integer_dot_product' is listed):
   * navigator.gpu.wgslLanguageFeatures by default, none where there is no navigator.gpu (Node: pass the
   * `gpu` object's set). An empty set runs core WGSL only.
   */
  wgslLanguageFeatures?: ReadonlySet<string>;
  /** Where weights.bin is fetched from instead of the artifact's directory (a CDN, say): a URL, or in Node a path. */
  weightsUrl?: string;
  /**
   * Told as each file of the artifact arrives: weights.bin chunk by chunk where the response streams its body,
   * other files and cached ones once, whole. `total` is the size the manifest lists.
   */
  onProgress?: (event: LoadProgress) => void;
  /**
   * The name of a Cache Storage cache to keep weights.bin in, where globalThis.caches exists: a later load
   * takes it from there and downloads nothing (it is checked against the manifest's sha-256 all the same).
   * No caching by default.
   */
  cache?: string | false;
  /**
   * Pins manifest.json as subresource integrity pins a script: 'sha256-', 'sha384-' or 'sha512-' and the
   * base64 digest of its bytes (several, space-separated, where any may match). The manifest lists the
   * sha-256 of every other file, and the program records the manifest fields it was compiled with, so a
   * pinned manifest pins the whole artifact. `dlc inspect DIR` prints it.
   */
  integrity?: string;
  /**
   * For a wasm artifact compiled with --threads N: run it on this many threads, 1 to N (N by default). Browsers
   * run threads only on a cross-origin isolated page; elsewhere the model runs on one thread, with a notice.
   */
  threads?: number;
}

export interface RunOptions {
  /** The outputs to return, by name: only the kernels they need run. All outputs by default. */
  outputs?: readonly string[];
  /**
   * Streaming state, as output name → input name (`{ hn: 'h', cn: 'c' }`): after the run each output is copied
   * into its input's place inside the runtime, and a later run with the same binding that leaves the input out
   * of its feeds reads it there. Left out on the first run or after resetState(), the input reads zeros; fed,
   * it sets the state.
   */
  feedback?: Feedback;
  /**
   * A shape-generic artifact's dims for this run (`{ H: 640, W: 480 }`), each inside the range it was compiled
   * for (Session.dims); the inputs are fed and the outputs returned at the shapes they give.
   */
  dims?: Record<string, number>;
}

interface Executor {
  run(feeds: Feeds, names?: readonly string[], feedback?: FeedbackPlan): Record<string, TypedArray> | Promise<Record<string, TypedArray>>;
  release?(): Promise<void>;
}

export class Session {
  readonly inputs: readonly TensorInfo[];
  /** `runTimeDim`: the dim whose extent a run decides (it depends on data); `shape` holds its bound. */
  readonly outputs: readonly (TensorInfo & { runTimeDim?: number })[];
  /** Inputs fixed at compile time: run() takes a feed for one only when it equals the value compiled in. */
  readonly specialized: readonly SpecializedInput[];
  /** The manifest's record of how the artifact was compiled. */
  readonly compileOptions: Readonly<Record<string, unknown>>;
  /** A shape-generic artifact's symbolic dims and their ranges (empty for an artifact of one shape). */
  readonly dims: readonly DimRange[];
  private readonly symbolicOutputs: (SymbolicShape | undefined)[];
  private readonly symbolicInputs: (SymbolicShape | undefined)[];

  /** Undefined once released. */
  private executor?: Executor;
  /** The inputs whose places hold the state the last run fed back. */
  private held = new Set<string>();

  constructor(manifest: Manifest, executor: Executor) {
    this.executor = executor;
    this.inputs = manifest.inputs.map(({ name, dtype, shape }) => ({ name, dtype, shape: [...shape] }));
    this.outputs = manifest.outputs.map(({ name, dtype, shape, extent }) => ({ name, dtype, shape: [...shape], ...(extent ? { runTimeDim: extent.dim } : {}) }));
    this.specialized = manifest.specialized ?? [];
    this.compileOptions = manifest.options;
    this.dims = (manifest.target === 'wasm' && manifest.dims) || [];
    this.symbolicOutputs = manifest.outputs.map((o) => ('symbolicShape' in o ? o.symbolicShape : undefined));
    this.symbolicInputs = manifest.inputs.map((o) => ('symbolicShape' in o ? o.symbolicShape : undefined));
  }

  /**
   * The inputs at a shape-generic artifact's dims (each inside its range): what a run with `{ dims }` takes.
   * For an artifact of one shape, `inputs`.
   */
  inputsAt(dims: Record<string, number>): TensorInfo[] {
    if (this.dims.length === 0) return this.inputs.map((i) => ({ ...i, shape: [...i.shape] }));
    const values = dimValues(this.dims, dims);
    return this.inputs.map((info, i) => ({ ...info, shape: this.symbolicInputs[i] ? shapeAtDims(this.symbolicInputs[i]!, values) : [...info.shape] }));
  }

  /** The dims' values of a run, handed to a shape-generic executor. */
  private useDims(executor: Executor, given: Record<string, number> | undefined): number[] | undefined {
    if (this.dims.length === 0) {
      if (given !== undefined) throw new DlcRuntimeError('dims apply to an artifact compiled for a range of shapes (--dim); this one has fixed shapes');
      return undefined;
    }
    const values = dimValues(this.dims, given);
    (executor as WasmExecutor).useDims(values);
    return values;
  }

  /**
   * Runs the model on one typed array per input (see ARRAY_TYPES; on webgpu a GPUBuffer holding the input in
   * its storage type, 4 bytes an element, may stand for one) and returns a fresh array per output asked for.
   */
  async run(feeds: Feeds, options: RunOptions = {}): Promise<Record<string, TypedArray>> {
    const executor = this.live();
    const rest = withoutSpecialized(feeds, this.specialized);
    const plan = this.feedback(rest, options.feedback);
    return this.track(() => {
      this.useDims(executor, options.dims);
      return executor.run(rest, options.outputs, plan);
    });
  }

  /** Forgets the state fed back: the bound inputs read zeros on the next run that leaves them out. */
  resetState(): void {
    this.held.clear();
  }

  /**
   * The plan of a run's feedback. The state it leaves is counted as held from now on: runs execute in the
   * order they are called, so a run called before this one finishes already reads it.
   */
  private feedback(feeds: Feeds, feedback: Feedback | undefined): FeedbackPlan | undefined {
    let plan: FeedbackPlan | undefined;
    if (feedback !== undefined) {
      checkFeedNames(feeds, this.inputs);
      plan = feedbackPlan(feedback, this.inputs, this.outputs, feeds, this.held);
    }
    this.held = new Set(plan?.copies.map(([, i]) => this.inputs[i].name));
    return plan;
  }

  /** A run that fails leaves no state to trust. */
  private async track<T>(run: () => T | Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (e) {
      this.held.clear();
      throw e;
    }
  }

  /** As run(), each output with its dtype and dims: `if (t.dtype === 'f32')` makes `t.data` a Float32Array. */
  async runTensors(feeds: Feeds, options: RunOptions = {}): Promise<Record<string, Tensor>> {
    const arrays = await this.run(feeds, options);
    const tensors: Record<string, Tensor> = {};
    const dims = this.dims.length > 0 ? dimValues(this.dims, options.dims) : undefined;
    this.outputs.forEach(({ name, dtype, shape, runTimeDim }, i) => {
      const symbolic = this.symbolicOutputs[i];
      const at = dims && symbolic ? shapeAtDims(symbolic, dims) : shape;
      if (name in arrays) tensors[name] = { dtype, dims: dimsOf(at, runTimeDim, arrays[name].length), data: arrays[name] } as Tensor;
    });
    return tensors;
  }

  /** As run(), on a webgpu artifact, leaving each output asked for in a GPUBuffer of its own (the caller destroys it). */
  async runOnGpu(feeds: Feeds, options: RunOptions = {}): Promise<Record<string, GpuTensor>> {
    const executor = this.live();
    if (!(executor instanceof WebgpuExecutor)) throw new DlcRuntimeError('runOnGpu() needs a webgpu artifact');
    const rest = withoutSpecialized(feeds, this.specialized);
    const plan = this.feedback(rest, options.feedback);
    return this.track(() => executor.run(rest, options.outputs, plan, true));
  }

  private live(): Executor {
    if (!this.executor) throw new DlcRuntimeError('this session was released');
    return this.executor;
  }

  /**
   * Frees what the session holds, once the runs under way are done: its GPU buffers, or its wasm instance
   * and memory (let go to the garbage collector). A released session refuses to run.
   */
  async release(): Promise<void> {
    const executor = this.executor;
    this.executor = undefined;
    await executor?.release?.();
  }
}

/**
 * Loads an artifact directory (a path in Node) or URL, a bundle (`dlc compile --bundle FILE.dlc`: its path or
 * URL, ending in .dlc, or its bytes), or its files already in memory (by name, manifest.json included: what
 * `compile` returns), refusing one whose files do not match their sha-256.
 */
export async function loadModel(from: string | Uint8Array | ArtifactFiles, options: LoadOptions = {}): Promise<Session> {
  if (typeof from == 'string' && /\.dlc$/i.test(from)) from = unpackBundle(await artifactSource(from, options.fetch).read(from, { location: from }), from);
  else if (ArrayBuffer.isView(from)) from = unpackBundle(from, 'bundle');
  const source = artifactSource(from, options.fetch);
  const manifestBytes = await source.read('manifest.json');
  if (options.integrity !== undefined) await checkIntegrity(manifestBytes, options.integrity, source.where);
  const manifest = parseManifest(new TextDecoder().decode(manifestBytes), source.where);
  const { onProgress, cache, weightsUrl } = options;
  const matches = async (bytes: Uint8Array, entry: FileEntry) => bytes.length === entry.bytes && (await sha256Hex(bytes)) === entry.sha256;
  const files: Record<string, Uint8Array> = {};
  await Promise.all(
    Object.entries(manifest.files).map(async ([name, entry]) => {
      const location = name === WEIGHTS_FILE ? weightsUrl : undefined;
      const progress = (loaded: number) => onProgress?.({ file: name, loaded, total: entry.bytes });
      const download = async () => {
        const bytes = await source.read(name, { location, onBytes: progress });
        if (!(await matches(bytes, entry))) {
          const what = location === undefined ? name : `${name} from ${location}`;
          throw new DlcRuntimeError(`${source.where}: ${what} does not match the sha-256 in manifest.json: the artifact is corrupted or was tampered with`);
        }
        return bytes;
      };
      if (name === WEIGHTS_FILE && cache) {
        const read = await readThroughCache(cache, cacheKey(name, entry.sha256), (bytes) => matches(bytes, entry), download);
        if (read.cached) progress(read.bytes.length);
        files[name] = read.bytes;
      } else {
        files[name] = await download();
      }
    }),
  );
  const expected = manifest.target === 'wasm' ? manifest.memory.weightsBytes : (manifest.weights?.bytes ?? 0);
  const weights = weightsImage(files[WEIGHTS_FILE], manifest.weightsEncoding === 'packed', expected, `${source.where}/${WEIGHTS_FILE}`);
  if (manifest.target === 'wasm') {
    const module = await WasmExecutor.compile(files[WASM_FILE], source.where);
    await checkProgramRecord(manifest, wasmRecord(module), WASM_FILE, source.where);
    return new Session(manifest, await WasmExecutor.create(module, weights, manifest, source.where, options.threads));
  }
  const wgsl = new TextDecoder().decode(files[WGSL_FILE]);
  await checkProgramRecord(manifest, wgslRecord(wgsl), WGSL_FILE, source.where);
  const device = options.device ?? (await browserDevice(source.where));
  const features = options.wgslLanguageFeatures ?? (globalThis as { navigator?: { gpu?: GPU } }).navigator?.gpu?.wgslLanguageFeatures ?? new Set<string>();
  return new Session(manifest, await WebgpuExecutor.create(device, wgsl, weights, manifest, source.where, features));
}

/** A device from navigator.gpu (browsers, Deno), for a webgpu artifact loaded without one. */
async function browserDevice(where: string): Promise<GPUDevice> {
  const gpu = (globalThis as { navigator?: { gpu?: GPU } }).navigator?.gpu;
  if (!gpu) throw new DlcRuntimeError(`${where}: this artifact targets WebGPU: pass loadModel(dir, { device }) or run where navigator.gpu exists`);
  const adapter = await gpu.requestAdapter();
  if (!adapter) throw new DlcRuntimeError(`${where}: navigator.gpu has no adapter for this WebGPU artifact`);
  return adapter.requestDevice();
}
