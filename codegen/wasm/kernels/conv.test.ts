import type { Value } from '../../../compiler/ir/graph.js';
import { fuseOps } from '../../../passes/fuse-ops.js';
import { TARGET_INFO } from '../../targets.js';
import { compileToWasm } from '../program.js';
import { buildGraph, mismatches, randomTensor } from '../../../tests/util/wasm-testing.js';

const f32 = (...shape: number[]) => ({ dtype: 'f32' as const, shape });

describe('conv kernels match the interpreter', () => {
  test('pointwise, im2col-gemm (strides, pads, dilations), depthwise, grouped, 1-D', async () => {
    const g = buildGraph({
      inputs: { x: f32(2, 6, 9, 11), s: f32(1, 4, 10) },
      build: (b, { x, s }) => {
        const conv = (wShape: number[], attrs: Record<string, number | number[]>, bias = true, input = x) =>
          b.emit('conv', [input, b.constant(randomTensor('f32', wShape, wShape.length * 7 + wShape[0])), bias ? b.constant(randomTensor('f32', [wShape[0]], 5)) : null], attrs)[0];
        return [
          conv([7, 6, 1, 1], {}),
          conv([5, 6, 3, 3], { pads: [1, 1, 1, 1] }),
          conv([5, 6, 3, 2], { strides: [2, 3], pads: [0, 1, 2, 1] }, false),
          conv([4, 6, 3, 3], { dilations: [2, 2], pads: [2, 2, 2, 2] }),
          conv([6, 1, 3, 3], { group: 6, pads: [1, 1, 1, 1], strides: [2, 2] }),
          conv([12, 1, 5, 5], { group: 6, pads: [2, 2, 2, 2] }),
          conv([4, 3, 3, 3], { group: 2, pads: [1, 0, 1, 0] }),
          conv([3, 4, 3], { pads: [1, 1] }, true, s),
        ];
      },
    });
    expect(await mismatches(g)).toEqual([]);
  });

  test('every conv schedule kind computes the same conv', async () => {
    const w = randomTensor('f32', [6, 1, 3, 3], 4);
    const g = buildGraph({ inputs: { x: f32(1, 6, 7, 8) }, build: (b, { x }) => b.emit('conv', [x, b.constant(w)], { group: 6, pads: [1, 1, 1, 1] }) });
    for (const kind of ['depthwise', 'direct', 'im2col-gemm', 'implicit-gemm'] as const) expect(await mismatches(g, 1, { schedules: { conv: { kind } } })).toEqual([]);
    // im2col a few output rows at a time (7 rows in blocks of 3: a ragged last block).
    expect(await mismatches(g, 1, { schedules: { conv: { kind: 'im2col-gemm', blockBytes: 9 * 8 * 4 * 3 } } })).toEqual([]);
  });

  test('depthwise: strides 1 to 3, asymmetric pads, dilations, channel multipliers, rows narrower than a vector, 1-D and 3-D', async () => {
    const g = buildGraph({
      inputs: { x: f32(2, 4, 13, 23), t: f32(1, 3, 5), v: f32(1, 2, 4, 6, 11), n: f32(1, 3, 5, 3) },
      build: (b, { x, t, v, n }) => {
        let seed = 10;
        const dw = (input: Value, wShape: number[], attrs: Record<string, number | number[]>, bias = true) =>
          b.emit('conv', [input, b.constant(randomTensor('f32', wShape, seed++)), bias ? b.constant(randomTensor('f32', [wShape[0]], seed++)) : null], attrs)[0];
        return [
          dw(x, [4, 1, 3, 3], { group: 4, pads: [1, 1, 1, 1] }),
          dw(x, [4, 1, 3, 3], { group: 4, pads: [1, 1, 1, 1], strides: [2, 2] }, false),
          dw(x, [4, 1, 5, 5], { group: 4, pads: [2, 2, 2, 2], strides: [1, 2] }),
          dw(x, [4, 1, 3, 3], { group: 4, pads: [0, 1, 2, 0], strides: [3, 3] }),
          dw(x, [8, 1, 3, 3], { group: 4, pads: [2, 2, 2, 2], dilations: [2, 2] }),
          dw(x, [4, 1, 5, 5], { group: 4, pads: [4, 4, 4, 4], dilations: [1, 3], strides: [2, 2] }),
          dw(t, [3, 1, 3], { group: 3, pads: [1, 1] }),
          dw(v, [2, 1, 3, 3, 3], { group: 2, pads: [1, 1, 1, 1, 1, 1], strides: [1, 1, 2] }),
          dw(n, [3, 1, 5, 5], { group: 3, pads: [2, 2, 2, 2] }),
        ];
      },
    });
    for (const depthwiseVectors of [1, 2, 3]) expect(await mismatches(g, 1, { schedules: { conv: { depthwiseVectors } } })).toEqual([]);
  });

  test('GEMM rows in blocks of one tile', async () => {
    const g = buildGraph({
      inputs: { x: f32(2, 9, 5, 7) },
      build: (b, { x }) => [
        b.emit('conv', [x, b.constant(randomTensor('f32', [10, 9, 1, 1], 1)), b.constant(randomTensor('f32', [10], 2))], {})[0],
        b.emit('relu', [b.emit('conv', [x, b.constant(randomTensor('f32', [6, 3, 3, 3], 3))], { group: 3, pads: [1, 1, 1, 1] })[0]])[0],
      ],
    });
    expect(await mismatches(g, 1, { schedules: { conv: { gemm: { rowBlockBytes: 1 } } } })).toEqual([]);
  });

  test('conv_transpose with strides, pads, output padding and groups; weights given at run time', async () => {
    const g = buildGraph({
      inputs: { x: f32(1, 4, 5, 6), w: f32(4, 3, 3, 2) },
      build: (b, { x, w }) => [
        b.emit('conv_transpose', [x, w], { strides: [1, 2], group: 2 })[0],
        b.emit('conv_transpose', [x, b.constant(randomTensor('f32', [4, 3, 2, 2], 1)), b.constant(randomTensor('f32', [3], 2))], { strides: [2, 2] })[0],
        b.emit('conv_transpose', [x, b.constant(randomTensor('f32', [4, 2, 3, 3], 3))], { strides: [2, 2], pads: [1, 1, 1, 1], output_padding: [1, 1] })[0],
        b.emit('conv_transpose', [x, b.constant(randomTensor('f32', [4, 1, 3, 3], 5))], { group: 2, pads: [1, 1, 1, 1] })[0],
      ],
    });
    expect(await mismatches(g)).toEqual([]);
  });
});

