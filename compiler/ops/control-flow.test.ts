// If, Loop and Scan on small hand-built graphs; expected values are worked out by hand in the comments.
import { DlcError } from '../errors.js';
import { GraphBuilder } from '../ir/builder.js';
import { Graph, Value, type Dim, type TensorType } from '../ir/graph.js';
import { Tensor } from '../ir/tensor.js';
import { interpret } from '../interpreter.js';
import { importOnnx } from '../onnx/frontend.js';
import { encodeOnnxModel, type OnnxGraphSpec } from '../onnx/writer.js';
import { registerOps } from './registry.js';
import './index.js';

// A test-only op whose output is one element longer than its input, to make a loop-carried value grow.
registerOps([{
  name: 'test_append_one',
  attrs: {},
  kind: 'opaque',
  onnx: [{ op: 'AppendOne', domain: 'test.dlc' }],
  infer: (ctx) => {
    const t = ctx.inputs[0]!;
    const n = t.shape[0];
    return [{ dtype: t.dtype, shape: [typeof n === 'number' ? n + 1 : ctx.freshDim('append')] }];
  },
  ref: ([x]) => [Tensor.fromArray(x!.dtype, [x!.size + 1], [...x!.toNumbers(), 1])],
}]);

const f32 = (shape: Dim[]): TensorType => ({ dtype: 'f32', shape });
const scalar = (dtype: 'bool' | 'i64', v: number) => Tensor.scalar(dtype, v);

/** A graph with the given inputs whose outputs `build` makes with a builder on it. */
function graph(name: string, inputs: Value[], build: (b: GraphBuilder, g: Graph) => Value[]): Graph {
  const g = new Graph(name, inputs);
  g.outputs = build(new GraphBuilder(g), g);
  return g;
}

function values(t: Tensor): number[] {
  return Array.from(t.data as ArrayLike<number>);
}

describe('if', () => {
  const x = new Value('x', f32([2]));
  const cond = new Value('cond', { dtype: 'bool', shape: [] });

  it('runs the taken branch, which reads outer-scope values', () => {
    const thenG = graph('then', [], (b) => b.emit('add', [x, x]));
    const elseG = graph('else', [], (b) => b.emit('relu', [x]));
    const main = graph('main', [cond, x], (b) => b.emit('if', [cond], { then_branch: thenG, else_branch: elseG }));
    expect(main.outputs[0].type).toEqual(f32([2]));
    const feeds = (c: number) => ({ cond: scalar('bool', c), x: Tensor.fromArray('f32', [2], [-1, 3]) });
    expect(values(interpret(main, feeds(1), { checkTypes: true })[main.outputs[0].name])).toEqual([-2, 6]);
    expect(values(interpret(main, feeds(0), { checkTypes: true })[main.outputs[0].name])).toEqual([0, 3]);
  });

  it('gives a dim where the branches differ a symbolic size', () => {
    const thenG = graph('then', [], (b) => [b.constant(Tensor.fromArray('f32', [2, 1], [1, 2]))]);
    const elseG = graph('else', [], (b) => [b.constant(Tensor.fromArray('f32', [3, 1], [3, 4, 5]))]);
    const main = graph('main', [cond], (b) => b.emit('if', [cond], { then_branch: thenG, else_branch: elseG }));
    const [shape0, shape1] = main.outputs[0].type.shape;
    expect(typeof shape0).toBe('string');
    expect(shape1).toBe(1);
    const out = (c: number) => interpret(main, { cond: scalar('bool', c) }, { checkTypes: true })[main.outputs[0].name];
    expect(out(1).shape).toEqual([2, 1]);
    expect(values(out(0))).toEqual([3, 4, 5]);
  });

  it('takes the type of the only branch a constant condition can take', () => {
    const thenG = graph('then', [], (b) => [b.constant(Tensor.fromArray('f32', [2], [1, 2]))]);
    const elseG = graph('else', [], (b) => [b.constant(Tensor.fromArray('f32', [1, 1], [3]))]);
    const main = graph('main', [], (b) => b.emit('if', [b.constant(scalar('bool', 0))], { then_branch: thenG, else_branch: elseG }));
    expect(main.outputs[0].type).toEqual(f32([1, 1]));
  });

  it('rejects branches of different ranks under a run-time condition', () => {
    const thenG = graph('then', [], (b) => [b.constant(Tensor.fromArray('f32', [2], [1, 2]))]);
    const elseG = graph('else', [], (b) => [b.constant(Tensor.fromArray('f32', [1, 1], [3]))]);
    expect(() => graph('main', [cond], (b) => b.emit('if', [cond], { then_branch: thenG, else_branch: elseG }))).toThrow(DlcError);
  });
});

