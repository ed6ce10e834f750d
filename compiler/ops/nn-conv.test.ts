import { DlcError } from '../errors.js';
import { getOp } from './registry.js';
import { importModel, runOp, tensor, values } from '../../tests/util/op-harness.js';

const range = (n: number, from = 1) => Array.from({ length: n }, (_, i) => i + from);

describe('conv', () => {
  test('2-D valid window with bias', () => {
    const [y] = runOp('conv', [tensor(range(9), [1, 1, 3, 3]), tensor([1, 1, 1, 1], [1, 1, 2, 2]), tensor([1], [1])]);
    expect(y.shape).toEqual([1, 1, 2, 2]);
    expect(values(y)).toEqual([13, 17, 25, 29]);
  });

  test('pads and strides', () => {
    const [y] = runOp('conv', [tensor(range(9), [1, 1, 3, 3]), tensor(new Array(9).fill(1), [1, 1, 3, 3])], { pads: [1, 1, 1, 1], strides: [2, 2] });
    expect(values(y)).toEqual([12, 16, 24, 28]);
  });

  test('depthwise groups', () => {
    const [y] = runOp('conv', [tensor(range(8), [1, 2, 2, 2]), tensor([2, 3], [2, 1, 1, 1])], { group: 2 });
    expect(values(y)).toEqual([2, 4, 6, 8, 15, 18, 21, 24]);
  });

  test('1-D with dilation', () => {
    const [y] = runOp('conv', [tensor(range(5), [1, 1, 5]), tensor([1, 1], [1, 1, 2])], { dilations: [2] });
    expect(values(y)).toEqual([4, 6, 8]);
  });

  test('3-D', () => {
    const [y] = runOp('conv', [tensor(range(8), [1, 1, 2, 2, 2]), tensor(new Array(8).fill(1), [1, 1, 2, 2, 2])]);
    expect(values(y)).toEqual([36]);
  });

  test('channel mismatch is a DlcError', () => {
    expect(() => runOp('conv', [tensor(range(8), [1, 2, 2, 2]), tensor([1], [1, 1, 1, 1])])).toThrow(DlcError);
  });

  test('import resolves auto_pad into explicit pads', () => {
    const g = importModel({
      opset: 11,
      inputs: [{ name: 'x', dtype: 'f32', shape: [1, 1, 3, 3] }],
      outputs: [{ name: 'y', dtype: 'f32', shape: [1, 1, 3, 3] }],
      nodes: [{ op: 'Conv', inputs: ['x', 'w'], outputs: ['y'], attrs: { auto_pad: 'SAME_UPPER' } }],
      initializers: [{ name: 'w', tensor: tensor([1, 1, 1, 1], [1, 1, 2, 2]) }],
    });
    const conv = g.nodes.find((n) => n.op === 'conv')!;
    expect(conv.attrs).toMatchObject({ auto_pad: 'NOTSET', pads: [0, 0, 1, 1], kernel_shape: [2, 2], strides: [1, 1] });
    expect(conv.outputs[0].type.shape).toEqual([1, 1, 3, 3]);
  });

  test('cost counts two FLOPs per multiply-add', () => {
    const def = getOp('conv');
    const cost = def.cost!({
      node: {} as never,
      attrs: { group: 1 },
      inputs: [{ dtype: 'f32', shape: [1, 3, 8, 8] }, { dtype: 'f32', shape: [4, 3, 3, 3] }],
      outputs: [{ dtype: 'f32', shape: [1, 4, 6, 6] }],
    });
    expect(cost.flops).toBe(2 * 4 * 36 * 27);
  });
});

describe('conv_transpose', () => {
  test('stride 1 overlaps taps', () => {
    const [y] = runOp('conv_transpose', [tensor([1, 2, 3, 4], [1, 1, 2, 2]), tensor([1, 1, 1, 1], [1, 1, 2, 2])]);
    expect(values(y)).toEqual([1, 3, 2, 4, 10, 6, 3, 7, 4]);
  });

  test('stride 2 copies blocks', () => {
    const [y] = runOp('conv_transpose', [tensor([1, 2, 3, 4], [1, 1, 2, 2]), tensor([1, 1, 1, 1], [1, 1, 2, 2])], { strides: [2, 2] });
    expect(values(y)).toEqual([1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4]);
  });

  test('pads trim and output_padding extends', () => {
    const [y] = runOp('conv_transpose', [tensor([1, 2], [1, 1, 2]), tensor([1, 1, 1], [1, 1, 3])], { pads: [1, 0], output_padding: [1] });
    // Full result [1, 3, 3, 2], trimmed by one at the start, one zero row added at the end.
    expect(values(y)).toEqual([3, 3, 2, 0]);
  });

  test('import turns output_shape into pads and output_padding', () => {
    const g = importModel({
      opset: 11,
      inputs: [{ name: 'x', dtype: 'f32', shape: [1, 1, 2, 2] }],
      outputs: [{ name: 'y', dtype: 'f32', shape: [1, 1, 5, 5] }],
      nodes: [{ op: 'ConvTranspose', inputs: ['x', 'w'], outputs: ['y'], attrs: { strides: [2, 2], output_shape: [5, 5] } }],
      initializers: [{ name: 'w', tensor: tensor([1, 1, 1, 1], [1, 1, 2, 2]) }],
    });
    const node = g.nodes.find((n) => n.op === 'conv_transpose')!;
    expect(node.attrs).toMatchObject({ pads: [0, 0, 0, 0], output_padding: [1, 1], auto_pad: 'NOTSET' });
    expect(node.attrs.output_shape).toBeUndefined();
    expect(node.outputs[0].type.shape).toEqual([1, 1, 5, 5]);
  });
});
