import { Value } from '../../compiler/ir/graph.js';
import { Tensor } from '../../compiler/ir/tensor.js';
import { planBuffers, STORAGE_OFFSET_ALIGN } from './buffer-plan.js';

const v = (name: string, n: number) => new Value(name, { dtype: 'f32', shape: [n] });
const c = (name: string, n: number) => new Value(name, { dtype: 'f32', shape: [n] }, new Tensor('f32', [n]));
const bytesOf = (x: Value) => (x.type.shape as number[])[0] * 4;
const serialize = (x: Value) => new Uint8Array(bytesOf(x)).fill(x.name.length);

describe('planBuffers', () => {
  test('inputs and outputs get their own buffers; intermediates share a slot once the earlier one is dead', () => {
    const [x, a, b, d, y] = [v('x', 8), v('a', 100), v('b', 50), v('d', 120), v('y', 8)];
    // x → a → b → d → y: a is dead when d is written, b is live.
    const steps = [
      { reads: [x], writes: [a] },
      { reads: [a], writes: [b] },
      { reads: [b], writes: [d] },
      { reads: [d], writes: [y] },
    ];
    const plan = planBuffers({ steps, aliases: [], inputs: [x], outputs: [y], bytesOf, serialize });
    const buf = (t: Value) => plan.ranges.get(t)!.buffer;
    expect([buf(x), buf(y)]).toEqual([0, 1]);
    expect(buf(a)).not.toBe(buf(b));
    expect(buf(d)).toBe(buf(a));
    // The shared slot grows to its largest value; reuse saves b's buffer count.
    expect(plan.buffers[buf(a)]).toBe(480);
    expect(plan.buffers).toHaveLength(4);
    expect(plan.unsharedBytes).toBe(400 + 200 + 480);
    expect(plan.weights).toBeNull();
  });

  test('a value read and written by the same step never shares a buffer with it', () => {
    const [x, a, b, y] = [v('x', 4), v('a', 4), v('b', 4), v('y', 4)];
    const steps = [
      { reads: [x], writes: [a] },
      { reads: [a], writes: [b] },
      { reads: [b], writes: [y] },
    ];
    const plan = planBuffers({ steps, aliases: [], inputs: [x], outputs: [y], bytesOf, serialize });
    expect(plan.ranges.get(a)!.buffer).not.toBe(plan.ranges.get(b)!.buffer);
  });

  test('constants share the weights buffer at aligned offsets; aliases share their source buffer', () => {
    const [x, w1, w2, a, view, y] = [v('x', 4), c('w1', 3), c('w22', 70), v('a', 4), v('view', 4), v('y', 4)];
    const steps = [
      { reads: [x, w1, w2], writes: [a] },
      { reads: [view], writes: [y] },
    ];
    const plan = planBuffers({ steps, aliases: [[view, a]], inputs: [x], outputs: [y], bytesOf, serialize });
    const [r1, r2] = [plan.ranges.get(w1)!, plan.ranges.get(w2)!];
    expect(r1).toEqual({ buffer: plan.weights!.buffer, offset: 0, size: 12 });
    expect(r2).toEqual({ buffer: plan.weights!.buffer, offset: STORAGE_OFFSET_ALIGN, size: 280 });
    expect(plan.weights!.data.length).toBe(STORAGE_OFFSET_ALIGN + 280);
    expect(plan.weights!.data[STORAGE_OFFSET_ALIGN]).toBe(3);
    expect(plan.ranges.get(view)!.buffer).toBe(plan.ranges.get(a)!.buffer);
  });

  test('empty values still get a 4-byte binding', () => {
    const [x, y] = [v('x', 0), v('y', 0)];
    const plan = planBuffers({ steps: [{ reads: [x], writes: [y] }], aliases: [], inputs: [x], outputs: [y], bytesOf, serialize });
    expect(plan.buffers).toEqual([4, 4]);
    expect(plan.ranges.get(y)!.size).toBe(4);
  });
});
