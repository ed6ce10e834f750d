// The static memory plan of the webgpu target: a GPU buffer per slot rather than one arena with offsets.
//
// Why: WebGPU validates buffer usage per buffer, not per range: a dispatch may not bind one buffer both as
// read-only storage and as writable storage. With one arena every kernel would have to declare all its
// bindings read_write. With a buffer per slot each kernel declares what it reads as `read`, and reuse still
// comes from liveness: a value lives from the step that writes it to the last step that reads it, and values
// whose lifetimes do not intersect share a slot (greedy by start step, best fit among the free slots).
// Layout: graph inputs, graph outputs (each its own buffer, live for the whole run), the weights buffer (all
// constants, each at an offset aligned to minStorageBufferOffsetAlignment), then the shared slots. Aliases (a
// reshape's output is its input's storage) join one group that takes one slot.
import type { Value } from '../../compiler/ir/graph.js';
import type { Alias } from '../memory-plan.js';
import type { GpuBufferRange } from './program.js';

/** WebGPU's default minStorageBufferOffsetAlignment. */
export const STORAGE_OFFSET_ALIGN = 256;

export interface BufferPlanRequest {
  /** Per step (in run order) the values it reads and writes. */
  steps: readonly { reads: readonly Value[]; writes: readonly Value[] }[];
  /** Whole-buffer aliases only: this target writes no concat in place (its bindings start at 256-byte offsets). */
  aliases: readonly Alias[];
  inputs: readonly Value[];
  outputs: readonly Value[];
  bytesOf(v: Value): number;
  /** A constant's bytes as the kernels read them. */
  serialize(v: Value): Uint8Array;
}

export interface BufferPlan {
  buffers: number[];
  ranges: Map<Value, GpuBufferRange>;
  weights: { buffer: number; data: Uint8Array } | null;
  /** Bytes the shared slots would take without reuse. */
  unsharedBytes: number;
}

const align = (n: number, a: number) => Math.ceil(n / a) * a;
/** Buffers and bindings may not be empty, and sizes are multiples of 4. */
const bufferBytes = (n: number) => Math.max(4, align(n, 4));

export function planBuffers(req: BufferPlanRequest): BufferPlan {
  const parent = new Map<Value, Value>();
  const root = (v: Value): Value => {
    let r = v;
    while (parent.has(r)) r = parent.get(r)!;
    return r;
  };
  for (const [derived, source, byteOffset = 0] of req.aliases) {
    if (byteOffset !== 0) throw new Error(`code generator bug: '${derived.name}' aliased at an offset on webgpu`);
    const [a, b] = [root(derived), root(source)];
    if (a !== b) parent.set(a, b);
  }
  const members = new Map<Value, Value[]>();
  const touch = (v: Value) => {
    const r = root(v);
    const list = members.get(r) ?? [];
    if (!list.includes(v)) list.push(v);
    members.set(r, list);
  };
  for (const v of [...req.inputs, ...req.outputs]) touch(v);
  for (const s of req.steps) for (const v of [...s.reads, ...s.writes]) touch(v);
  for (const [d, s] of req.aliases) [d, s].forEach(touch);
  const groupBytes = (r: Value) => Math.max(...members.get(r)!.map((v) => req.bytesOf(v)));

  const buffers: number[] = [];
  const slotOf = new Map<Value, number>();
  for (const v of [...req.inputs, ...req.outputs]) {
    const r = root(v);
    if (slotOf.has(r)) continue;
    slotOf.set(r, buffers.length);
    buffers.push(bufferBytes(groupBytes(r)));
  }

  // Constants: one weights buffer, in first-use order.
  const constantOffset = new Map<Value, number>();
  const parts: { offset: number; data: Uint8Array }[] = [];
  let weightsBytes = 0;
  for (const [r, vs] of members) {
    const c = vs.find((v) => v.isConst);
    if (slotOf.has(r) || !c) continue;
    const data = req.serialize(c);
    const offset = align(weightsBytes, STORAGE_OFFSET_ALIGN);
    constantOffset.set(r, offset);
    parts.push({ offset, data });
    weightsBytes = offset + bufferBytes(data.length);
  }
  let weights: BufferPlan['weights'] = null;
  if (parts.length > 0) {
    const data = new Uint8Array(weightsBytes);
    for (const p of parts) data.set(p.data, p.offset);
    weights = { buffer: buffers.length, data };
    buffers.push(weightsBytes);
  }

  // Intermediates: lifetimes over the steps, then slots.
  const life = new Map<Value, { start: number; end: number }>();
  req.steps.forEach((s, t) => {
    for (const v of [...s.writes, ...s.reads]) {
      const r = root(v);
      if (slotOf.has(r) || constantOffset.has(r)) continue;
      const l = life.get(r);
      if (l) l.end = Math.max(l.end, t);
      else life.set(r, { start: t, end: t });
    }
  });
  const slots: { bytes: number; end: number; buffer: number }[] = [];
  let unsharedBytes = 0;
  for (const [r, l] of life) {
    const bytes = bufferBytes(groupBytes(r));
    unsharedBytes += bytes;
    const free = slots.filter((s) => s.end < l.start);
    const fits = free.filter((s) => s.bytes >= bytes).sort((a, b) => a.bytes - b.bytes || a.buffer - b.buffer)[0];
    const slot = fits ?? free.sort((a, b) => b.bytes - a.bytes || a.buffer - b.buffer)[0];
    if (slot) {
      slot.bytes = Math.max(slot.bytes, bytes);
      slot.end = l.end;
      slotOf.set(r, slot.buffer);
    } else {
      slots.push({ bytes, end: l.end, buffer: buffers.length });
      slotOf.set(r, buffers.length);
      buffers.push(bytes);
    }
  }
  for (const s of slots) buffers[s.buffer] = s.bytes;

  const ranges = new Map<Value, GpuBufferRange>();
  for (const [r, vs] of members) {
    for (const v of vs) {
      const size = bufferBytes(req.bytesOf(v));
      if (constantOffset.has(r)) ranges.set(v, { buffer: weights!.buffer, offset: constantOffset.get(r)!, size });
      else if (slotOf.has(r)) ranges.set(v, { buffer: slotOf.get(r)!, offset: 0, size });
    }
  }
  return { buffers, ranges, weights, unsharedBytes };
}
