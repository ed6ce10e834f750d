// The words of a threaded module's shared memory that its threads meet on: i32s below the memory plan (which
// starts at byte 64 and never uses them). The kernels' barrier (codegen/wasm/kernels/threads.ts) uses
// `arrived` and `generation`; the runtime's worker pool (wasm-threads.ts) starts runs through `run` and
// raises `aborted` when a thread traps, which releases every barrier so that no thread waits forever.
export const THREAD_WORDS = {
  /** Threads that reached the current barrier. */
  arrived: 16,
  /** Barriers passed: a thread waits until it changes. */
  generation: 20,
  /** Non-zero once a thread trapped: barriers no longer wait. */
  aborted: 24,
  /** Runs started (the workers wait until it changes); −1 tells the workers to stop. */
  run: 28,
} as const;
