// The threads of a wasm artifact compiled with --threads N: workers that instantiate model.wasm over the same
// shared memory and wait for runs. A run is one store and notify of the `run` word (thread-words.ts), whatever
// the number of kernels: every thread then calls `run(tid, n)` once, and the barriers inside the module order
// the kernels.
//  Node: worker_threads (from process.getBuiltinModule and by its bare name, so that a browser bundle holds
//        no import of Node's and not even its node: prefix): the calling thread may
//        block, so it takes part as thread 0 and returns when the run is done; workers are unref'd once
//        ready, so that they never keep the process alive.
//  browsers: Web Workers from a blob: URL. The page's main thread may not block (Atomics.wait throws there),
//        so all n threads are workers and the caller awaits thread 0's message that the run is done; the page
//        stays responsive while the model runs. A shared memory can only be sent to workers on a
//        cross-origin isolated page (COOP: same-origin, COEP: require-corp).
import { DlcRuntimeError } from './errors.js';
import { THREAD_WORDS } from './thread-words.js';

/**
 * A started pool: `run` returns when (`blocks`: Node) or resolves once (browsers) every thread is done with
 * the run. One run at a time: the caller waits for one before it starts the next.
 */
export interface ThreadPool {
  blocks: boolean;
  run(): void | Promise<void>;
  terminate(): Promise<void>;
}

/** What a worker is told once: its module, the memory, its thread id and the thread count. */
interface WorkerStart {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  tid: number;
  threads: number;
  /** Post `{done}` after each run (thread 0 of a pool whose caller does not take part). */
  report: boolean;
}

type WorkerMessage = { ready: true } | { done: number } | { error: string };

/** The little a pool needs of a Node or Web worker. */
interface PoolWorker {
  start(message: WorkerStart): void;
  onMessage(listener: (message: WorkerMessage) => void): void;
  onError(listener: (message: string) => void): void;
  /** Lets the process exit while this worker lives (Node). */
  unref(): void;
  terminate(): Promise<void>;
}

const word = (name: keyof typeof THREAD_WORDS) => THREAD_WORDS[name] / 4;

/** Checks of the run word a worker makes before it sleeps on it (about a millisecond). */
const IDLE_SPINS = 1 << 19;

/**
 * The worker's program, as text (it is started from a string, so that the runtime ships no second file): wait
 * for a change of the run word, run, repeat; a trap raises `aborted` and wakes the barrier's sleepers.
 */
function workerSource(prelude: string): string {
  return `${prelude}
listen(async ({ module, memory, tid, threads, report }) => {
  let run;
  try {
    run = (await WebAssembly.instantiate(module, { env: { memory } })).exports.run;
  } catch (e) {
    post({ error: 'cannot instantiate model.wasm on a worker: ' + (e && e.message || e) });
    return;
  }
  const words = new Int32Array(memory.buffer, 0, 16);
  let seen = Atomics.load(words, ${word('run')});
  post({ ready: true });
  for (;;) {
    // Spin a while before sleeping: a model run again soon (a stream of frames, a benchmark) finds its workers
    // awake, instead of paying a wake-up (tens of microseconds) per run.
    for (let i = 0; i < ${IDLE_SPINS} && Atomics.load(words, ${word('run')}) === seen; i++);
    Atomics.wait(words, ${word('run')}, seen);
    const now = Atomics.load(words, ${word('run')});
    if (now === seen) continue;
    if (now < 0) return;
    seen = now;
    try {
      run(tid, threads);
    } catch (e) {
      Atomics.store(words, ${word('aborted')}, 1);
      Atomics.notify(words, ${word('generation')});
      post({ error: 'model.wasm trapped on thread ' + tid + ': ' + (e && e.message || e) });
      continue;
    }
    if (report) post({ done: now });
  }
});`;
}

const NODE_PRELUDE = `const { parentPort } = require('worker_threads');
const listen = (f) => parentPort.once('message', f);
const post = (m) => parentPort.postMessage(m);`;

const BROWSER_PRELUDE = `const listen = (f) => self.addEventListener('message', (e) => f(e.data), { once: true });
const post = (m) => self.postMessage(m);`;

/** What the pool uses of node:worker_threads (declared here: the runtime's types name no node: module). */
interface NodeWorkerThreads {
  Worker: new (source: string, options: { eval: true }) => {
    postMessage(message: unknown): void;
    on(event: 'message', listener: (message: WorkerMessage) => void): void;
    on(event: 'error', listener: (error: Error) => void): void;
    unref(): void;
    terminate(): Promise<number>;
  };
}

