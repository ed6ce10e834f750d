// Measuring candidates on the wasm target, in this process: each trial's one-node graph, compiled with the
// candidate as a per-node override, becomes a member of one WebAssembly module (codegen/wasm/compile-batch.ts),
// since the AssemblyScript compiler costs seconds per module whatever its size. Members run on the same seeded
// inputs; their times are taken round-robin, so that a slow moment of a shared machine falls on all of them.
import { createHash } from 'node:crypto';
import { WasmBatchBuilder, type BatchMember, type WasmBatch } from '../codegen/wasm/compile-batch.js';
import { WASM_PAGE_BYTES } from '../codegen/wasm/assemblyscript.js';
import { generateWasmProgram } from '../codegen/wasm/program.js';
import { readSlot, writeSlot } from '../codegen/wasm/run-program.js';
import type { Tensor } from '../compiler/ir/tensor.js';
import { wasmDevice, type TuningDevice } from './device.js';
import { median, trialKey, trialOverrides, workloadFeeds, type Measurer, type MeasureOptions, type Trial, type TrialResult } from './measure.js';

export interface WasmMeasureOptions {
  /** Timed samples per candidate (the median is its time). */
  runs?: number;
  /** A sample repeats the kernel until it lasts this long, so that timer resolution does not decide. */
  minSampleMs?: number;
  /** Seed of the workloads' random inputs. */
  seed?: number;
  threads?: number;
}

/** Linear memory per module: members are split over several modules beyond this. */
const MODULE_BYTES = 768 * 1024 * 1024;

export class WasmMeasurer implements Measurer {
  readonly device: TuningDevice;
  private readonly runs: number;
  private readonly minSampleMs: number;
  private readonly seed: number;
  /** Per fingerprint, the bytes of memory the member's plan takes (known from generating it). */
  private readonly planBytes = new Map<string, number>();
  /** Per trial (workload key and candidate), its fingerprint. */
  private readonly fingerprints = new Map<string, string>();
  private readonly feeds = new Map<string, Record<string, Tensor>>();

  constructor(options: WasmMeasureOptions = {}) {
    this.device = wasmDevice(options.threads ?? 1);
    this.runs = options.runs ?? 5;
    this.minSampleMs = options.minSampleMs ?? 1;
    this.seed = options.seed ?? 1;
  }

  fingerprint(trial: Trial): string {
    const program = generateWasmProgram(trial.workload.graph, { schedules: trialOverrides(trial) });
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

  private feedsOf(trial: Trial): Record<string, Tensor> {
    const key = trial.workload.key;
    let feeds = this.feeds.get(key);
    if (!feeds) this.feeds.set(key, (feeds = workloadFeeds(trial.workload.graph, this.seed)));
    return feeds;
  }

  /** One module of members: compiled, each member run once for its outputs, then timed round-robin. */
  private async measureModule(trials: readonly Trial[], runs: number): Promise<TrialResult[]> {
    const builder = new WasmBatchBuilder();
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
    const { instance } = await WebAssembly.instantiate(batch.wasm as Uint8Array<ArrayBuffer>, {});
    const memory = instance.exports.memory as WebAssembly.Memory;
    if (memory.buffer.byteLength < batch.memoryBytes) memory.grow(Math.ceil((batch.memoryBytes - memory.buffer.byteLength) / WASM_PAGE_BYTES));
    const runners = batch.members.map((m) => instance.exports[m.run] as () => void);
    const results: ({ outputs: Record<string, Tensor> } | { error: string })[] = [];
    const reps: number[] = [];
    batch.members.forEach((m, i) => {
      new Uint8Array(memory.buffer, m.weightsOffset, m.weights.length).set(m.weights);
      const view = new DataView(memory.buffer);
      const feeds = this.feedsOf(trials[i]);
      for (const slot of m.inputs) writeSlot(view, slot, feeds[slot.name]);
      try {
        // Three runs before any is timed: the outputs, a warm cache, and time for V8 to tier the code up.
        const first = timeCalls(runners[i], 1);
        const outputs = readOutputs(memory, m);
        const warm = Math.min(first, timeCalls(runners[i], 1), timeCalls(runners[i], 1));
        reps.push(Math.max(1, Math.min(1000, Math.ceil(this.minSampleMs / Math.max(warm, 1e-3)))));
        results.push({ outputs });
      } catch (e) {
        reps.push(0);
        results.push({ error: `run failed: ${(e as Error).message}` });
      }
    });
    const samples: number[][] = results.map(() => []);
    for (let r = 0; r < runs; r++) {
      runners.forEach((run, i) => {
        if (reps[i] > 0) samples[i].push(timeCalls(run, reps[i]) / reps[i]);
      });
    }
    return results.map((r, i) => ('error' in r ? r : { ms: median(samples[i]), samples: samples[i], outputs: r.outputs }));
  }
}

/** Milliseconds `n` calls of `run` take. */
function timeCalls(run: () => void, n: number): number {
  const t0 = performance.now();
  for (let i = 0; i < n; i++) run();
  return performance.now() - t0;
}

function readOutputs(memory: WebAssembly.Memory, member: BatchMember): Record<string, Tensor> {
  const view = new DataView(memory.buffer);
  return Object.fromEntries(member.outputs.map((slot) => [slot.name, readSlot(view, slot)]));
}
