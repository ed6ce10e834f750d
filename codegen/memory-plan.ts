// A static memory plan: every tensor of a run gets a fixed byte offset in one linear memory.
//
// Layout:  [base) | graph inputs | graph outputs | weights (constants) | arena (intermediates, scratch)
// Inputs and outputs are live for the whole run and never share memory. Intermediates share the arena by
// liveness over the kernel order: a value lives from the step that writes it to the last step that reads it,
// and two buffers whose lifetimes intersect never overlap. Offsets are chosen best-fit (largest buffers
// first, each into the smallest gap that holds it). Aliases (a reshape's output is its input's bytes; a piece of
// a concat its producer writes in place is the concat's bytes from an offset on) join one buffer whose
// lifetime covers all of its names.
import type { Value } from '../compiler/ir/graph.js';

export const PLAN_ALIGN = 16;

/** One kernel of the run, in order: what it reads and writes, and private scratch it needs while it runs. */
export interface PlanStep {
  reads: readonly Value[];
  writes: readonly Value[];
  scratchBytes?: number;
}

/** [derived, source, byteOffset]: `derived` occupies `source`'s bytes from `byteOffset` (0 when absent) on, with no copy. */
export type Alias = readonly [derived: Value, source: Value, byteOffset?: number];

export interface PlanRequest {
  steps: readonly PlanStep[];
  aliases?: readonly Alias[];
  inputs: readonly Value[];
  outputs: readonly Value[];
  /** Storage bytes of a value. */
  bytesOf(v: Value): number;
  /** First usable byte (below it lives whatever the target reserves). */
  base?: number;
  /**
   * Sizes to plan for instead of the values' own: a shape-generic program plans every shape of its range in
   * the memory of its largest (codegen/shape-generic), so that each shape's program has the same addresses.
   */
  sizes?: PlanSizes;
}

/**
 * A value or scratch that the sizes given do not hold: a code generator bug when the programs agree, and a
 * program of other kernels when they do not (the shape-generic compiler tells which).
 */
export class PlanSizeMismatch extends Error {}

/** The bytes a plan gave each buffer (group of aliased values, by its root's name) and each step's scratch. */
export interface PlanSizes {
  groups: ReadonlyMap<string, number>;
  scratch: readonly number[];
}

export interface MemoryPlan {
  /** Byte offset of every value the steps touch. */
  offsets: Map<Value, number>;
  /** Per step: its scratch offset, or -1 without scratch. */
  scratch: number[];
  /** The sizes it planned for (PlanRequest.sizes when given). */
  sizes: PlanSizes;
  /** Constants in the order they are laid out in the weights region. */
  constants: Value[];
  weightsOffset: number;
  weightsBytes: number;
  arenaOffset: number;
  arenaBytes: number;
  /** What the arena would take without reuse (every buffer apart). */
  unsharedArenaBytes: number;
  totalBytes: number;
}

/** A buffer with an inclusive lifetime [start, end] in step indices. */
export interface Interval {
  bytes: number;
  start: number;
  end: number;
}

export function alignUp(n: number, align = PLAN_ALIGN): number {
  return Math.ceil(n / align) * align;
}

/**
 * Best-fit placement of buffers with lifetimes: the returned offsets (relative to 0) never overlap for two
 * buffers that are live at the same step. Deterministic: ties keep the input order.
 */
export function placeIntervals(buffers: readonly Interval[], align = PLAN_ALIGN): { offsets: number[]; size: number } {
  const order = buffers.map((_, i) => i).sort((a, b) => buffers[b].bytes - buffers[a].bytes || buffers[a].start - buffers[b].start || a - b);
  const offsets = new Array<number>(buffers.length).fill(-1);
  const placed: number[] = [];
  let size = 0;
  for (const i of order) {
    const me = buffers[i];
    const bytes = alignUp(me.bytes, align);
    const busy = placed
      .filter((j) => buffers[j].start <= me.end && me.start <= buffers[j].end)
      .map((j) => [offsets[j], offsets[j] + alignUp(buffers[j].bytes, align)] as const)
      .sort((x, y) => x[0] - y[0]);
    let best = -1;
    let bestGap = Infinity;
    let cursor = 0;
    for (const [lo, hi] of busy) {
      const gap = lo - cursor;
      if (gap >= bytes && gap < bestGap) {
        best = cursor;
        bestGap = gap;
      }
      cursor = Math.max(cursor, hi);
    }
    offsets[i] = best >= 0 ? best : cursor;
    placed.push(i);
    size = Math.max(size, offsets[i] + bytes);
  }
  return { offsets, size };
}

/** Union-find over values: an alias group shares one buffer. */
export function aliasRoots(aliases: readonly Alias[]): (v: Value) => Value {
  return aliasPlacement(aliases).root;
}

/**
 * Union-find over values weighted by byte offsets: each value's group (its root) and where in the group's
 * buffer it starts, relative to the root (negative where a value starts before its root).
 */