/** worker_threads where this is Node (or answers to its module names), without importing node:. */
function nodeWorkerThreads(): NodeWorkerThreads | undefined {
  const process = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  return process?.getBuiltinModule?.('worker_threads') as NodeWorkerThreads | undefined;
}

function nodeWorker(threads: NodeWorkerThreads): PoolWorker {
  const w = new threads.Worker(workerSource(NODE_PRELUDE), { eval: true });
  return {
    start: (m) => w.postMessage(m),
    onMessage: (f) => w.on('message', f),
    onError: (f) => w.on('error', (e) => f(e.message)),
    unref: () => w.unref(),
    terminate: async () => void (await w.terminate()),
  };
}

function webWorker(): PoolWorker {
  const url = URL.createObjectURL(new Blob([workerSource(BROWSER_PRELUDE)], { type: 'text/javascript' }));
  const w = new Worker(url);
  URL.revokeObjectURL(url);
  return {
    start: (m) => w.postMessage(m),
    onMessage: (f) => w.addEventListener('message', (e) => f(e.data)),
    onError: (f) => w.addEventListener('error', (e) => f(e.message)),
    unref: () => {},
    terminate: async () => w.terminate(),
  };
}

/**
 * Why this environment cannot run threads (undefined where it can): a page that is not cross-origin
 * isolated cannot send a shared memory to a worker, and some environments have no workers at all.
 */
export function threadsUnavailable(): string | undefined {
  if (nodeWorkerThreads()) return undefined;
  if (typeof Worker !== 'function') return 'this environment has no workers';
  if ((globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === false) {
    return 'the page is not cross-origin isolated (serve it with Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp)';
  }
  return undefined;
}

/**
 * Starts `threads` threads of `module` over `memory` (threads ≥ 2, threadsUnavailable() undefined).
 * `runHere(tid, n)` is the module's run on the calling thread, which takes part where it may block (Node).
 */
export async function startThreads(module: WebAssembly.Module, memory: WebAssembly.Memory, threads: number, runHere: (tid: number, n: number) => void): Promise<ThreadPool> {
  const node = nodeWorkerThreads();
  // Node: the caller is thread 0 and the workers 1..n−1; browsers: the workers are 0..n−1.
  const first = node ? 1 : 0;
  const words = new Int32Array(memory.buffer, 0, 16);
  const workers = Array.from({ length: threads - first }, () => (node ? nodeWorker(node) : webWorker()));
  let failure: string | undefined;
  let pending: { run: number; resolve: () => void; reject: (e: Error) => void } | undefined;
  const fail = (why: string) => {
    failure ??= why;
    Atomics.store(words, word('aborted'), 1);
    Atomics.notify(words, word('generation'));
    pending?.reject(new DlcRuntimeError(why));
    pending = undefined;
  };
  const terminate = async () => {
    Atomics.store(words, word('run'), -1);
    Atomics.notify(words, word('run'));
    await Promise.all(workers.map((w) => w.terminate()));
  };
  try {
    await Promise.all(
      workers.map((w, i) => new Promise<void>((resolve, reject) => {
        w.onMessage((m) => {
          if ('ready' in m) resolve();
          else if ('error' in m) {
            reject(new DlcRuntimeError(m.error));
            fail(m.error);
          } else if (pending?.run === m.done) {
            pending.resolve();
            pending = undefined;
          }
        });
        w.onError((message) => {
          reject(new DlcRuntimeError(`a model.wasm worker failed: ${message}`));
          fail(`a model.wasm worker failed: ${message}`);
        });
        w.start({ module, memory, tid: first + i, threads, report: !node && i === 0 });
      })),
    );
  } catch (e) {
    await terminate();
    throw e;
  }
  for (const w of workers) w.unref();
  // A trap anywhere leaves the barriers' counts broken: the session refuses to run again.
  const check = () => {
    if (!failure && Atomics.load(words, word('aborted')) !== 0) failure = 'model.wasm trapped on a worker thread';
    if (failure) throw new DlcRuntimeError(`${failure} (the session cannot run again: load the model anew)`);
  };
  const start = () => {
    check();
    const run = (Atomics.load(words, word('run')) + 1) & 0x3fffffff;
    Atomics.store(words, word('run'), run);
    Atomics.notify(words, word('run'));
    return run;
  };
  return {
    terminate,
    blocks: Boolean(node),
    run: node
      ? () => {
          start();
          try {
            runHere(0, threads);
          } catch (e) {
            fail(`model.wasm trapped: ${(e as Error).message}`);
          }
          check();
        }
      : () => new Promise<void>((resolve, reject) => {
          pending = { run: start(), resolve, reject };
        }),
  };
}
