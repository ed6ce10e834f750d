// Kernels of a threaded module (compiled with threads > 1). Every thread calls `run(tid, nthreads)`; a kernel
// that splits its work (it called one of the functions below) runs on every thread with `tid` and `nthreads`
// in scope and takes its share of the work; any other kernel runs on thread 0 alone. A barrier separates
// kernels (compile.ts places them), and kernels with phases (fill a scratch buffer, then read it) place their
// own. With one thread none of this is used, and the kernels are exactly those of a one-thread module.
import { THREAD_WORDS } from '../../../runtime/thread-words.js';
import { collapse, loopNest, type LoopSpace } from '../../loops.js';
import type { KernelContext } from './kernel.js';

/**
 * Spins a barrier waits before it sleeps (memory.atomic.wait32), a millisecond or more: long enough that the
 * threads waiting while thread 0 runs a stretch of small kernels stay awake (a wake-up costs tens of
 * microseconds, more than most kernels take), short enough not to keep a core busy for long when a thread was
 * descheduled. Measured with npm run bench:cpu: 20,000 spins made PP-OCR cls slower on two threads than on one.
 */
const BARRIER_SPINS = 1 << 20;

/** The module's thread helpers (added to the source of a threaded module). */
export const THREAD_HELPERS = `
// Every thread waits here until all nthreads have arrived: the last to arrive resets the count and bumps the
// generation, which the others watch (spinning, then sleeping on it). A trap on some thread sets 'aborted'
// (the runtime does), which releases every barrier.
function barrier(nthreads: i32): void {
  if (nthreads == 1) return;
  const generation = atomic.load<i32>(${THREAD_WORDS.generation});
  if (atomic.add<i32>(${THREAD_WORDS.arrived}, 1) == nthreads - 1) {
    atomic.store<i32>(${THREAD_WORDS.arrived}, 0);
    atomic.store<i32>(${THREAD_WORDS.generation}, generation + 1);
    atomic.notify(${THREAD_WORDS.generation}, nthreads - 1);
    return;
  }
  for (let spins: i32 = 0; atomic.load<i32>(${THREAD_WORDS.generation}) == generation; spins++) {
    if (atomic.load<i32>(${THREAD_WORDS.aborted}) != 0) return;
    if (spins >= ${BARRIER_SPINS}) memory.atomic.wait32(${THREAD_WORDS.generation}, generation, -1);
  }
}

// Where thread t's share of 'units' units of 'unit' items ('count' items in all) starts: shares differ by at
// most one unit, and every share but the last is whole units.
@inline function shareStart(units: i32, unit: i32, count: i32, t: i32, nthreads: i32): i32 {
  return min(count, <i32>(<i64>t * <i64>units / <i64>nthreads) * unit);
}
`;

export function isThreaded(k: KernelContext): boolean {
  return k.threads > 1;
}

/**
 * Declares `<name>Lo` and `<name>Hi`, this thread's share [lo, hi) of `count` items taken in whole units of
 * `unit` items (so that a vector loop over a share meets its ragged end only where the whole range does).
 */
export function threadShare(k: KernelContext, name: string, count: number | string, unit = 1): string {
  k.splitAcrossThreads();
  const units = typeof count === 'number' ? `${Math.ceil(count / unit)}` : `(${count} + ${unit - 1}) / ${unit}`;
  const bound = (t: string) => `shareStart(${units}, ${unit}, ${count}, ${t}, nthreads)`;
  return `const ${name}Lo: i32 = ${bound('tid')};\nconst ${name}Hi: i32 = ${bound('tid + 1')};`;
}

/** A loop header over `v` from 0 to `count`: over this thread's share when threaded (then with its declaration). */
export function sharedLoop(k: KernelContext, v: string, count: number): string {
  if (!isThreaded(k)) return `for (let ${v}: i32 = 0; ${v} < ${count}; ${v}++) {`;
  return `${threadShare(k, v, count)}\nfor (let ${v}: i32 = ${v}Lo; ${v} < ${v}Hi; ${v}++) {`;
}

/** Waits for every thread (inside a split kernel, between phases). */
export function threadBarrier(k: KernelContext): string {
  k.splitAcrossThreads();
  return 'barrier(nthreads);';
}

/** `code` on thread 0 alone, the other threads waiting until it is done (inside a split kernel). */
export function onThreadZero(k: KernelContext, code: string): string {
  if (!code) return '';
  return `if (tid == 0) {\n${code}\n}\n${threadBarrier(k)}`;
}

/**
 * Units of work a shared nest wants to hand out at least: with fewer, one thread's share of the outermost
 * loop could be twice another's (3 planes over 2 threads), so leading dims are merged until there are this many.
 */
const MIN_SHARED_UNITS = 16;

/**
 * loopNest over `space`, its leading dims shared among threads when threaded: each thread takes a range of the
 * leading dims' flat index (the fewest leading dims giving MIN_SHARED_UNITS units, never the innermost dim
 * unless it is the only one), so every element is computed by the same code as with one thread.
 */
export function sharedNest(k: KernelContext, space: LoopSpace, body: (offsets: string[]) => string, name = 'i'): string {
  const { dims, strides } = collapse(space);
  if (!isThreaded(k) || dims.length === 0) return loopNest(space, body, name);
  let lead = 1;
  while (lead < dims.length - 1 && dims.slice(0, lead).reduce((p, d) => p * d, 1) < MIN_SHARED_UNITS) lead++;
  if (lead === 1) return `${threadShare(k, `${name}Share`, dims[0])}\n${loopNest(space, body, name, { lo: `${name}ShareLo`, hi: `${name}ShareHi` })}`;
  // The flat index f of the leading dims, taken apart into coordinates (one division per iteration of the
  // rest of the nest), gives each operand's base offset.
  const units = dims.slice(0, lead).reduce((p, d) => p * d, 1);
  const coordinate = (d: number) => {
    const below = dims.slice(d + 1, lead).reduce((p, v) => p * v, 1);
    return `const ${name}C${d}: i32 = ${d === 0 ? `${name}Flat / ${below}` : `${name}Flat / ${below} % ${dims[d]}`};`;
  };
  const base = (o: number) => dims.slice(0, lead).map((_, d) => `${name}C${d} * ${strides[o][d]}`).join(' + ');
  const rest = { dims: dims.slice(lead), strides: strides.map((s) => s.slice(lead)) };
  return [
    threadShare(k, `${name}Share`, units),
    `for (let ${name}Flat: i32 = ${name}ShareLo; ${name}Flat < ${name}ShareHi; ${name}Flat++) {`,
    ...dims.slice(0, lead).map((_, d) => `  ${coordinate(d)}`),
    ...strides.map((_, o) => `  const ${name}B${o}: i32 = ${base(o)};`),
    loopNest(rest, (offsets) => body(offsets.map((off, o) => (off === '0' ? `${name}B${o}` : `${name}B${o} + ${off}`))), `${name}r`),
    '}',
  ].join('\n');
}
