// The integer GEMM paths (integer-fast.ts) against the reference interpreter: the i32 sum bit-exact for ragged
// shapes (channels and columns not multiples of the tile, K odd or not a multiple of 8, strides, pads,
// dilations, batch > 1, 1×1 and 3×3, matmul with batch dims), the fused requantizing epilogue within one step,
// and the direct loops kept where the fast path does not apply.
import { quantizedLayer, type Layer, type QuantizedOptions } from '../../../tests/util/quantized-layers.js';
import { runInt8 } from '../../../tests/util/int8-testing.js';

const conv = (c: number, m: number, h: number, w: number, kernel: [number, number], rest: Partial<Extract<Layer, { kind: 'conv' }>> = {}): Layer =>
  ({ kind: 'conv', c, m, h, w, kernel, ...rest });
const matmul = (m: number, k: number, n: number, batch: number[] = []): Layer => ({ kind: 'matmul', m, k, n, batch });

const SHAPES: [string, Layer][] = [
  ['1×1 conv, K = 5 (odd), 7 channels', conv(5, 7, 6, 9, [1, 1])],
  ['1×1 conv, 16 → 24, batch 2', conv(16, 24, 5, 5, [1, 1], { batch: 2 })],
  ['3×3 conv, pads 1, K = 27', conv(3, 9, 11, 13, [3, 3], { pads: [1, 1, 1, 1] })],
  ['3×3 conv, stride 2, asymmetric pads', conv(6, 5, 12, 10, [3, 3], { strides: [2, 2], pads: [0, 1, 1, 0] })],
  ['3×3 conv, dilation 2, stride (1, 3)', conv(4, 6, 13, 14, [3, 3], { dilations: [2, 2], strides: [1, 3], pads: [2, 1, 2, 1] })],
  ['5×2 conv, K = 70, 13 channels', conv(7, 13, 9, 8, [5, 2], { pads: [2, 0, 2, 1] })],
  // Output widths that are multiples of 4 take the SIMD unfold (integer-unfold.ts) between the edges.
  ['SIMD unfold: 1×1 conv 16 → 24 @ 6×16, no padding (no zero fill)', conv(16, 24, 6, 16, [1, 1])],
  ['SIMD unfold: 1×1 conv, K = 7 (odd), 5 channels @ 4×24, batch 2', conv(7, 5, 4, 24, [1, 1], { batch: 2 })],
  ['SIMD unfold: 3×3 conv, pads 1, K = 45 @ 9×20', conv(5, 6, 9, 20, [3, 3], { pads: [1, 1, 1, 1] })],
  ['SIMD unfold: 3×3 conv, stride 2, pads 1 @ 14×31', conv(4, 5, 14, 31, [3, 3], { strides: [2, 2], pads: [1, 1, 1, 1] })],
  ['SIMD unfold: 3×3 conv, stride 2, no padding @ 9×33 (row ends bound the 16-byte loads)', conv(3, 4, 9, 33, [3, 3], { strides: [2, 2] })],
  ['SIMD unfold: 3×3 conv, dilation 2, pads (2, 1, 2, 3) @ 10×24', conv(4, 3, 10, 24, [3, 3], { dilations: [2, 2], pads: [2, 1, 2, 3] })],
  ['matmul 1×33×19', matmul(1, 33, 19)],
  // Depthwise (integer-depthwise.ts): pair planes, width stride 1 or 2.
  ['depthwise 3×3, pads 1, 6 channels @ 7×13 (ragged width)', conv(6, 6, 7, 13, [3, 3], { group: 6, pads: [1, 1, 1, 1] })],
  ['depthwise 3×3, stride (2, 1), asymmetric pads, batch 2 @ 11×16', conv(5, 5, 11, 16, [3, 3], { group: 5, strides: [2, 1], pads: [0, 1, 1, 2], batch: 2 })],
  ['depthwise 3×3, dilation 2, pads 2 @ 12×21', conv(4, 4, 12, 21, [3, 3], { group: 4, dilations: [2, 2], pads: [2, 2, 2, 2] })],
  ['depthwise 5×4 (even kW), dilation (1, 3), no pads @ 9×30', conv(3, 3, 9, 30, [5, 4], { group: 3, dilations: [1, 3] })],
  ['depthwise 3×3, stride 2, pads 1 @ 13×17', conv(4, 4, 13, 17, [3, 3], { group: 4, strides: [2, 2], pads: [1, 1, 1, 1] })],
  ['depthwise 3×3, stride (1, 2), dilation (1, 3), pads (0, 2, 1, 0) @ 8×27', conv(3, 3, 8, 27, [3, 3], { group: 3, strides: [1, 2], dilations: [1, 3], pads: [0, 2, 1, 0] })],
  ['depthwise 1×3 @ 3×2 (narrower than a vector)', conv(2, 2, 3, 2, [1, 3], { group: 2, pads: [0, 1, 0, 1] })],
  ['matmul 9×64×12 with batch dims [2, 3]', matmul(9, 64, 12, [2, 3])],
  ['matmul 6×7×4', matmul(6, 7, 4)],
];

async function expectFast(l: Layer, o: QuantizedOptions, schedules = {}): Promise<number> {
  const run = await runInt8(quantizedLayer(l, o), { schedules });
  expect({ kernels: run.kernels, outOfBound: run.outOfBound, dot: run.dot }).toEqual({ kernels: 1, outOfBound: 0, dot: true });
  return run.differing;
}

describe('integer GEMM: the i32 sum is exact', () => {
  for (const [name, l] of SHAPES) {
    test(name, async () => {
      expect(await expectFast(l, { epilogue: 'none', xZeroPoint: 131 })).toBe(0);
      expect(await expectFast(l, { epilogue: 'none', act: 'i8', xZeroPoint: -9 })).toBe(0);
      expect(await expectFast(l, { epilogue: 'none' })).toBe(0);
    });
  }

  test('other register tiles and blocks: 3 × 1, 1 × 3, 8 × 4 vectors, one output row per im2col block', async () => {
    for (const tile of [{ tileM: 3, tileN: 1 }, { tileM: 1, tileN: 3 }, { tileM: 8, tileN: 4 }]) {
      expect(await expectFast(SHAPES[3][1], { epilogue: 'none', xZeroPoint: 7 }, { conv: { gemm: tile, blockBytes: 1 } })).toBe(0);
      expect(await expectFast(SHAPES[8][1], { epilogue: 'none', xZeroPoint: 7 }, { conv: { gemm: tile, blockBytes: 1 } })).toBe(0);
      expect(await expectFast(SHAPES[20][1], { epilogue: 'none', xZeroPoint: 7 }, { matmul: tile })).toBe(0);
    }
  });
});

describe('integer GEMM with the fused epilogue', () => {
  for (const [name, l] of SHAPES) {
    test(`${name}: requantized to u8 / i8 (relu, relu6, hard_swish) within one step, dequantized within the f32 bound`, async () => {
      await expectFast(l, { xZeroPoint: 128 });
      await expectFast(l, { act: 'i8', xZeroPoint: 3, out: 'i8', activation: 'hard_swish' });
      await expectFast(l, { xZeroPoint: 128, epilogue: 'dequantize' });
      await expectFast(l, { xZeroPoint: 100, activation: 'relu6', out: 'i8' });
    });
  }
});
