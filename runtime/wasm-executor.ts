// Runs a compiled WASM model: the module imports nothing and exports `memory` and `run()`, which computes
// every output from the inputs and weights at the byte offsets the manifest gives (one static memory plan,
// no per-op calls from JS). The module is instantiated and the weights copied once; each run validates the
// feeds, copies them in, calls `run()` and copies the outputs out. A run asked for some outputs calls
// `step(i)` for just the kernels they need (modules compiled before `step` existed run them all).
// A module built for threads (manifest memory.threads) imports a shared memory instead, and runs on a pool
// of workers (wasm-threads.ts); its `step(i)` runs on the calling thread alone.
// Outputs bound to inputs (feedback.ts) are copied into the inputs' places within linear memory after the run.
import { arrayConstructor, bytesPerElement, elementCount, type TypedArray } from './dtypes.js';
import type { FeedbackPlan } from './feedback.js';
import { checkedFeed, checkFeedNames, type Feeds } from './feeds.js';
import { DlcRuntimeError } from './errors.js';
import type { TensorSlot, WasmManifest } from './manifest.js';
import { selectOutputs, stepsFor } from './output-selection.js';
import { actualShape } from './run-time-extent.js';
import { startThreads, threadsUnavailable, type ThreadPool } from './wasm-threads.js';
import { shapeAtDims } from './symbolic-dims.js';

const PAGE_BYTES = 65536;

export class WasmExecutor {
  private constructor(
    private readonly memory: WebAssembly.Memory,
    private readonly runModel: () => void | Promise<void>,
    private readonly step: ((i: number) => void) | undefined,
    private readonly manifest: WasmManifest,
    private readonly pool?: ThreadPool,
    private readonly setDims?: (...dims: number[]) => void,
  ) {}

  /** A shape-generic module's dims for the runs that follow (checked against their ranges by the caller). */
  private dims?: readonly number[];

  useDims(dims: readonly number[]): void {
    if (!this.setDims) throw new DlcRuntimeError('model.wasm has no setDims: recompile the artifact');
    this.setDims(...dims);
    this.dims = dims;
  }

  /** A slot's shape in this run: of a shape-generic module, at the dims given. */
  private shapeOf(slot: TensorSlot): number[] {
    return this.dims && slot.symbolicShape ? shapeAtDims(slot.symbolicShape, this.dims) : slot.shape;
  }

  /** model.wasm compiled (its custom sections can be read before it is instantiated). */
  static async compile(wasm: Uint8Array, where: string): Promise<WebAssembly.Module> {
    try {
      return await WebAssembly.compile(wasm as Uint8Array<ArrayBuffer>);
    } catch (e) {
      throw new DlcRuntimeError(`${where}: cannot compile model.wasm: ${(e as Error).message}`);
    }
  }