describe('loop', () => {
  const x = new Value('x', f32([2]));

  /** Body (i, cond, acc) → (cond, acc + x, acc + x): a running sum of the outer x, also scanned out. */
  function sumBody(): Graph {
    const i = new Value('i', { dtype: 'i64', shape: [] });
    const c = new Value('c', { dtype: 'bool', shape: [] });
    const acc = new Value('acc', f32([2]));
    return graph('body', [i, c, acc], (b) => {
      const next = b.emit('add', [acc, x])[0];
      return [b.emit('identity', [c])[0], next, b.emit('identity', [next])[0]];
    });
  }

  it('runs M iterations, carrying a value and stacking a scan output', () => {
    const m = new Value('m', { dtype: 'i64', shape: [] });
    const init = new Value('init', f32([2]));
    const main = graph('main', [m, x, init], (b) => b.emit('loop', [m, null, init], { body: sumBody() }));
    const [final, scanned] = main.outputs;
    expect(final.type).toEqual(f32([2]));
    expect(typeof scanned.type.shape[0]).toBe('string');
    const out = interpret(main, { m: scalar('i64', 3), x: Tensor.fromArray('f32', [2], [1, 10]), init: Tensor.fromArray('f32', [2], [0, 5]) }, { checkTypes: true });
    // init + 3x = [3, 35]; the scan output holds init + kx for k = 1, 2, 3.
    expect(values(out[final.name])).toEqual([3, 35]);
    expect(out[scanned.name].shape).toEqual([3, 2]);
    expect(values(out[scanned.name])).toEqual([1, 15, 2, 25, 3, 35]);
  });

  it('knows the trip count of a constant M without a condition', () => {
    const init = new Value('init', f32([2]));
    const main = graph('main', [x, init], (b) => b.emit('loop', [b.constant(scalar('i64', 4)), null, init], { body: sumBody() }));
    expect(main.outputs[1].type).toEqual(f32([4, 2]));
  });

  it('stops when the body condition turns false, and skips the body when cond starts false', () => {
    // Body (i, cond, n) → (i < 2, n + 1): iterations i = 0, 1, 2 run, the last one returns false.
    const i = new Value('i', { dtype: 'i64', shape: [] });
    const c = new Value('c', { dtype: 'bool', shape: [] });
    const n = new Value('n', { dtype: 'i64', shape: [] });
    const body = graph('body', [i, c, n], (b) => [
      b.emit('less', [i, b.constant(scalar('i64', 2))])[0],
      b.emit('add', [n, b.constant(scalar('i64', 1))])[0],
      b.emit('identity', [i])[0],
    ]);
    const cond = new Value('cond', { dtype: 'bool', shape: [] });
    const main = graph('main', [cond], (b) => b.emit('loop', [null, cond, b.constant(scalar('i64', 10))], { body }));
    const run = (start: number) => interpret(main, { cond: scalar('bool', start) }, { checkTypes: true });
    const [final, scanned] = main.outputs;
    expect(values(run(1)[final.name])).toEqual([13]);
    expect(values(run(1)[scanned.name])).toEqual([0, 1, 2]);
    expect(values(run(0)[final.name])).toEqual([10]);
    expect(run(0)[scanned.name].shape).toEqual([0]);
  });

  it('imports a body whose carried value grows each iteration, making its dim symbolic', () => {
    const body: OnnxGraphSpec = {
      name: 'body',
      inputs: [{ name: 'i', dtype: 'i64', shape: [] }, { name: 'c', dtype: 'bool', shape: [] }, { name: 'y_in', dtype: 'f32', shape: [1] }],
      outputs: [{ name: 'c_out', dtype: 'bool', shape: [] }, { name: 'y_out', dtype: 'f32', shape: [1] }],
      nodes: [
        { op: 'Identity', inputs: ['c'], outputs: ['c_out'] },
        { op: 'AppendOne', domain: 'test.dlc', inputs: ['y_in'], outputs: ['y_out'] },
      ],
    };
    const bytes = encodeOnnxModel({
      opset: 16,
      inputs: [{ name: 'm', dtype: 'i64', shape: [] }, { name: 'y', dtype: 'f32', shape: [1] }],
      outputs: [{ name: 'y_final', dtype: 'f32', shape: ['n'] }],
      nodes: [{ op: 'Loop', inputs: ['m', '', 'y'], outputs: ['y_final'], attrs: { body: { graph: body } } }],
    });
    const { graph: main } = importOnnx(bytes);
    const loopBody = main.nodes[0].attrs.body as Graph;
    expect(typeof loopBody.inputs[2].type.shape[0]).toBe('string');
    expect(typeof main.outputs[0].type.shape[0]).toBe('string');
    const out = interpret(main, { m: scalar('i64', 3), y: Tensor.fromArray('f32', [1], [7]) }, { checkTypes: true });
    expect(values(out.y_final)).toEqual([7, 1, 1, 1]);
  });
});

