// exportOnnxModel: graphs built in the IR are written as ONNX and run in onnxruntime-node, whose results must
// match the reference interpreter on the same graph; the opset forms each rule picks; the refusals.
import { optimize } from '../../api/optimize.js';
import { quantizationPipelines } from '../../passes/pipelines.js';
import { compareTensors } from '../compare.js';
import { GraphBuilder } from '../ir/builder.js';
import { Graph, Value } from '../ir/graph.js';
import { Tensor } from '../ir/tensor.js';
import { interpret } from '../interpreter.js';
import { getOp, findOnnxImport } from '../ops/registry.js';
import { seededRandom } from '../random.js';
import { exportOnnxModel } from './export.js';
import { EXPORT_RULES } from './export-rules.js';
import { decodeModel, toNumber, type LongLike } from './proto.js';
import { errorOf } from '../../tests/util/errors.js';
import { buildGraph, randomFeeds, type GraphSpec } from '../../tests/util/graphs.js';
import { runOnnxruntime } from '../../tests/util/ort.js';

/** The opset and node op types of exported bytes. */
function summary(bytes: Uint8Array): { opset: number; ops: string[] } {
  const model = decodeModel(bytes, 'exported');
  return { opset: toNumber(model.opsetImport?.[0].version as LongLike), ops: (model.graph?.node ?? []).map((n) => n.opType ?? '') };
}

/** Runs the exported graph in onnxruntime and the graph in the interpreter; both results, by output name. */
async function runBoth(graph: Graph, feeds: Record<string, Tensor>, opset?: number) {
  const bytes = exportOnnxModel(graph, { opset });
  const theirs = await runOnnxruntime(bytes, feeds);
  const ours = interpret(graph, feeds, { checkTypes: true });
  return { bytes, theirs, ours };
}

async function expectSameAsInterpreter(graph: Graph, opset?: number, tol = { atol: 1e-5, rtol: 1e-4 }): Promise<Uint8Array> {
  const { bytes, theirs, ours } = await runBoth(graph, randomFeeds(graph, 5), opset);
  for (const out of graph.outputs) {
    const d = compareTensors(theirs[out.name], ours[out.name], tol);
    expect({ output: out.name, mismatch: d.mismatch }).toEqual({ output: out.name, mismatch: undefined });
  }
  return bytes;
}

const f32 = (shape: number[], values: number[]) => Tensor.fromArray('f32', shape, values);
const i64 = (values: number[]) => Tensor.fromArray('i64', [values.length], values);

function seeded(n: number, seed: number, f: (r: number) => number): number[] {
  const rand = seededRandom(seed);
  return Array.from({ length: n }, () => f(rand()));
}

