// Run-time `If` on both targets. Lowering (lower.ts) lowers both branches of an If in place, then-branch first,
// and tags every kernel of a branch with the arms it sits in (its guards: one per enclosing If, outermost
// first). A target turns the guards into control flow: wasm branches in `run()` over the kernels of each arm
// (regionsOf); webgpu dispatches each arm's kernels indirectly, with workgroup counts that a small kernel
// computes from the condition (wgsl/branch-args.ts). Memory and buffer plans see the kernels of both arms in
// order, as if both ran: a value of one arm is never live in the other (their lifetimes do not meet, so the
// arms share space), values read by either arm stay live across both, and the condition, which every guarded
// kernel reads, stays valid until the last of them (a thread that reads it late still sees it).
import type { Value } from '../compiler/ir/graph.js';

/** One arm of an If: its kernels run when `cond` (a one-element bool) is true (`taken`) or false. */
export interface ArmGuard {
  /** Index of the If among those lowered, in order. */
  branch: number;
  /** The If node's name. */
  node: string;
  cond: Value;
  taken: boolean;
}

/** The arms a kernel sits in, outermost first; empty for a kernel that always runs. */
export type Guards = readonly ArmGuard[];

/** Whether two kernels never both run: they sit in different arms of one If. */
export function exclusive(a: Guards, b: Guards): boolean {
  return a.some((g) => b.some((h) => h.branch === g.branch && h.taken !== g.taken));
}

/** A program over kernels in order: a kernel, or an If over the regions of its two arms. */
export type Region = { kernel: number } | { guard: Omit<ArmGuard, 'taken'>; then: Region[]; else: Region[] };

/**
 * The kernels (by index, in order) nested by their guards: consecutive kernels in the same If form one region
 * of it, within which those of the then-arm precede those of the else-arm (lowering emits them so).
 */
export function regionsOf(guards: readonly Guards[]): Region[] {
  const build = (kernels: number[], depth: number): Region[] => {
    const out: Region[] = [];
    for (let i = 0; i < kernels.length; ) {
      const guard = guards[kernels[i]][depth];
      if (!guard) {
        out.push({ kernel: kernels[i++] });
        continue;
      }
      const inIf: number[] = [];
      for (; i < kernels.length && guards[kernels[i]][depth]?.branch === guard.branch; i++) inIf.push(kernels[i]);
      const arm = (taken: boolean) => build(inIf.filter((k) => guards[k][depth].taken === taken), depth + 1);
      out.push({ guard: { branch: guard.branch, node: guard.node, cond: guard.cond }, then: arm(true), else: arm(false) });
    }
    return out;
  };
  return build(guards.map((_, i) => i), 0);
}
