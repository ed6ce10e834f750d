import { compareTensors } from '../../compiler/compare.js';
import { DlcError } from '../../compiler/errors.js';
import { interpret } from '../../compiler/interpreter.js';
import type { Graph } from '../../compiler/ir/graph.js';
import { Tensor } from '../../compiler/ir/tensor.js';
import { loadBatch, WasmBatchBuilder, type LoadedMember } from './compile-batch.js';
import { buildGraph, randomTensor, TOLERANCE } from '../../tests/util/wasm-testing.js';

const f32 = (...shape: number[]) => ({ dtype: 'f32' as const, shape });

function feedsOf(graph: Graph, seed: number): Record<string, Tensor> {
  const feeds: Record<string, Tensor> = {};
  graph.inputs.forEach((v, i) => (feeds[v.name] = randomTensor(v.type.dtype, v.type.shape as number[], seed + i)));
  return feeds;
}

function mismatches(graph: Graph, member: LoadedMember, seed: number): string[] {
  const feeds = feedsOf(graph, seed);
  const want = interpret(graph, feeds);
  const got = member.run(feeds);
  return graph.outputs.flatMap((v) => {
    const d = compareTensors(got[v.name], want[v.name], TOLERANCE);
    return d.mismatch ? [`${v.name}: ${d.mismatch}`] : [];
  });
}

describe('WasmBatchBuilder', () => {
  const withWeights = buildGraph({
    inputs: { a: f32(3, 5) },
    build: (b, { a }) => b.emit('relu', [b.emit('matmul', [a, b.constant(Tensor.fromArray('f32', [5, 2], [1, -2, 3, -4, 5, -6, 7, -8, 9, -10]))])[0]]),
  });
  const integers = buildGraph({
    inputs: { i: { dtype: 'i64', shape: [4, 6] }, j: { dtype: 'i64', shape: [6] }, p: { dtype: 'bool', shape: [4, 6] } },
    build: (b, { i, j, p }) => [b.emit('mul', [i, j])[0], b.emit('where', [p, i, j])[0], b.emit('equal', [i, j])[0]],
  });
  const sameOps = buildGraph({ inputs: { x: f32(2, 7) }, build: (b, { x }) => b.emit('relu', [b.emit('matmul', [x, b.constant(Tensor.fromArray('f32', [7, 1], [1, 2, 3, 4, 5, 6, 7]))])[0]]) });

  test('graphs compiled into one module each run in their own memory region and match the interpreter', async () => {
    const builder = new WasmBatchBuilder();
    expect([builder.add(withWeights), builder.add(integers), builder.add(sameOps)]).toEqual([0, 1, 2]);
    const batch = await builder.compile();
    expect(batch.members.map((m) => m.run)).toEqual(['run_0', 'run_1', 'run_2']);
    const exports = WebAssembly.Module.exports(new WebAssembly.Module(batch.wasm as Uint8Array<ArrayBuffer>)).map((e) => e.name);
    expect(exports).toEqual(expect.arrayContaining(['memory', 'run_0', 'run_1', 'run_2']));
    const [m0, m1, m2] = await loadBatch(batch);
    expect(mismatches(withWeights, m0, 1)).toEqual([]);
    expect(mismatches(integers, m1, 2)).toEqual([]);
    expect(mismatches(sameOps, m2, 3)).toEqual([]);
    // Running the others wrote nothing over the first member's weights or slots.
    expect(mismatches(withWeights, m0, 4)).toEqual([]);
  });

  test('a graph the target rejects is a DlcError that leaves the batch as it was', async () => {
    const rejected = buildGraph({ inputs: { x: f32(3, 3) }, build: (b, { x }) => b.emit('pad', [x, b.constant(Tensor.fromArray('i64', [4], [0, 1, 0, 1]))], { mode: 'wrap' }) });
    const builder = new WasmBatchBuilder();
    builder.add(withWeights);
    const bytes = builder.planBytes;
    expect(() => builder.add(rejected)).toThrow(DlcError);
    expect(() => builder.add(rejected)).toThrow(/op pad is not supported by the wasm target: pad mode 'wrap'/);
    expect([builder.size, builder.planBytes]).toEqual([1, bytes]);
    expect(builder.add(sameOps)).toBe(1);
    const [m0, m1] = await loadBatch(await builder.compile());
    expect(mismatches(withWeights, m0, 5)).toEqual([]);
    expect(mismatches(sameOps, m1, 6)).toEqual([]);
  });
});