test('activations fused into conv, conv_transpose, matmul and gemm stores match the unfused graph', async () => {
  const g = buildGraph({
    inputs: { x: f32(1, 6, 9, 11), a: f32(5, 7), b: f32(7, 13) },
    build: (b, { x, a, b: bb }) => {
      const c = (v: number) => b.constant(randomTensor('f32', [], v));
      const conv = (wShape: number[], attrs: Record<string, number | number[]>) =>
        b.emit('conv', [x, b.constant(randomTensor('f32', wShape, wShape[0] * 3)), b.constant(randomTensor('f32', [wShape[0]], 7))], attrs)[0];
      return [
        b.emit('relu', [conv([5, 6, 3, 3], { pads: [1, 1, 1, 1] })])[0],
        b.emit('hard_swish', [conv([6, 1, 3, 3], { group: 6, pads: [1, 1, 1, 1] })])[0],
        b.emit('clip', [conv([7, 6, 1, 1], {}), c(1), c(2)])[0],
        b.emit('hard_sigmoid', [conv([4, 6, 2, 2], { strides: [2, 2] })], { alpha: 0.3, beta: 0.6 })[0],
        b.emit('relu', [b.emit('conv_transpose', [x, b.constant(randomTensor('f32', [6, 2, 2, 2], 4))], { strides: [2, 2] })[0]])[0],
        b.emit('leaky_relu', [b.emit('matmul', [a, bb])[0]], { alpha: 0.2 })[0],
        b.emit('relu', [b.emit('gemm', [a, bb], { alpha: 2 })[0]])[0],
      ];
    },
  });
  // fuse-ops makes each producer and its activation one group; lowering runs each group as one kernel.
  const fused = fuseOps(g, TARGET_INFO.wasm.limits);
  expect(await mismatches(fused)).toEqual([]);
  // One kernel per producer: every activation rode along.
  expect((await compileToWasm(fused)).kernels).toBe(7);
});
