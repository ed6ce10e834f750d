// Measuring candidates on the wasm target, in this process: each trial's one-node graph, compiled with the
// candidate as a per-node override, becomes a member of one WebAssembly module (codegen/wasm/compile-batch.ts),
// since the AssemblyScript compiler costs seconds per module whatever its size. Members run on the same seeded
// inputs; their times are taken round-robin, so that a slow moment of a shared machine falls on all of them.
//  On several threads (threads > 1) the module is built as a threaded artifact is (shared memory, split
// kernels, a barrier after each kernel) and runs on the runtime's own worker pool (runtime/wasm-threads.ts):
// this thread is thread 0 and blocks until every thread is done, as a session on threads does in Node. A sample
// writes the member's index and its repetitions to the batch's words and starts one run of the pool: the
// kernels' barriers are paid on every repetition, as in an artifact, and the start of the pool once a sample
// (an artifact pays it once a model run, not once a kernel). A workload too small to split runs on thread 0
// alone, its code that of one thread (compile-batch.ts), with one barrier a sample.
import { createHash } from 'node:crypto';
import { BATCH_MEMBER_WORD, BATCH_TIMES_WORD, WasmBatchBuilder, type BatchMember, type WasmBatch } from '../codegen/wasm/compile-batch.js';
import { WASM_PAGE_BYTES } from '../codegen/wasm/assemblyscript.js';
import { generateWasmProgram } from '../codegen/wasm/program.js';
import { readSlot, writeSlot } from '../codegen/wasm/run-program.js';
import type { Tensor } from '../compiler/ir/tensor.js';
import { startThreads, type ThreadPool } from '../runtime/wasm-threads.js';
import { THREAD_WORDS } from '../runtime/thread-words.js';
import { wasmDevice, type TuningDevice } from './device.js';
import { median, trialKey, trialOverrides, workloadFeeds, type Measurer, type MeasureOptions, type Trial, type TrialResult } from './measure.js';

export interface WasmMeasureOptions {
  /** Timed samples per candidate (the median is its time). */
  runs?: number;
  /**
   * A sample repeats the kernel until it lasts this long, so that timer resolution does not decide (default 1;
   * on threads 4, so that the pool's start and last barrier, once a sample, weigh little beside the kernels).
   */
  minSampleMs?: number;
  /** Seed of the workloads' random inputs. */
  seed?: number;
  /** Threads the candidates run on (1 by default): the records are then for the device of that many threads. */
  threads?: number;
}

/** A compiled batch, instantiated: each member's runs (inputs and outputs in `memory`), and what to let go after. */
interface LoadedBatch {
  memory: WebAssembly.Memory;
  /** Per member: runs it `times` times in a row. */
  runners: ((times: number) => void)[];
  /** Ready for runs again after a run threw (a threaded module's pool refuses runs after a trap). */
  recover(): Promise<void>;
  release(): Promise<void>;
}

/** Runs of a kernel in one sample at most. */
const MAX_REPS = 1024;

/** Linear memory per module: members are split over several modules beyond this. */
const MODULE_BYTES = 768 * 1024 * 1024;

export class WasmMeasurer implements Measurer {
  readonly device: TuningDevice;
  private readonly runs: number;
  private readonly minSampleMs: number;
  private readonly seed: number;
  private readonly threads: number;
  /** Per fingerprint, the bytes of memory the member's plan takes (known from generating it). */
  private readonly planBytes = new Map<string, number>();
  /** Per trial (workload key and candidate), its fingerprint. */
  private readonly fingerprints = new Map<string, string>();
  private readonly feeds = new Map<string, Record<string, Tensor>>();

  constructor(options: WasmMeasureOptions = {}) {
    this.threads = options.threads ?? 1;
    this.device = wasmDevice(this.threads);
    this.runs = options.runs ?? 5;
    this.minSampleMs = options.minSampleMs ?? (this.threads > 1 ? 4 : 1);
    this.seed = options.seed ?? 1;
  }

  fingerprint(trial: Trial): string {
    // Threaded code differs (each split kernel takes its share): the fingerprint is of the module measured.
    const program = generateWasmProgram(trial.workload.graph, { schedules: trialOverrides(trial), threads: this.threads });
    const digest = createHash('sha256').update(program.source).update(program.weights).digest('hex');
    this.planBytes.set(digest, program.planEnd);
    this.fingerprints.set(trialKey(trial), digest);
    return digest;
  }

  async measure(trials: readonly Trial[], options: MeasureOptions = {}): Promise<TrialResult[]> {
    const runs = this.runs * (options.repeat ?? 1);
    const results: TrialResult[] = new Array(trials.length);
    // Greedy split by memory, in order.
    let group: number[] = [];
    let bytes = 0;
    const groups: number[][] = [];
    trials.forEach((t, i) => {
      const b = this.planBytes.get(this.fingerprints.get(trialKey(t)) ?? this.fingerprint(t)) ?? 0;
      if (group.length > 0 && bytes + b > MODULE_BYTES) {
        groups.push(group);
        group = [];
        bytes = 0;
      }
      group.push(i);
      bytes += b;
    });
    if (group.length) groups.push(group);
    for (const g of groups) {
      const measured = await this.measureModule(g.map((i) => trials[i]), runs);
      g.forEach((i, j) => (results[i] = measured[j]));
    }
    return results;
  }

  /**
   * Runs in a row that last minSampleMs (at most MAX_REPS): doubled until they do, so that a cost paid once a
   * sample (a threaded module's pool start) does not pass for the kernel's when the count is worked out.
   */
  private repetitions(run: (times: number) => void): number {
    let n = 1;
    for (let ms = timeCalls(run, 1); ms < this.minSampleMs && n < MAX_REPS; ms = timeCalls(run, n)) n = Math.min(MAX_REPS, 2 * n);
    return n;
  }

