// Run-time If on WebGPU (codegen/branches.ts): the condition lives on the GPU, so the arms are not chosen while
// encoding. Every dispatch of an If's arms is encoded, indirectly (dispatchWorkgroupsIndirect): its workgroup
// counts are read from a small buffer that one single-invocation dispatch, the If's decision, fills from the
// condition just before the If's first kernel — its compile-time counts in the taken arm, zeros in the other.
// No readback and no round trip to the host; the untaken arm costs its dispatches' encoding and a dispatch of
// no workgroups each. The decision reads the conditions of the enclosing Ifs too and zeroes everything when an
// enclosing arm is not taken: a nested If's decision always runs (its own condition may then be stale, which
// the AND makes harmless), so its counts are never left over from an earlier run. The decision is the first
// dispatch of the If's first kernel, so that kernels stay one per node on both targets.
import { Value } from '../../compiler/ir/graph.js';
import { regionsOf, type Guards, type Region } from '../branches.js';
import type { WgslDispatch } from './kernels/kernel.js';
import { Bindings, perInvocation } from './kernels/shader.js';

/** Bytes of one dispatchWorkgroupsIndirect argument record (three u32 counts). */
export const INDIRECT_RECORD_BYTES = 12;

/**
 * `kernels` (per kernel, its dispatches) with every dispatch of an If's arm read its workgroup counts from its
 * If's workgroups buffer (`indirect`), and each If's decision dispatch first in its first kernel. `guards`:
 * per kernel, the arms it runs in.
 */
export function dispatchArmsIndirectly(kernels: readonly WgslDispatch[][], guards: readonly Guards[]): WgslDispatch[][] {
  const out = kernels.map((ds) => [...ds]);
  const decisions = new Map<number, WgslDispatch[]>();
  const kernelsIn = (regions: readonly Region[]): number[] => regions.flatMap((r) => ('kernel' in r ? [r.kernel] : [...kernelsIn(r.then), ...kernelsIn(r.else)]));
  const visit = (regions: readonly Region[], outer: Guards) => {
    for (const r of regions) {
      if ('kernel' in r) continue;
      // The dispatches of the kernels directly in either arm (a nested If's are its own decision's).
      const records: { kernel: number; index: number; taken: boolean }[] = [];
      for (const taken of [true, false]) {
        for (const arm of taken ? r.then : r.else) {
          if (!('kernel' in arm)) continue;
          out[arm.kernel].forEach((d, index) => d.workgroups.every((n) => n > 0) && records.push({ kernel: arm.kernel, index, taken }));
        }
      }
      if (records.length > 0) {
        const counts = new Value(`${r.guard.node}/workgroups`, { dtype: 'u32', shape: [3 * records.length] });
        const decision = decisionDispatch(outer, r.guard.cond, counts, records.map((rec) => ({ taken: rec.taken, workgroups: out[rec.kernel][rec.index].workgroups })));
        records.forEach((rec, record) => (out[rec.kernel][rec.index] = { ...out[rec.kernel][rec.index], indirect: { value: counts, record } }));
        const first = Math.min(...kernelsIn([r]));
        decisions.set(first, [...(decisions.get(first) ?? []), decision]);
      }
      visit(r.then, [...outer, { ...r.guard, taken: true }]);
      visit(r.else, [...outer, { ...r.guard, taken: false }]);
    }
  };
  visit(regionsOf(guards), []);
  for (const [kernel, ds] of decisions) out[kernel].unshift(...ds);
  return out;
}

/** One invocation writing each record's counts, or zeros where its arm is not the one the conditions take. */
function decisionDispatch(outer: Guards, cond: Value, counts: Value, records: readonly { taken: boolean; workgroups: readonly number[] }[]): WgslDispatch {
  const b = new Bindings([counts]);
  const holds = (v: Value, taken: boolean) => `(${b.of(v)}[0] ${taken ? '!=' : '=='} 0u)`;
  const live = outer.length > 0 ? outer.map((g) => holds(g.cond, g.taken)).join(' && ') : 'true';
  const c = b.of(counts);
  const body = [
    `  let live = ${live};`,
    `  let then_runs = u32(live && ${holds(cond, true)});`,
    `  let else_runs = u32(live && ${holds(cond, false)});`,
    ...records.flatMap((rec, i) => rec.workgroups.map((n, axis) => `  ${c}[${3 * i + axis}] = ${n}u * ${rec.taken ? 'then_runs' : 'else_runs'};`)),
  ].join('\n');
  return perInvocation({ bindings: b.list, count: 1, body });
}