export function aliasPlacement(aliases: readonly Alias[]): { root(v: Value): Value; offset(v: Value): number } {
  const parent = new Map<Value, { to: Value; offset: number }>();
  const find = (v: Value): { root: Value; offset: number } => {
    let [r, offset] = [v, 0];
    for (let p = parent.get(r); p; p = parent.get(r)) [r, offset] = [p.to, offset + p.offset];
    return { root: r, offset };
  };
  for (const [derived, source, byteOffset = 0] of aliases) {
    const a = find(derived);
    const b = find(source);
    // derived = source + byteOffset, so a.root sits at b.root + b.offset + byteOffset − a.offset.
    const at = b.offset + byteOffset - a.offset;
    if (a.root !== b.root) parent.set(a.root, { to: b.root, offset: at });
    else if (at !== 0) throw new Error(`code generator bug: '${derived.name}' is aliased to two places`);
  }
  return { root: (v) => find(v).root, offset: (v) => find(v).offset };
}

export function planMemory(req: PlanRequest): MemoryPlan {
  const placement = aliasPlacement(req.aliases ?? []);
  const root = placement.root;
  const base = alignUp(req.base ?? 0);
  const offsets = new Map<Value, number>();
  const members = new Map<Value, Value[]>();
  const touch = (v: Value) => {
    const r = root(v);
    const list = members.get(r);
    if (!list) members.set(r, [v]);
    else if (!list.includes(v)) list.push(v);
  };
  for (const v of [...req.inputs, ...req.outputs]) touch(v);
  for (const s of req.steps) for (const v of [...s.reads, ...s.writes]) touch(v);
  for (const [d, s] of req.aliases ?? []) {
    touch(d);
    touch(s);
  }
  // A group's buffer starts at its lowest member: `start` is that member's offset from the root.
  const start = (r: Value) => Math.min(...members.get(r)!.map((v) => placement.offset(v)));
  const ownBytes = (r: Value) => Math.max(...members.get(r)!.map((v) => placement.offset(v) + req.bytesOf(v))) - start(r);
  const planned = new Map<string, number>();
  const groupBytes = (r: Value) => {
    const given = req.sizes?.groups.get(r.name);
    if (req.sizes && given === undefined) throw new PlanSizeMismatch(`code generator bug: no planned size for '${r.name}'`);
    // The largest shape's sizes must hold every shape's values (a shape-generic program's safety net).
    if (given !== undefined && ownBytes(r) > given) throw new PlanSizeMismatch(`code generator bug: '${r.name}' needs ${ownBytes(r)} bytes, more than the ${given} planned`);
    const bytes = given ?? ownBytes(r);
    planned.set(r.name, bytes);
    return bytes;
  };

  // Pinned groups: graph inputs, then graph outputs, each apart from everything else.
  let cursor = base;
  const pinned = new Set<Value>();
  for (const v of [...req.inputs, ...req.outputs]) {
    const r = root(v);
    if (pinned.has(r)) continue;
    pinned.add(r);
    offsets.set(r, cursor);
    cursor = alignUp(cursor + groupBytes(r));
  }

  // Constants: the weights region, in first-use order.
  const weightsOffset = cursor;
  const constants: Value[] = [];
  for (const [r, vs] of members) {
    if (pinned.has(r) || !vs.some((v) => v.isConst)) continue;
    const c = vs.find((v) => v.isConst)!;
    constants.push(c);
    offsets.set(r, cursor);
    cursor = alignUp(cursor + req.bytesOf(c));
  }
  const weightsBytes = cursor - weightsOffset;

  // Intermediates and scratch: lifetimes over the steps.
  const life = new Map<Value, Interval>();
  req.steps.forEach((s, t) => {
    for (const v of [...s.writes, ...s.reads]) {
      const r = root(v);
      if (offsets.has(r)) continue;
      const l = life.get(r);
      if (l) {
        l.start = Math.min(l.start, t);
        l.end = Math.max(l.end, t);
      } else life.set(r, { bytes: groupBytes(r), start: t, end: t });
    }
  });
  const groups = [...life.keys()];
  const intervals: Interval[] = groups.map((r) => life.get(r)!);
  const scratchBytes = req.steps.map((s, t) => {
    if (!req.sizes) return s.scratchBytes ?? 0;
    if ((s.scratchBytes ?? 0) > (req.sizes.scratch[t] ?? 0)) throw new PlanSizeMismatch(`code generator bug: step ${t} needs ${s.scratchBytes} bytes of scratch, more than the ${req.sizes.scratch[t]} planned`);
    return req.sizes.scratch[t];
  });
  const scratchIndex: number[] = req.steps.map((s, t) => {
    if (!scratchBytes[t]) return -1;
    intervals.push({ bytes: scratchBytes[t], start: t, end: t });
    return intervals.length - 1;
  });
  const arenaOffset = cursor;
  const placed = placeIntervals(intervals);
  groups.forEach((r, i) => offsets.set(r, arenaOffset + placed.offsets[i]));
  // Until here a root's offset is its group buffer's; each member sits at its own offset within it.
  for (const [r, vs] of members) {
    const buffer = offsets.get(r)!;
    const first = start(r);
    for (const v of vs) offsets.set(v, buffer + placement.offset(v) - first);
  }
  const unshared = intervals.reduce((n, b) => n + alignUp(b.bytes), 0);
  return {
    offsets,
    scratch: scratchIndex.map((i) => (i < 0 ? -1 : arenaOffset + placed.offsets[i])),
    sizes: { groups: planned, scratch: scratchBytes },
    constants,
    weightsOffset,
    weightsBytes,
    arenaOffset,
    arenaBytes: placed.size,
    unsharedArenaBytes: unshared,
    totalBytes: arenaOffset + placed.size,
  };
}