describe('scan', () => {
  it('scans an input along axis 1 in reverse and stacks the output along axis 1 in reverse', () => {
    // x = [[1,2,3],[4,5,6]] read column by column from the last: s = [3,6], [5,11], [6,15]. Output
    // position 2 - t holds step t: [[6,5,3],[15,11,6]].
    const s = new Value('s', f32([2]));
    const col = new Value('col', f32([2]));
    const body = graph('body', [s, col], (b) => {
      const next = b.emit('add', [s, col])[0];
      return [next, b.emit('identity', [next])[0]];
    });
    const init = new Value('init', f32([2]));
    const x = new Value('x', f32([2, 3]));
    const main = graph('main', [init, x], (b) => b.emit('scan', [init, x], {
      body, num_scan_inputs: 1, scan_input_axes: [1], scan_input_directions: [1], scan_output_axes: [-1], scan_output_directions: [1],
    }));
    expect(main.outputs.map((v) => v.type)).toEqual([f32([2]), f32([2, 3])]);
    const out = interpret(main, { init: Tensor.fromArray('f32', [2], [0, 0]), x: Tensor.fromArray('f32', [2, 3], [1, 2, 3, 4, 5, 6]) }, { checkTypes: true });
    expect(values(out[main.outputs[0].name])).toEqual([6, 15]);
    expect(values(out[main.outputs[1].name])).toEqual([6, 5, 3, 15, 11, 6]);
  });

  const scan8Body: OnnxGraphSpec = {
    name: 'body',
    inputs: [{ name: 'sum_in', dtype: 'f32', shape: [2] }, { name: 'next', dtype: 'f32', shape: [2] }],
    outputs: [{ name: 'sum_out', dtype: 'f32', shape: [2] }, { name: 'scan_out', dtype: 'f32', shape: [2] }],
    nodes: [
      { op: 'Add', inputs: ['sum_in', 'next'], outputs: ['sum_out'] },
      { op: 'Identity', inputs: ['sum_out'], outputs: ['scan_out'] },
    ],
  };

  function scan8Model(seqLens?: Tensor): Uint8Array {
    return encodeOnnxModel({
      opset: 8,
      inputs: [{ name: 'initial', dtype: 'f32', shape: [2, 2] }, { name: 'x', dtype: 'f32', shape: [2, 3, 2] }],
      outputs: [{ name: 'y', dtype: 'f32', shape: [2, 2] }, { name: 'z', dtype: 'f32', shape: [2, 3, 2] }],
      initializers: seqLens ? [{ name: 'lens', tensor: seqLens }] : [],
      nodes: [{ op: 'Scan', inputs: [seqLens ? 'lens' : '', 'initial', 'x'], outputs: ['y', 'z'], attrs: { body: { graph: scan8Body }, num_scan_inputs: 1 } }],
    });
  }

  it('imports opset-8 Scan, whose inputs carry a batch axis, as a scan over the batch', () => {
    const { graph: main } = importOnnx(scan8Model(Tensor.fromArray('i32', [2], [3, 3])));
    expect(main.outputs.map((v) => v.type)).toEqual([f32([2, 2]), f32([2, 3, 2])]);
    // Batch 0 sums rows [1,2],[3,4],[5,6] from [0,0]; batch 1 sums [1,1] three times from [10,20].
    const out = interpret(main, {
      initial: Tensor.fromArray('f32', [2, 2], [0, 0, 10, 20]),
      x: Tensor.fromArray('f32', [2, 3, 2], [1, 2, 3, 4, 5, 6, 1, 1, 1, 1, 1, 1]),
    }, { checkTypes: true });
    expect(values(out.y)).toEqual([9, 12, 13, 23]);
    expect(values(out.z)).toEqual([1, 2, 4, 6, 9, 12, 11, 21, 12, 22, 13, 23]);
  });

  it('refuses opset-8 sequence lengths shorter than the sequence', () => {
    expect(() => importOnnx(scan8Model(Tensor.fromArray('i32', [2], [3, 1])))).toThrow(/sequence_lens/);
  });
});