describe('exportOnnxModel: a QDQ graph', () => {
  // x (f32) → quantize/dequantize (u8, per tensor) → conv with int8 weights dequantized per output channel
  // (axis 0) and an int32 bias dequantized at scale s_x·s_w → relu → quantize/dequantize (i8) → y.
  const C = 3;
  const M = 4;
  const sX = 0.01;
  const sW = [0.004, 0.006, 0.003, 0.005];
  const sY = 0.02;
  const qdq = (): Graph =>
    buildGraph({
      inputs: { x: { dtype: 'f32', shape: [1, C, 8, 8] } },
      build: (b, { x }) => {
        const xScale = b.constant(Tensor.scalar('f32', sX));
        const xZp = b.constant(Tensor.scalar('u8', 128));
        const [xq] = b.emit('quantize_linear', [x, xScale, xZp]);
        const [xd] = b.emit('dequantize_linear', [xq, xScale, xZp]);
        const w = b.constant(Tensor.fromArray('i8', [M, C, 3, 3], seeded(M * C * 9, 11, (r) => Math.round(r * 127))));
        const wScale = b.constant(f32([M], sW));
        const wZp = b.constant(Tensor.fromArray('i8', [M], [0, 0, 0, 0]));
        const [wd] = b.emit('dequantize_linear', [w, wScale, wZp], { axis: 0 });
        const bias = b.constant(Tensor.fromArray('i32', [M], [1500, -700, 90, -4000]));
        const [bd] = b.emit('dequantize_linear', [bias, b.constant(f32([M], sW.map((s) => Math.fround(sX * s))))], { axis: 0 });
        const [conv] = b.emit('conv', [xd, wd, bd], { kernel_shape: [3, 3], pads: [1, 1, 1, 1] });
        const [relu] = b.emit('relu', [conv]);
        const yScale = b.constant(Tensor.scalar('f32', sY));
        const yZp = b.constant(Tensor.scalar('i8', -10));
        const [yq] = b.emit('quantize_linear', [relu, yScale, yZp]);
        yq.name = 'yq';
        const [y] = b.emit('dequantize_linear', [yq, yScale, yZp]);
        y.name = 'y';
        return [y, yq];
      },
    });

  test('runs in onnxruntime within one quantization step of the interpreter', async () => {
    const graph = qdq();
    const { bytes, theirs, ours } = await runBoth(graph, randomFeeds(graph, 3));
    expect(summary(bytes)).toEqual({
      opset: 17,
      ops: ['QuantizeLinear', 'DequantizeLinear', 'DequantizeLinear', 'DequantizeLinear', 'Conv', 'Relu', 'QuantizeLinear', 'DequantizeLinear'],
    });
    const steps = compareTensors(theirs.yq, ours.yq, { atol: 0, rtol: 0 });
    expect(theirs.yq.dtype).toBe('i8');
    expect(steps.maxAbsError).toBeLessThanOrEqual(1);
    expect(compareTensors(theirs.y, ours.y, { atol: sY * 1.001, rtol: 0 }).mismatch).toBeUndefined();
    // The quantized output is not trivially constant: the comparison has something to compare.
    expect(new Set(Array.from(ours.yq.data)).size).toBeGreaterThan(10);
  });

  test('the per-axis parameters keep their axis', () => {
    const model = decodeModel(exportOnnxModel(qdq()), 'exported');
    const axes = (model.graph?.node ?? []).filter((n) => n.opType === 'DequantizeLinear').map((n) => n.attribute?.find((a) => a.name === 'axis')?.i);
    expect(axes.map((a) => toNumber(a as LongLike))).toEqual([1, 0, 0, 1]);
  });

  test('after -O2 optimization folds its pairs into integer anchors, it exports and runs again', async () => {
    const { graph } = optimize(exportOnnxModel(qdq()), { pipeline: quantizationPipelines(2).optimize });
    expect(graph.nodes.map((n) => n.op)).toContain('conv_integer');
    await expectSameAsInterpreter(graph, undefined, { atol: sY * 1.001, rtol: 0 });
  });

  test('conv_integer and matmul_integer run exactly', async () => {
    const graph = buildGraph({
      inputs: { x: { dtype: 'u8', shape: [1, 2, 5, 5] }, a: { dtype: 'u8', shape: [3, 4] } },
      build: (b, { x, a }) => {
        const w = b.constant(Tensor.fromArray('u8', [3, 2, 3, 3], seeded(54, 4, (r) => Math.floor((r + 1) * 100))));
        const [conv] = b.emit('conv_integer', [x, w, b.constant(Tensor.scalar('u8', 3))], { kernel_shape: [3, 3], strides: [2, 2] });
        const bm = b.constant(Tensor.fromArray('i8', [4, 2], [-5, 7, 100, -128, 3, 0, 127, -1]));
        const [mm] = b.emit('matmul_integer', [a, bm, b.constant(Tensor.scalar('u8', 5)), b.constant(Tensor.scalar('i8', 1))]);
        return [conv, mm];
      },
    });
    expect(summary(await expectSameAsInterpreter(graph)).ops).toEqual(['ConvInteger', 'MatMulInteger']);
  });
});

