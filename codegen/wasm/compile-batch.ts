// Many graphs in ONE WebAssembly module: the AssemblyScript compiler costs about a second per module
// whatever its size (parsing and optimizing its standard library), so test suites that compile hundreds of
// small graphs (the ONNX conformance cases) compile them together. Member m gets its own memory region (its
// plan starts where member m−1's ends), its kernels are named `m<m>_k<i>` and its entry point is the export
// `run_<m>`; helpers are shared by name, as they are within one graph. Each member is rendered exactly as
// compileToWasm renders a graph (compile.ts's renderGraph).
//  A threaded batch (threads > 1, for the tuner's measurements on several threads) imports a shared memory as
// a threaded artifact does, and its members' `run_<m>(tid, nthreads)` are called through one `run(tid,
// nthreads)`, the entry every thread of the runtime's worker pool (runtime/wasm-threads.ts) calls: it runs the
// member whose index is in the word at BATCH_MEMBER_WORD, as many times in a row as the word at
// BATCH_TIMES_WORD says (a timed sample then pays for one start of the pool, as a run of a whole model does).
// A member none of whose kernels splits (too small: compile.ts's worthSplitting) has exactly a one-thread
// module's code, and is built as such: thread 0 runs it alone, and the threads meet once after all its runs
// rather than after each, so that its time is its kernels' and not a barrier's (the same for every schedule).
import { DlcError } from '../../compiler/errors.js';
import type { Graph } from '../../compiler/ir/graph.js';
import type { Tensor } from '../../compiler/ir/tensor.js';
import { alignUp } from '../memory-plan.js';
import { AS_HELPERS } from './as-target.js';
import { WASM_PAGE_BYTES } from './assemblyscript.js';
import { compileModule, PLAN_BASE, renderGraph } from './compile.js';
import { THREAD_HELPERS } from './kernels/threads.js';
import { THREAD_WORDS } from '../../runtime/thread-words.js';
import type { TensorSlot, WasmCompileOptions } from './program.js';
import { readSlot, writeSlot } from './run-program.js';

export interface BatchMember {
  /** The export that runs this member's graph. */
  run: string;
  weights: Uint8Array;
  weightsOffset: number;
  inputs: TensorSlot[];
  outputs: TensorSlot[];
  kernels: number;
  /** Whether `run` takes (tid, nthreads) and splits its work: only in a threaded batch, where some kernel splits. */
  threaded: boolean;
}

export interface WasmBatch {
  wasm: Uint8Array;
  /** Linear memory the members need, static data included (threaded: the shared memory's exact size). */
  memoryBytes: number;
  members: BatchMember[];
  /** Threads the members were built for (1: the module owns its memory and exports each `run_<m>()`). */
  threads: number;
}

/**
 * Byte addresses of the i32s a threaded batch's `run` reads the member to run and its number of runs from:
 * below the plan (PLAN_BASE), past the words the threads meet on (THREAD_WORDS).
 */
export const BATCH_MEMBER_WORD = 32;
export const BATCH_TIMES_WORD = 36;
if (Object.values(THREAD_WORDS).some((w) => w >= BATCH_MEMBER_WORD) || BATCH_TIMES_WORD + 4 > PLAN_BASE) {
  throw new Error('code generator bug: BATCH_MEMBER_WORD overlaps the thread words or the plan');
}

interface Rendered {
  member: BatchMember;
  /** This member's kernels and entry point, addresses resolved. */
  functions: string[];
}

/** Collects graphs, each rendered to AssemblyScript at once (so that a graph the target cannot take fails alone). */
export class WasmBatchBuilder {
  private readonly rendered: Rendered[] = [];
  private readonly helpers = new Map<string, string>();
  private planEnd = PLAN_BASE;
  private readonly threads: number;

  /** `threads`: build every member for this many threads (1 by default). */
  constructor(options: { threads?: number } = {}) {
    this.threads = options.threads ?? 1;
  }

  get size(): number {
    return this.rendered.length;
  }

  /** Bytes of linear memory the members added so far take (static data aside). */
  get planBytes(): number {
    return this.planEnd;
  }

