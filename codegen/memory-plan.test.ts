import { Value } from '../compiler/ir/graph.js';
import { Tensor } from '../compiler/ir/tensor.js';
import { alignUp, placeIntervals, planMemory, type Interval, type PlanStep } from './memory-plan.js';

const value = (name: string, n: number) => new Value(name, { dtype: 'f32', shape: [n] });
const bytes = (v: Value) => (v.type.shape[0] as number) * 4;

/** No two buffers live at the same step share a byte. */
function overlaps(bufs: readonly Interval[], offsets: readonly number[]): string[] {
  const bad: string[] = [];
  for (let i = 0; i < bufs.length; i++) {
    for (let j = i + 1; j < bufs.length; j++) {
      const timeShared = bufs[i].start <= bufs[j].end && bufs[j].start <= bufs[i].end;
      const spaceShared = offsets[i] < offsets[j] + bufs[j].bytes && offsets[j] < offsets[i] + bufs[i].bytes;
      if (timeShared && spaceShared) bad.push(`${i} and ${j}`);
    }
  }
  return bad;
}

describe('placeIntervals', () => {
  test('a chain reuses memory: three 100-byte buffers in sequence need two slots', () => {
    const bufs = [{ bytes: 100, start: 0, end: 1 }, { bytes: 100, start: 1, end: 2 }, { bytes: 100, start: 2, end: 3 }];
    const { offsets, size } = placeIntervals(bufs);
    expect(overlaps(bufs, offsets)).toEqual([]);
    expect(size).toBe(2 * alignUp(100));
    expect(offsets[0]).toBe(offsets[2]);
  });

  test('random lifetimes never overlap, and best fit beats no reuse', () => {
    let seed = 12345;
    const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) % n);
    const bufs = Array.from({ length: 200 }, () => {
      const start = rand(100);
      return { bytes: 1 + rand(5000), start, end: start + rand(10) };
    });
    const { offsets, size } = placeIntervals(bufs);
    expect(overlaps(bufs, offsets)).toEqual([]);
    expect(offsets.every((o) => o % 16 === 0)).toBe(true);
    expect(size).toBeLessThan(bufs.reduce((n, b) => n + alignUp(b.bytes), 0) / 3);
  });
});

describe('planMemory', () => {
  const x = value('x', 10);
  const y = value('y', 10);
  const [a, b, c, d] = ['a', 'b', 'c', 'd'].map((n) => value(n, 64));
  const w = new Value('w', { dtype: 'f32', shape: [3] }, Tensor.fromArray('f32', [3], [1, 2, 3]));
  // x → a → b → c → d → y, each step reading the previous value (and w at step 1).
  const steps: PlanStep[] = [
    { reads: [x], writes: [a] },
    { reads: [a, w], writes: [b], scratchBytes: 32 },
    { reads: [b], writes: [c] },
    { reads: [c], writes: [d] },
    { reads: [d], writes: [y] },
  ];
  const plan = planMemory({ steps, inputs: [x], outputs: [y], bytesOf: bytes, base: 64 });

  test('inputs, outputs and weights come first and apart; intermediates reuse the arena', () => {
    expect(plan.offsets.get(x)).toBe(64);
    expect(plan.offsets.get(y)).toBe(64 + alignUp(40));
    expect(plan.weightsOffset).toBe(64 + 2 * alignUp(40));
    expect(plan.offsets.get(w)).toBe(plan.weightsOffset);
    expect(plan.weightsBytes).toBe(16);
    expect(plan.arenaOffset).toBeGreaterThanOrEqual(plan.weightsOffset + plan.weightsBytes);
    expect(plan.arenaBytes).toBeLessThan(plan.unsharedArenaBytes);
    expect(plan.offsets.get(a)).toBe(plan.offsets.get(c));
  });

  test('values live at the same step never overlap, scratch included', () => {
    const bufs: Interval[] = [];
    const offs: number[] = [];
    const life = new Map<Value, Interval>();
    steps.forEach((s, t) => {
      for (const v of [...s.reads, ...s.writes]) {
        if (v.isConst || v === x || v === y) continue;
        const l = life.get(v) ?? { bytes: bytes(v), start: t, end: t };
        l.end = t;
        life.set(v, l);
      }
      if (s.scratchBytes) {
        bufs.push({ bytes: s.scratchBytes, start: t, end: t });
        offs.push(plan.scratch[t]);
      }
    });
    for (const [v, l] of life) {
      bufs.push(l);
      offs.push(plan.offsets.get(v)!);
    }
    expect(overlaps(bufs, offs)).toEqual([]);
    expect(plan.scratch.filter((s) => s >= 0)).toHaveLength(1);
  });

  test('an alias shares its source buffer and stretches its lifetime', () => {
    const v = value('view', 64);
    const p = planMemory({
      steps: [{ reads: [x], writes: [a] }, { reads: [x], writes: [b] }, { reads: [v, b], writes: [y] }],
      aliases: [[v, a]],
      inputs: [x],
      outputs: [y],
      bytesOf: bytes,
    });
    expect(p.offsets.get(v)).toBe(p.offsets.get(a));
    expect(p.offsets.get(a)).not.toBe(p.offsets.get(b));
  });
});

describe('aliases at an offset (a concat written in place)', () => {
  test('each piece sits at its offset in the concat, a view of a piece at the piece, and the group lives as long as any name', () => {
    const [a, b, cat, view, other] = [value('a', 8), value('b', 4), value('cat', 12), value('view', 4), value('other', 12)];
    const steps: PlanStep[] = [
      { reads: [], writes: [a] },
      { reads: [], writes: [b] },
      { reads: [cat], writes: [other] },
      { reads: [view], writes: [] },
    ];
    const plan = planMemory({ steps, aliases: [[a, cat, 0], [b, cat, 32], [view, b]], inputs: [], outputs: [], bytesOf: bytes });
    const at = (v: Value) => plan.offsets.get(v)!;
    expect(at(a)).toBe(at(cat));
    expect(at(b)).toBe(at(cat) + 32);
    expect(at(view)).toBe(at(b));
    // `other` is written while the concat is live (its readers come later): it shares none of its 48 bytes.
    expect(at(other) >= at(cat) + 48 || at(other) + 48 <= at(cat)).toBe(true);
  });

  test('a piece whose group starts before its root is placed from its lowest member', () => {
    const [piece, whole] = [value('piece', 4), value('whole', 8)];
    // whole = piece − 16 bytes: the group's buffer starts at `whole` and `piece` is 16 bytes in.
    const plan = planMemory({ steps: [{ reads: [], writes: [piece] }, { reads: [whole], writes: [] }], aliases: [[whole, piece, -16]], inputs: [], outputs: [], bytesOf: bytes, base: 64 });
    expect(plan.offsets.get(piece)! - plan.offsets.get(whole)!).toBe(16);
    expect(plan.offsets.get(whole)!).toBeGreaterThanOrEqual(plan.arenaOffset);
  });

  test('a value aliased to two places is a generator bug', () => {
    const [a, x, y] = [value('a', 4), value('x', 8), value('y', 8)];
    expect(() => planMemory({ steps: [], aliases: [[x, y, 0], [a, x, 0], [a, y, 16]], inputs: [], outputs: [], bytesOf: bytes })).toThrow("'a' is aliased to two places");
  });
});
