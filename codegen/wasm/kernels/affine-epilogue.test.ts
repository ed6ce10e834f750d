// The closed form of the requantizing epilogue (affine-epilogue.ts): which chains it recognises, the composed
// per-channel constants, and the chains it leaves to the generic form. Its numbers are checked end to end
// against the reference interpreter by integer-fast.test.ts.
import { GraphBuilder } from '../../../compiler/ir/builder.js';
import { Value } from '../../../compiler/ir/graph.js';
import { groupOf } from '../../../compiler/kernel-groups.js';
import { Tensor } from '../../../compiler/ir/tensor.js';
import { quantizedLayer, type Layer } from '../../../tests/util/quantized-layers.js';
import { affineEpilogueOf } from './affine-epilogue.js';

const CONV: Layer = { kind: 'conv', c: 4, m: 6, h: 5, w: 5, kernel: [3, 3] };
const MATMUL: Layer = { kind: 'matmul', m: 3, k: 8, n: 5 };

describe('affineEpilogueOf', () => {
  test('requantize to u8 with relu: per-channel scale/(4/255) and bias/(4/255) + zp along the conv channel axis', () => {
    const g = quantizedLayer(CONV, { xZeroPoint: 128 });
    const f = affineEpilogueOf(groupOf(g.nodes))!;
    expect(f).toBeDefined();
    expect(f.axis).toBe(1);
    expect(f.channels).toBe(6);
    const scale = g.nodes.find((n) => n.op === 'mul')!.inputs[1]!.data!.data;
    const bias = g.nodes.find((n) => n.op === 'add')!.inputs[1]!.data!.data;
    for (let c = 0; c < 6; c++) {
      expect(f.scale[c]).toBeCloseTo(scale[c] / (4 / 255), 6);
      expect(f.bias[c]).toBeCloseTo(bias[c] / (4 / 255) + 20, 4);
    }
    // relu folds into a lower bound of zp = 20; the upper one is u8's; rounding adds 1.5·2²³.
    expect(f.vector('acc', 's', 'b')).toBe('i32x4.sub(f32x4.add(f32x4.pmin(f32x4.pmax(f32x4.add(f32x4.mul(f32x4.convert_i32x4_s(acc), s), b), ' +
      'f32x4.splat((<f32>20.0))), f32x4.splat((<f32>255.0))), f32x4.splat((<f32>12582912.0))), i32x4.splat(0x4B400000))');
  });

  test('relu6 folds into integer bounds; hard_swish stays between the affine steps; matmul channels are the last axis', () => {
    const relu6 = affineEpilogueOf(groupOf(quantizedLayer(MATMUL, { xZeroPoint: 128, activation: 'relu6' }).nodes))!;
    expect(relu6.axis).toBe(1);
    // Its bounds 0 and 6 land on 20 and 402.5 + 20 steps: the upper one meets u8's 255.
    expect(relu6.vector('acc', 's', 'b')).toContain('f32x4.splat((<f32>20.0))), f32x4.splat((<f32>255.0))');
    const hswish = affineEpilogueOf(groupOf(quantizedLayer(CONV, { act: 'i8', out: 'i8', activation: 'hard_swish' }).nodes))!;
    expect(hswish.vector('acc', 's', 'b')).toMatch(/f32x4\.mul\(f32x4\.add\(f32x4\.mul\(f32x4\.convert_i32x4_s\(acc\), s\), b\)/);
    expect(hswish.scalar('acc', 's', 'b')).toContain('nearest<f32>');
  });

  test('a dequantizing epilogue is acc·scale − 3·scale in f32', () => {
    const f = affineEpilogueOf(groupOf(quantizedLayer(CONV, { epilogue: 'dequantize' }).nodes))!;
    expect(f.vector('acc', 's', 'b')).toBe('f32x4.add(f32x4.mul(f32x4.convert_i32x4_s(acc), s), b)');
    for (let c = 0; c < 6; c++) expect(f.bias[c]).toBeCloseTo(-3 * f.scale[c], 9);
  });

  test('chains it does not take: a tensor read at run time, constants along two axes, no epilogue', () => {
    const residual = quantizedLayer(CONV, { epilogue: 'dequantize' });
    const b = new GraphBuilder(residual);
    const r = new Value('r', { dtype: 'f32', shape: [1, 6, 3, 3] });
    residual.inputs.push(r);
    residual.outputs = [b.emit('add', [residual.outputs[0], r])[0]];
    expect(affineEpilogueOf(groupOf(residual.nodes))).toBeUndefined();
    const twoAxes = quantizedLayer(CONV, { epilogue: 'dequantize' });
    const b2 = new GraphBuilder(twoAxes);
    twoAxes.outputs = [b2.emit('mul', [twoAxes.outputs[0], b2.constant(new Tensor('f32', [1, 1, 3, 1], new Float32Array([1, 2, 3])))])[0]];
    expect(affineEpilogueOf(groupOf(twoAxes.nodes))).toBeUndefined();
    expect(affineEpilogueOf(groupOf(quantizedLayer(CONV, { epilogue: 'none' }).nodes))).toBeUndefined();
  });
});
