// What each kernel computes from, for a runtime asked for some outputs only (Session.run's `outputs` option):
// per kernel the earlier kernels whose values it reads, and per graph output the kernels that write it. Values
// are matched through their alias groups (a view shares its source's storage and is written by its source's
// writer; a concat written in place is written by every producer of a piece); graph inputs and constants have
// no writer. Skipping kernels never corrupts a value a kept one reads: the memory plan already keeps every
// value's bytes untouched from its write to its last read. A kernel of an If's arm runs only when its arm is
// taken (the step checks): a reader of the If's outputs depends on the writers in both arms.
import type { Value } from '../compiler/ir/graph.js';
import type { StepDependencies } from '../runtime/manifest.js';
import { exclusive, type Guards } from './branches.js';
import { aliasRoots, type Alias } from './memory-plan.js';

export function kernelDependencies(
  kernels: readonly { reads: readonly Value[]; writes: readonly Value[] }[],
  aliases: readonly Alias[],
  outputs: readonly Value[],
  guards?: readonly Guards[],
): StepDependencies {
  const root = aliasRoots(aliases);
  // A value's writers: the last kernel that wrote it whole, with the kernels that wrote other pieces of it (a
  // concat written in place: each piece is aliased at its byte offset) and those of other arms of an If that
  // wrote it too (each arm writes the If's outputs; which one ran is known only at run time).
  const pieces = new Set(aliases.filter((a) => a[2] !== undefined).map((a) => a[0]));
  const writers = new Map<Value, number[]>();
  const steps = kernels.map((k, i) => {
    const deps = new Set<number>();
    for (const v of k.reads) for (const w of writers.get(root(v)) ?? []) if (w !== i) deps.add(w);
    for (const v of k.writes) {
      const kept = (w: number) => w !== i && (pieces.has(v) || (guards !== undefined && exclusive(guards[w], guards[i])));
      writers.set(root(v), [...(writers.get(root(v)) ?? []).filter(kept), i]);
    }
    return [...deps].sort((a, b) => a - b);
  });
  return { steps, outputs: outputs.map((v) => [...(writers.get(root(v)) ?? [])].sort((a, b) => a - b)) };
}

/**
 * Kernel dependencies restated over dispatches (webgpu: a kernel is one or more steps, `counts[k]` of them, in
 * order): a step depends on the steps before it in its kernel and on every step of the kernels it reads from.
 */
export function dispatchDependencies(kernel: StepDependencies, counts: readonly number[]): StepDependencies {
  const first: number[] = [];
  counts.reduce((at, n, k) => ((first[k] = at), at + n), 0);
  const all = (k: number) => Array.from({ length: counts[k] }, (_, j) => first[k] + j);
  const steps = kernel.steps.flatMap((deps, k) => {
    const external = deps.flatMap(all);
    return all(k).map((s) => [...external, ...all(k).filter((t) => t < s)]);
  });
  return { steps, outputs: kernel.outputs.map((ks) => ks.flatMap(all)) };
}

/**
 * Dependencies that make every run compute every step: each step depends on the one before it, and every output
 * on the last (a program with run-time loops, whose steps run only within their loop's run).
 */
export function sequentialDependencies(count: number, outputs: number): StepDependencies {
  return {
    steps: Array.from({ length: count }, (_, i) => (i > 0 ? [i - 1] : [])),
    outputs: Array.from({ length: outputs }, () => (count > 0 ? [count - 1] : [])),
  };
}
