import type { Node } from '../compiler/ir/graph.js';
import { DEFAULT_MATMUL, schedulesFor } from './schedule.js';

const node = (name: string): Node => ({ op: 'matmul', inputs: [], outputs: [], attrs: {}, name });

describe('schedulesFor', () => {
  test('defaults, per-kind overrides, then per-node overrides', () => {
    expect(schedulesFor(node('a')).matmul).toEqual(DEFAULT_MATMUL);
    const o = { matmul: { tileM: 2 }, nodes: { b: { matmul: { unrollK: 4 } } }, conv: { kind: 'direct' as const } };
    expect(schedulesFor(node('a'), o).matmul).toEqual({ ...DEFAULT_MATMUL, tileM: 2 });
    expect(schedulesFor(node('b'), o).matmul).toEqual({ ...DEFAULT_MATMUL, tileM: 2, unrollK: 4 });
    expect(schedulesFor(node('b'), o).conv.kind).toBe('direct');
  });

  test('rejects schedules outside the generators range', () => {
    expect(() => schedulesFor(node('a'), { matmul: { tileM: 0 } })).toThrow(/invalid matmul schedule/);
    expect(() => schedulesFor(node('a'), { conv: { kind: 'winograd' as never } })).toThrow(/unknown conv schedule kind/);
    expect(() => schedulesFor(node('a'), { conv: { depthwiseVectors: 5 } })).toThrow(/invalid conv schedule depthwiseVectors/);
  });
});