  /** Adds a graph with concrete shapes; returns its member index. A DlcError leaves the batch unchanged. */
  add(graph: Graph, options: WasmCompileOptions = {}): number {
    const index = this.rendered.length;
    let helpers = new Map(this.helpers);
    let r = renderMember(graph, { ...options, threads: this.threads }, index, this.planEnd, helpers);
    if (r.rendered.member.threaded && r.splitKernels === 0) {
      helpers = new Map(this.helpers);
      r = renderMember(graph, { ...options, threads: 1 }, index, this.planEnd, helpers);
    }
    this.rendered.push(r.rendered);
    for (const [name, source] of helpers) this.helpers.set(name, source);
    this.planEnd = alignUp(r.end);
    return index;
  }

  /** One module exporting `memory` and every member's `run_<m>` (threaded: importing the memory, and exporting `run` too). */
  async compile(): Promise<WasmBatch> {
    const threaded = this.threads > 1;
    const dispatch = threaded ? [memberDispatch(this.rendered.map((r) => r.member))] : [];
    const source = [AS_HELPERS, ...(threaded ? [THREAD_HELPERS] : []), ...this.helpers.values(), ...this.rendered.flatMap((r) => r.functions), ...dispatch].join('\n');
    const { wasm, memoryBytes } = await compileModule(source, this.planEnd, threaded);
    return { wasm, memoryBytes, members: this.rendered.map((r) => r.member), threads: this.threads };
  }
}

/**
 * A threaded batch's `run(tid, nthreads)`: every thread runs the member the member word names (one br_table),
 * the times word's count of times; a threaded member's run ends in a barrier, so no thread starts the next
 * before all are done. A one-thread member runs on thread 0, and the threads meet after its last run (then the
 * run is over for all, and the words may change for the next).
 */
function memberDispatch(members: readonly BatchMember[]): string {
  const cases = members.map((m, i) =>
    m.threaded
      ? `    case ${i}: for (let r: i32 = 0; r < times; r++) ${m.run}(tid, nthreads); break;`
      : `    case ${i}: if (tid == 0) { for (let r: i32 = 0; r < times; r++) ${m.run}(); } barrier(nthreads); break;`,
  );
  return [
    'export function run(tid: i32, nthreads: i32): void {',
    `  const times = atomic.load<i32>(${BATCH_TIMES_WORD});`,
    `  switch (atomic.load<i32>(${BATCH_MEMBER_WORD})) {`,
    ...cases,
    '  }',
    '}',
  ].join('\n');
}

function renderMember(graph: Graph, options: WasmCompileOptions, index: number, base: number, helpers: Map<string, string>): { rendered: Rendered; end: number; splitKernels: number } {
  const r = renderGraph(graph, options, { prefix: `m${index}_`, entry: `run_${index}`, base, helpers });
  const threaded = (options.threads ?? 1) > 1;
  const member: BatchMember = { run: `run_${index}`, weights: r.weights, weightsOffset: r.weightsOffset, inputs: r.inputs, outputs: r.outputs, kernels: r.kernels, threaded };
  return { rendered: { member, functions: r.functions }, end: r.planEnd, splitKernels: r.splitKernels };
}

/** A member's `run(feeds)` over the batch's one instance. */
export interface LoadedMember {
  run(feeds: Record<string, Tensor>): Record<string, Tensor>;
}

/** Instantiates a batch once and copies every member's weights into its region. */
export async function loadBatch(batch: WasmBatch): Promise<LoadedMember[]> {
  if (batch.threads > 1) throw new Error('loadBatch runs one-thread batches (a threaded one needs its workers: tune/measure-wasm.ts)');
  const { instance } = await WebAssembly.instantiate(batch.wasm as Uint8Array<ArrayBuffer>, {});
  const memory = instance.exports.memory as WebAssembly.Memory;
  if (memory.buffer.byteLength < batch.memoryBytes) memory.grow(Math.ceil((batch.memoryBytes - memory.buffer.byteLength) / WASM_PAGE_BYTES));
  for (const m of batch.members) new Uint8Array(memory.buffer, m.weightsOffset, m.weights.length).set(m.weights);
  return batch.members.map((m) => ({
    run(feeds) {
      for (const slot of m.inputs) {
        const t = feeds[slot.name];
        if (!t) throw new DlcError(`no feed for input '${slot.name}'`);
        writeSlot(new DataView(memory.buffer), slot, t);
      }
      (instance.exports[m.run] as () => void)();
      const out: Record<string, Tensor> = {};
      for (const slot of m.outputs) out[slot.name] = readSlot(new DataView(memory.buffer), slot);
      return out;
    },
  }));
}
