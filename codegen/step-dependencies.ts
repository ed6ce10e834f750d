// What each kernel computes from, for a runtime asked for some outputs only (Session.run's `outputs` option):
// per kernel the earlier kernels whose values it reads, and per graph output the kernel that writes it. Values
// are matched through their alias groups (a view shares its source's storage and is written by its source's
// writer); graph inputs and constants have no writer. Skipping kernels never corrupts a value a kept one
// reads: the memory plan already keeps every value's bytes untouched from its write to its last read. A kernel
// of an If's arm runs only when its arm is taken (the step checks): a reader of the If's outputs depends on the
// writers in both arms.
import type { Value } from '../compiler/ir/graph.js';
import type { StepDependencies } from '../runtime/manifest.js';
import { exclusive, type Guards } from './branches.js';
import { aliasRoots } from './memory-plan.js';

export function kernelDependencies(
  kernels: readonly { reads: readonly Value[]; writes: readonly Value[] }[],
  aliases: readonly (readonly [Value, Value])[],
  outputs: readonly Value[],
  guards?: readonly Guards[],
): StepDependencies {
  const root = aliasRoots(aliases);
  // A value's writers: the last kernel that wrote it, with those of other arms of an If that wrote it too
  // (each arm writes the If's outputs; which one ran is known only at run time).
  const writers = new Map<Value, number[]>();
  const steps = kernels.map((k, i) => {
    const deps = new Set<number>();
    for (const v of k.reads) for (const w of writers.get(root(v)) ?? []) if (w !== i) deps.add(w);
    for (const v of k.writes) {
      const others = (writers.get(root(v)) ?? []).filter((w) => w !== i && guards && exclusive(guards[w], guards[i]));
      writers.set(root(v), [...others, i]);
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
