// The integer anchors' kernels with their fused epilogues (requantize to u8/i8, dequantize to f32, none),
// through fuse-ops and compileToWasm, against the reference interpreter: one kernel per layer, the i32 sum
// exact and the requantized output within one step.
import { Tensor } from '../../../compiler/ir/tensor.js';
import { fuseOps } from '../../../passes/fuse-ops.js';
import { quantizedLayer, type Layer, type QuantizedOptions } from '../../../tests/util/quantized-layers.js';
import { runInt8 } from '../../../tests/util/int8-testing.js';
import { buildGraph, mismatches, randomTensor } from '../../../tests/util/wasm-testing.js';
import { TARGET_INFO } from '../../targets.js';

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

test('an f32 conv followed by a quantizing cast: the cast stays out of the f32 anchor\'s group, whose kernel stores f32', async () => {
  const g = buildGraph({
    inputs: { x: { dtype: 'f32', shape: [1, 3, 6, 6] } },
    build: (b, { x }) => {
      const y = b.emit('conv', [x, b.constant(randomTensor('f32', [4, 3, 3, 3], 2))], { pads: [1, 1, 1, 1] })[0];
      const q = b.emit('round', [b.emit('div', [y, b.constant(Tensor.scalar('f32', 0.05))])[0]])[0];
      const c = b.emit('clip', [q, b.constant(Tensor.scalar('f32', -128)), b.constant(Tensor.scalar('f32', 127))])[0];
      return [b.emit('cast', [c], { to: 'i8' })[0]];
    },
  });
  const fused = fuseOps(g, TARGET_INFO.wasm.limits);
  expect(fused.nodes.map((n) => n.outputs[0].type.dtype)).toEqual(['f32', 'i8']);
  expect(await mismatches(fused)).toEqual([]);
});
