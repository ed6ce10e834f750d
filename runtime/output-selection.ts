// Which outputs a run returns and which steps it must compute for them: the manifest's dependencies walked back
// from the asked outputs (every step where an older artifact has none).
import { DlcRuntimeError } from './errors.js';
import type { StepDependencies, TensorInfo } from './manifest.js';

/** Indices of the outputs named (all of them without names), refusing an unknown name. */
export function selectOutputs(outputs: readonly TensorInfo[], names?: readonly string[]): number[] {
  if (!names) return outputs.map((_, i) => i);
  return names.map((name) => {
    const i = outputs.findIndex((o) => o.name === name);
    if (i < 0) throw new DlcRuntimeError(`unknown output '${name}' (outputs: ${outputs.map((o) => o.name).join(', ')})`);
    return i;
  });
}

/** The steps (of `count`) that the outputs at `wanted` need, in run order. */
export function stepsFor(wanted: readonly number[], count: number, deps?: StepDependencies): number[] {
  const all = [...Array(count).keys()];
  if (!deps) return all;
  const need: boolean[] = [];
  const stack = wanted.flatMap((o) => deps.outputs[o]);
  for (let s; (s = stack.pop()) !== undefined; ) if (!need[s]) (need[s] = true), stack.push(...deps.steps[s]);
  return all.filter((s) => need[s]);
}
