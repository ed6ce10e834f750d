// Recurrent ops against values computed by onnxruntime 1.30 (CPU) for the same inputs, plus inference,
// cost and import checks.
import { DlcError } from '../errors.js';
import { GraphBuilder } from '../ir/builder.js';
import { Graph, Value, type Attrs } from '../ir/graph.js';
import { Tensor } from '../ir/tensor.js';
import { interpret } from '../interpreter.js';
import { importOnnx } from '../onnx/frontend.js';
import { encodeOnnxModel } from '../onnx/writer.js';
import { getOp } from './registry.js';
import './index.js';

/** Element k of the n-th input: ((7k + 3n) mod 11 - 5) / 10, the formula the expected values were made with. */
function fill(shape: number[], n: number): Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  return Tensor.fromArray('f32', shape, Array.from({ length: size }, (_, k) => (((k * 7 + n * 3) % 11) - 5) / 10));
}

/** Runs one recurrent node on constant inputs (null: omitted) and returns all its outputs. */
function run(op: string, inputs: (Tensor | null)[], attrs: Attrs, numOutputs: number): Tensor[] {
  const g = new Graph('t');
  const b = new GraphBuilder(g);
  const outs = b.emit(op, inputs.map((t) => (t ? b.constant(t) : null)), attrs, numOutputs);
  g.outputs = outs;
  const result = interpret(g, {}, { checkTypes: true });
  return outs.map((v) => result[v.name]);
}

function expectClose(got: Tensor, shape: number[], want: number[]): void {
  expect(got.shape).toEqual(shape);
  expect(got.data.length).toBe(want.length);
  want.forEach((w, i) => expect(got.data[i]).toBeCloseTo(w, 5));
}

describe('lstm', () => {
  it('runs bidirectionally with sequence lengths, peepholes and initial states', () => {
    const lens = Tensor.fromArray('i32', [2], [3, 2]);
    const [y, yh, yc] = run('lstm', [fill([3, 2, 2], 0), fill([2, 8, 2], 1), fill([2, 8, 2], 2), fill([2, 16], 3), lens, fill([2, 2, 2], 5), fill([2, 2, 2], 6), fill([2, 6], 7)],
      { hidden_size: 2, direction: 'bidirectional' }, 3);
    expectClose(y, [3, 2, 2, 2], [
      0.044609, 0.008434, 0.111832, 0.03466, 0.154704, 0.055919, 0.119285, -0.075021,
      0.12201, -0.140241, 0.182223, -0.124577, 0.081099, 0.096353, 0.057091, -0.096246,
      // Batch entry 1 has length 2: its third step stays zero in both directions.
      0.092635, -0.050116, 0, 0, 0.015683, 0.099071, 0, 0,
    ]);
    expectClose(yh, [2, 2, 2], [0.092635, -0.050116, 0.182223, -0.124577, 0.154704, 0.055919, 0.119285, -0.075021]);
    expectClose(yc, [2, 2, 2], [0.378242, -0.069029, 0.656972, -0.208759, 0.348265, 0.102072, 0.288692, -0.131444]);
  });

  it('infers symbolic sequence and batch dims', () => {
    const x = new Value('x', { dtype: 'f32', shape: ['T', 'N', 2] });
    const g = new Graph('t', [x]);
    const b = new GraphBuilder(g);
    const [y, yh, yc] = b.emit('lstm', [x, b.constant(fill([1, 12, 2], 1)), b.constant(fill([1, 12, 3], 2))], { layout: 0 });
    expect(y.type.shape).toEqual(['T', 1, 'N', 3]);
    expect(yh.type.shape).toEqual([1, 'N', 3]);
    expect(yc.type.shape).toEqual([1, 'N', 3]);
  });

  it('counts two FLOPs per multiply-add of both matrix products plus the cell work', () => {
    const g = new Graph('t');
    const b = new GraphBuilder(g);
    const outs = b.emit('lstm', [b.constant(fill([5, 2, 3], 0)), b.constant(fill([1, 16, 3], 1)), b.constant(fill([1, 16, 4], 2))], {});
    const node = g.nodes[0];
    const cost = getOp('lstm').cost!({ node, attrs: node.attrs, inputs: node.inputs.map((v) => v!.type), outputs: outs.map((v) => v.type) });
    // D·T·B·(2·4H·(I+H) + 12H) = 1·5·2·(2·16·7 + 48)
    expect(cost.flops).toBe(5 * 2 * (2 * 16 * 7 + 48));
  });

  it('rejects weights that do not fit hidden_size', () => {
    const g = new Graph('t');
    const b = new GraphBuilder(g);
    expect(() => b.emit('lstm', [b.constant(fill([1, 1, 2], 0)), b.constant(fill([1, 12, 2], 1)), b.constant(fill([1, 12, 3], 2))], { hidden_size: 4 }))
      .toThrow(DlcError);
  });
});