  /** `threads`: for a threaded module, how many threads to run it on (its manifest's count by default, at most that). */
  static async create(module: WebAssembly.Module, weights: Uint8Array, manifest: WasmManifest, where: string, threads?: number): Promise<WasmExecutor> {
    // Typed arrays are copied into linear memory byte for byte, and WebAssembly memory is little-endian.
    if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) throw new DlcRuntimeError('this runtime needs a little-endian host');
    const built = manifest.memory.threads ?? 1;
    if (threads !== undefined && !(Number.isInteger(threads) && threads >= 1 && threads <= built)) {
      throw new DlcRuntimeError(`${where}: threads must be an integer from 1 to ${built} (model.wasm was compiled for ${built}), got ${threads}`);
    }
    let shared: WebAssembly.Memory | undefined;
    if (built > 1) {
      const pages = manifest.memory.bytes / PAGE_BYTES;
      try {
        shared = new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true });
      } catch (e) {
        throw new DlcRuntimeError(`${where}: model.wasm was compiled for threads and needs a shared memory, which this environment refuses: ${(e as Error).message}`);
      }
    }
    let exports: WebAssembly.Exports;
    try {
      exports = (await WebAssembly.instantiate(module, shared ? { env: { memory: shared } } : {})).exports;
    } catch (e) {
      throw new DlcRuntimeError(`${where}: cannot instantiate model.wasm: ${(e as Error).message}`);
    }
    const { memory, run, step, setDims } = exports;
    if (!(memory instanceof WebAssembly.Memory) || typeof run !== 'function') {
      throw new DlcRuntimeError(`${where}: model.wasm must export 'memory' and 'run'`);
    }
    const missing = manifest.memory.bytes - memory.buffer.byteLength;
    if (missing > 0) {
      try {
        memory.grow(Math.ceil(missing / PAGE_BYTES));
      } catch (e) {
        throw new DlcRuntimeError(`${where}: cannot grow memory to ${manifest.memory.bytes} bytes: ${(e as Error).message}`);
      }
    }
    new Uint8Array(memory.buffer, manifest.memory.weightsOffset, weights.length).set(weights);
    const stepHere = typeof step == 'function' ? (step as (i: number) => void) : undefined;
    if (manifest.dims && typeof setDims !== 'function') throw new DlcRuntimeError(`${where}: model.wasm must export 'setDims' (the manifest lists dims)`);
    if (!shared) return new WasmExecutor(memory, run as () => void, stepHere, manifest, undefined, manifest.dims ? (setDims as (...d: number[]) => void) : undefined);
    const runHere = run as (tid: number, n: number) => void;
    let count = threads ?? built;
    const unavailable = count > 1 ? threadsUnavailable() : undefined;
    if (unavailable) {
      console.warn(`dlc: ${where}: running model.wasm on one thread: ${unavailable}`);
      count = 1;
    }
    if (count === 1) return new WasmExecutor(memory, () => runHere(0, 1), stepHere, manifest);
    const pool = await startThreads(module, memory, count, runHere).catch((e: Error) => {
      throw new DlcRuntimeError(`${where}: ${e.message}`);
    });
    return new WasmExecutor(memory, pool.run, stepHere, manifest, pool);
  }

  /** Stops the workers of a threaded module, once the runs under way are done (a released session lets go of the rest). */
  async release(): Promise<void> {
    await this.queue;
    await this.pool?.terminate();
  }

  /** Runs on a threaded module's Web Workers, one after another (each writes the inputs and reads the outputs). */
  private queue: Promise<unknown> = Promise.resolve();

  /** Synchronous but for a threaded module on Web Workers, whose runs the caller awaits. */
  run(feeds: Feeds, names?: readonly string[], feedback?: FeedbackPlan): Record<string, TypedArray> | Promise<Record<string, TypedArray>> {
    if (!this.pool || this.pool.blocks) return this.runNow(feeds, names, feedback);
    const result = this.queue.then(() => this.runNow(feeds, names, feedback));
    this.queue = result.catch(() => {});
    return result;
  }

  private runNow(feeds: Feeds, names?: readonly string[], feedback?: FeedbackPlan): Record<string, TypedArray> | Promise<Record<string, TypedArray>> {
    const { inputs, outputs, kernels, dependencies } = this.manifest;
    checkFeedNames(feeds, inputs);
    const wanted = selectOutputs(outputs, names);
    inputs.forEach((slot, i) => {
      const unfed = feedback?.unfed.get(i);
      if (!unfed) this.writeInput(slot, feeds[slot.name]);
      else if (unfed == 'zero') new Uint8Array(this.memory.buffer, slot.offset, elementCount(this.shapeOf(slot)) * bytesPerElement(slot.dtype)).fill(0);
    });
    const copies = feedback?.copies ?? [];
    const steps = stepsFor([...wanted, ...copies.map(([o]) => o)], kernels, this.step && dependencies);
    let running: void | Promise<void> = undefined;
    try {
      if (steps.length == kernels) running = this.runModel();
      else for (const i of steps) this.step!(i);
    } catch (e) {
      if (e instanceof DlcRuntimeError) throw e;
      throw new DlcRuntimeError(`model.wasm trapped: ${(e as Error).message}`);
    }
    const finish = () => {
      const results = this.read(wanted);
      const bytes = new Uint8Array(this.memory.buffer);
      for (const [o, i] of copies) {
        const out = outputs[o];
        bytes.copyWithin(inputs[i].offset, out.offset, out.offset + elementCount(this.shapeOf(out)) * bytesPerElement(out.dtype));
      }
      return results;
    };
    return running ? running.then(finish) : finish();
  }

  private read(wanted: number[]): Record<string, TypedArray> {
    const { outputs } = this.manifest;
    const results: Record<string, TypedArray> = {};
    for (const slot of wanted.map((i) => outputs[i])) {
      const shape = slot.extent ? actualShape(slot.shape, slot.extent, new DataView(this.memory.buffer).getInt32(slot.extent.offset, true)) : this.shapeOf(slot);
      const out = new (arrayConstructor(slot.dtype))(elementCount(shape));
      new Uint8Array(out.buffer).set(new Uint8Array(this.memory.buffer, slot.offset, out.byteLength));
      results[slot.name] = out;
    }
    return results;
  }

  private writeInput(slot: TensorSlot, feed: Feeds[string] | undefined): void {
    const data = checkedFeed(this.dims ? { ...slot, shape: this.shapeOf(slot) } : slot, feed);
    const n = data.length;
    const target = new Uint8Array(this.memory.buffer, slot.offset, n * bytesPerElement(slot.dtype));
    if (slot.dtype === 'bool') {
      // Any non-zero byte is true; the kernels may rely on exactly 0 and 1.
      for (let i = 0; i < n; i++) target[i] = data[i] ? 1 : 0;
    } else {
      target.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    }
  }
}
