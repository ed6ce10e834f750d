import type { Value } from '../../../compiler/ir/graph.js';
import { fuseOps } from '../../../passes/fuse-ops.js';
import { TARGET_INFO } from '../../targets.js';
import { buildGraph, mismatches, randomTensor } from '../../../tests/util/wasm-testing.js';
import { runOnTarget } from '../../../tests/util/targets.js';
import { winogradWeights } from './winograd.js';

const f32 = (...shape: number[]) => ({ dtype: 'f32' as const, shape });
const WINOGRAD = { schedules: { conv: { kind: 'winograd' as const } } };

test('the weight transform is G g Gᵀ (a delta filter transforms to G\'s column outer products)', () => {
  // g = e(1,1): (G g Gᵀ)_ij = G[i][1] · G[j][1], with G's middle column [0, ½, −½, 0].
  const g = new Float32Array(9);
  g[4] = 1;
  const u = winogradWeights(g, 1, 1);
  const col = [0, 0.5, -0.5, 0];
  // (+ 0 turns −0 into 0: the comparison is of values.)
  expect(Array.from(u, (v) => v + 0)).toEqual(col.flatMap((a) => col.map((b) => a * b + 0)));
});

describe('winograd conv matches the interpreter', () => {
  test('pads 0 and 1 and asymmetric, odd and even sizes, N = 2, C and K not multiples of 4, bias or none', async () => {
    const g = buildGraph({
      inputs: { x: f32(2, 5, 9, 11), t: f32(1, 6, 8, 8), n: f32(1, 3, 3, 3) },
      build: (b, { x, t, n }) => {
        let seed = 1;
        const conv = (input: Value, c: number, k: number, attrs: Record<string, number[]>, bias = true) =>
          b.emit('conv', [input, b.constant(randomTensor('f32', [k, c, 3, 3], seed++)), bias ? b.constant(randomTensor('f32', [k], seed++)) : null], attrs)[0];
        return [
          conv(x, 5, 7, { pads: [1, 1, 1, 1] }),
          conv(x, 5, 6, {}, false),
          conv(x, 5, 3, { pads: [0, 1, 2, 0] }),
          conv(t, 6, 9, { pads: [1, 1, 1, 1] }),
          // One tile of one output.
          conv(n, 3, 5, {}),
        ];
      },
    });
    expect(await mismatches(g, 1, WINOGRAD)).toEqual([]);
  });

  test('blocks of 4 and 8 tiles (ragged last block), weights given at run time', async () => {
    const g = buildGraph({
      inputs: { x: f32(1, 4, 13, 10), w: f32(5, 4, 3, 3) },
      build: (b, { x, w }) => [
        b.emit('conv', [x, w], { pads: [1, 1, 1, 1] })[0],
        b.emit('conv', [x, b.constant(randomTensor('f32', [6, 4, 3, 3], 3)), b.constant(randomTensor('f32', [6], 4))], { pads: [1, 0, 1, 0] })[0],
      ],
    });
    for (const winogradTiles of [4, 8]) expect(await mismatches(g, 1, { schedules: { conv: { kind: 'winograd', winogradTiles } } })).toEqual([]);
  });

  test('fused bias + relu, and a residual add + relu, run in the conv\'s stores', async () => {
    const g = buildGraph({
      inputs: { x: f32(1, 6, 10, 9), r: f32(1, 8, 10, 9) },
      build: (b, { x, r }) => {
        const conv = (seed: number) => b.emit('conv', [x, b.constant(randomTensor('f32', [8, 6, 3, 3], seed)), b.constant(randomTensor('f32', [8], seed + 1))], { pads: [1, 1, 1, 1] })[0];
        return [
          b.emit('relu', [conv(1)])[0],
          b.emit('relu', [b.emit('add', [conv(3), r])[0]])[0],
        ];
      },
    });
    const run = await runOnTarget('wasm', fuseOps(g, TARGET_INFO.wasm.limits), { wasm: WINOGRAD });
    expect(run.mismatches).toEqual([]);
    // Each conv and its epilogue is one kernel.
    expect(run.kernels).toBe(2);
  });
});