describe('gru', () => {
  const inputs = () => [fill([2, 1, 3], 0), fill([1, 6, 3], 1), fill([1, 6, 2], 2), fill([1, 12], 3)];

  it('applies the reset gate before the recurrent product by default', () => {
    const [y, yh] = run('gru', inputs(), { hidden_size: 2 }, 2);
    expectClose(y, [2, 1, 1, 2], [-0.161988, -0.106635, -0.122063, 0.058372]);
    expectClose(yh, [1, 1, 2], [-0.122063, 0.058372]);
  });

  it('runs in reverse with linear_before_reset and clipping', () => {
    const [y, yh] = run('gru', inputs(), { hidden_size: 2, direction: 'reverse', linear_before_reset: 1, clip: 0.3 }, 2);
    expectClose(y, [2, 1, 1, 2], [-0.09888, -0.129593, 0.043678, 0.024628]);
    expectClose(yh, [1, 1, 2], [-0.09888, -0.129593]);
  });
});

describe('rnn', () => {
  const want = [0.2, -0.055, -0.1, 0.29, -0.085, -0.04, -0.08675, 0.092, 0.0275, -0.02075, 0.062, 0.1655];

  it('uses the given activation and its alpha', () => {
    const [y, yh] = run('rnn', [fill([2, 2, 2], 0), fill([1, 3, 2], 1), fill([1, 3, 3], 2)], { activations: ['LeakyRelu'], activation_alpha: [0.5] }, 2);
    expectClose(y, [2, 1, 2, 3], want);
    expectClose(yh, [1, 2, 3], want.slice(6));
  });

  it('takes batch-major tensors with layout 1', () => {
    // X [T=2, B=2, I=2] transposed to [B, T, I]; Y [T, D, B, H] comes back as [B, T, D, H].
    const x = fill([2, 2, 2], 0).data;
    const xBatchMajor = Tensor.fromArray('f32', [2, 2, 2], [x[0], x[1], x[4], x[5], x[2], x[3], x[6], x[7]]);
    const [y, yh] = run('rnn', [xBatchMajor, fill([1, 3, 2], 1), fill([1, 3, 3], 2)], { activations: ['LeakyRelu'], activation_alpha: [0.5], layout: 1 }, 2);
    expectClose(y, [2, 2, 1, 3], [...want.slice(0, 3), ...want.slice(6, 9), ...want.slice(3, 6), ...want.slice(9)]);
    expectClose(yh, [2, 1, 3], want.slice(6));
  });

  it('imports an opset-1 node, dropping output_sequence', () => {
    const bytes = encodeOnnxModel({
      opset: 1,
      inputs: [{ name: 'X', dtype: 'f32', shape: [2, 2, 2] }],
      outputs: [{ name: 'Y', dtype: 'f32', shape: [2, 1, 2, 3] }],
      initializers: [{ name: 'W', tensor: fill([1, 3, 2], 1) }, { name: 'R', tensor: fill([1, 3, 3], 2) }],
      nodes: [{ op: 'RNN', inputs: ['X', 'W', 'R'], outputs: ['Y'], attrs: { hidden_size: 3, output_sequence: 1, activations: ['LeakyRelu'], activation_alpha: { floats: [0.5] } } }],
    });
    const { graph } = importOnnx(bytes);
    expect(graph.nodes[0].attrs.output_sequence).toBeUndefined();
    expectClose(interpret(graph, { X: fill([2, 2, 2], 0) }).Y, [2, 1, 2, 3], want);
  });

  it('rejects an unknown direction', () => {
    expect(() => run('rnn', [fill([2, 2, 2], 0), fill([1, 3, 2], 1), fill([1, 3, 3], 2)], { direction: 'sideways' }, 2)).toThrow(/direction/);
  });
});
