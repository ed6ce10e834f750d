import type { CompressionReport, CompressedLayer } from '../../compress/compress-graph.js';
import { buildGraph, randomTensor } from '../../tests/util/wasm-testing.js';
import { sharedConvSchedules } from './shared-conv-schedules.js';

const f32 = (...shape: number[]) => ({ dtype: 'f32' as const, shape });

// Three 3×3 convs: two of 16 → 16 channels (Winograd by default), and an RGB stem (3 → 16: not Winograd by default).
const graph = buildGraph({
  inputs: { x: f32(1, 16, 12, 12), rgb: f32(1, 3, 12, 12) },
  build: (b, { x, rgb }) => [
    b.emit('conv', [x, b.constant(randomTensor('f32', [16, 16, 3, 3], 1))], { pads: [1, 1, 1, 1] })[0],
    b.emit('conv', [x, b.constant(randomTensor('f32', [16, 16, 3, 3], 2))], { pads: [1, 1, 1, 1] })[0],
    b.emit('conv', [rgb, b.constant(randomTensor('f32', [16, 3, 3, 3], 3))], { pads: [1, 1, 1, 1] })[0],
  ],
});
const [wide, other, stem] = graph.nodes.map((n) => n.name);

function report(shared: string[]): CompressionReport {
  const layer = (node: string): CompressedLayer => ({ node, op: 'conv', kind: 'conv', weight: `${node}.w`, elements: 0, density: 1, distinct: 16, share: { bits: 4, clusters: 16 } });
  return { techniques: ['share'], retraining: 'post-training', layers: shared.map(layer) };
}

test('a shared conv that would run Winograd runs implicit-gemm; unshared ones and the RGB stem keep their default', () => {
  expect(sharedConvSchedules(graph, report([wide, stem]), undefined)).toEqual({ nodes: { [wide]: { conv: { kind: 'implicit-gemm' } } } });
  expect(sharedConvSchedules(graph, report([stem]), undefined)).toBeUndefined();
  expect(sharedConvSchedules(graph, undefined, undefined)).toBeUndefined();
});

test('an algorithm the user named, for the node or for every conv, is kept', () => {
  const own = { nodes: { [wide]: { conv: { kind: 'winograd' as const } } } };
  expect(sharedConvSchedules(graph, report([wide, other]), own)).toEqual({ nodes: { [wide]: { conv: { kind: 'winograd' } }, [other]: { conv: { kind: 'implicit-gemm' } } } });
  const everyConv = { conv: { kind: 'direct' as const } };
  expect(sharedConvSchedules(graph, report([wide, other]), everyConv)).toBe(everyConv);
});