describe('exportOnnxModel: plain ops', () => {
  const UNARY = ['abs', 'neg', 'reciprocal', 'floor', 'ceil', 'round', 'sqrt', 'exp', 'log', 'sin', 'cos', 'tan', 'asin', 'acos', 'atan',
    'sinh', 'cosh', 'asinh', 'acosh', 'atanh', 'sign', 'erf', 'relu', 'leaky_relu', 'elu', 'selu', 'celu', 'thresholded_relu', 'sigmoid',
    'hard_sigmoid', 'hard_swish', 'tanh', 'softplus', 'softsign', 'mish', 'shrink', 'identity', 'global_average_pool', 'global_max_pool',
    'softmax', 'log_softmax', 'hardmax', 'flatten', 'transpose', 'mean_variance_normalization', 'lp_normalization'];
  const BINARY = ['add', 'sub', 'mul', 'div', 'pow', 'max', 'min', 'sum', 'mean', 'prelu', 'matmul'];

  test.each(UNARY)('%s', async (op) => {
    const graph = buildGraph({ inputs: { x: { dtype: 'f32', shape: [2, 3, 4, 4] } }, build: (b, { x }) => b.emit(op, [x]) });
    expect(summary(await expectSameAsInterpreter(graph)).ops).toEqual([EXPORT_RULES.get(op)!.onnxOp]);
  });

  test.each(BINARY)('%s', async (op) => {
    const graph = buildGraph({
      inputs: { x: { dtype: 'f32', shape: [2, 4, 4] } },
      build: (b, { x }) => b.emit(op, [x, b.constant(f32([4, 4], seeded(16, 2, (r) => r + 1.5)))]),
    });
    expect(summary(await expectSameAsInterpreter(graph)).ops).toEqual([EXPORT_RULES.get(op)!.onnxOp]);
  });
});

describe('exportOnnxModel: opset forms', () => {
  const spec = (build: GraphSpec['build'], shape = [2, 3, 4]): Graph => buildGraph({ inputs: { x: { dtype: 'f32', shape } }, build });

  test('reduce axes are an attribute before opset 18 and an input from it', async () => {
    const graph = spec((b, { x }) => b.emit('reduce_mean', [x, b.constant(i64([-1]))], { keepdims: 0 }));
    const at17 = await expectSameAsInterpreter(graph);
    expect(summary(at17)).toEqual({ opset: 17, ops: ['ReduceMean'] });
    const node17 = decodeModel(at17, 'm').graph!.node![0];
    expect([node17.input, node17.attribute!.map((a) => a.name).sort()]).toEqual([['x'], ['axes', 'keepdims']]);
    const at18 = await expectSameAsInterpreter(graph, 18);
    expect(decodeModel(at18, 'm').graph!.node![0].input).toHaveLength(2);
  });

  test('gelu is Gelu from opset 20 and its formula before', async () => {
    for (const approximate of ['none', 'tanh']) {
      const graph = spec((b, { x }) => b.emit('gelu', [x], { approximate }));
      expect(summary(await expectSameAsInterpreter(graph)).ops).toContain(approximate === 'tanh' ? 'Tanh' : 'Erf');
      expect(summary(await expectSameAsInterpreter(graph, 20)).ops).toEqual(['Gelu']);
    }
  });

  test('softmax over a 2-D coercion is a flatten, a softmax and a reshape', async () => {
    const graph = spec((b, { x }) => b.emit('softmax', [x], { axis: 1, coerce_2d: 1 }));
    expect(summary(await expectSameAsInterpreter(graph)).ops).toEqual(['Flatten', 'Softmax', 'Reshape']);
  });

  test('split by num_outputs needs opset 18 only where the parts are uneven', async () => {
    const even = spec((b, { x }) => b.emit('split', [x], { axis: 2, num_outputs: 2 }, 2));
    expect(summary(await expectSameAsInterpreter(even)).opset).toBe(17);
    const uneven = spec((b, { x }) => b.emit('split', [x], { axis: 1, num_outputs: 2 }, 2));
    expect(summary(await expectSameAsInterpreter(uneven)).opset).toBe(18);
  });

  test('cast, clip, resize and an attribute typed float', async () => {
    const graph = spec((b, { x }) => {
      const [c] = b.emit('clip', [x, b.constant(Tensor.scalar('f32', -0.5)), b.constant(Tensor.scalar('f32', 0.25))]);
      const [h] = b.emit('hard_sigmoid', [c], { alpha: 1, beta: 0.5 });
      const [r] = b.emit('resize', [h, null, b.constant(f32([3], [1, 2, 2]))], { mode: 'nearest', coordinate_transformation_mode: 'asymmetric', nearest_mode: 'floor' });
      return b.emit('cast', [r], { to: 'i32' });
    });
    expect(summary(await expectSameAsInterpreter(graph))).toEqual({ opset: 17, ops: ['Clip', 'HardSigmoid', 'Resize', 'Cast'] });
  });
});