  private feedsOf(trial: Trial): Record<string, Tensor> {
    const key = trial.workload.key;
    let feeds = this.feeds.get(key);
    if (!feeds) this.feeds.set(key, (feeds = workloadFeeds(trial.workload.graph, this.seed)));
    return feeds;
  }

  /** One module of members: compiled, each member run once for its outputs, then timed round-robin. */
  private async measureModule(trials: readonly Trial[], runs: number): Promise<TrialResult[]> {
    const builder = new WasmBatchBuilder({ threads: this.threads });
    for (const t of trials) builder.add(t.workload.graph, { schedules: trialOverrides(t) });
    let batch: WasmBatch;
    try {
      batch = await builder.compile();
    } catch (e) {
      // A module the compiler rejects fails as a whole: halve it to find the members at fault.
      if (trials.length === 1) return [{ error: (e as Error).message.split('\n')[0] }];
      const half = trials.length >> 1;
      return [...(await this.measureModule(trials.slice(0, half), runs)), ...(await this.measureModule(trials.slice(half), runs))];
    }
    const loaded = batch.threads > 1 ? await loadThreaded(batch) : await loadOneThread(batch);
    try {
      const { memory, runners } = loaded;
      const results: ({ outputs: Record<string, Tensor> } | { error: string })[] = [];
      const reps: number[] = [];
      for (const [i, m] of batch.members.entries()) {
        new Uint8Array(memory.buffer, m.weightsOffset, m.weights.length).set(m.weights);
        const view = new DataView(memory.buffer);
        const feeds = this.feedsOf(trials[i]);
        for (const slot of m.inputs) writeSlot(view, slot, feeds[slot.name]);
        try {
          // Three runs or more before any is timed: the outputs, a warm cache, and time for V8 to tier the code
          // up while the repetitions are worked out.
          timeCalls(runners[i], 1);
          const outputs = readOutputs(memory, m);
          timeCalls(runners[i], 1);
          reps.push(this.repetitions(runners[i]));
          results.push({ outputs });
        } catch (e) {
          reps.push(0);
          results.push({ error: `run failed: ${(e as Error).message}` });
          await loaded.recover();
        }
      }
      const samples: number[][] = results.map(() => []);
      for (let r = 0; r < runs; r++) {
        runners.forEach((run, i) => {
          if (reps[i] > 0) samples[i].push(timeCalls(run, reps[i]) / reps[i]);
        });
      }
      return results.map((r, i) => ('error' in r ? r : { ms: median(samples[i]), samples: samples[i], outputs: r.outputs }));
    } finally {
      await loaded.release();
    }
  }
}

/** A one-thread batch: the module owns its memory; each member is its own export. */
async function loadOneThread(batch: WasmBatch): Promise<LoadedBatch> {
  const { instance } = await WebAssembly.instantiate(batch.wasm as Uint8Array<ArrayBuffer>, {});
  const memory = instance.exports.memory as WebAssembly.Memory;
  if (memory.buffer.byteLength < batch.memoryBytes) memory.grow(Math.ceil((batch.memoryBytes - memory.buffer.byteLength) / WASM_PAGE_BYTES));
  const runners = batch.members.map((m) => {
    const run = instance.exports[m.run] as () => void;
    return (times: number) => {
      for (let i = 0; i < times; i++) run();
    };
  });
  return { memory, runners, recover: async () => {}, release: async () => {} };
}

/**
 * A threaded batch on a pool of batch.threads threads over one shared memory, as api/session.ts runs a threaded
 * artifact: a member's run names it in the member word, then runs the pool once (this thread taking part).
 */
async function loadThreaded(batch: WasmBatch): Promise<LoadedBatch> {
  const module = await WebAssembly.compile(batch.wasm as Uint8Array<ArrayBuffer>);
  const pages = batch.memoryBytes / WASM_PAGE_BYTES;
  const memory = new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true });
  const { exports } = await WebAssembly.instantiate(module, { env: { memory } });
  const runHere = exports.run as (tid: number, nthreads: number) => void;
  const words = new Int32Array(memory.buffer, 0, 16);
  const start = async () => {
    const started = await startThreads(module, memory, batch.threads, runHere);
    if (!started.blocks) {
      await started.terminate();
      throw new Error('measuring on threads needs Node (its calling thread takes part in the runs)');
    }
    return started;
  };
  let pool: ThreadPool = await start();
  return {
    memory,
    runners: batch.members.map((_, m) => (times: number) => {
      Atomics.store(words, BATCH_MEMBER_WORD / 4, m);
      Atomics.store(words, BATCH_TIMES_WORD / 4, times);
      void pool.run();
    }),
    // A trap leaves the barrier's count broken and the pool refusing runs: a fresh pool over the same memory.
    async recover() {
      await pool.terminate();
      Atomics.store(words, THREAD_WORDS.arrived / 4, 0);
      Atomics.store(words, THREAD_WORDS.aborted / 4, 0);
      pool = await start();
    },
    release: () => pool.terminate(),
  };
}

/** Milliseconds `n` runs in a row take. */
function timeCalls(run: (times: number) => void, n: number): number {
  const t0 = performance.now();
  run(n);
  return performance.now() - t0;
}

function readOutputs(memory: WebAssembly.Memory, member: BatchMember): Record<string, Tensor> {
  const view = new DataView(memory.buffer);
  return Object.fromEntries(member.outputs.map((slot) => [slot.name, readSlot(view, slot)]));
}
