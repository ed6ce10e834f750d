// The integer anchors' kernels with their fused epilogues (requantize to u8/i8, dequantize to f32, none),
// through fuse-ops and compileToWasm, against the reference interpreter: one kernel per layer, the i32 sum
// exact and the requantized output within one step.
import { quantizedLayer, type Layer, type QuantizedOptions } from '../../../tests/util/quantized-layers.js';
import { runInt8 } from '../../../tests/util/int8-testing.js';

const conv = (c: number, m: number, h: number, w: number, kernel: [number, number], rest: Partial<Extract<Layer, { kind: 'conv' }>> = {}): Layer =>
  ({ kind: 'conv', c, m, h, w, kernel, ...rest });

/** Runs the layer and expects one kernel and every element within its bound; returns how many differ at all. */
async function expectLayer(l: Layer, o: QuantizedOptions): Promise<number> {
  const run = await runInt8(quantizedLayer(l, o));
  expect({ kernels: run.kernels, outOfBound: run.outOfBound }).toEqual({ kernels: 1, outOfBound: 0 });
  return run.differing;
}

describe('integer anchors with fused epilogues (direct loops)', () => {
  test('conv_integer + scale + bias + relu + quantize to u8 is one kernel within one step', async () => {
    await expectLayer(conv(5, 6, 7, 9, [3, 3], { pads: [1, 1, 1, 1] }), { xZeroPoint: 128 });
  });

  test('grouped conv_integer (not depthwise) with strides, i8 activations and output, hard_swish', async () => {
    await expectLayer(conv(4, 6, 8, 7, [3, 2], { group: 2, strides: [2, 1], pads: [1, 0, 1, 1] }), { act: 'i8', xZeroPoint: -5, out: 'i8', activation: 'hard_swish' });
  });

  test('matmul_integer + requantize, dequantize to f32, and the bare i32 sum', async () => {
    const l: Layer = { kind: 'matmul', batch: [2], m: 5, k: 7, n: 6 };
    await expectLayer(l, { xZeroPoint: 100 });
    await expectLayer(l, { xZeroPoint: 100, epilogue: 'dequantize' });
    expect(await expectLayer(l, { xZeroPoint: 100, epilogue: 'none' })).toBe(0);
  });
});