describe('exportOnnxModel: names, constants and refusals', () => {
  test('values of one name get distinct names; inputs and outputs keep theirs; constants are initializers', async () => {
    const graph = buildGraph({
      inputs: { x: { dtype: 'f32', shape: [2] } },
      build: (b, { x }) => {
        const [a] = b.emit('add', [x, b.constant(f32([2], [1, 2]))]);
        const [m] = b.emit('mul', [a, a]);
        a.name = 'same';
        m.name = 'same';
        const [y] = b.emit('relu', [m]);
        y.name = 'x_out';
        return [y];
      },
    });
    const model = decodeModel(await expectSameAsInterpreter(graph), 'm');
    const g = model.graph!;
    expect(g.input!.map((v) => v.name)).toEqual(['x']);
    expect(g.output!.map((v) => v.name)).toEqual(['x_out']);
    expect(g.node!.map((n) => n.output![0])).toEqual(['same', 'same_1', 'x_out']);
    expect(g.initializer!).toHaveLength(1);
  });

  test('a specialized input stays a constant', async () => {
    const graph = buildGraph({
      inputs: { x: { dtype: 'f32', shape: [2, 3] } },
      build: (b, { x }) => b.emit('reshape', [x, b.constant(i64([3, 2]))]),
    });
    const shape = graph.nodes[0].inputs[1]!;
    shape.name = 'shape';
    graph.specialized = [{ name: 'shape', value: shape.data! }];
    const g = decodeModel(await expectSameAsInterpreter(graph), 'm').graph!;
    expect(g.input!.map((v) => v.name)).toEqual(['x']);
    expect(g.initializer!.map((t) => t.name)).toEqual(['shape']);
  });

  test('an op without an export rule is refused in one line naming the node and op', () => {
    const graph = buildGraph({ inputs: { x: { dtype: 'f32', shape: [3, 3] } }, build: (b, { x }) => b.emit('eye_like', [x]) });
    graph.nodes[0].name = 'eye';
    expect(errorOf(() => exportOnnxModel(graph)).message).toBe("node 'eye', op eye_like: no ONNX export rule for this op");
  });

  test('nested graphs are refused', () => {
    const outer = new Graph('main', [new Value('cond', { dtype: 'bool', shape: [] })]);
    const b = new GraphBuilder(outer);
    const branch = (v: number): Graph => {
      const body = new Graph('branch');
      body.outputs = [new GraphBuilder(body).emit('identity', [b.constant(Tensor.scalar('f32', v))])[0]];
      return body;
    };
    const [y] = b.emit('if', [outer.inputs[0]], { then_branch: branch(1), else_branch: branch(2) });
    outer.outputs = [y];
    outer.nodes[0].name = 'choose';
    expect(errorOf(() => exportOnnxModel(outer)).message).toBe("node 'choose', op if: nested graphs (If, Loop, Scan bodies) are not exported to ONNX");
  });

  test('an opset too old for a node is refused, as is one outside the range written', () => {
    const graph = buildGraph({ inputs: { x: { dtype: 'f32', shape: [2] } }, build: (b, { x }) => b.emit('hard_swish', [x]) });
    graph.nodes[0].name = 'hs';
    expect(errorOf(() => exportOnnxModel(graph, { opset: 13 })).message).toBe("node 'hs', op hard_swish: needs ONNX opset 14 or later to export; opset 13 was asked for");
    expect(errorOf(() => exportOnnxModel(graph, { opset: 9 })).message).toBe('cannot export opset 9: dlc writes ONNX opsets 13 to 21');
  });

  test('every rule writes an ONNX op that imports back to the same canonical op', () => {
    const mismatched = [...EXPORT_RULES].filter(([op, rule]) => getOp(op) && findOnnxImport('', rule.onnxOp)?.def.name !== op).map(([op]) => op);
    expect(mismatched).toEqual([]);
  });
});
